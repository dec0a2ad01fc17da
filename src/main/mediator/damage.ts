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

/**
 * Damage tracking for frame transport: remembers the last frame sent per source (as stored
 * XRGB8888 words, so comparing costs one pass) and yields the changed regions, converted to RGBA,
 * so only changed pixels travel to the renderer. Regions are horizontal bands of changed rows, so
 * a clock in the top bar and a window moving lower down do not make one screen-sized rectangle.
 */
export class DamageTracker {
  private last = new Map<number, { width: number; height: number; px: Uint32Array }>();

  /** Compare `xrgb` (width x height) with the last frame of `source`, remember it, return the damage. */
  update(source: number, width: number, height: number, xrgb: Uint32Array): Damage {
    const prev = this.last.get(source);
    this.last.set(source, { width, height, px: xrgb });
    const rects = !prev || prev.width !== width || prev.height !== height ? [{ x: 0, y: 0, w: width, h: height }] : changedRects(prev.px, xrgb, width, height);
    return { width, height, pieces: rects.map((r) => ({ rect: r, rgba: xrgbToRgba(xrgb, width, r.x, r.y, r.w, r.h) })) };
  }

  forget(source: number): void {
    this.last.delete(source);
  }
}

/**
 * The changed regions between two frames of the same size: bands of consecutive changed rows,
 * each spanning the union of its rows' changed columns; at most `maxRects`, merging the bands
 * with the smallest vertical gap first.
 */
export function changedRects(a: Uint32Array, b: Uint32Array, width: number, height: number, maxRects = MAX_DAMAGE_RECTS): DamageRect[] {
  // Rows are first compared two pixels at a time through 64-bit views (half the loop iterations);
  // a NaN bit pattern only makes an equal row look changed, never the reverse.
  const wide = width % 2 === 0 && a.byteOffset % 8 === 0 && b.byteOffset % 8 === 0;
  const a64 = wide ? new Float64Array(a.buffer, a.byteOffset, (width * height) / 2) : null;
  const b64 = wide ? new Float64Array(b.buffer, b.byteOffset, (width * height) / 2) : null;
  const half = width / 2;
  const bands: { x0: number; x1: number; y0: number; y1: number }[] = [];
  let band: (typeof bands)[number] | null = null;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let same = true;
    if (a64 && b64) {
      for (let i = y * half, end = i + half; i < end; i++) {
        if (a64[i] !== b64[i]) {
          same = false;
          break;
        }
      }
    } else same = false;
    let first = -1;
    if (!same) {
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
