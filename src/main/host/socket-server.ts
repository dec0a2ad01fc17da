/**
 * The CLI socket: a Unix domain socket (mode 0600) carrying newline-delimited JSON requests and
 * responses (protocol.ts), one request per line, answered in order per connection.
 */
import { chmod, lstat, mkdir, stat, unlink } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import type { HostApi } from './host-api';
import { handleText, serializeResponse, type HandleOptions } from './protocol';

export interface SocketServerOptions {
  host: HostApi;
  /** Filesystem path of the Unix socket; its directory is created (mode 0700) if missing. */
  path: string;
  log?: HandleOptions['log'];
}

export interface SocketServer {
  path: string;
  /** Stop accepting, drop open connections and remove the socket file. */
  close(): Promise<void>;
}

/** Longest request line, bytes (library.import text of 1 MiB, JSON-escaped, fits). */
export const MAX_LINE_BYTES = 8 * 1024 * 1024;
/** sockaddr_un.sun_path is 108 bytes on Linux, 104 on macOS, including the NUL. */
const MAX_SOCKET_PATH_BYTES = 103;

/** Raised when another live instance already serves on the socket path. */
export class SocketInUseError extends Error {
  constructor(public readonly socketPath: string) {
    super(`another GVT Desk is already running on ${socketPath} (stop it, or pass --socket PATH / --data-dir DIR to run a second one)`);
    this.name = 'SocketInUseError';
  }
}

/**
 * Listen on a Unix socket for CLI requests. A leftover socket file nobody answers on is removed
 * first. Rejects with SocketInUseError when another instance answers on it, and with a plain Error
 * when the path is too long or exists but is not a socket.
 */
export async function startSocketServer(options: SocketServerOptions): Promise<SocketServer> {
  const { host, path } = options;
  const log = options.log ?? ((message: string, err: unknown) => console.error(message, err));
  await prepareSocketPath(path);

  const connections = new Set<Socket>();
  const server: Server = createServer((socket) => {
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
    serveConnection(socket, host, log);
  });

  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      rejectListen(err.code === 'EADDRINUSE' ? new SocketInUseError(path) : err);
    });
    server.listen(path, () => resolveListen());
  });
  server.on('error', (err) => log('gvt-desk: socket server error', err));
  await chmod(path, 0o600);
  const ours = await stat(path);

  let closing: Promise<void> | null = null;
  return {
    path,
    close(): Promise<void> {
      closing ??= (async () => {
        const closed = new Promise<void>((r) => server.close(() => r()));
        for (const socket of connections) socket.destroy();
        await closed;
        // net removes the file on close; make sure, without touching a socket someone else made since.
        const now = await stat(path).catch(() => null);
        if (now && now.ino === ours.ino && now.dev === ours.dev) await unlink(path).catch(() => undefined);
      })();
      return closing;
    },
  };
}

/**
 * Make `path` ready to listen on: check its length, create its directory (mode 0700) and remove a
 * stale socket file nobody answers on. Rejects with SocketInUseError when another instance answers,
 * and with a plain Error when the path is too long or exists but is not a socket. Callers may run
 * it before the (expensive) host starts, to fail fast; startSocketServer runs it again.
 */
export async function prepareSocketPath(path: string): Promise<void> {
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH_BYTES) {
    throw new Error(`socket path ${path} is longer than ${MAX_SOCKET_PATH_BYTES} bytes; pass a shorter --socket PATH`);
  }
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const info = await lstat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  if (info === null) return;
  if (!info.isSocket()) throw new Error(`${path} exists and is not a socket; refusing to replace it`);
  const live = await new Promise<boolean>((resolveProbe) => {
    const probe = connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolveProbe(true);
    });
    probe.once('error', () => resolveProbe(false));
  });
  if (live) throw new SocketInUseError(path);
  await unlink(path);
}

function serveConnection(socket: Socket, host: HostApi, log: NonNullable<HandleOptions['log']>): void {
  // Text of the current, unfinished line (chars; bounded by MAX_LINE_BYTES).
  let partial = '';
  // Requests on one connection are answered in order.
  let queue: Promise<void> = Promise.resolve();
  const answer = (line: string): void => {
    queue = queue.then(async () => {
      const response = await handleText(host, line, { log });
      if (!socket.destroyed && socket.writable) socket.write(`${serializeResponse(response, { log })}\n`);
    });
  };
  socket.setEncoding('utf8');
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: string) => {
    let start = 0;
    let newline: number;
    // Scan only the new chunk, so a long line arriving in pieces costs linear time.
    while ((newline = chunk.indexOf('\n', start)) >= 0) {
      const line = (partial + chunk.slice(start, newline)).replace(/\r$/, '');
      partial = '';
      start = newline + 1;
      if (line.trim() !== '') answer(line);
    }
    partial += chunk.slice(start);
    if (partial.length > MAX_LINE_BYTES) {
      partial = '';
      socket.pause();
      const text = JSON.stringify({ id: null, error: { code: 'invalid', message: `malformed request: line longer than ${MAX_LINE_BYTES} bytes` } });
      queue = queue.then(() => {
        socket.end(`${text}\n`);
      });
    }
  });
}
