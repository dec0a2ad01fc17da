/**
 * RLE32: run-length coding of 32-bit pixels, the frame messages' compressed encoding (in the spirit
 * of VNC's RRE/ZRLE). A guest desktop's damage is mostly flat colour and text, so runs are long;
 * decoding is Uint32Array.fill and .set, which the browser does at memory speed, where a general
 * inflate (measured with the frame-delivery benchmark: fflate and DecompressionStream) cost more
 * than painting the frame.
 *
 * Tokens are u32 words: a word with the top bit set starts a run of (word & 0x7fffffff) copies of
 * the next word; any other word n > 0 is followed by n literal pixels. Browser-safe, no imports.
 */

/** The top bit of a token word: a run (see above). Exported for encoders that read other pixel formats. */
export const RLE32_RUN = 0x80000000;
const RUN = RLE32_RUN;
/** The encoder's working buffer, grown as needed. */
let scratch = new Uint32Array(0);
/** Tokens up to this many pixels are decoded with a plain loop. */
const SHORT = 32;
/**
 * Runs shorter than this are cheaper as literals (a run costs two words). Every maximal run of
 * equal pixels at least this long is one run token, everything else literals: another encoder
 * following this rule produces the very same tokens.
 */
export const RLE32_MIN_RUN = 3;
const MIN_RUN = RLE32_MIN_RUN;

/** Encode `px` as RLE32 tokens: a fresh array of at most px.length + 1 words (each run of ≥ 3 pays for a literal span's count word). */
export function encodeRle32(px: Uint32Array): Uint32Array {
  const n = px.length;
  // Tokens are built in a reused scratch buffer (allocating and zeroing one per frame cost more
  // than the coding itself), then copied out at their real, usually much smaller, size.
  if (scratch.length < n + 1) scratch = new Uint32Array(Math.max(n + 1, scratch.length * 2));
  const out = scratch;
  let o = 0;
  let i = 0;
  /** Start of the literals not written yet. */
  let lit = 0;
  while (i < n) {
    const v = px[i]!;
    if (i + MIN_RUN - 1 < n && px[i + 1] === v && px[i + 2] === v) {
      let j = i + MIN_RUN;
      while (j < n && px[j] === v) j++;
      o = literals(px, lit, i, out, o);
      out[o++] = (RUN | (j - i)) >>> 0;
      out[o++] = v;
      i = lit = j;
    } else i++;
  }
  o = literals(px, lit, n, out, o);
  return out.slice(0, o);
}

/** Write px[from..to) as one literal token at out[o]; returns the next free word. */
function literals(px: Uint32Array, from: number, to: number, out: Uint32Array, o: number): number {
  const n = to - from;
  if (n === 0) return o;
  out[o++] = n;
  if (n > SHORT) out.set(px.subarray(from, to), o);
  else for (let k = 0; k < n; k++) out[o + k] = px[from + k]!;
  return o + n;
}

/**
 * Decode RLE32 `tokens` into `out`, which they must fill exactly. Throws RangeError on a token
 * that runs past the input or the output, a zero-length token, or a short result.
 */
export function decodeRle32(tokens: Uint32Array, out: Uint32Array): void {
  let t = 0;
  let o = 0;
  while (t < tokens.length) {
    const word = tokens[t++]!;
    const n = word & 0x7fffffff;
    if (n === 0 || o + n > out.length) throw new RangeError(`RLE32: a token of ${n} pixels at word ${t - 1} does not fit the ${out.length}-pixel output`);
    // Short tokens are copied by hand: fill()/set() on a subarray cost more than a few stores.
    if (word & RUN) {
      if (t >= tokens.length) throw new RangeError('RLE32: a run without its pixel');
      const v = tokens[t++]!;
      if (n > SHORT) out.fill(v, o, o + n);
      else for (let k = 0; k < n; k++) out[o + k] = v;
    } else {
      if (t + n > tokens.length) throw new RangeError(`RLE32: ${n} literals at word ${t - 1} run past the input`);
      if (n > SHORT) out.set(tokens.subarray(t, t + n), o);
      else for (let k = 0; k < n; k++) out[o + k] = tokens[t + k]!;
      t += n;
    }
    o += n;
  }
  if (o !== out.length) throw new RangeError(`RLE32: decoded ${o} of ${out.length} pixels`);
}

/**
 * Decode RLE32 `tokens` straight into a w x h rectangle of a larger row-major image `out` (32-bit
 * pixels, `stride` pixels per row), starting at pixel index `at`: the renderer paints damage into
 * its surface this way, without a buffer per message (a fresh ArrayBuffer per message measured
 * about 40 times slower than decoding in place in Chromium). Throws RangeError as decodeRle32
 * does, or when the rectangle does not fit `out`; pixels before the bad token are written.
 */
export function decodeRle32Rect(tokens: Uint32Array, out: Uint32Array, stride: number, at: number, w: number, h: number): void {
  if (w <= 0 || h <= 0 || w > stride || at < 0 || at + (h - 1) * stride + w > out.length) throw new RangeError(`RLE32: a ${w}x${h} rect at pixel ${at} does not fit a ${out.length}-pixel image of stride ${stride}`);
  const total = w * h;
  let t = 0;
  let done = 0;
  let col = 0;
  let o = at;
  while (t < tokens.length) {
    const word = tokens[t++]!;
    let n = word & 0x7fffffff;
    if (n === 0 || done + n > total) throw new RangeError(`RLE32: a token of ${n} pixels at word ${t - 1} does not fit the ${total}-pixel rect`);
    done += n;
    const run = (word & RUN) !== 0;
    if (run && t >= tokens.length) throw new RangeError('RLE32: a run without its pixel');
    if (!run && t + n > tokens.length) throw new RangeError(`RLE32: ${n} literals at word ${t - 1} run past the input`);
    const v = run ? tokens[t++]! : 0;
    // A token may span rows: cut it at each row end.
    while (n > 0) {
      const k = Math.min(n, w - col);
      if (run) {
        if (k > SHORT) out.fill(v, o, o + k);
        else for (let i = 0; i < k; i++) out[o + i] = v;
      } else {
        if (k > SHORT) out.set(tokens.subarray(t, t + k), o);
        else for (let i = 0; i < k; i++) out[o + i] = tokens[t + i]!;
        t += k;
      }
      o += k;
      col += k;
      n -= k;
      if (col === w) {
        col = 0;
        o += stride - w;
      }
    }
  }
  if (done !== total) throw new RangeError(`RLE32: decoded ${done} of ${total} pixels`);
}

