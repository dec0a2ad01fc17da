/**
 * What the paint worker does with each message from the page (frame-paint-protocol.ts): decode the
 * batch's damage rects into its FrameSurfaces, paint the changed sources' OffscreenCanvases at once
 * (the canvases commit at the end of this task), and answer 'taken' with the newly flipped frames
 * painted (the page acknowledges frames to the host only once the worker has them, so a worker that
 * falls behind holds the host's stream back rather than queueing). A canvas attached or resized is
 * painted whole at the worker's next animation frame. DOM-free apart from what `options` give.
 */
import { CanvasPainter, type CanvasPainterOptions, type Painted } from './canvas-painter';
import { FrameSurfaces } from './frame-surfaces';
import { unpackFrames, type FromWorker, type ToWorker } from './frame-paint-protocol';

export function paintWorkerHandler(post: (m: FromWorker) => void, options: Omit<CanvasPainterOptions, 'onPainted'>): (m: ToWorker) => void {
  const surfaces = new FrameSurfaces();
  /** Paints of the batch being handled (they go with its 'taken'), null outside one. */
  let batchPaints: Painted[] | null = null;
  const painter = new CanvasPainter(surfaces, {
    ...options,
    onPainted: (p) => {
      if (batchPaints) batchPaints.push(p);
      else post({ kind: 'painted', ...p });
    },
  });
  return (m) => {
    switch (m.kind) {
      case 'frames': {
        const changed = new Set<number>();
        try {
          for (const f of unpackFrames(m.frames, m.payload)) {
            changed.add(f.source);
            surfaces.apply(f);
          }
        } catch (err) {
          // A bad batch (RLE32 that does not decode) loses its own rects only; the next ones paint.
          post({ kind: 'error', message: err instanceof Error ? err.message : String(err) });
        }
        // One message back per batch: the page's main thread is the busy one.
        batchPaints = [];
        try {
          painter.paintNow(changed);
        } finally {
          post({ kind: 'taken', painted: batchPaints });
          batchPaints = null;
        }
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
