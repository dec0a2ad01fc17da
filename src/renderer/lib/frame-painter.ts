/**
 * Who decodes and paints the frames: a paint worker (frame-paint.worker.ts) where the browser can
 * hand a canvas to one (Worker + OffscreenCanvas: Chromium, Electron), so the page's main thread does
 * no per-frame pixel work; else the page itself, with the same FrameSurfaces and CanvasPainter
 * (jsdom/happy-dom tests, old browsers, a worker that did not load). The page hands the worker each
 * task's frames as one transferred batch.
 *
 * No canvas is transferred before the worker has said 'ready' (its module loaded and ran): until
 * then the page keeps the frames' pixels itself, and if the worker fails to load (an error event,
 * or no word within READY_TIMEOUT_MS) it goes on painting them on its main thread, so a worker
 * that cannot load never leaves a blank window. Once ready, the pixels kept meanwhile go to the
 * worker as whole frames and the canvases follow.
 *
 * frameDrain is the acknowledgement gate: batches handed to the worker and not yet taken by it. The
 * browser-mode client acknowledges a WebSocket message's frames to the host only once the worker
 * has taken the batch they went in (see createTransport), so backpressure reaches through the
 * worker: a worker that falls behind holds the host's stream back (the host then drops and
 * repairs), never a queue in the page.
 *
 * Measured and not kept: the worker owning the WebSocket itself (frames never on the page's main
 * thread). In headless Chromium its animation frames then came at about half the rate (the socket's
 * receive work competes with the OffscreenCanvas begin-frames on the worker's thread), and it painted
 * about half as many frames.
 */
import type { CodedFrameMessage, FrameMessage } from '../../shared/api';
import { EventHub } from '../../shared/rpc';
import { CanvasPainter, type Painted } from './canvas-painter';
import { FrameSurfaces, type Surface } from './frame-surfaces';
import { packFrames, type FromWorker, type ToWorker } from './frame-paint-protocol';

export type { Painted } from './canvas-painter';

export interface FramePainter {
  /** True when a worker paints (the page holds no pixels then). */
  readonly inWorker: boolean;
  /** Take one damage rect; the rects of one task go to the worker together. */
  apply(frame: FrameMessage | CodedFrameMessage): void;
  /** Paint `source` onto `canvas` from now on (in worker mode the canvas's control is transferred: no getContext on it after this). */
  attach(source: number, canvas: HTMLCanvasElement): void;
  /** The canvas of `source` is shown `width` device pixels wide. */
  size(source: number, width: number): void;
  detach(source: number): void;
  /** Drop the source's pixels too (its window closed). */
  forget(source: number): void;
  /** Every paint that showed a newly flipped frame, any source. */
  onPainted(handler: (p: Painted) => void): () => void;
  /** The pixels of `source` when the page paints itself (tests); undefined in worker mode. */
  surface(source: number): Readonly<Surface> | undefined;
}

/**
 * Counts batches handed to the paint worker and batches it has taken. The worker takes its messages
 * in order, so "everything handed before this moment is taken" is a watermark: whenTaken waits for
 * the batches handed up to its call, not for a moment with nothing outstanding (which a stream at
 * 60 batches/s rarely has, and acknowledgements then starved the host's window).
 */
export class DrainGate {
  private handed = 0;
  private taken = 0;
  /** Waiters in the order they came, each with the handed count it waits for (non-decreasing). */
  private waiting: { upTo: number; fn: () => void }[] = [];

  add(): void {
    this.handed++;
  }

  /** The worker took the next `count` batches. */
  take(count = 1): void {
    this.taken = Math.min(this.handed, this.taken + count);
    this.release();
  }

  /** Run fn now if the worker has taken everything handed to it so far, else once it has (later batches aside). */
  whenTaken(fn: () => void): void {
    if (this.taken >= this.handed) fn();
    else this.waiting.push({ upTo: this.handed, fn });
  }

  /** The worker is gone: nothing is owed any more. */
  reset(): void {
    this.taken = this.handed;
    this.release();
  }

  /** Batches handed and not taken yet. */
  get pending(): number {
    return this.handed - this.taken;
  }

  private release(): void {
    let n = 0;
    while (n < this.waiting.length && this.waiting[n]!.upTo <= this.taken) n++;
    if (n === 0) return;
    const due = this.waiting.splice(0, n);
    for (const w of due) w.fn();
  }
}

/** The page's one gate (the transport acknowledges through it; the worker painter reports to it). */
export const frameDrain = new DrainGate();

/** Whether this browser can paint in a worker. */
export function canPaintInWorker(): boolean {
  return typeof Worker === 'function' && typeof OffscreenCanvas === 'function' && typeof HTMLCanvasElement === 'function' && 'transferControlToOffscreen' in HTMLCanvasElement.prototype;
}

/** The painter for this page: a worker where it can be, else the main thread. */
export function createFramePainter(): FramePainter {
  if (canPaintInWorker()) {
    try {
      return new WorkerPainter(new Worker(new URL('../workers/frame-paint.worker.ts', import.meta.url), { type: 'module', name: 'gvt-desk frame painter' }), frameDrain);
    } catch (err) {
      console.warn('gvt-desk: no paint worker, painting on the main thread', err);
    }
  }
  return new LocalPainter();
}

/** The subset of Worker used, so tests can pass one that runs the worker's handler in-process. */
export interface WorkerLike {
  postMessage(message: ToWorker, transfer: Transferable[]): void;
  onmessage: ((ev: MessageEvent<FromWorker>) => void) | null;
  onerror: ((ev: ErrorEvent) => void) | null;
}

/** How long a worker may take to say 'ready' before the page paints itself, ms. */
export const READY_TIMEOUT_MS = 10_000;

type Mode = 'starting' | 'worker' | 'local';

export class WorkerPainter implements FramePainter {
  private readonly painted = new EventHub<Painted>('paint');
  private batch: (FrameMessage | CodedFrameMessage)[] = [];
  private readonly attached = new WeakSet<HTMLCanvasElement>();
  private mode: Mode = 'starting';
  /** Until the worker is ready: the pixels (no canvas), and everything if it never is. */
  private readonly local = new LocalPainter();
  /** Canvases attached while starting, with their shown width (null: not given yet). */
  private readonly waiting = new Map<number, { canvas: HTMLCanvasElement; width: number | null }>();
  private readonly timer: ReturnType<typeof setTimeout>;

  constructor(
    private readonly worker: WorkerLike,
    private readonly drain: DrainGate,
    readyTimeoutMs = READY_TIMEOUT_MS,
  ) {
    this.local.onPainted((p) => this.painted.emit(p));
    worker.onmessage = (ev) => this.receive(ev.data);
    worker.onerror = (ev) => {
      if (this.mode === 'starting') {
        this.fallBack(`the paint worker did not load (${ev.message ?? 'its script failed to load'})`);
        return;
      }
      // Acknowledgements must not wait on a worker that died; its canvases stay as they were.
      console.warn('gvt-desk: the paint worker failed', ev.message);
      drain.reset();
    };
    this.timer = setTimeout(() => this.fallBack(`the paint worker did not start within ${readyTimeoutMs} ms`), readyTimeoutMs);
  }

  /** True once the worker paints (the page holds no pixels then). */
  get inWorker(): boolean {
    return this.mode === 'worker';
  }

  apply(frame: FrameMessage | CodedFrameMessage): void {
    if (this.mode !== 'worker') {
      this.local.apply(frame);
      return;
    }
    if (this.batch.length === 0) {
      // Counted now, not at the flush: the transport asks the gate right after handing the frames over.
      this.drain.add();
      queueMicrotask(() => this.flush());
    }
    this.batch.push(frame);
  }

  attach(source: number, canvas: HTMLCanvasElement): void {
    if (this.mode === 'local') this.local.attach(source, canvas);
    else if (this.mode === 'starting') this.waiting.set(source, { canvas, width: this.waiting.get(source)?.width ?? null });
    else this.transfer(source, canvas);
  }

  size(source: number, width: number): void {
    if (this.mode === 'local') this.local.size(source, width);
    else if (this.mode === 'starting') {
      const w = this.waiting.get(source);
      if (w) w.width = width;
    } else this.worker.postMessage({ kind: 'size', source, width }, []);
  }

  detach(source: number): void {
    this.waiting.delete(source);
    if (this.mode === 'worker') this.worker.postMessage({ kind: 'detach', source }, []);
    else this.local.detach(source);
  }

  forget(source: number): void {
    this.waiting.delete(source);
    if (this.mode === 'worker') this.worker.postMessage({ kind: 'forget', source }, []);
    else this.local.forget(source);
  }

  onPainted(handler: (p: Painted) => void): () => void {
    return this.painted.on(handler);
  }

  surface(source: number): Readonly<Surface> | undefined {
    return this.mode === 'worker' ? undefined : this.local.surface(source);
  }

  private settle(mode: 'worker' | 'local'): void {
    clearTimeout(this.timer);
    this.mode = mode;
  }

  /** The worker is ready: the pixels kept meanwhile go to it as whole frames, then the canvases. */
  private handOver(): void {
    if (this.mode !== 'starting') return;
    for (const source of this.local.sources()) {
      const s = this.local.surface(source);
      if (s) this.batch.push({ source, width: s.width, height: s.height, x: 0, y: 0, w: s.width, h: s.height, seq: 0, flip: s.flip, vblankMs: s.vblankMs, rgba: s.rgba.slice() });
      this.local.forget(source);
    }
    // One batch like any other: the worker answers 'taken' for it.
    if (this.batch.length > 0) this.drain.add();
    this.flush();
    this.settle('worker');
    for (const [source, { canvas, width }] of this.waiting) {
      this.transfer(source, canvas);
      if (width !== null) this.worker.postMessage({ kind: 'size', source, width }, []);
    }
    this.waiting.clear();
  }

  /** No worker after all: the page paints the canvases itself from the pixels it kept. */
  private fallBack(why: string): void {
    if (this.mode !== 'starting') return;
    console.warn(`gvt-desk: ${why}; painting on the main thread`);
    this.drain.reset();
    this.settle('local');
    for (const [source, { canvas, width }] of this.waiting) {
      this.local.attach(source, canvas);
      if (width !== null) this.local.size(source, width);
    }
    this.waiting.clear();
  }

  private transfer(source: number, canvas: HTMLCanvasElement): void {
    if (this.attached.has(canvas)) return;
    this.attached.add(canvas);
    const offscreen = canvas.transferControlToOffscreen();
    this.worker.postMessage({ kind: 'attach', source, canvas: offscreen }, [offscreen]);
  }

  private flush(): void {
    const frames = this.batch;
    this.batch = [];
    if (frames.length === 0) return;
    const packed = packFrames(frames);
    this.worker.postMessage({ kind: 'frames', ...packed }, [packed.payload]);
  }

  private receive(m: FromWorker): void {
    switch (m.kind) {
      case 'ready':
        if (m.downscale === 'js') console.warn('gvt-desk: the paint worker cannot run its WebAssembly SIMD kernel; small windows are downscaled in JS (slower)');
        this.handOver();
        return;
      case 'taken':
        this.drain.take(m.batches);
        for (const p of m.painted) this.painted.emit(p);
        return;
      case 'painted': {
        const { kind: _kind, ...p } = m;
        this.painted.emit(p);
        return;
      }
      case 'error':
        console.warn('gvt-desk: the paint worker dropped bad frames:', m.message);
    }
  }
}

/** Painting on the page's main thread: the same surfaces and painter the worker runs. */
export class LocalPainter implements FramePainter {
  readonly inWorker = false;
  private readonly surfaces = new FrameSurfaces();
  private readonly painted = new EventHub<Painted>('paint');
  private readonly painter = new CanvasPainter(this.surfaces, {
    nextFrame: (fn) => (typeof requestAnimationFrame === 'function' ? void requestAnimationFrame(fn) : void setTimeout(fn, 16)),
    now: () => performance.timeOrigin + performance.now(),
    onPainted: (p) => this.painted.emit(p),
  });

  /** Throws RangeError on RLE32 tokens that do not decode (see FrameSurfaces.apply). */
  apply(frame: FrameMessage | CodedFrameMessage): void {
    this.surfaces.apply(frame);
    this.painter.request(frame.source);
  }

  attach(source: number, canvas: HTMLCanvasElement): void {
    this.painter.attach(source, canvas);
  }

  size(source: number, width: number): void {
    this.painter.size(source, width);
  }

  detach(source: number): void {
    this.painter.detach(source);
  }

  forget(source: number): void {
    this.painter.detach(source);
    this.surfaces.forget(source);
  }

  onPainted(handler: (p: Painted) => void): () => void {
    return this.painted.on(handler);
  }

  surface(source: number): Readonly<Surface> | undefined {
    return this.surfaces.surface(source);
  }

  /** The sources it holds pixels of. */
  sources(): number[] {
    return this.surfaces.sources();
  }
}
