/**
 * The one request/response/event core under every transport: the renderer's WebSocket client, the
 * Electron preload, the CLI's socket client and the host's link to the GPU thread each give an
 * RpcClient a way to send (an RpcLink) and feed it what comes back; ids, pending calls, error
 * rebuilding and event fan-out live here once. The host side answers through protocol.ts
 * (handleRequest), the GPU thread through answer() below.
 *
 * Dependency-free on purpose (no zod): the sandboxed preload bundles it.
 */

/**
 * Error codes a client can act on, defined once for every transport: `state` = the domain's state
 * does not allow it (paused, crashed, shutting down); `timeout` = the guest did not answer in time.
 */
export const API_ERROR_CODES = ['invalid', 'not_found', 'exists', 'no_resources', 'busy', 'config', 'state', 'timeout', 'internal'] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

export interface ApiErrorShape {
  code: ApiErrorCode;
  message: string;
}

/** Thrown by the host for a request it refuses; carried to clients as { code, message }. */
export class ApiError extends Error implements ApiErrorShape {
  constructor(
    public readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Request ids are chosen by the client and echoed back; null only when a request had no usable id. */
export type RequestId = number | string;

export interface RpcRequest {
  id: RequestId;
  method: string;
  params: unknown;
}

export type RpcResponse = { id: RequestId | null; result: unknown } | { id: RequestId | null; error: ApiErrorShape };

/** The browser-mode page's acknowledgement of `count` frame messages taken (src/main/host/frame-window.ts). */
export const frameAckText = (count: number): string => `{"ack":${count}}`;

/** A push event as the transports carry it. */
export interface RpcEvent {
  event: string;
  data: unknown;
}

const CODES: ReadonlySet<string> = new Set(API_ERROR_CODES);

/** True if `code` is one of API_ERROR_CODES. */
export const isApiErrorCode = (code: unknown): code is ApiErrorCode => typeof code === 'string' && CODES.has(code);

/**
 * Read one message off the wire (untrusted) as a response, an event, or null when it is neither.
 * An error with an unknown code reads as 'internal'; a missing message as ''.
 */
export function readMessage(msg: unknown): { response: RpcResponse } | { event: RpcEvent } | null {
  if (typeof msg !== 'object' || msg === null) return null;
  const m = msg as { id?: unknown; result?: unknown; error?: { code?: unknown; message?: unknown } | null; event?: unknown; data?: unknown };
  if (typeof m.event === 'string') return { event: { event: m.event, data: m.data } };
  const id = typeof m.id === 'number' || typeof m.id === 'string' ? m.id : m.id === null ? null : undefined;
  if (id === undefined) return null;
  if (typeof m.error === 'object' && m.error !== null) {
    const code = isApiErrorCode(m.error.code) ? m.error.code : 'internal';
    return { response: { id, error: { code, message: typeof m.error.message === 'string' ? m.error.message : '' } } };
  }
  if (!('result' in m)) return null;
  return { response: { id, result: m.result } };
}

/** The error a client raises for an error response to `method`: an ApiError (empty message: "`method` failed"). */
export const apiErrorFor = (shape: ApiErrorShape, method: string): Error => new ApiError(shape.code, shape.message || `${method} failed`);

/** How an RpcClient sends: returns false when the link is down (the request waits for flush()). */
export interface RpcLink {
  send(request: RpcRequest): boolean;
}

interface Pending {
  request: RpcRequest;
  sent: boolean;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/**
 * Client side of the core: numbers requests, keeps them until answered, settles them from
 * responses. `makeError` turns an error response into what the call rejects with (default an
 * ApiError; the preload passes plain objects, which survive Electron's context bridge).
 */
export class RpcClient {
  private nextId = 1;
  private readonly pending = new Map<RequestId, Pending>();

  constructor(
    private readonly link: RpcLink,
    private readonly makeError: (shape: ApiErrorShape, method: string) => unknown = apiErrorFor,
  ) {}

  /** Send one request; resolves with its result, rejects with makeError(error) or failAll's error. */
  call(method: string, params: unknown): Promise<unknown> {
    const request: RpcRequest = { id: this.nextId++, method, params };
    return new Promise((resolve, reject) => {
      const entry: Pending = { request, sent: false, resolve, reject };
      this.pending.set(request.id, entry);
      entry.sent = this.link.send(request);
    });
  }

  /**
   * Settle the call a response answers; false if it answers none (unknown id). An error with id
   * null (the peer could not read a request's id) settles the only unanswered call, if exactly one.
   */
  receive(response: RpcResponse): boolean {
    let id = response.id;
    if (id === null) {
      if (!('error' in response) || this.pending.size !== 1) return false;
      id = [...this.pending.keys()][0]!;
    }
    const entry = this.pending.get(id);
    if (!entry) return false;
    this.pending.delete(id);
    if ('error' in response) entry.reject(this.makeError(response.error, entry.request.method));
    else entry.resolve(response.result);
    return true;
  }

  /** Send every request not sent yet (the link came up). */
  flush(): void {
    for (const entry of this.pending.values()) if (!entry.sent) entry.sent = this.link.send(entry.request);
  }

  /** Reject every unanswered call (the link is gone); `error` builds each rejection from its method. */
  failAll(error: (method: string) => unknown): void {
    const entries = [...this.pending.values()];
    this.pending.clear();
    for (const entry of entries) entry.reject(error(entry.request.method));
  }

  /** Calls waiting for an answer. */
  get unanswered(): number {
    return this.pending.size;
  }
}

/** Fan-out of push events (and frames) to subscribers; one failing subscriber never starves the others. */
export class EventHub<T> {
  private readonly handlers = new Set<(value: T) => void>();

  constructor(private readonly label: string) {}

  /** Subscribe; returns the unsubscribe function. */
  on(handler: (value: T) => void): () => void {
    this.handlers.add(handler);
    return () => {
      this.handlers.delete(handler);
    };
  }

  emit(value: T): void {
    for (const handler of this.handlers) {
      try {
        handler(value);
      } catch (err) {
        console.error(`gvt-desk: ${this.label} handler failed`, err);
      }
    }
  }
}

/**
 * Server side for a synchronous handler table (the GPU thread): run `run` and build the response.
 * ApiErrors (and ApiError-shaped objects) keep their code and message; anything else becomes
 * 'internal' with its message.
 */
export function answer(id: RequestId, run: () => unknown): RpcResponse {
  try {
    const result = run();
    return { id, result: result === undefined ? null : result };
  } catch (e) {
    if (e instanceof ApiError || (e instanceof Error && e.name === 'ApiError' && isApiErrorCode((e as Partial<ApiError>).code))) return { id, error: { code: (e as ApiError).code, message: e.message } };
    return { id, error: { code: 'internal', message: e instanceof Error ? e.message : String(e) } };
  }
}
