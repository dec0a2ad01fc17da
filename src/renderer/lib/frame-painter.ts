/**
 * Who decodes and paints the frames: a paint worker (frame-paint.worker.ts) where the browser can
 * hand a canvas to one (Worker + OffscreenCanvas: Chromium, Electron), so the page's main thread does
 * no per-frame pixel work, only a copy of each batch's payload into a transferred buffer; else the
 * page itself, with the same FrameSurfaces and CanvasPainter (jsdom/happy-dom tests, old browsers).
 *
 * frameDrain is the acknowledgement gate: batches handed to the worker and not yet taken by it. The
 * browser-mode client acknowledges frames to the host only once it is drained (see createTransport),
 * so per-source backpressure reaches through the worker: a worker that falls behind holds the host's
 * stream back (the host then drops and repairs), never a queue in the page.
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

/** Counts batches handed to the paint worker and not yet taken; runs waiters once none are. */
export class DrainGate {
  private outstanding = 0;
  private waiting: (() => void)[] = [];

  add(): void {
    this.outstanding++;
  }

  take(): void {
    this.outstanding = Math.max(0, this.outstanding - 1);
    if (this.outstanding === 0) this.release();
  }

  /** Run fn now if nothing is outstanding, else once the worker has taken everything handed to it. */
  whenDrained(fn: () => void): void {
    if (this.outstanding === 0) fn();
    else this.waiting.push(fn);
  }

  /** The worker is gone: nothing is owed any more. */
  reset(): void {
    this.outstanding = 0;
    this.release();
  }

  get pending(): number {
    return this.outstanding;
  }

  private release(): void {
    const w = this.waiting;
    this.waiting = [];
    for (const fn of w) fn();
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

export class WorkerPainter implements FramePainter {
  readonly inWorker = true;
  private readonly painted = new EventHub<Painted>('paint');
  private batch: (FrameMessage | CodedFrameMessage)[] = [];
  private readonly attached = new WeakSet<HTMLCanvasElement>();

  constructor(
    private readonly worker: WorkerLike,
    private readonly drain: DrainGate,
  ) {
    worker.onmessage = (ev) => this.receive(ev.data);
    worker.onerror = (ev) => {
      // Acknowledgements must not wait on a worker that died; its canvases stay as they were.
      console.warn('gvt-desk: the paint worker failed', ev.message);
      drain.reset();
    };
  }

  apply(frame: FrameMessage | CodedFrameMessage): void {
    if (this.batch.length === 0) queueMicrotask(() => this.flush());
    this.batch.push(frame);
  }

  attach(source: number, canvas: HTMLCanvasElement): void {
    if (this.attached.has(canvas)) return;
    this.attached.add(canvas);
    const offscreen = canvas.transferControlToOffscreen();
    this.worker.postMessage({ kind: 'attach', source, canvas: offscreen }, [offscreen]);
  }

  size(source: number, width: number): void {
    this.worker.postMessage({ kind: 'size', source, width }, []);
  }

  detach(source: number): void {
    this.worker.postMessage({ kind: 'detach', source }, []);
  }

  forget(source: number): void {
    this.worker.postMessage({ kind: 'forget', source }, []);
  }

  onPainted(handler: (p: Painted) => void): () => void {
    return this.painted.on(handler);
  }

  surface(): undefined {
    return undefined;
  }

  private flush(): void {
    const frames = this.batch;
    this.batch = [];
    if (frames.length === 0) return;
    const packed = packFrames(frames);
    this.drain.add();
    this.worker.postMessage({ kind: 'frames', ...packed }, [packed.payload]);
  }

  private receive(m: FromWorker): void {
    if (m.kind === 'taken') this.drain.take();
    else if (m.kind === 'painted') {
      const { kind: _kind, ...p } = m;
      this.painted.emit(p);
    } else console.warn('gvt-desk: the paint worker dropped a bad frame batch:', m.message);
  }
}

/** Painting on the page's main thread: the same surfaces and painter the worker runs. */
export class LocalPainter implements FramePainter {
  readonly inWorker = false;
  private readonly surfaces = new FrameSurfaces();
  private readonly painted = new EventHub<Painted>('paint');
  private readonly painter = new CanvasPainter(this.surfaces, {
    nextFrame: (fn) => (typeof requestAnimationFrame === 'function' ? void requestAnimationFrame(fn) : void setTimeout(fn, 16)),
    makeCanvas: (w, h) => Object.assign(document.createElement('canvas'), { width: w, height: h }),
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
}
