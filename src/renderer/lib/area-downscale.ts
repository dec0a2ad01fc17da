/**
 * Area-average (box filter) downscaling of an RGBA frame to the size it is shown at, one
 * destination rectangle at a time, in plain JS: what CanvasPainter does for a window shown smaller
 * than its guest's frame, instead of putImageData onto a scratch canvas and a scaled drawImage.
 *
 * Each shown pixel is the average of the frame pixels it covers, each weighted by the area of it
 * covered (exact integer weights: the frame is `from` pixels and the shown size `to` pixels along an
 * axis, so shown pixel i covers frame span [i * from, (i + 1) * from) in units of 1/to pixel).
 * A shown pixel depends on the frame alone, not on what was painted before: painting the shown
 * pixels that cover each damage rectangle gives the same picture as downscaling the whole frame.
 * Unlike bilinear sampling (drawImage's), which reads 2x2 pixels whatever the scale, every frame
 * pixel counts, so a 1-pixel stroke of text at a third of the size fades rather than vanishes.
 * Channels are averaged as stored (sRGB, straight alpha), as drawImage does.
 */

/** One axis of a downscale from `from` frame pixels to `to` shown pixels (to <= from). */
export interface Axis {
  from: number;
  to: number;
  /** first[i]: the first frame pixel shown pixel i covers. */
  first: Int32Array;
  /** taps[i]: how many frame pixels shown pixel i covers (each with a weight in `weights`). */
  taps: Int32Array;
  /** Weights per shown pixel, `stride` slots each (the first taps[i] used); they sum to `from`. */
  weights: Int32Array;
  stride: number;
}

/** The axis from `from` frame pixels to `to` shown pixels; throws RangeError unless 1 <= to <= from. */
export function makeAxis(from: number, to: number): Axis {
  if (!Number.isInteger(from) || !Number.isInteger(to) || to < 1 || to > from) throw new RangeError(`area downscale: cannot shrink ${from} pixels to ${to}`);
  const stride = Math.ceil(from / to) + 1;
  const first = new Int32Array(to);
  const taps = new Int32Array(to);
  const weights = new Int32Array(to * stride);
  for (let i = 0; i < to; i++) {
    const lo = i * from;
    const hi = lo + from;
    const j0 = Math.floor(lo / to);
    const j1 = Math.ceil(hi / to);
    first[i] = j0;
    taps[i] = j1 - j0;
    for (let j = j0; j < j1; j++) weights[i * stride + j - j0] = Math.min(hi, (j + 1) * to) - Math.max(lo, j * to);
  }
  return { from, to, first, taps, weights, stride };
}

/** The shown pixels [lo, hi) that cover frame pixels [x, x + w) along `axis` (empty for w <= 0). */
export function coveringSpan(axis: Pick<Axis, 'from' | 'to'>, x: number, w: number): [number, number] {
  if (w <= 0) return [0, 0];
  const lo = Math.max(0, Math.floor((x * axis.to) / axis.from));
  const hi = Math.min(axis.to, Math.ceil(((x + w) * axis.to) / axis.from));
  return [lo, Math.max(lo, hi)];
}

/** Reused per-channel sums of one destination row, grown as needed. */
let accSums = new Float64Array(0);

/**
 * Write the shown pixels [dx0, dx0 + dw) x [dy0, dy0 + dh) of `src` (a `xAxis.from` x `yAxis.from`
 * RGBA frame) scaled to `xAxis.to` x `yAxis.to` into `out` (RGBA, `outStride` pixels per row),
 * starting at its top-left. Each channel is the weighted sum over the covered frame pixels divided
 * by from_x * from_y, rounded to nearest. Throws RangeError on a rectangle outside the shown size.
 */
export function downscaleRect(src: Uint8ClampedArray, xAxis: Axis, yAxis: Axis, dx0: number, dy0: number, dw: number, dh: number, out: Uint8ClampedArray, outStride: number): void {
  if (dx0 < 0 || dy0 < 0 || dx0 + dw > xAxis.to || dy0 + dh > yAxis.to) throw new RangeError(`area downscale: rect ${dx0},${dy0} ${dw}x${dh} outside ${xAxis.to}x${yAxis.to}`);
  if (dw <= 0 || dh <= 0) return;
  if (accSums.length < dw * 4) accSums = new Float64Array(dw * 4);
  const acc = accSums;
  const { first: xFirst, taps: xTaps, weights: xW, stride: xStride } = xAxis;
  const srcW = xAxis.from;
  const total = xAxis.from * yAxis.from;
  for (let dy = dy0; dy < dy0 + dh; dy++) {
    acc.fill(0, 0, dw * 4);
    const y0 = yAxis.first[dy]!;
    const yn = yAxis.taps[dy]!;
    for (let t = 0; t < yn; t++) {
      const wy = yAxis.weights[dy * yAxis.stride + t]!;
      const rowBase = (y0 + t) * srcW;
      // This frame row's horizontal sums per shown pixel, added in with the row's weight.
      for (let i = 0; i < dw; i++) {
        const dx = dx0 + i;
        let p = (rowBase + xFirst[dx]!) * 4;
        const wBase = dx * xStride;
        const n = xTaps[dx]!;
        let r = 0;
        let g = 0;
        let b = 0;
        let a = 0;
        for (let k = 0; k < n; k++, p += 4) {
          const wx = xW[wBase + k]!;
          r += wx * src[p]!;
          g += wx * src[p + 1]!;
          b += wx * src[p + 2]!;
          a += wx * src[p + 3]!;
        }
        const o = i * 4;
        acc[o]! += wy * r;
        acc[o + 1]! += wy * g;
        acc[o + 2]! += wy * b;
        acc[o + 3]! += wy * a;
      }
    }
    let q = (dy - dy0) * outStride * 4;
    // Uint8ClampedArray rounds half to even; the explicit +0.5 floor keeps it "half up", as documented.
    for (let o = 0; o < dw * 4; o++) out[q++] = Math.floor(acc[o]! / total + 0.5);
  }
}
