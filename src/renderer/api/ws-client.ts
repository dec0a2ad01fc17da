/**
 * Browser-mode transport: the ApiClient over one WebSocket to the local host server.
 * Text messages are JSON (requests, responses, push events); binary messages are frame messages.
 * Browser-safe on purpose: no node:* or electron imports.
 */
import { API_ERROR_CODES, ApiError, decodeFrame } from '../../shared/api';
import type { ApiClient, ApiErrorCode, EventName, Events, FrameMessage, MethodName, Params, Results } from '../../shared/api';

/** The subset of the DOM WebSocket the client uses, so tests can pass a mock class. */
export interface SocketLike {
  binaryType: string;
  readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  send(data: string): void;
  close(): void;
}
export type SocketFactory = (url: string) => SocketLike;

export type ConnectionStatus = 'connecting' | 'open' | 'closed';

/** A call could not complete because the socket to the host dropped (not a refusal by the host). */
export class ConnectionLostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConnectionLostError';
  }
}

export interface WsClientOptions {
  /** First reconnect delay and the cap it doubles up to, ms. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  createSocket?: SocketFactory;
}

interface Pending {
  method: string;
  message: string;
  sent: boolean;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

export class WsClient implements ApiClient {
  private socket: SocketLike | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly eventHandlers = new Map<EventName, Set<(data: never) => void>>();
  private readonly frameHandlers = new Set<(frame: FrameMessage) => void>();
  private readonly statusHandlers = new Set<(status: ConnectionStatus) => void>();
  private backoffMs: number;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private closedByUser = false;
  private readonly minBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly createSocket: SocketFactory;
  private currentStatus: ConnectionStatus = 'connecting';

  constructor(
    private readonly url: string,
    options: WsClientOptions = {},
  ) {
    this.minBackoffMs = options.minBackoffMs ?? 250;
    this.maxBackoffMs = options.maxBackoffMs ?? 5000;
    this.backoffMs = this.minBackoffMs;
    this.createSocket = options.createSocket ?? ((u) => new WebSocket(u) as unknown as SocketLike);
    this.connect();
  }

  get status(): ConnectionStatus {
    return this.currentStatus;
  }

  invoke<M extends MethodName>(method: M, params: Params<M>): Promise<Results[M]> {
    if (this.closedByUser) return Promise.reject(new ConnectionLostError(`${method}: the client was closed`));
    const id = this.nextId++;
    const message = JSON.stringify({ id, method, params });
    return new Promise<Results[M]>((resolve, reject) => {
      const entry: Pending = { method, message, sent: false, resolve: resolve as (v: unknown) => void, reject };
      this.pending.set(id, entry);
      // A call made while (re)connecting waits for that attempt; flushQueued sends it on open.
      if (this.status === 'open') this.send(entry);
    });
  }

  on<E extends EventName>(event: E, handler: (data: Events[E]) => void): () => void {
    let set = this.eventHandlers.get(event);
    if (!set) this.eventHandlers.set(event, (set = new Set()));
    set.add(handler as (data: never) => void);
    return () => set.delete(handler as (data: never) => void);
  }

  onFrame(handler: (frame: FrameMessage) => void): () => void {
    this.frameHandlers.add(handler);
    return () => this.frameHandlers.delete(handler);
  }

  /** Connection state changes, so the UI can show them and re-fetch state after a reconnect. */
  onStatus(handler: (status: ConnectionStatus) => void): () => void {
    this.statusHandlers.add(handler);
    return () => this.statusHandlers.delete(handler);
  }

  /** Close for good: no reconnect; unanswered calls reject. */
  close(): void {
    this.closedByUser = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.socket?.close();
    this.dropConnection('the client was closed');
  }

  private connect(): void {
    this.reconnectTimer = null;
    this.setStatus('connecting');
    const socket = this.createSocket(this.url);
    this.socket = socket;
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.backoffMs = this.minBackoffMs;
      this.setStatus('open');
      for (const entry of this.pending.values()) if (!entry.sent) this.send(entry);
    };
    socket.onmessage = (ev) => {
      if (this.socket === socket) this.receive(ev.data);
    };
    // Browsers fire error then close on a failed connection; close alone drives reconnection.
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.dropConnection('the connection to the GVT Desk host was lost');
      if (!this.closedByUser) this.scheduleReconnect();
    };
  }

  private dropConnection(reason: string): void {
    for (const [id, entry] of this.pending) {
      this.pending.delete(id);
      entry.reject(new ConnectionLostError(`${entry.method}: ${reason} before it answered`));
    }
    this.setStatus('closed');
  }

  private scheduleReconnect(): void {
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.maxBackoffMs);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private send(entry: Pending): void {
    entry.sent = true;
    this.socket?.send(entry.message);
  }

  private setStatus(status: ConnectionStatus): void {
    if (this.currentStatus === status) return;
    this.currentStatus = status;
    for (const h of this.statusHandlers) h(status);
  }

  private receive(data: unknown): void {
    if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) {
      this.receiveFrame(data instanceof ArrayBuffer ? data : new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      return;
    }
    if (typeof data !== 'string') return;
    let msg: unknown;
    try {
      msg = JSON.parse(data);
    } catch {
      console.warn('gvt-desk: ignoring a non-JSON text message from the host');
      return;
    }
    if (typeof msg !== 'object' || msg === null) return;
    const m = msg as { id?: unknown; result?: unknown; error?: { code?: unknown; message?: unknown }; event?: unknown; data?: unknown };
    if (typeof m.event === 'string') {
      this.dispatch(m.event as EventName, m.data);
    } else if (typeof m.id === 'number') {
      this.settle(m.id, m.result, m.error);
    }
  }

  private settle(id: number, result: unknown, error: { code?: unknown; message?: unknown } | undefined): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.pending.delete(id);
    if (error === undefined) {
      entry.resolve(result);
      return;
    }
    const code = typeof error.code === 'string' && (API_ERROR_CODES as readonly string[]).includes(error.code) ? (error.code as ApiErrorCode) : 'internal';
    const message = typeof error.message === 'string' && error.message ? error.message : `${entry.method} failed`;
    entry.reject(new ApiError(code, message));
  }

  private dispatch(event: EventName, data: unknown): void {
    for (const handler of this.eventHandlers.get(event) ?? []) {
      // One failing subscriber must not starve the others of the event.
      try {
        handler(data as never);
      } catch (err) {
        console.error(`gvt-desk: '${event}' handler failed`, err);
      }
    }
  }

  private receiveFrame(buf: ArrayBuffer | Uint8Array): void {
    let frame: FrameMessage;
    try {
      frame = decodeFrame(buf);
    } catch (err) {
      console.warn('gvt-desk: dropping a bad frame message', err);
      return;
    }
    for (const handler of this.frameHandlers) {
      try {
        handler(frame);
      } catch (err) {
        console.error('gvt-desk: frame handler failed', err);
      }
    }
  }
}

/** ws://host/api?token=… for the page this UI was served from. */
export function apiUrlFor(location: Pick<Location, 'protocol' | 'host' | 'search'>): string {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/api?token=${encodeURIComponent(token)}`;
}
