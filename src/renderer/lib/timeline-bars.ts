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

/** The part of a 2D canvas context paintLane uses (a fake one in the unit tests). */
export type LaneContext = Pick<CanvasRenderingContext2D, 'clearRect' | 'fillRect'> & { fillStyle: CanvasRenderingContext2D['fillStyle'] };

/** Fill of the part of a lane before its `sinceMs` (nothing known there). */
export const UNKNOWN_FILL = '#3a3f4a';

/**
 * Paint one lane's strip on a canvas `widthPx` × `heightPx` device pixels: cleared (the strip's CSS
 * background shows through), then the unknown part (`unknownMs` from the window's start) shaded,
 * then each bar (ms, from timelineBars at this width) filled in `colorOf(domid)` the full height.
 * Bars are snapped outwards to whole pixels so a one-pixel bar stays crisp. One fillRect per bar:
 * a canvas, not an element per bar, so a 4 Hz refresh costs the page no style or layout work.
 */
export function paintLane(ctx: LaneContext, bars: readonly Bar[], unknownMs: number, windowMs: number, widthPx: number, heightPx: number, colorOf: (domid: number) => string): void {
  ctx.clearRect(0, 0, widthPx, heightPx);
  const scale = widthPx / Math.max(1, windowMs);
  if (unknownMs > 0) {
    ctx.fillStyle = UNKNOWN_FILL;
    ctx.fillRect(0, 0, Math.min(widthPx, Math.ceil(unknownMs * scale)), heightPx);
  }
  let fill = '';
  for (const b of bars) {
    const x0 = Math.max(0, Math.floor(b.x * scale));
    const x1 = Math.min(widthPx, Math.max(x0 + 1, Math.ceil((b.x + b.w) * scale)));
    const color = colorOf(b.domid);
    // fillStyle parses the colour on every write: only when it changes.
    if (color !== fill) ctx.fillStyle = fill = color;
    ctx.fillRect(x0, 0, x1 - x0, heightPx);
  }
}
