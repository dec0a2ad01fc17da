import { xrgbToRgba } from '../gpu/scanout';

export interface DamageRect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface DamagePiece {
  rect: DamageRect;
  /** RGBA bytes of the rect (w*h*4), row-packed. */
  rgba: Uint8Array;
}

export interface Damage {
  width: number;
  height: number;
  /** Changed regions (empty when nothing changed). A size change damages the whole frame. */
  pieces: DamagePiece[];
}

/** At most this many rectangles per frame; more bands are merged across their smallest gaps. */
export const MAX_DAMAGE_RECTS = 8;

/** Rows compared as one block first: unchanged blocks (most of a frame) cost one comparison. */
const BLOCK_ROWS = 16;

/**
 * True when words [from, to) of `a` and `b` are equal. The compositor thread passes a native
 * memcmp (Node's Buffer#equals, several times faster than a JS loop); the core stays portable.
 */
export type RangeEqual = (a: Uint32Array, b: Uint32Array, from: number, to: number) => boolean;

/** The portable RangeEqual: a plain loop. */
export const jsRangeEqual: RangeEqual = (a, b, from, to) => {
  for (let i = from; i < to; i++) if (a[i] !== b[i]) return false;
  return true;
};

/**
 * Damage tracking for frame transport: remembers the last frame sent per source (as stored
 * XRGB8888 words, so comparing costs one pass) and yields the changed regions, converted to RGBA,
 * so only changed pixels travel to the renderer. Regions are horizontal bands of changed rows, so
 * a clock in the top bar and a window moving lower down do not make one screen-sized rectangle.
 */
export class DamageTracker {
  private frames = new Map<number, { width: number; height: number; px: Uint32Array }>();

  constructor(private readonly equal: RangeEqual = jsRangeEqual) {}

  /** Compare `xrgb` (width x height) with the last frame of `source`, remember it, return the damage. */
  update(source: number, width: number, height: number, xrgb: Uint32Array): Damage {
    const prev = this.frames.get(source);
    this.frames.set(source, { width, height, px: xrgb });
    const rects = !prev || prev.width !== width || prev.height !== height ? [{ x: 0, y: 0, w: width, h: height }] : changedRects(prev.px, xrgb, width, height, MAX_DAMAGE_RECTS, this.equal);
    return { width, height, pieces: rects.map((r) => ({ rect: r, rgba: xrgbToRgba(xrgb, width, r.x, r.y, r.w, r.h) })) };
  }

  /** The last frame of `source` (its pixels are the buffer passed to update), if any. */
  lastFrame(source: number): Readonly<{ width: number; height: number; px: Uint32Array }> | undefined {
    return this.frames.get(source);
  }

  /** True when `px` is the last frame of some source (so it must not be overwritten). */
  holds(px: Uint32Array): boolean {
    for (const f of this.frames.values()) if (f.px === px) return true;
    return false;
  }

  forget(source: number): void {
    this.frames.delete(source);
  }
}

/**
 * The changed regions between two frames of the same size: bands of consecutive changed rows,
 * each spanning the union of its rows' changed columns; at most `maxRects`, merging the bands
 * with the smallest vertical gap first. Blocks of BLOCK_ROWS rows, then rows, are compared with
 * `equal` before any pixel is looked at.
 */
export function changedRects(a: Uint32Array, b: Uint32Array, width: number, height: number, maxRects = MAX_DAMAGE_RECTS, equal: RangeEqual = jsRangeEqual): DamageRect[] {
  const bands: { x0: number; x1: number; y0: number; y1: number }[] = [];
  let band: (typeof bands)[number] | null = null;
  let blockEnd = 0;
  for (let y = 0; y < height; y++) {
    if (y === blockEnd) {
      blockEnd = Math.min(height, y + BLOCK_ROWS);
      if (equal(a, b, y * width, blockEnd * width)) {
        band = null;
        y = blockEnd - 1;
        continue;
      }
    }
    const row = y * width;
    let first = -1;
    if (!equal(a, b, row, row + width)) {
      for (let x = 0; x < width; x++) {
        if (a[row + x] !== b[row + x]) {
          first = x;
          break;
        }
      }
    }
    if (first < 0) {
      band = null;
      continue;
    }
    let lastX = first;
    for (let x = width - 1; x > first; x--) {
      if (a[row + x] !== b[row + x]) {
        lastX = x;
        break;
      }
    }
    if (band) {
      band.y1 = y;
      if (first < band.x0) band.x0 = first;
      if (lastX > band.x1) band.x1 = lastX;
    } else {
      band = { x0: first, x1: lastX, y0: y, y1: y };
      bands.push(band);
    }
  }
  while (bands.length > maxRects) {
    let best = 0;
    for (let i = 1; i < bands.length - 1; i++) if (bands[i + 1].y0 - bands[i].y1 < bands[best + 1].y0 - bands[best].y1) best = i;
    const [p, q] = [bands[best], bands[best + 1]];
    bands.splice(best, 2, { x0: Math.min(p.x0, q.x0), x1: Math.max(p.x1, q.x1), y0: p.y0, y1: q.y1 });
  }
  return bands.map((r) => ({ x: r.x0, y: r.y0, w: r.x1 - r.x0 + 1, h: r.y1 - r.y0 + 1 }));
}
