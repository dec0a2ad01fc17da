/**
 * CLI side of the control socket: check who owns the socket, connect, send one request line, await
 * its response line.
 *
 * The owner check keeps the CLI from handing a request (and trusting the answer) to a socket
 * another user planted at the path, e.g. in a shared directory. It is a check before connect(), not
 * a peer-credential check (Node has no SO_PEERCRED API; see socket-server.ts): it settles the
 * question when the socket's directory is yours and closed to others, which the server insists on.
 */
import { lstat, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { API_ERROR_CODES, ApiError, type ApiErrorCode } from '../../shared/api';


/** Nothing listens on the socket (no file, or a stale one), or the connection broke. */
export class NoHostError extends Error {
  constructor(public readonly socketPath: string) {
    super(`no GVT Desk running on ${socketPath}; start one with \`gvt-desk serve\``);
    this.name = 'NoHostError';
  }
}

/** The socket (or a symlink in its place) belongs to another user; nothing was sent to it. */
export class ForeignSocketError extends Error {
  constructor(
    public readonly socketPath: string,
    public readonly ownerUid: number,
    public readonly uid: number,
  ) {
    super(
      `refusing to talk to ${socketPath}: it belongs to uid ${ownerUid}, not to you (uid ${uid}), so another user may have planted it; ` +
        "remove it, or pass --socket PATH to your own instance's socket",
    );
    this.name = 'ForeignSocketError';
  }
}

export interface CallOptions {
  /** Give up after this many ms; default 120 000 (xl create waits for the domain to start). */
  timeoutMs?: number;
}

/**
 * Call one API method through the socket at `socketPath` and resolve with its result.
 * Rejects with ApiError (the host's code and message) when the host refuses, NoHostError when
 * nothing listens, ForeignSocketError (before connecting) when the socket or a symlink at the path
 * belongs to another user, and a plain Error on a timeout, a dropped connection or a garbled
 * response.
 */
export async function callSocket(socketPath: string, method: string, params: unknown, options: CallOptions = {}): Promise<unknown> {
  await checkOwner(socketPath);
  return exchange(socketPath, method, params, options);
}

/**
 * Throw ForeignSocketError unless what is at `socketPath` (the entry itself and, for a symlink, its
 * target) belongs to the current user. Nothing there, or no POSIX owners (Windows): no opinion, and
 * connect() reports what it finds.
 */
async function checkOwner(socketPath: string): Promise<void> {
  const uid = process.getuid?.();
  if (uid === undefined) return;
  const entry = await lstat(socketPath).catch(() => null);
  if (entry === null) return;
  const target = entry.isSymbolicLink() ? await stat(socketPath).catch(() => null) : null;
  for (const info of [entry, target]) {
    if (info && info.uid !== uid) throw new ForeignSocketError(socketPath, info.uid, uid);
  }
}

function exchange(socketPath: string, method: string, params: unknown, options: CallOptions): Promise<unknown> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const id = 1;
  return new Promise<unknown>((resolveCall, rejectCall) => {
    const socket = connect(socketPath);
    let buffered = '';
    let settled = false;
    const finish = (err: Error | null, value?: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) rejectCall(err);
      else resolveCall(value);
    };
    const timer = setTimeout(() => finish(new Error(`${method}: no answer from ${socketPath} within ${timeoutMs / 1000} s`)), timeoutMs);

    socket.setEncoding('utf8');
    socket.once('connect', () => socket.write(`${JSON.stringify({ id, method, params })}\n`));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED' || err.code === 'ENOTSOCK') finish(new NoHostError(socketPath));
      else finish(new Error(`cannot talk to GVT Desk on ${socketPath}: ${err.message}`));
    });
    socket.on('close', () => finish(new Error(`GVT Desk on ${socketPath} closed the connection before answering ${method}`)));
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        const outcome = parseResponse(line, id, method);
        if (outcome) {
          finish(outcome.error ?? null, outcome.result);
          return;
        }
      }
    });
  });
}

/** Outcome for our id, or null for a line about another id. */
function parseResponse(line: string, id: number, method: string): { result?: unknown; error?: Error } | null {
  let msg: unknown;
  try {
    msg = JSON.parse(line);
  } catch {
    return { error: new Error(`${method}: the host sent a response that is not JSON`) };
  }
  if (typeof msg !== 'object' || msg === null) return { error: new Error(`${method}: the host sent a malformed response`) };
  const m = msg as { id?: unknown; result?: unknown; error?: { code?: unknown; message?: unknown } };
  if (m.error && (m.id === id || m.id === null)) {
    const code = (API_ERROR_CODES as readonly unknown[]).includes(m.error.code) ? (m.error.code as ApiErrorCode) : 'internal';
    return { error: new ApiError(code, typeof m.error.message === 'string' ? m.error.message : `${method} failed`) };
  }
  if (m.id !== id) return null;
  return { result: m.result };
}
