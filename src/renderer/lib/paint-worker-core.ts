/**
 * What the paint worker does with each message from the page (frame-paint-protocol.ts): decode
 * frame rects into its FrameSurfaces, either from the page's batches (answering 'taken': the page
 * acknowledges those frames to the host only once the worker has them) or straight from the
 * browser-mode WebSocket it owns (frame-stream.ts, which acknowledges them itself), and paint the
 * attached OffscreenCanvases at its animation frames, telling the page about each newly flipped
 * frame painted. DOM-free apart from what `options` give.
 */
import { CanvasPainter, type CanvasPainterOptions } from './canvas-painter';
import { FrameSurfaces } from './frame-surfaces';
import { FrameStreams, type StreamSocket } from './frame-stream';
import { unpackFrames, type FromWorker, type ToWorker } from './frame-paint-protocol';

export interface PaintWorkerOptions extends Omit<CanvasPainterOptions, 'onPainted'> {
  /** Open a WebSocket (the worker's own; browser mode). */
  openSocket(url: string): StreamSocket;
}

export function paintWorkerHandler(post: (m: FromWorker) => void, options: PaintWorkerOptions): (m: ToWorker) => void {
  const surfaces = new FrameSurfaces();
  const painter = new CanvasPainter(surfaces, { ...options, onPainted: (p) => post({ kind: 'painted', ...p }) });
  const streams = new FrameStreams({
    open: options.openSocket,
    take: (f) => {
      surfaces.apply(f);
      painter.request(f.source);
    },
    post,
    nextFrame: options.nextFrame,
    now: options.now,
  });
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
        streams.forget(m.source);
        return;
      case 'connect':
        streams.connect(m.id, m.url);
        return;
      case 'send':
        streams.send(m.id, m.text);
        return;
      case 'disconnect':
        streams.disconnect(m.id);
        return;
      case 'visible':
        streams.visible(m.visible);
        return;
    }
  };
}
