/**
 * What the paint worker does with each message from the page (frame-paint-protocol.ts): decode the
 * batch's damage rects into its FrameSurfaces, answer 'taken' (the page acknowledges frames to the
 * host only once the worker has them, so a worker that falls behind holds the host's stream back
 * rather than queueing), and paint the attached OffscreenCanvases at its animation frames, telling
 * the page about each newly flipped frame painted. DOM-free apart from what `options` give.
 */
import { CanvasPainter, type CanvasPainterOptions } from './canvas-painter';
import { FrameSurfaces } from './frame-surfaces';
import { unpackFrames, type FromWorker, type ToWorker } from './frame-paint-protocol';

export function paintWorkerHandler(post: (m: FromWorker) => void, options: Omit<CanvasPainterOptions, 'onPainted'>): (m: ToWorker) => void {
  const surfaces = new FrameSurfaces();
  const painter = new CanvasPainter(surfaces, { ...options, onPainted: (p) => post({ kind: 'painted', ...p }) });
  return (m) => {
    switch (m.kind) {
      case 'frames': {
        try {
          for (const f of unpackFrames(m.frames, m.payload)) {
            surfaces.apply(f);
            painter.request(f.source);
          }
        } catch (err) {
          // A bad batch (RLE32 that does not decode) loses its own rects only; the next ones paint.
          post({ kind: 'error', message: err instanceof Error ? err.message : String(err) });
        }
        post({ kind: 'taken' });
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
