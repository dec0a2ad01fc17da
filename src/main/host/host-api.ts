/**
 * The host as its transports (Electron IPC, browser-mode WebSocket, CLI socket) see it.
 * Every transport forwards { method, params } to call(); the host validates params against
 * src/shared/api.ts schemas and throws ApiError (code + message) for anything it refuses.
 */
import type { EventName, Events, Params } from '../../shared/api';

/** One connection's binary frame stream: where frame.resync sends a whole picture. */
export interface FrameStream {
  /**
   * Send the current picture of `source` (domid or PHYSICAL_SOURCE) on this stream as one
   * whole-frame message; resolves with its size once it is sent (or queued for repair behind a
   * congested link), null when the source has no frame.
   */
  resync(source: number): Promise<{ width: number; height: number } | null>;
  /**
   * frame.watch: from now on send only frames of `sources` (source ids), first a whole picture of
   * each not watched before. Throws ApiError('invalid') on a stream that carries no live frames.
   */
  watch(sources: readonly number[]): { watching: number };
}

/**
 * One live frame client's say in what the compositor composes (HostApi.frameInterest): the host
 * composes a source only while some client's set holds it (or some client's is null: all).
 */
export interface FrameInterest {
  /** The sources this client shows from now on; null: every source (a client that has not said). */
  set(sources: ReadonlySet<number> | null): void;
  /** The client is gone: its set no longer counts. */
  dispose(): void;
}

/** What a transport knows about the connection a request came on. */
export interface CallContext {
  /** The connection's frame stream; absent on connections that carry no frames. */
  frames?: FrameStream;
}

export interface HostApi {
  /**
   * Validate and run one API method for a connection (`context`: its frame stream, if any).
   * Throws ApiError; never throws anything else for bad input.
   */
  call(method: string, params: unknown, context?: CallContext): Promise<unknown>;
  /** Subscribe to a push event; returns an unsubscribe function. */
  on<E extends EventName>(event: E, handler: (data: Events[E]) => void): () => void;
  /**
   * The current picture of a source as frame messages taken at one instant (see encodeFrame;
   * binary, for the frame transports' repairs): one per rectangle of `regions` when the frame still
   * has their width x height and each fits, else one whole frame (0x0 while its display is off);
   * [] when the source has no frame yet or does not exist. One request, so no frame composed in
   * between can come after part of it and be painted over by older pixels.
   */
  snapshotFrame(source: number | 'physical', regions?: readonly SnapshotRegion[] | null): Promise<Uint8Array[]>;
  /**
   * Register a live frame client (a WebSocket, the Electron window): it starts watching every
   * source until it says otherwise (FrameInterest.set). With no client registered nothing is
   * composed until a snapshot asks (snapshotFrame still answers with the current picture).
   */
  frameInterest(): FrameInterest;
  /** Subscribe to encoded frame messages (see encodeFrame in src/shared/api.ts). */
  onFrame(handler: (message: Uint8Array) => void): () => void;
  /** Stop every guest and the GPU thread. */
  close(): Promise<void>;
}

/** A rectangle of a frame of size width x height, in pixels. */
export interface SnapshotRegion {
  x: number;
  y: number;
  w: number;
  h: number;
  width: number;
  height: number;
}

export interface HostOptions {
  /** Where the library (domain configs) and settings live. */
  dataDir: string;
  /** Directory holding the built worker entry points (gpu-thread.js, guest-worker.js). */
  workerDir: string;
  /**
   * A native open/save dialog (Electron): resolves with the absolute path the user chose, or null
   * when they cancelled. Absent in browser mode, where files travel by upload and download.
   */
  chooseFile?: (request: Params<'files.choose'>) => Promise<string | null>;
}
