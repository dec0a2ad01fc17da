/**
 * Browser-mode transport: the ApiClient over one WebSocket to the local host server.
 * Text messages are JSON (requests, responses, push events); binary messages are frame messages.
 * Browser-safe on purpose: no node:* or electron imports.
 */
import { decodeFrameCoded } from '../../shared/api';
import type { ApiClient, CodedFrameMessage, EventName, Events, FrameMessage, MethodName, Params, Results } from '../../shared/api';
import { EventHub, RpcClient, frameAckText, readMessage } from '../../shared/rpc';
import { framesIn, isFrameBatch, splitBatch } from '../../shared/frame-batch';

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

/** 'unauthorized': the host refuses this page's token (or it has none); nothing is retried. */
export type ConnectionStatus = 'connecting' | 'open' | 'closed' | 'unauthorized';

/** Whether the host takes the token: true, false (refused), or null (the host could not be reached). */
export type AccessCheck = () => Promise<boolean | null>;

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
  /**
   * Run `fn` when frames taken may be acknowledged, all at once (default: the next
   * requestAnimationFrame, where it exists; the app passes "at the end of this task while the page
   * is shown"). A hidden tab, which acknowledges nothing, stops the stream until it shows again.
   */
  nextPaint?: (fn: () => void) => void;
  /**
   * Run `fn` once the frames just handed to onFrame handlers are taken by whoever paints them
   * (default: at once; the app passes the paint worker's gate, frameDrain). Only taken frames are
   * acknowledged, so a painter that falls behind holds the host's stream back.
   */
  whenTaken?: (fn: () => void) => void;
  /**
   * Asked after a connection fails (a browser WebSocket cannot see why): a refused token ends the
   * retries with status 'unauthorized'. Default: GET /api/access with the URL's token.
   */
  checkAccess?: AccessCheck;
}

export class WsClient implements ApiClient {
  private socket: SocketLike | null = null;
  private readonly rpc: RpcClient;
  private readonly eventHubs = new Map<string, EventHub<unknown>>();
  private readonly frames = new EventHub<FrameMessage | CodedFrameMessage>('frame');
  private readonly statusHub = new EventHub<ConnectionStatus>('connection status');
  private backoffMs: number;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private closedByUser = false;
  private readonly minBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly createSocket: SocketFactory;
  private readonly nextPaint: (fn: () => void) => void;
  private readonly whenTaken: (fn: () => void) => void;
  private readonly checkAccess: AccessCheck;
  private currentStatus: ConnectionStatus = 'connecting';
  /** Frame messages of this socket taken since the last acknowledgement, and whether one is scheduled. */
  private unacked = 0;
  private ackScheduled = false;

  constructor(
    private readonly url: string,
    options: WsClientOptions = {},
  ) {
    this.minBackoffMs = options.minBackoffMs ?? 250;
    this.maxBackoffMs = options.maxBackoffMs ?? 5000;
    this.backoffMs = this.minBackoffMs;
    this.createSocket = options.createSocket ?? ((u) => new WebSocket(u) as unknown as SocketLike);
    this.nextPaint = options.nextPaint ?? (typeof requestAnimationFrame === 'function' ? (fn) => void requestAnimationFrame(fn) : (fn) => void setTimeout(fn, 0));
    this.whenTaken = options.whenTaken ?? ((fn) => fn());
    this.checkAccess = options.checkAccess ?? (() => accessOf(url));
    // A call made while (re)connecting waits for that attempt: flush() sends it on open.
    this.rpc = new RpcClient({
      send: (request) => {
        if (this.currentStatus !== 'open' || !this.socket) return false;
        this.socket.send(JSON.stringify(request));
        return true;
      },
    });
    if (new URL(url).searchParams.get('token')) this.connect();
    else this.setStatus('unauthorized');
  }

  get status(): ConnectionStatus {
    return this.currentStatus;
  }

  invoke<M extends MethodName>(method: M, params: Params<M>): Promise<Results[M]> {
    if (this.closedByUser) return Promise.reject(new ConnectionLostError(`${method}: the client was closed`));
    // The one place a result meets its type: the host answered this method, validated by name.
    return this.rpc.call(method, params) as Promise<Results[M]>;
  }

  on<E extends EventName>(event: E, handler: (data: Events[E]) => void): () => void {
    let hub = this.eventHubs.get(event);
    if (!hub) this.eventHubs.set(event, (hub = new EventHub(`'${event}'`)));
    return hub.on(handler as (data: unknown) => void);
  }

  onFrame(handler: (frame: FrameMessage | CodedFrameMessage) => void): () => void {
    return this.frames.on(handler);
  }

  /** Connection state changes, so the UI can show them and re-fetch state after a reconnect. */
  onStatus(handler: (status: ConnectionStatus) => void): () => void {
    return this.statusHub.on(handler);
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
    // A fresh window on the host: what an old socket took is not owed on this one.
    this.unacked = 0;
    socket.binaryType = 'arraybuffer';
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.backoffMs = this.minBackoffMs;
      this.setStatus('open');
      this.rpc.flush();
    };
    socket.onmessage = (ev) => {
      if (this.socket === socket) this.receive(ev.data);
    };
    // Browsers fire error then close on a failed connection; close alone drives reconnection.
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.dropConnection('the connection to the GVT Desk host was lost');
      if (!this.closedByUser) void this.afterFailure();
    };
  }

  private dropConnection(reason: string): void {
    this.rpc.failAll((method) => new ConnectionLostError(`${method}: ${reason} before it answered`));
    this.setStatus('closed');
  }

  /** Reconnect with backoff, unless the host says it refuses the token (then stay 'unauthorized'). */
  private async afterFailure(): Promise<void> {
    const access = await this.checkAccess().catch(() => null);
    if (this.closedByUser) return;
    if (access === false) {
      this.setStatus('unauthorized');
      return;
    }
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.maxBackoffMs);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private setStatus(status: ConnectionStatus): void {
    if (this.currentStatus === status) return;
    this.currentStatus = status;
    this.statusHub.emit(status);
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
    const read = readMessage(msg);
    if (read === null) return;
    if ('event' in read) this.eventHubs.get(read.event.event)?.emit(read.event.data);
    else this.rpc.receive(read.response);
  }

  private receiveFrame(buf: ArrayBuffer | Uint8Array): void {
    const bytes = buf instanceof Uint8Array ? buf : new Uint8Array(buf);
    let messages: Uint8Array[] = [];
    try {
      messages = isFrameBatch(bytes) ? splitBatch(bytes) : [bytes];
    } catch (err) {
      console.warn('gvt-desk: dropping a bad frame batch', err);
    }
    for (const m of messages) this.emitFrame(m);
    // Acknowledged (even bad ones) once taken, at the page's next paint: the host sends more frames
    // only against acknowledgements.
    const count = Math.max(1, framesIn(bytes));
    const socket = this.socket;
    this.whenTaken(() => {
      if (socket !== this.socket) return;
      this.unacked += count;
      this.scheduleAck();
    });
  }

  private scheduleAck(): void {
    if (this.ackScheduled) return;
    this.ackScheduled = true;
    this.nextPaint(() => {
      this.ackScheduled = false;
      if (this.unacked > 0) this.socket?.send(frameAckText(this.unacked));
      this.unacked = 0;
    });
  }

  private emitFrame(message: Uint8Array): void {
    let frame: FrameMessage | CodedFrameMessage;
    try {
      // RLE32 pixels stay coded: the frames store decodes them straight into its surface.
      frame = decodeFrameCoded(message);
    } catch (err) {
      console.warn('gvt-desk: dropping a bad frame message', err);
      return;
    }
    this.frames.emit(frame);
  }


}

/** Ask the host serving `wsUrl` (ws://host/api?token=…) whether it takes the token (GET /api/access). */
async function accessOf(wsUrl: string): Promise<boolean | null> {
  const u = new URL(wsUrl);
  u.protocol = u.protocol === 'wss:' ? 'https:' : 'http:';
  u.pathname = '/api/access';
  try {
    const res = await fetch(u, { cache: 'no-store' });
    return res.status === 204 ? true : res.status === 401 ? false : null;
  } catch {
    return null; // host down or restarting: keep retrying
  }
}

/** ws://host/api?token=… for the page this UI was served from. */
export function apiUrlFor(location: Pick<Location, 'protocol' | 'host' | 'search'>): string {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/api?token=${encodeURIComponent(token)}`;
}
