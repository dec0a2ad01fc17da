/**
 * What the paint worker does with each message from the page (frame-paint-protocol.ts): decode the
 * batch's damage rects into its FrameSurfaces, then, once the batches already queued behind it are
 * decoded too (`afterQueued`), paint the changed sources' OffscreenCanvases (they commit at the end
 * of that task) and answer 'taken' for those batches with the newly flipped frames painted.
 *
 * Painting as batches come, not at the worker's animation frames: those came at half the display's
 * rate under load (one per compositor frame acknowledged) and every other flip was coalesced away.
 * Painting once per run of queued batches, not once per batch: a worker that falls behind catches
 * up on the newest picture instead of painting every stale one in turn (per-batch painting built a
 * standing queue of the host's whole window, 0.7 s). The page acknowledges frames to the host only
 * once they are taken, which here means painted, so a worker that falls behind holds the host's
 * stream back rather than queueing. A canvas attached or resized is painted whole at the worker's
 * next animation frame. DOM-free apart from what `options` give.
 */
import { CanvasPainter, type CanvasPainterOptions, type Painted } from './canvas-painter';
import { FrameSurfaces } from './frame-surfaces';
import { unpackFrames, type FromWorker, type ToWorker } from './frame-paint-protocol';

export interface PaintWorkerOptions extends Omit<CanvasPainterOptions, 'onPainted'> {
  /** Run fn after the messages already queued for this worker (a MessageChannel message to itself). */
  afterQueued(fn: () => void): void;
}

export function paintWorkerHandler(post: (m: FromWorker) => void, options: PaintWorkerOptions): (m: ToWorker) => void {
  const surfaces = new FrameSurfaces();
  /** Paints while batches are painted (they go with their 'taken'), null otherwise. */
  let batchPaints: Painted[] | null = null;
  const painter = new CanvasPainter(surfaces, {
    ...options,
    onPainted: (p) => {
      if (batchPaints) batchPaints.push(p);
      else post({ kind: 'painted', ...p });
    },
  });
  /** Batches decoded and not painted yet, and the sources they changed. */
  let unpainted = 0;
  let changed = new Set<number>();

  function paintTaken(): void {
    const sources = changed;
    const batches = unpainted;
    changed = new Set();
    unpainted = 0;
    batchPaints = [];
    try {
      painter.paintNow(sources);
    } finally {
      // One message back per run of batches: the page's main thread is the busy one.
      post({ kind: 'taken', batches, painted: batchPaints });
      batchPaints = null;
    }
  }

  return (m) => {
    switch (m.kind) {
      case 'frames': {
        try {
          for (const f of unpackFrames(m.frames, m.payload)) {
            changed.add(f.source);
            surfaces.apply(f);
          }
        } catch (err) {
          // A bad batch (RLE32 that does not decode) loses its own rects only; the next ones paint.
          post({ kind: 'error', message: err instanceof Error ? err.message : String(err) });
        }
        if (unpainted++ === 0) options.afterQueued(paintTaken);
        return;
      }
      case 'attach':
        painter.attach(m.source, m.canvas);
        return;
      case 'size':
        painter.size(m.source, m.width);
        return;
      case 'detach':
        painter.detach(m.source);
        return;
      case 'forget':
        painter.detach(m.source);
        surfaces.forget(m.source);
        return;
    }
  };
}
