/**
 * gpu.timeline segments as bars for a strip `widthPx` wide showing the lane's window: x and width in
 * ms from the window's start, each at least one pixel wide; segments of the same VM closer than a
 * pixel are drawn as one bar (a desktop's many short workloads), so a strip has at most about one
 * bar per pixel whatever the host sent. Browser-safe and pure.
 */
import type { OwnerSegment } from '../../shared/api';

export interface Bar {
  domid: number;
  x: number;
  w: number;
  /** Time the bar's segments cover, ms (less than w when segments were joined). */
  busyMs: number;
}

export function timelineBars(segments: readonly OwnerSegment[], nowMs: number, windowMs: number, widthPx: number): Bar[] {
  const fromMs = nowMs - windowMs;
  const px = windowMs / Math.max(1, widthPx);
  const bars: Bar[] = [];
  for (const s of segments) {
    const start = Math.max(s.startMs, fromMs) - fromMs;
    const end = Math.min(s.endMs, nowMs) - fromMs;
    if (end <= start) continue;
    const last = bars.at(-1);
    if (last && last.domid === s.domid && start - (last.x + last.w) < px) {
      last.w = Math.max(last.w, end - last.x);
      last.busyMs += end - start;
      continue;
    }
    bars.push({ domid: s.domid, x: start, w: Math.max(px, end - start), busyMs: end - start });
  }
  return bars;
}
