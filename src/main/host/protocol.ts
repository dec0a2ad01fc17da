/**
 * The one request dispatcher every transport uses (Electron IPC, the browser-mode WebSocket and
 * the CLI socket). A request is `{ id, method, params }`; the answer is `{ id, result }` or
 * `{ id, error: { code, message } }`. Params are validated by the host (src/shared/api.ts
 * schemas); this module checks the envelope and turns every failure into an error response.
 */
import { z } from 'zod';
import { ApiError, FRAME_HEADER_BYTES, FRAME_MAGIC, PHYSICAL_SOURCE, encodeFrame, methods, type ApiErrorCode, type ApiErrorShape, type EventName, type FrameSnapshot } from '../../shared/api';
import type { HostApi } from './host-api';

/** Request ids are chosen by the client and echoed back; null only when a request had no usable id. */
export type RequestId = number | string;

export interface ApiRequest {
  id: RequestId;
  method: string;
  params: unknown;
}

export type ApiResponse = { id: RequestId | null; result: unknown } | { id: RequestId | null; error: ApiErrorShape };

/** A push event as the WebSocket (and Electron IPC) carries it. */
export interface EventMessage<E extends EventName = EventName> {
  event: E;
  data: unknown;
}

/** Every push event name, checked against the Events interface at compile time. */
const EVENT_SET = { domains: true, serial: true, display: true, ports: true } as const satisfies Record<EventName, true>;
export const EVENT_NAMES: readonly EventName[] = Object.keys(EVENT_SET) as EventName[];

const ERROR_CODES: ReadonlySet<string> = new Set<ApiErrorCode>(['invalid', 'not_found', 'exists', 'no_resources', 'busy', 'config', 'internal']);

const RequestId = z.union([z.number().int().min(0).max(Number.MAX_SAFE_INTEGER), z.string().min(1).max(128)]);
const RequestSchema = z
  .object({
    id: RequestId,
    method: z.string().min(1).max(64),
    params: z.unknown().optional(),
  })
  .strict();

export interface HandleOptions {
  /** Where unexpected (non-ApiError) failures are logged in full; default console.error. */
  log?: (message: string, err: unknown) => void;
}

const defaultLog = (message: string, err: unknown): void => console.error(message, err);

/**
 * Validate one request envelope, run it on the host and build the response.
 * `raw` is an already-parsed value (Electron IPC) — use handleText for JSON text.
 * ApiErrors keep their code and message; anything else the host throws becomes code 'internal'
 * with a message that names only the method (the details go to `options.log`). A malformed
 * envelope or an unknown method gets code 'invalid' naming the problem. Never throws or rejects.
 */
export async function handleRequest(host: HostApi, raw: unknown, options: HandleOptions = {}): Promise<ApiResponse> {
  const parsed = RequestSchema.safeParse(raw);
  if (!parsed.success) {
    return { id: salvageId(raw), error: { code: 'invalid', message: `malformed request: ${describeIssues(parsed.error)}` } };
  }
  const { id, method } = parsed.data;
  if (!Object.hasOwn(methods, method)) {
    return { id, error: { code: 'invalid', message: `unknown method '${method}'` } };
  }
  const params = parsed.data.params === undefined ? {} : parsed.data.params;
  try {
    const result = await host.call(method, params);
    return { id, result: result === undefined ? null : result };
  } catch (err) {
    return { id, error: toErrorShape(err, method, options.log ?? defaultLog) };
  }
}

/**
 * Parse one JSON text message and dispatch it with handleRequest. Text that is not JSON gets
 * `{ id: null, error: { code: 'invalid', message: 'malformed request: … not valid JSON …' } }`.
 * Never throws or rejects.
 */
export async function handleText(host: HostApi, text: string, options: HandleOptions = {}): Promise<ApiResponse> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return { id: null, error: { code: 'invalid', message: `malformed request: not valid JSON (${reason})` } };
  }
  return handleRequest(host, raw, options);
}

/**
 * Serialize a response as JSON text. A result that cannot be serialized (cycle, BigInt) becomes an
 * 'internal' error response instead of throwing.
 */
export function serializeResponse(response: ApiResponse, options: HandleOptions = {}): string {
  try {
    return JSON.stringify(response);
  } catch (err) {
    (options.log ?? defaultLog)(`gvt-desk: response ${String(response.id)} is not serializable`, err);
    return JSON.stringify({ id: response.id, error: { code: 'internal', message: 'the host produced a result that cannot be sent' } });
  }
}

/** Map anything thrown by the host to the wire error shape (see handleRequest). */
export function toErrorShape(err: unknown, method: string, log: (message: string, err: unknown) => void = defaultLog): ApiErrorShape {
  if (err instanceof ApiError) return { code: err.code, message: err.message };
  // An ApiError rebuilt on another thread (structured clone drops the prototype) keeps name/code/message.
  if (isApiErrorLike(err)) return { code: err.code, message: err.message };
  log(`gvt-desk: ${method} failed unexpectedly`, err);
  return { code: 'internal', message: `internal error while running ${method} (details are in the host log)` };
}

function isApiErrorLike(err: unknown): err is ApiErrorShape {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { name?: unknown; code?: unknown; message?: unknown };
  return e.name === 'ApiError' && typeof e.code === 'string' && ERROR_CODES.has(e.code) && typeof e.message === 'string';
}

function salvageId(raw: unknown): RequestId | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const id = RequestId.safeParse((raw as { id?: unknown }).id);
  return id.success ? id.data : null;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => {
      const where = issue.path.length ? `'${issue.path.join('.')}'` : 'request';
      return `${where}: ${issue.message}`;
    })
    .join('; ');
}

/** One client's end of the frame stream, as FrameFlow sees it. */
export interface FrameSink {
  /** The client can take no more frames right now (e.g. WebSocket bufferedAmount over a limit). */
  congested(): boolean;
  /** False once the client is gone; FrameFlow then does nothing. */
  isOpen(): boolean;
  send(message: Uint8Array): void;
}

export interface FrameFlowStats {
  sent: number;
  dropped: number;
  /** Full frames sent (from frame.snapshot) to repair sources whose damage frames were dropped. */
  resyncs: number;
}

/**
 * Frame flow control for one client. Frame messages carry damage rectangles, so dropping one
 * leaves the client's picture stale: FrameFlow drops frames while the sink is congested (bounding
 * memory for a slow client), remembers which sources lost frames, and once the sink drains (checked
 * on every offer and every `retryMs` while something is stale) sends each such source one full frame
 * built from `frame.snapshot`, with the sequence number of the newest dropped frame. Until that full
 * frame is out, newer frames of the source are dropped too (the snapshot already contains them).
 */
export class FrameFlow {
  readonly stats: FrameFlowStats = { sent: 0, dropped: 0, resyncs: 0 };
  /** source → sequence number of the newest frame dropped for it. */
  private readonly stale = new Map<number, number>();
  private resyncing = false;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private disposed = false;

  constructor(
    private readonly host: HostApi,
    private readonly sink: FrameSink,
    private readonly log: (message: string, err: unknown) => void = defaultLog,
    /** How often to check whether a congested sink has drained, ms. */
    private readonly retryMs = 100,
  ) {}

  /** Offer one encoded frame message (see encodeFrame); returns true if it was sent as is. */
  offer(message: Uint8Array): boolean {
    if (this.disposed || !this.sink.isOpen()) return false;
    const header = peekFrameHeader(message);
    if (this.sink.congested() || (header !== null && this.stale.has(header.source))) {
      this.stats.dropped++;
      if (header !== null) this.stale.set(header.source, header.seq);
      this.kick();
      return false;
    }
    this.sink.send(message);
    this.stats.sent++;
    this.kick();
    return true;
  }

  /** Repair stale sources now if the sink has drained (call when the sink reports progress). */
  kick(): void {
    if (this.disposed || this.resyncing || this.stale.size === 0) return;
    if (!this.sink.isOpen()) {
      this.dispose();
      return;
    }
    if (this.sink.congested()) {
      this.scheduleRetry();
      return;
    }
    this.resyncing = true;
    void this.resyncPass().finally(() => {
      this.resyncing = false;
      if (this.stale.size > 0) this.scheduleRetry();
    });
  }

  /** Sources waiting for a full frame (for tests and diagnostics). */
  staleSources(): number[] {
    return [...this.stale.keys()];
  }

  /** Stop: forget stale sources and cancel the retry timer. */
  dispose(): void {
    this.disposed = true;
    this.stale.clear();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private scheduleRetry(): void {
    if (this.retryTimer || this.disposed) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.kick();
    }, this.retryMs);
    this.retryTimer.unref?.();
  }

  private async resyncPass(): Promise<void> {
    for (const source of [...this.stale.keys()]) {
      let snap: FrameSnapshot | null;
      try {
        snap = (await this.host.call('frame.snapshot', { source: source === PHYSICAL_SOURCE ? 'physical' : source })) as FrameSnapshot | null;
      } catch (err) {
        // The source is gone (domain destroyed) or the host failed: nothing to repair.
        this.log(`gvt-desk: cannot resync frames of source ${source}`, err);
        this.stale.delete(source);
        continue;
      }
      if (this.disposed || !this.sink.isOpen()) return;
      if (this.sink.congested()) return; // still slow: retried later
      const seq = this.stale.get(source);
      this.stale.delete(source);
      if (seq === undefined) continue;
      const full = fullFrameMessage(source, seq, snap);
      if (full === null) {
        this.log(`gvt-desk: frame.snapshot of source ${source} has an inconsistent size`, snap && { width: snap.width, height: snap.height });
        continue;
      }
      this.sink.send(full);
      this.stats.resyncs++;
    }
  }
}

/** Source and sequence number of an encoded frame message, or null if it is not one. */
export function peekFrameHeader(message: Uint8Array): { source: number; seq: number } | null {
  if (message.byteLength < FRAME_HEADER_BYTES) return null;
  const dv = new DataView(message.buffer, message.byteOffset, message.byteLength);
  if (dv.getUint32(0, true) !== FRAME_MAGIC) return null;
  return { source: dv.getUint32(4, true), seq: dv.getUint32(32, true) };
}

/** A whole-frame message from a snapshot (null snapshot → a 0x0 "display off" frame); null if the snapshot's size is inconsistent. */
export function fullFrameMessage(source: number, seq: number, snap: FrameSnapshot | null): Uint8Array | null {
  if (snap === null) return encodeFrame({ source, width: 0, height: 0, x: 0, y: 0, w: 0, h: 0, seq }, new Uint8Array(0));
  const rgba = Buffer.from(snap.rgbaBase64, 'base64');
  if (!Number.isInteger(snap.width) || !Number.isInteger(snap.height) || rgba.length !== snap.width * snap.height * 4) return null;
  return encodeFrame({ source, width: snap.width, height: snap.height, x: 0, y: 0, w: snap.width, h: snap.height, seq }, rgba);
}
