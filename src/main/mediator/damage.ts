/**
 * Damage tracking for frame transport: remembers the last frame sent per source and yields the
 * bounding rectangle of changed pixels, so only changed pixels travel to the renderer.
 */
export interface DamageRect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Damage {
  width: number;
  height: number;
  /** Changed rectangle, or null when nothing changed. A size change damages the whole frame. */
  rect: DamageRect | null;
  /** RGBA bytes of the rect (w*h*4), row-packed. */
  rgba: Uint8Array;
}

export class DamageTracker {
  private last = new Map<number, { width: number; height: number; px: Uint32Array }>();

  /** Compare `rgba` (width x height) with the last frame of `source`, remember it, return the damage. */
  update(source: number, width: number, height: number, rgba: Uint8Array): Damage {
    const px = new Uint32Array(rgba.buffer, rgba.byteOffset, width * height);
    const prev = this.last.get(source);
    this.last.set(source, { width, height, px: px.slice() });
    if (!prev || prev.width !== width || prev.height !== height) {
      return { width, height, rect: width && height ? { x: 0, y: 0, w: width, h: height } : { x: 0, y: 0, w: 0, h: 0 }, rgba };
    }
    let x0 = width;
    let x1 = -1;
    let y0 = -1;
    let y1 = -1;
    for (let y = 0; y < height; y++) {
      const row = y * width;
      let first = -1;
      for (let x = 0; x < width; x++) {
        if (px[row + x] !== prev.px[row + x]) {
          first = x;
          break;
        }
      }
      if (first < 0) continue;
      let lastX = first;
      for (let x = width - 1; x > first; x--) {
        if (px[row + x] !== prev.px[row + x]) {
          lastX = x;
          break;
        }
      }
      if (y0 < 0) y0 = y;
      y1 = y;
      x0 = Math.min(x0, first);
      x1 = Math.max(x1, lastX);
    }
    if (y0 < 0) return { width, height, rect: null, rgba: new Uint8Array(0) };
    const rect = { x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1 };
    return { width, height, rect, rgba: cropRgba(rgba, width, rect) };
  }

  forget(source: number): void {
    this.last.delete(source);
  }
}

/** Copy rectangle `r` out of a width-pixel-wide RGBA frame. */
export function cropRgba(rgba: Uint8Array, width: number, r: DamageRect): Uint8Array {
  const out = new Uint8Array(r.w * r.h * 4);
  for (let y = 0; y < r.h; y++) out.set(rgba.subarray(((r.y + y) * width + r.x) * 4, ((r.y + y) * width + r.x + r.w) * 4), y * r.w * 4);
  return out;
}
