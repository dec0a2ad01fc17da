/**
 * The 2D blitter (BCS) operations, executed to exact pixels through the GGTT or a PPGTT: solid fills
 * (XY_COLOR_BLT) and copies (XY_SRC_COPY_BLT) between linear or X-tiled surfaces of 8, 16 or 32
 * bits per pixel. Rectangles are [x1, x2) x [y1, y2) in pixels; pitches in bytes.
 *
 * X tiling (the only tiling the Gen8+ XY_* commands address): a surface is a grid of 4 KiB tiles,
 * each 512 bytes wide and 8 rows high, laid out row-major, so byte `x` of row `y` lives at
 * base + ((y / 8) * (pitch / 512) + x / 512) * 4096 + (y % 8) * 512 + x % 512. No bit-6 swizzling
 * (Gen9 has none). In the XY_* commands a tiled surface's pitch is given in dwords; the command
 * decoder converts it, these functions take bytes.
 *
 * Sources: i915 intel_gpu_commands.h (XY_*, BLT_WRITE_*), Mesa i965 intel_blit.c (XY_DST_TILED /
 * XY_SRC_TILED, tiled pitch / 4), PRM Vol 2a "BLT Engine" (BR13 colour depth, 32 bpp byte mask),
 * PRM "Memory Views: X-Major Tiling".
 */
import { PAGE_SIZE } from '../../shared/platform';
import { GPU_LOG, markDirty } from '../../shared/dirty-log';
import { type AddressSpace, GmCursor, readGm, writeGm } from './gm-access';
import type { RamRegion } from './memory';

export interface BlitRect {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/** A surface as a blit command describes it. */
export interface BlitSurface {
  /** GM address of pixel (0, 0); 4 KiB aligned for a tiled surface. */
  base: number;
  /** Bytes from one row to the next (a tiled surface: a multiple of 512). */
  pitch: number;
  /** X-tiled (512 B x 8 row tiles) rather than linear. */
  tiled: boolean;
  /** Bytes per pixel: 1, 2 or 4. */
  cpp: number;
}

/** X tile geometry. Source: PRM "X-Major Tiling". */
export const X_TILE_ROW_BYTES = 512;
export const X_TILE_ROWS = 8;
export const X_TILE_BYTES = 4096;

/** Which bytes of each 32 bpp pixel a blit writes (BR00 bit 21 alpha = byte 3, bit 20 RGB = bytes 0-2). */
export interface ChannelMask {
  alpha: boolean;
  rgb: boolean;
}
const ALL_CHANNELS: ChannelMask = { alpha: true, rgb: true };

/** Pixels a rectangle covers (0 when empty or inverted, as the hardware skips it). */
export function rectPixels(r: BlitRect): number {
  return r.x2 > r.x1 && r.y2 > r.y1 ? (r.x2 - r.x1) * (r.y2 - r.y1) : 0;
}

/** GM address of byte `xBytes` of row `y` of surface `s`. */
export function surfaceAddress(s: BlitSurface, xBytes: number, y: number): number {
  if (!s.tiled) return s.base + y * s.pitch + xBytes;
  const tilesPerRow = Math.floor(s.pitch / X_TILE_ROW_BYTES);
  const tile = Math.floor(y / X_TILE_ROWS) * tilesPerRow + Math.floor(xBytes / X_TILE_ROW_BYTES);
  return s.base + tile * X_TILE_BYTES + (y % X_TILE_ROWS) * X_TILE_ROW_BYTES + (xBytes % X_TILE_ROW_BYTES);
}

/**
 * The GM spans making up `length` bytes of row `y` from byte `xBytes`: one span when linear, one
 * per tile crossed when tiled. `fn(gm, offset, len)`: offset is the span's position in the row run.
 */
function forEachSpan(s: BlitSurface, y: number, xBytes: number, length: number, fn: (gm: number, offset: number, len: number) => void): void {
  if (!s.tiled) return fn(surfaceAddress(s, xBytes, y), 0, length);
  let done = 0;
  while (done < length) {
    const x = xBytes + done;
    const len = Math.min(length - done, X_TILE_ROW_BYTES - (x % X_TILE_ROW_BYTES));
    fn(surfaceAddress(s, x, y), done, len);
    done += len;
  }
}

/** Lowest GM address row `y` touches (rows only grow from here: used to stop at the end of GM). */
const rowFloor = (s: BlitSurface, xBytes: number, y: number): number =>
  s.tiled ? s.base + Math.floor(y / X_TILE_ROWS) * X_TILE_ROWS * s.pitch : s.base + y * s.pitch + xBytes;

const readRow = (ggtt: AddressSpace, s: BlitSurface, y: number, xBytes: number, out: Uint8Array): void =>
  forEachSpan(s, y, xBytes, out.length, (gm, off, len) => readGm(ggtt, gm, len, out, off));

const writeRow = (ggtt: AddressSpace, s: BlitSurface, y: number, xBytes: number, row: Uint8Array): void =>
  forEachSpan(s, y, xBytes, row.length, (gm, off, len) => writeGm(ggtt, gm, row, off, len));

/** Keep the destination's bytes where the 32 bpp channel mask says not to write. */
function applyMask(row: Uint8Array, dest: Uint8Array, mask: ChannelMask): void {
  for (let i = 0; i < row.length; i += 4) {
    if (!mask.rgb) {
      row[i] = dest[i];
      row[i + 1] = dest[i + 1];
      row[i + 2] = dest[i + 2];
    }
    if (!mask.alpha) row[i + 3] = dest[i + 3];
  }
}

const fullMask = (cpp: number, mask: ChannelMask): boolean => cpp !== 4 || (mask.alpha && mask.rgb);

// ---- Row fast paths --------------------------------------------------------------------------
// A row is cut into chunks that stay inside one GM page (and one X-tile span) of every surface
// involved, each translated once to host RAM; chunks are then copied straight from guest RAM to
// guest RAM (within one buffer, as every blit inside one VM's memory is: the region's native
// memmove when its RAM is a wasm memory, see ram-ops.ts, else copyWithin) or filled in place
// (the native dword fill, else Uint32Array#fill), with no per-row staging buffer and no allocation. Anything unusual
// falls back to the reference row path above (readRow / writeRow), which defines the behaviour:
// a page only partly backed by a RAM region, a row whose chunks would overwrite source bytes a
// later chunk still has to read (the hardware reads the row before writing it), or rows cut into
// more than MAX_ROW_CHUNKS chunks (the overlap check is quadratic).

/** More chunks than this in one row (very wide tiled rows) take the reference path. */
const MAX_ROW_CHUNKS = 32;

/** The current row's chunks: region (null = unmapped), byte offset in it, row offset and length. */
const chunkSrc: (RamRegion | null)[] = new Array<RamRegion | null>(MAX_ROW_CHUNKS).fill(null);
const chunkSrcOff = new Float64Array(MAX_ROW_CHUNKS);
const chunkDst: (RamRegion | null)[] = new Array<RamRegion | null>(MAX_ROW_CHUNKS).fill(null);
const chunkDstOff = new Float64Array(MAX_ROW_CHUNKS);
const chunkRowOff = new Float64Array(MAX_ROW_CHUNKS);
const chunkLen = new Float64Array(MAX_ROW_CHUNKS);

/** Bytes from row byte `x` of `s` to the end of its span (X-tile row or page), whichever ends first. */
function spanLeft(s: BlitSurface, x: number, gm: number): number {
  const page = PAGE_SIZE - (gm % PAGE_SIZE);
  return s.tiled ? Math.min(page, X_TILE_ROW_BYTES - (x % X_TILE_ROW_BYTES)) : page;
}

/**
 * Cut `length` bytes of row `dy` of `dst` from byte `dx` (and, with `src`, the same bytes of row
 * `sy` from byte `sx`) into chunks. Returns the chunk count, or -1 for the reference path (a page
 * partly backed, or too many chunks).
 */
function chunkRow(dc: GmCursor, dst: BlitSurface, dy: number, dx: number, length: number, sc: GmCursor | null, src: BlitSurface | null, sy: number, sx: number): number {
  let k = 0;
  for (let pos = 0; pos < length; k++) {
    if (k === MAX_ROW_CHUNKS) return -1;
    const da = surfaceAddress(dst, dx + pos, dy);
    let n = Math.min(length - pos, spanLeft(dst, dx + pos, da));
    dc.at(da);
    if (dc.region !== null && !dc.wholePage) return -1;
    chunkDst[k] = dc.region;
    chunkDstOff[k] = dc.offset;
    if (sc !== null && src !== null) {
      const sa = surfaceAddress(src, sx + pos, sy);
      n = Math.min(n, spanLeft(src, sx + pos, sa));
      sc.at(sa);
      if (sc.region !== null && !sc.wholePage) return -1;
      chunkSrc[k] = sc.region;
      chunkSrcOff[k] = sc.offset;
    }
    chunkRowOff[k] = pos;
    chunkLen[k] = n;
    pos += n;
  }
  return k;
}

/** Chunk i's destination overlaps chunk j's source (same memory). */
function clobbers(i: number, j: number): boolean {
  const d = chunkDst[i];
  const s = chunkSrc[j];
  if (d === null || s === null || d.bytes.buffer !== s.bytes.buffer) return false;
  return chunkDstOff[i] < chunkSrcOff[j] + chunkLen[j] && chunkSrcOff[j] < chunkDstOff[i] + chunkLen[i];
}

/**
 * Copy one row chunk by chunk, straight from source to destination memory. Returns false (having
 * written nothing) when the row needs the reference path.
 */
function copyRowDirect(dc: GmCursor, dst: BlitSurface, dy: number, dx: number, length: number, sc: GmCursor, src: BlitSurface, sy: number, sx: number): boolean {
  const k = chunkRow(dc, dst, dy, dx, length, sc, src, sy, sx);
  if (k < 0) return false;
  // Reading the whole row first, as the reference path does, only differs when an earlier
  // chunk's destination is a later chunk's source; a single chunk is a memmove either way.
  for (let i = 0; i < k - 1; i++) for (let j = i + 1; j < k; j++) if (clobbers(i, j)) return false;
  for (let i = 0; i < k; i++) {
    const d = chunkDst[i];
    if (d === null) continue; // unmapped destination page: the write is dropped
    const s = chunkSrc[i];
    const to = chunkDstOff[i];
    const n = chunkLen[i];
    if (s === null) d.bytes.fill(0, to, to + n); // unmapped source page reads as zero
    else if (s === d && d.ops !== null) d.ops.copy(to, chunkSrcOff[i], n);
    else if (s.bytes.buffer === d.bytes.buffer && s.bytes.byteOffset === d.bytes.byteOffset) d.bytes.copyWithin(to, chunkSrcOff[i], chunkSrcOff[i] + n);
    else d.bytes.set(s.bytes.subarray(chunkSrcOff[i], chunkSrcOff[i] + n), to);
    if (d.dirty !== null) markDirty(d.dirty, GPU_LOG, to, n);
  }
  return true;
}

/**
 * Fill one row with `pattern` (the colour repeated, as many bytes as the row) chunk by chunk, in
 * place. Returns false (having written nothing) when the row needs the reference path.
 */
function fillRowDirect(dc: GmCursor, dst: BlitSurface, dy: number, dx: number, pattern: Uint8Array, color: number): boolean {
  const k = chunkRow(dc, dst, dy, dx, pattern.length, null, null, 0, 0);
  if (k < 0) return false;
  for (let i = 0; i < k; i++) {
    const d = chunkDst[i];
    if (d === null) continue;
    const to = chunkDstOff[i];
    const n = chunkLen[i];
    const off = chunkRowOff[i];
    if (dst.cpp === 4 && to % 4 === 0 && off % 4 === 0 && n % 4 === 0) {
      if (d.ops !== null) d.ops.fill32(to, color, n);
      else d.words.fill(color, to / 4, (to + n) / 4);
    }
    else if (dst.cpp === 1) d.bytes.fill(color & 0xff, to, to + n);
    else d.bytes.set(pattern.subarray(off, off + n), to);
    if (d.dirty !== null) markDirty(d.dirty, GPU_LOG, to, n);
  }
  return true;
}

/**
 * Fill `rect` of surface `dst` with `color` (its low `cpp` bytes, little-endian). For 32 bpp only
 * the channels in `mask` are written. Rows that start beyond `gmEnd` (the end of graphics memory)
 * are skipped: they would only reach the scratch page. Returns the pixels the command covers.
 */
export function fillSurface(ggtt: AddressSpace, dst: BlitSurface, rect: BlitRect, color: number, mask: ChannelMask = ALL_CHANNELS, gmEnd = Infinity): number {
  const pixels = rectPixels(rect);
  if (pixels === 0 || (dst.cpp === 4 && !mask.alpha && !mask.rgb)) return pixels;
  const w = rect.x2 - rect.x1;
  const x = rect.x1 * dst.cpp;
  const row = new Uint8Array(w * dst.cpp);
  for (let i = 0; i < row.length; i++) row[i] = (color >>> ((i % dst.cpp) * 8)) & 0xff;
  const partial = !fullMask(dst.cpp, mask);
  const dest = partial ? new Uint8Array(row.length) : row;
  const pattern = partial ? row.slice() : row;
  const dc = new GmCursor(ggtt);
  for (let y = rect.y1; y < rect.y2; y++) {
    if (rowFloor(dst, x, y) >= gmEnd) break;
    if (!partial && fillRowDirect(dc, dst, y, x, row, color >>> 0)) continue;
    if (partial) {
      readRow(ggtt, dst, y, x, dest);
      row.set(pattern);
      applyMask(row, dest, mask);
    }
    writeRow(ggtt, dst, y, x, row);
  }
  return pixels;
}

/**
 * Copy the (x2-x1) x (y2-y1) pixels at (srcX, srcY) of `src` to `rect` of `dst` (same cpp). Each
 * row is read whole before it is written, so overlap within a row is safe; when both are the same
 * surface and the source lies above the destination the rows go bottom-up, as the engine does.
 * Rows of `dst` starting beyond `gmEnd` are skipped. Returns the pixels the command covers.
 */
export function copySurface(ggtt: AddressSpace, dst: BlitSurface, rect: BlitRect, src: BlitSurface, srcX: number, srcY: number, mask: ChannelMask = ALL_CHANNELS, gmEnd = Infinity): number {
  const pixels = rectPixels(rect);
  if (pixels === 0 || (dst.cpp === 4 && !mask.alpha && !mask.rgb)) return pixels;
  const w = rect.x2 - rect.x1;
  const h = rect.y2 - rect.y1;
  const row = new Uint8Array(w * dst.cpp);
  const partial = !fullMask(dst.cpp, mask);
  const dest = partial ? new Uint8Array(row.length) : row;
  const bottomUp = src.base === dst.base && src.tiled === dst.tiled && srcY < rect.y1;
  const dx = rect.x1 * dst.cpp;
  const sx = srcX * src.cpp;
  const dc = new GmCursor(ggtt);
  const sc = new GmCursor(ggtt);
  for (let i = 0; i < h; i++) {
    const r = bottomUp ? h - 1 - i : i;
    if (rowFloor(dst, dx, rect.y1 + r) >= gmEnd) {
      if (bottomUp) continue;
      break;
    }
    if (!partial && copyRowDirect(dc, dst, rect.y1 + r, dx, row.length, sc, src, srcY + r, sx)) continue;
    readRow(ggtt, src, srcY + r, sx, row);
    if (partial) {
      readRow(ggtt, dst, rect.y1 + r, dx, dest);
      applyMask(row, dest, mask);
    }
    writeRow(ggtt, dst, rect.y1 + r, dx, row);
  }
  return pixels;
}


/** XY_COLOR_BLT on a linear 32 bpp surface: fill `rect` of the surface at GM `dst` (pitch bytes) with ARGB `color`. */
export function colorBlt(ggtt: AddressSpace, dst: number, pitch: number, rect: BlitRect, color: number): number {
  return fillSurface(ggtt, { base: dst, pitch, tiled: false, cpp: 4 }, rect, color, ALL_CHANNELS, ggtt.entries * PAGE_SIZE);
}

/**
 * XY_SRC_COPY_BLT on linear 32 bpp surfaces: copy from (srcX, srcY) of the surface at GM `src` to
 * `rect` of `dst`.
 */
export function srcCopyBlt(ggtt: AddressSpace, dst: number, dstPitch: number, rect: BlitRect, src: number, srcPitch: number, srcX: number, srcY: number): number {
  return copySurface(ggtt, { base: dst, pitch: dstPitch, tiled: false, cpp: 4 }, rect, { base: src, pitch: srcPitch, tiled: false, cpp: 4 }, srcX, srcY, ALL_CHANNELS, ggtt.entries * PAGE_SIZE);
}
