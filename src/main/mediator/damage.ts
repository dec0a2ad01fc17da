/**
 * Damage: which rows and columns of a source's picture changed, found by comparing the surface as
 * it is scanned out now with the picture its windows already have, and fixed in that picture in
 * the same pass. Comparing in place (QEMU's VNC server does the same against its server surface:
 * vnc_refresh_server_surface) reads each frame once and writes only what changed, where decoding
 * into a second buffer and diffing the two read and wrote every pixel twice.
 */

export interface DamageRect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface DamagePiece {
  rect: DamageRect;
  /**
   * The rect's RGBA pixels (w*h, row-packed, cursor blended in) as RLE32 tokens: a FRAME_RLE32 frame
   * message's payload. The composer lays them FRAME_HEADER_BYTES into a buffer of their own, so the
   * message is built around them (codedFrameMessage) rather than by copying them.
   */
  rle32: Uint32Array;
}

export interface Damage {
  width: number;
  height: number;
  /** Changed regions (empty when nothing changed). A size change damages the whole frame. */
  pieces: DamagePiece[];
}

/** At most this many bands of changed rows per frame; more are merged across their smallest gaps. */
export const MAX_DAMAGE_RECTS = 8;

/** Rows compared as one block first: unchanged blocks (most of a frame) cost one comparison. */
const BLOCK_ROWS = 16;

/**
 * True when words a[aAt, aAt+n) equal b[bAt, bAt+n); both spans must lie inside their arrays (a
 * native compare reads the memory behind a view, the JS loop would see undefined). The compositor
 * thread passes a native memcmp (host/native-compare.ts, several times faster than a JS loop); the
 * core stays portable.
 */
export type SpanEqual = (a: Uint32Array, aAt: number, b: Uint32Array, bAt: number, n: number) => boolean;

/** The portable SpanEqual: a plain loop. */
export const jsSpanEqual: SpanEqual = (a, aAt, b, bAt, n) => {
  for (let i = 0; i < n; i++) if (a[aAt + i] !== b[bAt + i]) return false;
  return true;
};

/** Words of a surface where they can be read without copying: `words[at …]`. */
export interface WordSpan {
  words: Uint32Array;
  at: number;
}

/**
 * The surface being scanned out, a row at a time, as XRGB8888 words. `row(y)` gives row y's
 * `width` words contiguous (in guest RAM, or copied into a scratch row when the row straddles
 * unmapped or non-contiguous pages); `rows(y0, y1)` gives rows y0..y1-1 as one contiguous span when
 * they are (linear, pitch = width*4, one run of RAM), else null.
 */
export interface SurfaceRows {
  row(y: number): WordSpan;
  rows(y0: number, y1: number): WordSpan | null;
}

/**
 * Bring `dst` (width x height XRGB words, row-packed: the picture the windows have) up to `src`
 * and return the changed regions (see bandRects). Only the changed columns of changed rows are
 * written. Every row is compared, blocks of BLOCK_ROWS rows first (the dirty-log-guided compare of
 * only the blocks written is block-guide.ts).
 */
export function syncRows(src: SurfaceRows, dst: Uint32Array, width: number, height: number, equal: SpanEqual = jsSpanEqual, maxRects = MAX_DAMAGE_RECTS): DamageRect[] {
  const bands: Band[] = [];
  let band: Band | null = null;
  const span = { lo: 0, hi: 0 };
  for (let y0 = 0; y0 < height; y0 += BLOCK_ROWS) {
    const y1 = Math.min(height, y0 + BLOCK_ROWS);
    const block = src.rows(y0, y1);
    if (block && equal(block.words, block.at, dst, y0 * width, (y1 - y0) * width)) {
      band = null;
      continue;
    }
    for (let y = y0; y < y1; y++) {
      const r = src.row(y);
      if (!syncRow(r.words, r.at, dst, y * width, 0, width, equal, span)) {
        band = null;
        continue;
      }
      if (band) {
        band.y1 = y;
        if (span.lo < band.x0) band.x0 = span.lo;
        if (span.hi - 1 > band.x1) band.x1 = span.hi - 1;
      } else {
        band = { x0: span.lo, x1: span.hi - 1, y0: y, y1: y };
        bands.push(band);
      }
    }
  }
  return bandRects(bands, maxRects);
}

/** Consecutive changed rows y0..y1 (inclusive) and the union of their changed columns x0..x1 (inclusive). */
export interface Band {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

/**
 * The damage rectangles of `bands` (top to bottom, not overlapping): at most `maxRects`, merging
 * the two neighbours with the smallest vertical gap first. `bands` is consumed.
 */
export function bandRects(bands: Band[], maxRects: number): DamageRect[] {
  while (bands.length > maxRects) {
    let best = 0;
    for (let i = 1; i < bands.length - 1; i++) if (bands[i + 1].y0 - bands[i].y1 < bands[best + 1].y0 - bands[best].y1) best = i;
    const [p, q] = [bands[best], bands[best + 1]];
    bands.splice(best, 2, { x0: Math.min(p.x0, q.x0), x1: Math.max(p.x1, q.x1), y0: p.y0, y1: q.y1 });
  }
  return bands.map((r) => ({ x: r.x0, y: r.y0, w: r.x1 - r.x0 + 1, h: r.y1 - r.y0 + 1 }));
}

/**
 * Columns [c0, c1) of one row: false when src equals dst there; else copy the changed columns
 * [span.lo, span.hi) into dst and return true. `span` comes in holding the last changed row's
 * columns: a moving window or redrawn text changes the rows below it in the same columns, so
 * those are tried first (a difference at both of its ends and nothing outside them settles the
 * row with two compares). Otherwise one `equal` call settles an unchanged row (most rows); a
 * changed row's ends are then found by walking in from both ends word by word, which stops at
 * the first difference, and the changed middle is copied natively in one call. (Halving with
 * `equal` took about twenty calls per changed row, each costing as much as walking a few hundred
 * words; a desktop frame's changed rows differ within a few hundred words of their ends.) Ends
 * longer than STRIDE words are first skipped a STRIDE at a time with `equal`: at 1920x1080 the
 * written columns of a row span two windows and the gap between them, or the whole top bar, and
 * walking those ends word by word was most of a desktop frame's update.
 */
export function syncRow(src: Uint32Array, s: number, dst: Uint32Array, d: number, c0: number, c1: number, equal: SpanEqual, span: { lo: number; hi: number }): boolean {
  // src is live guest memory: the guest may have rewritten the row meanwhile, so every result
  // below rests on compares made in this call, the walks are bounded, and a row that turned
  // equal counts as unchanged.
  const delta = d - s;
  const lo = span.lo;
  const hi = span.hi;
  if (c0 <= lo && lo < hi && hi <= c1 && src[s + lo] !== dst[d + lo] && src[s + hi - 1] !== dst[d + hi - 1] && equal(src, s + c0, dst, d + c0, lo - c0) && equal(src, s + hi, dst, d + hi, c1 - hi)) {
    dst.set(src.subarray(s + lo, s + hi), d + lo);
    return true;
  }
  if (equal(src, s + c0, dst, d + c0, c1 - c0)) return false;
  let a = s + c0;
  const end = s + c1;
  // Long equal stretches at the ends (a row's columns between two written places, the top bar's
  // unchanged text) are skipped STRIDE words per native compare, then walked word by word.
  while (end - a > STRIDE && equal(src, a, dst, a + delta, STRIDE)) a += STRIDE;
  while (a < end && src[a] === dst[a + delta]) a++;
  if (a === end) return false;
  let b = end;
  while (b - a > STRIDE + 1 && equal(src, b - STRIDE, dst, b - STRIDE + delta, STRIDE)) b -= STRIDE;
  while (b > a + 1 && src[b - 1] === dst[b - 1 + delta]) b--;
  dst.set(src.subarray(a, b), a + delta);
  span.lo = a - s;
  span.hi = b - s;
  return true;
}

/** Words a changed row's ends are skipped by per native compare before walking (one 1 KiB dirty block). */
const STRIDE = 256;

/** A SurfaceRows over a row-packed width-wide frame already in memory (e.g. a detiled surface). */
export function packedRows(words: Uint32Array, width: number): SurfaceRows {
  return {
    row: (y) => ({ words, at: y * width }),
    rows: (y0) => ({ words, at: y0 * width }),
  };
}
