/**
 * A source's picture as its windows have it: the primary plane's pixels as last scanned out and,
 * kept apart as the display engine keeps its planes, the cursor drawn on top. `update` brings it to
 * what the registers and memory show now, in place, and returns what changed: the plane's changed
 * bands (compared where the surface lies, see damage.ts) plus the cursor's old and new places when
 * it moved or its image changed. Pixels leave as RLE32-coded RGBA with the cursor blended in.
 *
 * With the dirty logs (BlockWrites), a linear surface the picture was synced from before is
 * compared only where it can differ (block-guide.ts): the dirty-log blocks written since that sync,
 * plus those under what the picture itself changed since (a double-buffered desktop flips between two surfaces, and the
 * picture moved on with the other one). A surface seen for the first time, a changed GGTT mapping,
 * RAM without a log, history too short, or every FULL_EVERY-th sync (the net for writers that do not
 * log, e.g. a hostile guest) compare everything.
 */
import { CURSOR_64, type DecodedCursor, type DecodedPlane, blendCursorImage, readCursorImage, readPlaneXrgb } from '../gpu/scanout';
import type { Ggtt } from '../gpu/ggtt';
import { type DamageRect, type SpanEqual, jsSpanEqual, packedRows, syncRows } from './damage';
import { BlockGuide } from './block-guide';
import type { BlockWrites } from './block-writes';
import { encodeRle32Xrgb } from './rle32-xrgb';
import { gmSurfaceRows } from './surface-rows';

/** Every this many syncs a picture compares its whole surface, whatever the logs say. */
export const FULL_EVERY = 30;
/** Syncs of changes remembered (enough for triple buffering with room to spare). */
const HISTORY = 8;
/** Surfaces remembered per picture. */
const SURFACES = 4;

/** The cursor as a picture holds it: its image (CURSOR_64² premultiplied ARGB words) at (x, y), signed pixels. */
interface CursorShown {
  x: number;
  y: number;
  image: Uint32Array;
}

export class Picture {
  width = 0;
  height = 0;
  /** The primary plane's pixels, XRGB8888 (0x00RRGGBB), width*height, row-packed; no cursor. */
  plane = new Uint32Array(0);
  private cursor: CursorShown | null = null;
  private fresh = true;
  /** A row (linear surfaces straddling runs) or a whole frame (X-tiled surfaces, detiled first). */
  private scratch = new Uint32Array(0);
  /** The cursor's rows of a rectangle being coded, with the cursor blended in (rle32), reused. */
  private band = new Uint32Array(0);
  /** Per linear surface (GM address and pitch) the picture was synced from: that compose and its GGTT mapping. */
  private synced = new Map<string, { at: number; mappingKey: string }>();
  /** The picture's own changes, newest last: the compose and the plane rectangles changed then. */
  private history: { at: number; rects: DamageRect[] }[] = [];
  /** Changes up to this compose were forgotten: a surface last synced before it is compared whole. */
  private floor = 0;
  private syncs = 0;
  private guide = new BlockGuide();

  /**
   * Bring the picture to `plane` (null: pipe or plane off, no signal) with `cursor` on top (null:
   * none) read through `ggtt`, and return the changed rectangles. The first update and any size
   * change damage the whole frame (0x0 included, so windows learn of "no signal"). `writes` (the
   * dirty logs, harvested for this compose) lets a linear surface be compared only where it
   * was written; without it every row is compared.
   */
  update(ggtt: Ggtt, plane: DecodedPlane | null, cursor: DecodedCursor | null, equal: SpanEqual = jsSpanEqual, writes?: BlockWrites): DamageRect[] {
    const width = plane?.width ?? 0;
    const height = plane?.height ?? 0;
    const next = plane && cursor ? { x: cursor.x, y: cursor.y, image: readCursorImage(ggtt, cursor) } : null;
    if (this.fresh || width !== this.width || height !== this.height) {
      this.fresh = false;
      this.width = width;
      this.height = height;
      this.plane = new Uint32Array(width * height);
      if (plane) readPlaneXrgb(ggtt, plane, this.plane);
      this.cursor = next;
      this.synced.clear();
      this.history = [];
      this.floor = writes?.now ?? 0;
      if (plane?.tiling === 'linear' && writes) this.synced.set(surfaceKey(plane), { at: writes.now, mappingKey: gmSurfaceRows(ggtt, plane, this.scratchRow(plane)).mappingKey });
      return [{ x: 0, y: 0, w: width, h: height }];
    }
    if (!plane) return [];
    const rects = plane.tiling === 'linear' ? this.syncLinear(ggtt, plane, equal, writes) : syncRows(this.detiled(ggtt, plane), this.plane, width, height, equal);
    if (writes && rects.length > 0) {
      this.history.push({ at: writes.now, rects: rects.slice() });
      if (this.history.length > HISTORY) this.floor = this.history.shift()!.at;
    }
    if (!sameCursor(this.cursor, next)) {
      for (const c of [this.cursor, next]) {
        const r = c && clip(c, width, height);
        if (r) rects.push(r);
      }
      this.cursor = next;
    }
    return rects;
  }

  /**
   * Rectangle r as RLE32 tokens of its RGBA pixels (alpha opaque, the cursor blended in): the
   * payload of a FRAME_RLE32 frame message (shared/frame-message.ts), coded straight from the
   * XRGB picture (rle32-xrgb.ts). r must lie inside the picture.
   */
  rle32(r: DamageRect, lead = 0): Uint32Array {
    const c = this.cursor;
    const x0 = Math.max(r.x, c?.x ?? 0);
    const y0 = Math.max(r.y, c?.y ?? 0);
    const x1 = Math.min(r.x + r.w, (c?.x ?? 0) + CURSOR_64);
    const y1 = Math.min(r.y + r.h, (c?.y ?? 0) + CURSOR_64);
    if (!c || x0 >= x1 || y0 >= y1) return encodeRle32Xrgb(this.plane, this.width, r.x, r.y, r.w, r.h, undefined, lead);
    // The cursor is over rows y0..y1-1 of r: code those rows from a copy with the cursor blended in
    // (the picture keeps the plane alone), the rest straight from the picture.
    const rows = y1 - y0;
    if (this.band.length < r.w * rows) this.band = new Uint32Array(r.w * rows);
    const px = this.band.subarray(0, r.w * rows);
    for (let y = 0; y < rows; y++) px.set(this.plane.subarray((y0 + y) * this.width + r.x, (y0 + y) * this.width + r.x + r.w), y * r.w);
    blendCursorImage(c.image, c.x - r.x, c.y - y0, px, r.w, rows);
    return encodeRle32Xrgb(this.plane, this.width, r.x, r.y, r.w, r.h, { y: y0, rows: px }, lead);
  }

  /** An independent copy (a mirror that starts to differ from its original keeps what it showed). */
  clone(): Picture {
    const p = new Picture();
    p.width = this.width;
    p.height = this.height;
    p.plane = this.plane.slice();
    p.cursor = this.cursor;
    p.fresh = this.fresh;
    p.synced = new Map(this.synced);
    p.history = this.history.slice();
    p.floor = this.floor;
    p.syncs = this.syncs;
    return p;
  }

  /** Compare linear `plane` in place: where the logs allow (see the class comment), else everywhere. */
  private syncLinear(ggtt: Ggtt, plane: DecodedPlane, equal: SpanEqual, writes: BlockWrites | undefined): DamageRect[] {
    const surface = gmSurfaceRows(ggtt, plane, this.scratchRow(plane));
    const key = surfaceKey(plane);
    const last = this.synced.get(key);
    this.syncs++;
    const guided = writes !== undefined && last !== undefined && last.mappingKey === surface.mappingKey && last.at >= this.floor && this.syncs % FULL_EVERY !== 0;
    let rects: DamageRect[];
    if (guided) {
      // The blocks that may differ: written since compose `last.at`, and under the picture's own changes since.
      const marks = this.guide.begin(surface);
      surface.markWritten(writes, last.at, marks);
      for (const h of this.history) if (h.at > last.at) for (const r of h.rects) this.guide.markRect(surface, plane, r);
      rects = this.guide.sync(surface, plane, this.plane, this.width, this.height, equal);
    } else rects = syncRows(surface, this.plane, this.width, this.height, equal);
    if (writes) {
      this.synced.delete(key);
      this.synced.set(key, { at: writes.now, mappingKey: surface.mappingKey });
      if (this.synced.size > SURFACES) this.synced.delete(this.synced.keys().next().value!);
    }
    return rects;
  }

  private scratchRow(plane: DecodedPlane): Uint32Array {
    if (this.scratch.length < plane.width) this.scratch = new Uint32Array(plane.width);
    return this.scratch;
  }

  /** X tiles put 128 pixels of 8 rows in each 4 KiB: detile the frame, then compare it packed. */
  private detiled(ggtt: Ggtt, plane: DecodedPlane) {
    if (this.scratch.length !== plane.width * plane.height) this.scratch = new Uint32Array(plane.width * plane.height);
    readPlaneXrgb(ggtt, plane, this.scratch);
    return packedRows(this.scratch, plane.width);
  }
}

/** A linear surface as the logs know it: its GM address and pitch (its size is the picture's). */
const surfaceKey = (p: DecodedPlane): string => `${p.surf}:${p.pitch}`;

function sameCursor(a: CursorShown | null, b: CursorShown | null): boolean {
  if (a === null || b === null) return a === b;
  if (a.x !== b.x || a.y !== b.y) return false;
  for (let i = 0; i < a.image.length; i++) if (a.image[i] !== b.image[i]) return false;
  return true;
}

/** The cursor's 64x64 square clipped to the picture, or null when it is wholly outside. */
function clip(c: CursorShown, width: number, height: number): DamageRect | null {
  const x0 = Math.max(0, c.x);
  const y0 = Math.max(0, c.y);
  const x1 = Math.min(width, c.x + CURSOR_64);
  const y1 = Math.min(height, c.y + CURSOR_64);
  return x0 < x1 && y0 < y1 ? { x: x0, y: y0, w: x1 - x0, h: y1 - y0 } : null;
}

