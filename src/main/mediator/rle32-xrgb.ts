/**
 * RLE32 straight from a picture: the tokens encodeRle32 (shared/rle32.ts) gives for the RGBA
 * pixels of a rectangle of an XRGB8888 image, without making the RGBA copy first. The compositor
 * thread sends every damage rectangle this way; converting it to RGBA and then coding that read
 * and wrote each damaged pixel twice more (the conversion was about a sixth of a desktop frame's
 * work on the compositor thread).
 */
import { RLE32_MIN_RUN, RLE32_RUN } from '../../shared/rle32';

/** The token buffer, reused (grown as needed): allocating one per rectangle cost more than coding it. */
let scratch = new Int32Array(0);
/** The coder's output position in `scratch` and where the open literal token's count word is (-1: none open). */
let o = 0;
let lit = -1;

/** Emit a finished run of `run` (> 0) pixels of XRGB `vq`: a run token when long enough, else literals. */
function endRun(out: Int32Array, run: number, vq: number): void {
  if (run >= RLE32_MIN_RUN) {
    if (lit >= 0) out[lit] = o - lit - 1;
    lit = -1;
    out[o++] = RLE32_RUN | run;
    out[o++] = rgbaWord(vq);
  } else {
    if (lit < 0) lit = o++;
    out[o++] = rgbaWord(vq);
    if (run === 2) out[o++] = rgbaWord(vq);
  }
}

/**
 * RLE32 tokens of the RGBA pixels (opaque: the X byte is ignored, as xrgbToRgba in gpu/scanout.ts
 * does) of the w x h rectangle at (x, y) of `xrgb` (0x00RRGGBB words, row-packed, `stride` pixels
 * per row): a fresh array, word for word what encodeRle32(xrgbToRgba(xrgb, stride, x, y, w, h))
 * gives, since both code every maximal run of at least RLE32_MIN_RUN equal pixels as one run and
 * the rest as literals. The rectangle must lie inside the image.
 *
 * `band` replaces some of the rectangle's rows: rows band.y .. band.y + band.rows.length / w - 1
 * (image rows, inside the rectangle) are read from `band.rows` (w words per row, packed) instead of
 * `xrgb`. A picture with the cursor over part of a rectangle so copies only the cursor's rows
 * (at most 64) to blend it in, not the whole rectangle.
 *
 * `lead` bytes (a multiple of 4) are left free before the tokens in their buffer (the returned
 * array starts at byteOffset `lead`): room for a frame message's header, which the compositor
 * writes there (codedFrameMessage) instead of copying the tokens behind a header once more.
 */
export function encodeRle32Xrgb(xrgb: Uint32Array, stride: number, x: number, y: number, w: number, h: number, band?: { y: number; rows: Uint32Array }, lead = 0): Uint32Array {
  const n = w * h;
  // At most one count word plus the pixels (all literals); runs of three or more only shrink it.
  if (scratch.length < n + 1) scratch = new Int32Array(Math.max(n + 1, scratch.length * 2));
  const out = scratch;
  // Int32 loads stay small integers where Uint32 ones above 2^31 become doubles (see xrgbToRgba).
  const image = new Int32Array(xrgb.buffer, xrgb.byteOffset, xrgb.length);
  const bandRows = band ? new Int32Array(band.rows.buffer, band.rows.byteOffset, band.rows.length) : image;
  const bandY0 = band ? band.y : 0;
  const bandY1 = band ? band.y + band.rows.length / w : 0;
  o = 0;
  lit = -1;
  /** The XRGB word being repeated and how many times so far (0: none yet); equal means equal RGB. */
  let vq = 0;
  let run = 0;
  for (let row = y; row < y + h; row++) {
    const inBand = row >= bandY0 && row < bandY1;
    const src = inBand ? bandRows : image;
    let i = inBand ? (row - bandY0) * w : row * stride + x;
    const end = i + w;
    while (i < end) {
      const q = src[i]!;
      if (run > 0 && ((q ^ vq) & 0xffffff) === 0) {
        // Most damage is flat colour: a tight loop to the run's end (or the row's: runs go on across rows).
        let j = i + 1;
        while (j < end && ((src[j]! ^ vq) & 0xffffff) === 0) j++;
        run += j - i;
        i = j;
        continue;
      }
      // The run of vq ended.
      if (run > 0) endRun(out, run, vq);
      vq = q;
      run = 1;
      i++;
    }
  }
  if (run > 0) endRun(out, run, vq);
  if (lit >= 0) out[lit] = o - lit - 1;
  const tokens = new Uint32Array((lead >>> 2) + o);
  tokens.set(new Uint32Array(out.buffer, 0, o), lead >>> 2);
  return tokens.subarray(lead >>> 2);
}

/** 0x00RRGGBB (X byte ignored) -> 0xFFBBGGRR, the RGBA bytes in memory, as xrgbToRgba: swapping the 16-bit halves moves R and B. */
const rgbaWord = (q: number): number => (((q << 16) | (q >>> 16)) & 0x00ff00ff) | (q & 0xff00) | -0x1000000;
