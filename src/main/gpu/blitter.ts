/**
 * The 2D blitter (BCS) operations, 32 bpp linear surfaces, executed to exact pixels through the GGTT.
 * Rectangles are [x1, x2) x [y1, y2) in pixels; pitch in bytes. Source: i915 XY_COLOR_BLT /
 * XY_SRC_COPY_BLT semantics (PRM Vol 2a "BLT Engine").
 */
import type { Ggtt } from './ggtt';
import { fillGm32, readGm, writeGm } from './gm-access';

export interface BlitRect {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/** Pixels a rectangle covers (0 when empty or inverted, as the hardware skips it). */
export function rectPixels(r: BlitRect): number {
  return r.x2 > r.x1 && r.y2 > r.y1 ? (r.x2 - r.x1) * (r.y2 - r.y1) : 0;
}

/** XY_COLOR_BLT: fill `rect` of the surface at GM `dst` (pitch bytes) with ARGB `color`. */
export function colorBlt(ggtt: Ggtt, dst: number, pitch: number, rect: BlitRect, color: number): number {
  const w = rect.x2 - rect.x1;
  if (rectPixels(rect) === 0) return 0;
  for (let y = rect.y1; y < rect.y2; y++) fillGm32(ggtt, dst + y * pitch + rect.x1 * 4, w * 4, color >>> 0);
  return rectPixels(rect);
}

/**
 * XY_SRC_COPY_BLT: copy from (srcX, srcY) of the surface at GM `src` to `rect` of `dst`.
 * Overlapping copies go bottom-up when the source is above the destination, as the engine does.
 */
export function srcCopyBlt(ggtt: Ggtt, dst: number, dstPitch: number, rect: BlitRect, src: number, srcPitch: number, srcX: number, srcY: number): number {
  const w = rect.x2 - rect.x1;
  const h = rect.y2 - rect.y1;
  if (rectPixels(rect) === 0) return 0;
  const row = new Uint8Array(w * 4);
  const bottomUp = src === dst && srcY < rect.y1;
  for (let i = 0; i < h; i++) {
    const r = bottomUp ? h - 1 - i : i;
    readGm(ggtt, src + (srcY + r) * srcPitch + srcX * 4, w * 4, row);
    writeGm(ggtt, dst + (rect.y1 + r) * dstPitch + rect.x1 * 4, row, 0, w * 4);
  }
  return w * h;
}
