/**
 * Paints FrameSurfaces onto canvases, only their dirty rectangles: once per animation frame, or at
 * once (paintNow, as the paint worker does for each batch it takes). The
 * same code runs in the paint worker on OffscreenCanvases (transferred from the page's canvases)
 * and, where the browser has no OffscreenCanvas, on the page's main thread (frame-painter.ts).
 *
 * A canvas is shown at `size` device pixels (never more than the frame's; FrameCanvas computes it
 * from its box and scale mode): shown 1:1 the store's pixels go straight on with putImageData,
 * smaller the shown pixels covering each damage rect are area-averaged from the frame (by a
 * WebAssembly SIMD kernel, area-downscale-wasm.ts; the JS area-downscale.ts where it cannot run) and
 * put on the same way. So a 1920x1200 guest in a small window costs its
 * damage, not a full-frame resample on every update.
 *
 * Measured and weighed (frame-delivery, three 1920x1080 guests shown 669 px wide, headless Chromium
 * with software compositing, 5 s traces): the JS downscale and its putImageData took about 1.6x the
 * worker CPU of the bilinear path it replaced (putImageData of the padded rect onto a rect-sized
 * canvas, then a scaled drawImage), about 4% of a core more, with the worker busy about 10% of the
 * time either way. Kept for the picture: bilinear sampling at 669/1920 reads 4 of the about 8 frame
 * pixels each shown pixel covers, and 1-pixel strokes of guest text came out broken in screenshots;
 * the area average counts every pixel, and painting damage rect by rect gives exactly the whole
 * frame downscaled (no seams at rect edges).
 */
import { coveringSpan, makeAxis, type Axis } from './area-downscale';
import { downscaleRectFast } from './area-downscale-wasm';
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
  /** Frame to shown pixels, per axis, while shown smaller than the frame (rebuilt when either size changes). */
  axes: { x: Axis; y: Axis } | null;
}

/** Rect buffers come in sizes rounded up to this many pixels, so a window moving around reuses one. */
const BUCKET = 64;
const RECT_BUFFERS = 16;

export class CanvasPainter {
  private readonly targets = new Map<number, Target>();
  private readonly due = new Set<number>();
  private scheduled = false;
  /**
   * Per rect size (a desktop's damage comes in few sizes), an ImageData of about that size, reused:
   * a dirty rect (or its downscaled shown pixels) is written into it and put on the canvas from
   * there. Measured in Chromium: putImageData from a frame-sized ImageData costs the whole frame
   * whatever dirty region is asked for, and a fresh buffer per rect costs its page faults.
   */
  private readonly rectBuffers = new Map<string, ImageData>();

  constructor(
    private readonly surfaces: FrameSurfaces,
    private readonly options: CanvasPainterOptions,
  ) {}

  /** Paint `source` onto `canvas` from now on (the whole picture first). */
  attach(source: number, canvas: PaintCanvas): void {
    this.targets.set(source, { canvas, ctx: null, shownW: 0, needsFull: true, paintedFlip: -1, axes: null });
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
      if (w === s.width) ctx.putImageData(this.copyRect(s, r), r.x, r.y, 0, 0, r.w, r.h);
      else this.paintScaled(t, ctx, s, w, h, r);
    }
    if (s.flip !== t.paintedFlip) {
      t.paintedFlip = s.flip;
      const latencyMs = s.vblankMs > 0 ? this.options.now() - s.vblankMs : null;
      this.options.onPainted({ source, flip: s.flip, latencyMs, width: s.width, height: s.height });
    }
  }

  /** The reused ImageData for rects up to w x h (its size rounded up to BUCKET), most recently used kept. */
  private rectBuffer(w: number, h: number): ImageData {
    const bw = Math.ceil(w / BUCKET) * BUCKET;
    const bh = Math.ceil(h / BUCKET) * BUCKET;
    const key = `${bw}x${bh}`;
    let b = this.rectBuffers.get(key);
    if (b) this.rectBuffers.delete(key);
    else b = new ImageData(bw, bh);
    this.rectBuffers.set(key, b);
    if (this.rectBuffers.size > RECT_BUFFERS) this.rectBuffers.delete(this.rectBuffers.keys().next().value!);
    return b;
  }

  /** A rect buffer with rect r of frame `s` in its top-left r.w x r.h. */
  private copyRect(s: { width: number; rgba: Uint8ClampedArray }, r: Rect): ImageData {
    const b = this.rectBuffer(r.w, r.h);
    for (let row = 0; row < r.h; row++) b.data.set(s.rgba.subarray(((r.y + row) * s.width + r.x) * 4, ((r.y + row) * s.width + r.x + r.w) * 4), row * b.width * 4);
    return b;
  }

  /** Paint onto the w x h canvas, area-averaged from the frame, the shown pixels that cover dirty rect r. */
  private paintScaled(t: Target, ctx: Context2D, s: { width: number; height: number; rgba: Uint8ClampedArray }, w: number, h: number, r: Rect): void {
    if (!t.axes || t.axes.x.from !== s.width || t.axes.x.to !== w || t.axes.y.from !== s.height || t.axes.y.to !== h) t.axes = { x: makeAxis(s.width, w), y: makeAxis(s.height, h) };
    const [dx0, dx1] = coveringSpan(t.axes.x, r.x, r.w);
    const [dy0, dy1] = coveringSpan(t.axes.y, r.y, r.h);
    if (dx1 <= dx0 || dy1 <= dy0) return;
    const b = this.rectBuffer(dx1 - dx0, dy1 - dy0);
    downscaleRectFast(s.rgba, t.axes.x, t.axes.y, dx0, dy0, dx1 - dx0, dy1 - dy0, b.data, b.width);
    ctx.putImageData(b, dx0, dy0, 0, 0, dx1 - dx0, dy1 - dy0);
  }
}
