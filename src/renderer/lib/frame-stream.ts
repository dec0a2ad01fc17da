/**
 * The browser-mode WebSocket as the paint worker owns it: binary frame batches (frame-batch.ts) are
 * split, decoded and handed to the worker's surfaces in the worker, so the page's main thread never
 * receives, copies or posts frame pixels (measured: that was about a quarter of its time with three
 * 1920x1080 windows). Text messages (responses, events) and the socket's open/close go to the page,
 * whose WsClient runs the API over this socket as over its own (worker-socket.ts).
 *
 * Flow control is the host's (frame-window.ts) and unchanged: frames are acknowledged
 * (`{"ack":N}`) at the worker's next animation frame after it took them, all at once, and only
 * while the page is shown, so the host sends about as many frames as the worker paints, a worker
 * that falls behind holds the stream back (its unread messages are bounded by the host's window)
 * and a hidden page stops it. DOM-free apart from what `options` give.
 */
import { decodeFrameCoded, type CodedFrameMessage, type FrameMessage } from '../../shared/frame-message';
import { framesIn, isFrameBatch, splitBatch } from '../../shared/frame-batch';
import { frameAckText } from '../../shared/rpc';
import type { FromWorker, SourceReport } from './frame-paint-protocol';

/** The parts of a WebSocket used here (the worker's own WebSocket; a fake in tests). */
export interface StreamSocket {
  binaryType: string;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  send(data: string): void;
  close(): void;
}

export interface FrameStreamOptions {
  open(url: string): StreamSocket;
  /** One damage rect for the surfaces (and a repaint request); throws RangeError on RLE32 that does not decode. */
  take(frame: FrameMessage | CodedFrameMessage): void;
  post(message: FromWorker): void;
  /** Run fn at the worker's next animation frame. */
  nextFrame(fn: () => void): void;
  /** A clock in ms (for the once-a-second source reports). */
  now(): number;
}

/** How often frame counts are reported to the page (its fps read-outs sample once a second). */
const REPORT_MS = 1000;

interface Connection {
  socket: StreamSocket;
  /** Frame messages taken and not acknowledged yet, and whether an acknowledgement is scheduled. */
  unacked: number;
  ackScheduled: boolean;
}

export class FrameStreams {
  private readonly connections = new Map<number, Connection>();
  private shown = true;
  private readonly sources = new Map<number, SourceReport & { lastSeq: number }>();
  private lastReport: number;

  constructor(private readonly options: FrameStreamOptions) {
    this.lastReport = options.now();
  }

  /** Open connection `id` (the page's WsClient asked for a socket). */
  connect(id: number, url: string): void {
    const socket = this.options.open(url);
    const c: Connection = { socket, unacked: 0, ackScheduled: false };
    this.connections.set(id, c);
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => this.options.post({ kind: 'socket', id, event: 'open' });
    socket.onclose = () => {
      this.connections.delete(id);
      this.options.post({ kind: 'socket', id, event: 'close' });
    };
    socket.onmessage = (ev) => this.receive(id, c, ev.data);
  }

  send(id: number, text: string): void {
    this.connections.get(id)?.socket.send(text);
  }

  /** Close connection `id`; its close is still reported (as a WebSocket's would be). */
  disconnect(id: number): void {
    this.connections.get(id)?.socket.close();
  }

  /** The page was shown or hidden: acknowledgements held while hidden go out once shown. */
  visible(shown: boolean): void {
    this.shown = shown;
    if (shown) for (const [id, c] of this.connections) if (c.unacked > 0) this.scheduleAck(id, c);
  }

  /** The page closed the source's window: its next frame is reported as new. */
  forget(source: number): void {
    this.sources.delete(source);
  }

  private receive(id: number, c: Connection, data: unknown): void {
    if (typeof data === 'string') {
      this.options.post({ kind: 'text', id, data });
      return;
    }
    if (!(data instanceof ArrayBuffer)) return;
    const bytes = new Uint8Array(data);
    let messages: Uint8Array[] = [];
    try {
      messages = isFrameBatch(bytes) ? splitBatch(bytes) : [bytes];
    } catch (err) {
      this.options.post({ kind: 'error', message: `dropping a bad frame batch: ${err instanceof Error ? err.message : String(err)}` });
    }
    for (const m of messages) this.take(m);
    // Taken (even bad ones): the host sends more only against acknowledgements.
    c.unacked += Math.max(1, framesIn(bytes));
    this.scheduleAck(id, c);
  }

  private take(message: Uint8Array): void {
    let frame: FrameMessage | CodedFrameMessage;
    try {
      frame = decodeFrameCoded(message);
      this.options.take(frame);
    } catch (err) {
      // A bad rect loses itself only; the next ones paint.
      this.options.post({ kind: 'error', message: err instanceof Error ? err.message : String(err) });
      return;
    }
    const { source, width, height, seq } = frame;
    const s = this.sources.get(source);
    if (!s || s.width !== width || s.height !== height) {
      // A new source or a mode set: the page shows (or hides) the window's picture at once.
      const frames = (s?.frames ?? 0) + (s?.lastSeq === seq ? 0 : 1);
      this.sources.set(source, { source, width, height, frames: 0, lastSeq: seq });
      this.options.post({ kind: 'source', source, width, height, frames });
    } else if (s.lastSeq !== seq) {
      // Several damage rects of one frame share its sequence number: count frames, not rects.
      s.lastSeq = seq;
      s.frames++;
    }
  }

  private scheduleAck(id: number, c: Connection): void {
    if (c.ackScheduled) return;
    c.ackScheduled = true;
    this.options.nextFrame(() => {
      c.ackScheduled = false;
      this.report();
      if (!this.shown || c.unacked === 0 || this.connections.get(id) !== c) return;
      c.socket.send(frameAckText(c.unacked));
      c.unacked = 0;
    });
  }

  /** Frame counts of every source, once a second. */
  private report(): void {
    const now = this.options.now();
    if (now - this.lastReport < REPORT_MS) return;
    this.lastReport = now;
    for (const s of this.sources.values()) {
      if (s.frames === 0) continue;
      this.options.post({ kind: 'source', source: s.source, width: s.width, height: s.height, frames: s.frames });
      s.frames = 0;
    }
  }
}
