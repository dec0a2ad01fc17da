/**
 * Paints FrameSurfaces onto canvases, only their dirty rectangles: once per animation frame, or at
 * once (paintNow, as the paint worker does for each batch it takes). The
 * same code runs in the paint worker on OffscreenCanvases (transferred from the page's canvases)
 * and, where the browser has no OffscreenCanvas, on the page's main thread (frame-painter.ts).
 *
 * A canvas is shown at `size` device pixels (never more than the frame's; FrameCanvas computes it
 * from its box and scale mode): shown 1:1 the store's pixels go straight on with putImageData,
 * smaller they are drawn scaled through rect-sized canvases. So a 1920x1200 guest in a small window
 * costs its damage, not a full-frame resample on every update.
 */
import type { FrameSurfaces, Rect } from './frame-surfaces';

type Context2D = CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D;
/** What the painter needs of a canvas (HTMLCanvasElement or OffscreenCanvas). */
export type PaintCanvas = HTMLCanvasElement | OffscreenCanvas;

/** A paint that showed a newly flipped frame of `source` (see FrameCanvas's `gvt-paint`). */
export interface Painted {
  source: number;
  flip: number;
  /** From the host's vblank that latched the flip to this paint, ms (both epoch clocks), null if the frame has none. */
  latencyMs: number | null;
  width: number;
  height: number;
}

export interface CanvasPainterOptions {
  /** Run fn at the next animation frame (requestAnimationFrame in a page or a worker). */
  nextFrame(fn: () => void): void;
  /** A scratch canvas of w x h (document.createElement('canvas') or new OffscreenCanvas). */
  makeCanvas(w: number, h: number): PaintCanvas;
  /** Epoch ms now (performance.timeOrigin + performance.now()). */
  now(): number;
  onPainted(p: Painted): void;
}

interface Target {
  canvas: PaintCanvas;
  ctx: Context2D | null;
  /** The shown width in device pixels, 0 until given (then the frame's own width). */
  shownW: number;
  /** A fresh or resized canvas is blank: repaint everything, not just the damage. */
  needsFull: boolean;
  /** The flip count of the last frame painted (a paint is reported when it changes). */
  paintedFlip: number;
}

/** Rect buffers come in sizes rounded up to this many pixels, so a window moving around reuses one. */
const BUCKET = 64;
const RECT_BUFFERS = 16;
/** Source pixels added around a scaled dirty rect, so smoothing at its edges uses fresh pixels. */
const PAD = 2;

export class CanvasPainter {
  private readonly targets = new Map<number, Target>();
  private readonly due = new Set<number>();
  private scheduled = false;
  /**
   * Per rect size (a desktop's damage comes in few sizes), an ImageData and a canvas of exactly that
   * size, reused: a dirty rect is copied into the ImageData, put on the canvas and drawn from there,
   * scaled, onto the visible canvas. Measured in Chromium: putImageData from a frame-sized ImageData
   * costs the whole frame whatever dirty region is asked for, a fresh buffer per rect costs its page
   * faults, and a canvas written after being drawn from is first copied whole (copy on write), so
   * nothing here is bigger than its rect.
   */
  private readonly rectBuffers = new Map<string, { image: ImageData; canvas: PaintCanvas | null; ctx: Context2D | null }>();

  constructor(
    private readonly surfaces: FrameSurfaces,
    private readonly options: CanvasPainterOptions,
  ) {}

  /** Paint `source` onto `canvas` from now on (the whole picture first). */
  attach(source: number, canvas: PaintCanvas): void {
    this.targets.set(source, { canvas, ctx: null, shownW: 0, needsFull: true, paintedFlip: -1 });
    this.request(source);
  }

  /** The canvas of `source` is shown `w` device pixels wide, aspect kept, never upscaled (it is repainted whole at that size). */
  size(source: number, w: number): void {
    const t = this.targets.get(source);
    if (!t || t.shownW === w) return;
    t.shownW = w;
    t.needsFull = true;
    this.request(source);
  }

  detach(source: number): void {
    this.targets.delete(source);
    this.due.delete(source);
  }

  /** Repaint `source` at the next animation frame (its surface changed). */
  request(source: number): void {
    if (!this.targets.has(source)) return;
    this.due.add(source);
    if (this.scheduled) return;
    this.scheduled = true;
    this.options.nextFrame(() => this.paintDue());
  }

  /**
   * Paint these sources now (their surfaces just changed), not at the next animation frame. The paint
   * worker paints each batch as it takes it: an OffscreenCanvas commits at the end of the task, so
   * the frame goes to the compositor without waiting for a worker animation frame (which came at
   * half the display's rate under load, and coalesced every other flip away).
   */
  paintNow(sources: Iterable<number>): void {
    for (const source of sources) {
      this.due.delete(source);
      this.paint(source);
    }
  }

  private paintDue(): void {
    this.scheduled = false;
    const sources = [...this.due];
    this.due.clear();
    for (const source of sources) this.paint(source);
  }

  private paint(source: number): void {
    const t = this.targets.get(source);
    const s = this.surfaces.surface(source);
    const dirty = this.surfaces.takeDirty(source);
    if (!t || !s || !s.width || !s.height) return;
    const w = Math.max(1, Math.min(s.width, t.shownW || s.width));
    const h = Math.max(1, Math.round((w * s.height) / s.width));
    const el = t.canvas;
    if (el.width !== w || el.height !== h) {
      el.width = w;
      el.height = h;
      t.needsFull = true;
    }
    t.ctx ??= el.getContext('2d', { willReadFrequently: true }) as Context2D | null;
    const ctx = t.ctx;
    if (!ctx) return; // no 2D context (e.g. a DOM without canvas support): pixels stay in the surfaces
    const rects = t.needsFull ? [{ x: 0, y: 0, w: s.width, h: s.height }] : dirty;
    t.needsFull = false;
    if (rects.length === 0) return;
    for (const r of rects) {
      if (el.width === s.width) ctx.putImageData(this.rectBuffer(s, r.x, r.y, r.w, r.h).image, r.x, r.y, 0, 0, r.w, r.h);
      else this.drawScaled(el, ctx, s, r);
    }
    if (s.flip !== t.paintedFlip) {
      t.paintedFlip = s.flip;
      const latencyMs = s.vblankMs > 0 ? this.options.now() - s.vblankMs : null;
      this.options.onPainted({ source, flip: s.flip, latencyMs, width: s.width, height: s.height });
    }
  }

  /** The reused ImageData (and canvas) for rects up to w x h, its top-left w x h filled with rect (x, y) of frame `s`. */
  private rectBuffer(s: { width: number; rgba: Uint8ClampedArray }, x: number, y: number, w: number, h: number) {
    const bw = Math.ceil(w / BUCKET) * BUCKET;
    const bh = Math.ceil(h / BUCKET) * BUCKET;
    const key = `${bw}x${bh}`;
    let b = this.rectBuffers.get(key);
    if (b) this.rectBuffers.delete(key);
    else b = { image: new ImageData(bw, bh), canvas: null, ctx: null };
    this.rectBuffers.set(key, b);
    if (this.rectBuffers.size > RECT_BUFFERS) this.rectBuffers.delete(this.rectBuffers.keys().next().value!);
    for (let row = 0; row < h; row++) b.image.data.set(s.rgba.subarray(((y + row) * s.width + x) * 4, ((y + row) * s.width + x + w) * 4), row * bw * 4);
    return b;
  }

  /** Paint the dirty rect r of the frame onto the smaller visible canvas, scaled, through its rect-sized canvas. */
  private drawScaled(el: PaintCanvas, ctx: Context2D, s: { width: number; height: number; rgba: Uint8ClampedArray }, r: Rect): void {
    const k = el.width / s.width;
    // Whole destination pixels covering the padded source rect, and the source pixels they sample.
    const dx0 = Math.floor(Math.max(0, r.x - PAD) * k);
    const dy0 = Math.floor(Math.max(0, r.y - PAD) * k);
    const dx1 = Math.min(el.width, Math.ceil(Math.min(s.width, r.x + r.w + PAD) * k));
    const dy1 = Math.min(el.height, Math.ceil(Math.min(s.height, r.y + r.h + PAD) * k));
    const sx0 = Math.max(0, Math.floor(dx0 / k) - 1);
    const sy0 = Math.max(0, Math.floor(dy0 / k) - 1);
    const sx1 = Math.min(s.width, Math.ceil(dx1 / k) + 1);
    const sy1 = Math.min(s.height, Math.ceil(dy1 / k) + 1);
    const b = this.rectBuffer(s, sx0, sy0, sx1 - sx0, sy1 - sy0);
    if (!b.canvas) {
      b.canvas = this.options.makeCanvas(b.image.width, b.image.height);
      b.ctx = b.canvas.getContext('2d') as Context2D | null;
    }
    if (!b.ctx) return;
    b.ctx.putImageData(b.image, 0, 0, 0, 0, sx1 - sx0, sy1 - sy0);
    ctx.drawImage(b.canvas, dx0 / k - sx0, dy0 / k - sy0, (dx1 - dx0) / k, (dy1 - dy0) / k, dx0, dy0, dx1 - dx0, dy1 - dy0);
  }
}
