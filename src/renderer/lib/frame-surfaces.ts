/**
 * Framebuffers of every source (a domid or PHYSICAL_SOURCE) rebuilt from damage rectangles, in plain
 * RGBA buffers, with the rectangles changed since a canvas last took them. Pure (no DOM): the paint
 * worker (src/renderer/workers/frame-paint.worker.ts) keeps one, and so does the page when it paints
 * on its main thread (no Worker or OffscreenCanvas; see frame-painter.ts).
 */
import type { CodedFrameMessage, FrameMessage } from '../../shared/api';
import { decodeRle32Rect } from '../../shared/rle32';

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Surface {
  width: number;
  height: number;
  /** width*height*4 bytes, row-major RGBA. */
  rgba: Uint8ClampedArray<ArrayBuffer>;
  /** The same pixels as 32-bit words (RLE32 decodes into them). */
  words: Uint32Array<ArrayBuffer>;
  /** Rectangles changed since the last takeDirty (at most MAX_DIRTY_RECTS, overlapping ones merged). */
  dirty: Rect[];
  /** The flip count and vblank time (epoch ms) of the newest frame applied (see FrameMessage). */
  flip: number;
  vblankMs: number;
}

/**
 * Separate dirty rectangles kept per source: a clock in the top bar and a window lower down stay two
 * small rects, where their bounding box (repainted per animation frame) would be most of the screen.
 * Beyond this many, all are merged into one.
 */
export const MAX_DIRTY_RECTS = 8;

function bounds(a: Rect, b: Rect): Rect {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, w: Math.max(a.x + a.w, b.x + b.w) - x, h: Math.max(a.y + a.h, b.y + b.h) - y };
}

const overlap = (a: Rect, b: Rect): boolean => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/** Add rect r to the list: merged with every rect it overlaps; everything merged when the list grows past MAX_DIRTY_RECTS. */
function addDirty(list: Rect[], r: Rect): Rect[] {
  let merged = { ...r };
  const rest: Rect[] = [];
  for (const d of list) {
    if (overlap(d, merged)) merged = bounds(d, merged);
    else rest.push(d);
  }
  rest.push(merged);
  return rest.length > MAX_DIRTY_RECTS ? [rest.reduce(bounds)] : rest;
}

export class FrameSurfaces {
  private readonly surfaces = new Map<number, Surface>();

  /** Apply a damage rectangle; throws RangeError on RLE32 tokens that do not decode (pixels up to them may be written). */
  apply(frame: FrameMessage | CodedFrameMessage): Surface {
    const s = this.surfaceFor(frame.source, frame.width, frame.height);
    if (s.width && s.height) {
      if ('rgba' in frame) blitRect(s, frame);
      else paintRect(s, frame);
    }
    s.flip = frame.flip;
    s.vblankMs = frame.vblankMs;
    return s;
  }

  surface(source: number): Readonly<Surface> | undefined {
    return this.surfaces.get(source);
  }

  /** The rectangles changed since the last call (and forget them): what a canvas must repaint. */
  takeDirty(source: number): Rect[] {
    const s = this.surfaces.get(source);
    if (!s) return [];
    const d = s.dirty;
    s.dirty = [];
    return d;
  }

  /** The sources it holds a buffer for. */
  sources(): number[] {
    return [...this.surfaces.keys()];
  }

  /** Drop a source's buffer (its window closed). */
  forget(source: number): void {
    this.surfaces.delete(source);
  }

  private surfaceFor(source: number, width: number, height: number): Surface {
    let s = this.surfaces.get(source);
    if (!s) {
      s = { width: 0, height: 0, rgba: new Uint8ClampedArray(0), words: new Uint32Array(0), dirty: [], flip: 0, vblankMs: 0 };
      this.surfaces.set(source, s);
    }
    if (s.width !== width || s.height !== height) {
      // A mode change: the old pixels mean nothing at the new size; the host repaints.
      s.width = width;
      s.height = height;
      s.rgba = new Uint8ClampedArray(width * height * 4);
      s.words = new Uint32Array(s.rgba.buffer);
      s.dirty = width && height ? [{ x: 0, y: 0, w: width, h: height }] : [];
    }
    return s;
  }
}

/** Copy a damage rectangle into the source's buffer, clipped to the frame. */
function blitRect(s: Surface, f: Pick<FrameMessage, 'x' | 'y' | 'w' | 'h' | 'rgba'>): void {
  const x1 = Math.min(f.x + f.w, s.width);
  const y1 = Math.min(f.y + f.h, s.height);
  const cw = x1 - f.x;
  const ch = y1 - f.y;
  if (cw <= 0 || ch <= 0) return;
  for (let row = 0; row < ch; row++) {
    const from = row * f.w * 4;
    s.rgba.set(f.rgba.subarray(from, from + cw * 4), ((f.y + row) * s.width + f.x) * 4);
  }
  s.dirty = addDirty(s.dirty, { x: f.x, y: f.y, w: cw, h: ch });
}

/** Decode a coded damage rectangle straight into the source's buffer (a rect that does not fit is decoded aside, then clipped). */
function paintRect(s: Surface, f: CodedFrameMessage): void {
  if (f.x + f.w <= s.width && f.y + f.h <= s.height) {
    decodeRle32Rect(f.rle32, s.words, s.width, f.y * s.width + f.x, f.w, f.h);
    s.dirty = addDirty(s.dirty, { x: f.x, y: f.y, w: f.w, h: f.h });
    return;
  }
  const px = new Uint32Array(f.w * f.h);
  decodeRle32Rect(f.rle32, px, f.w, 0, f.w, f.h);
  blitRect(s, { ...f, rgba: new Uint8ClampedArray(px.buffer) });
}
