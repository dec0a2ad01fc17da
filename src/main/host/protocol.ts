/**
 * The one request dispatcher every transport uses (Electron IPC, the browser-mode WebSocket and
 * the CLI socket). A request is `{ id, method, params }`; the answer is `{ id, result }` or
 * `{ id, error: { code, message } }`. Params are validated by the host (src/shared/api.ts
 * schemas); this module checks the envelope and turns every failure into an error response.
 */
import { z } from 'zod';
import { ApiError, FRAME_HEADER_BYTES, FRAME_MAGIC, PHYSICAL_SOURCE, methods, type ApiErrorShape, type EventName } from '../../shared/api';
import { isApiErrorCode, type RequestId, type RpcResponse } from '../../shared/rpc';
import type { CallContext, FrameInterest, FrameStream, HostApi } from './host-api';

export type { RequestId } from '../../shared/rpc';
export type ApiResponse = RpcResponse;

/** Every push event name, checked against the Events interface at compile time. */
const EVENT_SET = { domains: true, serial: true, display: true, ports: true } as const satisfies Record<EventName, true>;
export const EVENT_NAMES: readonly EventName[] = Object.keys(EVENT_SET) as EventName[];

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
  /** The connection the request came on (its frame stream), passed to HostApi.call. */
  context?: CallContext;
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
    const result = await host.call(method, params, options.context);
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
  return e.name === 'ApiError' && isApiErrorCode(e.code) && typeof e.message === 'string';
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
  /** Repairs sent (regions of the current picture) for sources whose damage frames were dropped. */
  resyncs: number;
  /** Frame messages not sent because the client does not watch their source (frame.watch), or because a whole picture of it, which holds them, is on its way. */
  unwatched: number;
}

/** The FrameFlowStats counters, for summing. */
export const FRAME_FLOW_COUNTERS = ['sent', 'dropped', 'resyncs', 'unwatched'] as const satisfies readonly (keyof FrameFlowStats)[];

/**
 * Frame flow control for one client. Frame messages carry damage rectangles, so dropping one
 * leaves the client's picture stale: FrameFlow drops frames while the sink is congested (bounding
 * memory for a slow client) and remembers, per source, what the rectangles it dropped covered (at
 * most MAX_REPAIR_RECTS rectangles).
 * Once the sink drains (checked on every offer and every `retryMs` while something is pending) it
 * sends each such source that region of its current picture (HostApi.snapshotFrame, binary), with
 * the sequence number of the newest dropped frame; a whole frame when the source changed size.
 * Until then newer frames of the source are dropped too and join its region (the repair carries
 * them). A slow window so costs at most one region per source, never a queue.
 *
 * A live stream (one given a FrameInterest) also keeps the client's watched sources (frame.watch):
 * frames of other sources are not sent, and the host composes only what some client watches. While
 * a whole picture of a source is being fetched its damage frames are not sent: every frame composed
 * before the picture was taken is in it, and the compositor thread answers in order.
 */
export class FrameFlow implements FrameStream {
  readonly stats: FrameFlowStats = { sent: 0, dropped: 0, resyncs: 0, unwatched: 0 };
  /** The sources the client watches; null: all (it has not said). */
  private watched: ReadonlySet<number> | null = null;
  /** Sources whose whole picture is being fetched (their frames wait for it), and the fetches (a second ask joins the first). */
  private readonly fetching = new Set<number>();
  private readonly wholes = new Map<number, Promise<{ width: number; height: number } | null>>();
  /** source → what its dropped frames covered (rect null: the whole frame) and the newest seq. */
  private readonly pending = new Map<number, { seq: number; width: number; height: number; rects: FrameRect[] | null }>();
  private resyncing = false;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private disposed = false;

  constructor(
    private readonly host: HostApi,
    private readonly sink: FrameSink,
    private readonly log: (message: string, err: unknown) => void = defaultLog,
    /** How often to check whether a congested sink has drained, ms. */
    private readonly retryMs = 100,
    /** For a live stream (a page's): its say in what the host composes (HostApi.frameInterest); without it, frame.watch is refused. */
    private readonly interest?: FrameInterest,
  ) {}

  /** Offer one encoded frame message (see encodeFrame); returns true if it was sent as is. */
  offer(message: Uint8Array): boolean {
    if (this.disposed || !this.sink.isOpen()) return false;
    const header = peekFrameHeader(message);
    if (header !== null && ((this.watched !== null && !this.watched.has(header.source)) || this.fetching.has(header.source))) {
      this.stats.unwatched++;
      return false;
    }
    if (this.sink.congested() || (header !== null && this.pending.has(header.source))) {
      this.stats.dropped++;
      if (header !== null) this.remember(header);
      this.kick();
      return false;
    }
    this.sink.send(message);
    this.stats.sent++;
    this.kick();
    return true;
  }

  /** Repair pending sources now if the sink has drained (call when the sink reports progress). */
  kick(): void {
    if (this.disposed || this.resyncing || this.pending.size === 0) return;
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
      if (this.pending.size > 0) this.scheduleRetry();
    });
  }

  /**
   * Send the whole current picture of `source` now (a window's first frame; see FrameStream). It
   * covers every repair pending for the source. Behind a congested sink it becomes that source's
   * pending repair instead (a whole frame, sent once the sink drains), so asking costs no queue.
   */
  resync(source: number): Promise<{ width: number; height: number } | null> {
    const running = this.wholes.get(source);
    if (running) return running;
    const fetched = this.sendWhole(source).finally(() => this.wholes.delete(source));
    this.wholes.set(source, fetched);
    return fetched;
  }

  /**
   * frame.watch: send only frames of `sources` from now on, a whole picture first of each source
   * not watched before (a client that watched all had them all). Repairs pending for sources no
   * longer watched are dropped.
   */
  watch(sources: readonly number[]): { watching: number } {
    if (!this.interest) throw new ApiError('invalid', 'frame.watch: this connection carries no live frames (only the pictures frame.resync asks for)');
    const next = new Set(sources);
    const before = this.watched;
    this.watched = next;
    for (const s of [...this.pending.keys()]) if (!next.has(s)) this.pending.delete(s);
    // The compositor hears of new sources before the snapshots below are asked for: it composes them first.
    this.interest.set(next);
    if (before !== null)
      for (const s of next)
        if (!before.has(s)) this.resync(s).catch((err: unknown) => this.log(`gvt-desk: no whole picture of newly watched source ${s}`, err));
    return { watching: next.size };
  }

  /** Watch every source again (the client reloaded and has said nothing yet). */
  watchAll(): void {
    this.watched = null;
    this.interest?.set(null);
  }

  private async sendWhole(source: number): Promise<{ width: number; height: number } | null> {
    if (this.disposed || !this.sink.isOpen()) return null;
    // The picture covers every repair pending; the frames offered while it is fetched were composed
    // before it was taken (the compositor thread answers in order), so they are in it and skipped.
    this.pending.delete(source);
    this.fetching.add(source);
    let message: Uint8Array | undefined;
    try {
      [message] = await this.host.snapshotFrame(source === PHYSICAL_SOURCE ? 'physical' : source, null);
    } finally {
      this.fetching.delete(source);
    }
    const header = message && peekFrameHeader(message);
    if (!message || !header || header.source !== source || this.disposed || !this.sink.isOpen()) return null;
    if (this.sink.congested() || this.pending.has(source)) {
      this.pending.set(source, { seq: header.seq, width: header.width, height: header.height, rects: null });
      this.kick();
    } else {
      this.sink.send(message);
      this.stats.resyncs++;
    }
    return { width: header.width, height: header.height };
  }

  /** Sources waiting for a repair (for tests and diagnostics). */
  staleSources(): number[] {
    return [...this.pending.keys()];
  }

  /** Stop: forget pending sources and cancel the retry timer. */
  dispose(): void {
    if (!this.disposed) this.interest?.dispose();
    this.disposed = true;
    this.pending.clear();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private remember(h: FrameHeader): void {
    const p = this.pending.get(h.source);
    const rect = { x: h.x, y: h.y, w: h.w, h: h.h };
    if (!p) this.pending.set(h.source, { seq: h.seq, width: h.width, height: h.height, rects: [rect] });
    else {
      // A size change (mode set, pipe off) needs the whole new frame.
      p.rects = p.rects && p.width === h.width && p.height === h.height ? addRect(p.rects, rect) : null;
      p.seq = h.seq;
      p.width = h.width;
      p.height = h.height;
    }
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
    for (const [source, p] of [...this.pending]) {
      if (this.disposed || !this.sink.isOpen()) return;
      if (this.sink.congested()) return; // still slow: retried later
      // Frames dropped while the region is fetched start a new pending entry (the reply may predate them).
      this.pending.delete(source);
      let repairs: Uint8Array[];
      try {
        const name = source === PHYSICAL_SOURCE ? 'physical' : source;
        // One request for all the regions: taken from one picture, so no frame composed while they
        // are fetched can be sent before some of them and then painted over by older pixels.
        repairs = await this.host.snapshotFrame(name, p.rects ? p.rects.map((r) => ({ ...r, width: p.width, height: p.height })) : null);
      } catch (err) {
        this.log(`gvt-desk: cannot resync frames of source ${source}`, err);
        repairs = [];
      }
      // No frame: the source is gone (domain destroyed); nothing to repair.
      if (repairs.length === 0 || repairs.some((m) => peekFrameHeader(m)?.source !== source) || this.disposed || !this.sink.isOpen()) continue;
      for (const repair of repairs) {
        // The repair takes the newest dropped frame's place in the source's sequence.
        new DataView(repair.buffer, repair.byteOffset, repair.byteLength).setUint32(32, p.seq, true);
        this.sink.send(repair);
      }
      this.stats.resyncs++;
    }
  }
}

/** A damage rectangle in frame pixels. */
export interface FrameRect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/**
 * Regions a source's repair covers at most: dropped frames of a moving window and a clock far
 * apart stay separate rectangles instead of one bounding box over half the screen (which is what a
 * slow client would otherwise be sent, again and again).
 */
export const MAX_REPAIR_RECTS = 4;

/** `rects` plus `r`: merged into a rectangle it overlaps, else appended, else into the one whose bounding box grows least. */
export function addRect(rects: FrameRect[], r: FrameRect): FrameRect[] {
  const i = rects.findIndex((q) => q.x < r.x + r.w && r.x < q.x + q.w && q.y < r.y + r.h && r.y < q.y + q.h);
  if (i < 0 && rects.length < MAX_REPAIR_RECTS) return [...rects, r];
  let best = i;
  if (best < 0) {
    let growth = Infinity;
    rects.forEach((q, k) => {
      const u = unionRect(q, r);
      const g = u.w * u.h - q.w * q.h;
      if (g < growth) [growth, best] = [g, k];
    });
  }
  const merged = unionRect(rects[best]!, r);
  // The merged rectangle may now overlap others: fold them in too.
  const rest = rects.filter((_, k) => k !== best);
  return rest.reduce((acc, q) => addRect(acc, q), [merged]);
}

function unionRect(a: FrameRect, b: FrameRect): FrameRect {
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, w: Math.max(a.x + a.w, b.x + b.w) - x, h: Math.max(a.y + a.h, b.y + b.h) - y };
}

/** The header fields of a frame message (see encodeFrame). */
export interface FrameHeader extends FrameRect {
  source: number;
  width: number;
  height: number;
  seq: number;
}

/** The header of an encoded frame message, or null if it is not one. */
export function peekFrameHeader(message: Uint8Array): FrameHeader | null {
  if (message.byteLength < FRAME_HEADER_BYTES) return null;
  const dv = new DataView(message.buffer, message.byteOffset, message.byteLength);
  if (dv.getUint32(0, true) !== FRAME_MAGIC) return null;
  const u = (i: number): number => dv.getUint32(i * 4, true);
  return { source: u(1), width: u(2), height: u(3), x: u(4), y: u(5), w: u(6), h: u(7), seq: u(8) };
}

