/**
 * The page's side of the WebSocket the paint worker owns (frame-stream.ts): a SocketLike for the
 * WsClient whose text messages, open and close are relayed from the worker, and whose sends go to
 * it. Binary frames stay in the worker. Until the page knows whether the worker runs it is
 * CONNECTING; `start(real)` makes it a plain wrapper of a socket of the page's own instead (the
 * worker did not load: frames then reach the page and it paints them itself).
 */
import type { SocketLike } from '../api/ws-client';

/** How the worker's connection is driven (frame-painter.ts posts these to the worker). */
export interface WorkerConnection {
  connect(): void;
  send(text: string): void;
  close(): void;
}

/** WebSocket readyState values. */
const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 3;

export class WorkerSocket implements SocketLike {
  binaryType = 'arraybuffer';
  readyState = CONNECTING;
  onopen: ((ev: unknown) => void) | null = null;
  onclose: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  private real: SocketLike | null = null;
  private started = false;
  private closing = false;

  constructor(private readonly connection: WorkerConnection) {}

  /** Connect through the worker, or (given a socket of the page's own) through that one. */
  start(real?: SocketLike): void {
    if (this.started) return;
    this.started = true;
    if (this.closing) {
      this.event('close');
      return;
    }
    if (!real) {
      this.connection.connect();
      return;
    }
    this.real = real;
    real.binaryType = this.binaryType;
    real.onopen = () => this.event('open');
    real.onclose = () => this.event('close');
    real.onmessage = (ev) => this.onmessage?.(ev);
  }

  /** The worker's socket opened or closed. */
  event(kind: 'open' | 'close'): void {
    if (this.readyState === CLOSED) return;
    this.readyState = kind === 'open' ? OPEN : CLOSED;
    (kind === 'open' ? this.onopen : this.onclose)?.({});
  }

  /** A text message arrived on the worker's socket. */
  message(data: string): void {
    this.onmessage?.({ data });
  }

  send(data: string): void {
    if (this.real) this.real.send(data);
    else if (this.started) this.connection.send(data);
  }

  close(): void {
    this.closing = true;
    if (this.real) this.real.close();
    else if (this.started) this.connection.close();
  }
}
