/**
 * The host as its transports (Electron IPC, browser-mode WebSocket, CLI socket) see it.
 * Every transport forwards { method, params } to call(); the host validates params against
 * src/shared/api.ts schemas and throws ApiError (code + message) for anything it refuses.
 */
import type { EventName, Events, Params } from '../../shared/api';

export interface HostApi {
  /** Validate and run one API method. Throws ApiError; never throws anything else for bad input. */
  call(method: string, params: unknown): Promise<unknown>;
  /** Subscribe to a push event; returns an unsubscribe function. */
  on<E extends EventName>(event: E, handler: (data: Events[E]) => void): () => void;
  /** Subscribe to encoded frame messages (see encodeFrame in src/shared/api.ts). */
  onFrame(handler: (message: Uint8Array) => void): () => void;
  /** Stop every guest and the GPU thread. */
  close(): Promise<void>;
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
