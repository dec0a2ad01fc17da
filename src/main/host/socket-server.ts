/**
 * The CLI socket: a Unix domain socket carrying newline-delimited JSON requests and responses
 * (protocol.ts), one request per line, answered in order per connection; frames that frame.resync
 * asks for come back as binary (socket-wire.ts).
 *
 * Whoever can connect can drive the host (sysfs writes, guest creation, reading files through
 * xl create), so the socket is private from birth, not made private after the fact:
 * - its directory must belong to the current user and give group and others no access at all
 *   (mode & 0o077 === 0), or the server refuses to start (UnsafeSocketDirError). A directory this
 *   module creates is made exactly 0700, whatever the umask; the instance's own data dir (the
 *   `dataDir` option) is tightened to owner-only rather than refused, since GVT Desk creates it 0700
 *   and keeps its library and settings there. Any other directory (a --socket elsewhere) is never
 *   changed, only refused.
 * - the socket file is bound under umask 0o077, so it never exists with group/other bits, not even
 *   between bind() and the chmod to 0600 that follows. Node binds a path synchronously inside
 *   server.listen() (setupListenHandle → Pipe.bind), and `exclusive: true` keeps it so in a cluster
 *   worker, so the umask is in force for the bind alone and restored right after. 0o077 rather than
 *   0o177: the umask is process-wide, and a file or directory another thread happens to create in
 *   that instant only loses group/other bits, never its owner's access.
 * Peer credentials (SO_PEERCRED) are not checked: Node has no API for them and a native add-on is not
 * worth it while the directory keeps other users from reaching the socket at all. The client checks
 * the socket's owner before it connects (socket-client.ts).
 */
import { chmod, lstat, mkdir, stat, unlink } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { dirname, resolve } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import type { HostApi } from './host-api';
import { FrameFlow, handleText, serializeResponse, type HandleOptions } from './protocol';
import { frameAnnouncement } from './socket-wire';

export interface SocketServerOptions {
  host: HostApi;
  /**
   * Filesystem path of the Unix socket. Its directory is created (mode 0700) if missing, and must
   * otherwise be yours with mode 0700 or stricter (see UnsafeSocketDirError).
   */
  path: string;
  /**
   * The instance's data directory. When the socket sits directly in it, it belongs to you and is
   * open to group or others (made by hand, or by an older version), its group/other bits are
   * cleared instead of refusing to start.
   */
  dataDir?: string;
  log?: HandleOptions['log'];
}

export interface PrepareSocketOptions {
  /** As SocketServerOptions.dataDir. */
  dataDir?: string;
}

export interface SocketServer {
  path: string;
  /** Stop accepting, drop open connections and remove the socket file. */
  close(): Promise<void>;
}

/** Longest request line, bytes (library.import text of 1 MiB, JSON-escaped, fits). */
export const MAX_LINE_BYTES = 8 * 1024 * 1024;
/** Frames queued on a connection beyond this many bytes are held back (FrameFlow repairs them later). */
const FRAME_DROP_BYTES = 16 * 1024 * 1024;
/** sockaddr_un.sun_path is 108 bytes on Linux, 104 on macOS, including the NUL. */
const MAX_SOCKET_PATH_BYTES = 103;

/** Umask in force while the socket is bound: it is born 0700 (no group/other bits), then chmodded 0600. */
const LISTEN_UMASK = 0o077;

/** Raised when another live instance already serves on the socket path. */
export class SocketInUseError extends Error {
  constructor(public readonly socketPath: string) {
    super(`another GVT Desk is already running on ${socketPath} (stop it, or pass --socket PATH / --data-dir DIR to run a second one)`);
    this.name = 'SocketInUseError';
  }
}

/**
 * Raised when the socket's directory could let another user reach the socket: it belongs to
 * someone else, or grants group or others any access. `mode` is the directory's full mode
 * (permission bits, sticky and set-id bits), `ownerUid` its owner, `uid` the current user.
 */
export class UnsafeSocketDirError extends Error {
  constructor(
    public readonly socketPath: string,
    public readonly directory: string,
    public readonly mode: number,
    public readonly ownerUid: number,
    public readonly uid: number,
  ) {
    const problem =
      ownerUid !== uid
        ? `belongs to another user, not to you (uid ${uid}); use a directory you own with mode 0700`
        : `is open to other users; use a directory only you can enter (chmod 700 ${directory})`;
    const octal = (mode & 0o7777).toString(8).padStart(4, '0');
    super(`refusing to listen on ${socketPath}: its directory ${directory} (mode ${octal}, owner uid ${ownerUid}) ${problem}, or pass --socket PATH inside your data dir`);
    this.name = 'UnsafeSocketDirError';
  }
}

/**
 * Listen on a Unix socket for CLI requests; the socket file has mode 0600 and never had more (see
 * the module comment). A leftover socket file nobody answers on is removed first. Rejects with
 * UnsafeSocketDirError when the socket's directory is not private to you, SocketInUseError when
 * another instance answers on the socket, and a plain Error when the path is too long or exists but
 * is not a socket. Call it from the main thread (a worker cannot set the umask; there the directory
 * check alone keeps other users out).
 */
export async function startSocketServer(options: SocketServerOptions): Promise<SocketServer> {
  const { host, path } = options;
  const log = options.log ?? ((message: string, err: unknown) => console.error(message, err));
  await prepareSocketPath(path, { dataDir: options.dataDir });

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
    // listen() binds before it returns (exclusive: even in a cluster worker), so the umask covers
    // the bind and nothing else.
    withUmask(LISTEN_UMASK, () => server.listen({ path, exclusive: true }, () => resolveListen()));
  });
  server.on('error', (err) => log('gvt-desk: socket server error', err));
  // Belt and braces: the umask already kept group/other bits off; 0600 drops the owner's x bit too.
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
 * Make `path` ready to listen on: check its length, create its directory (exactly 0700, whatever
 * the umask) or check that the existing one is yours and private (tightening it if it is
 * `options.dataDir`), and remove a stale socket file nobody answers on. Rejects with
 * UnsafeSocketDirError when the directory is not private to you, SocketInUseError when another
 * instance answers, and a plain Error when the path is too long or exists but is not a socket.
 * Callers may run it before the (expensive) host starts, to fail fast; startSocketServer runs it
 * again.
 */
export async function prepareSocketPath(path: string, options: PrepareSocketOptions = {}): Promise<void> {
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH_BYTES) {
    throw new Error(`socket path ${path} is longer than ${MAX_SOCKET_PATH_BYTES} bytes; pass a shorter --socket PATH`);
  }
  const dir = dirname(path);
  // mkdir returns the first directory it made, if any; then `dir` itself is new and ours. Its mode
  // went through the umask (0o277 would leave 0500), so set it exactly. Parents it made do not matter.
  if ((await mkdir(dir, { recursive: true, mode: 0o700 })) !== undefined) await chmod(dir, 0o700);
  await ensurePrivateDir(dir, path, options.dataDir);
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

/**
 * Check that `dir` (symlinks followed: the socket is bound in the target) belongs to the current
 * user and grants group and others nothing; clear those bits when `dir` is the data dir, else throw
 * UnsafeSocketDirError. A no-op where there are no POSIX owners (Windows).
 */
async function ensurePrivateDir(dir: string, socketPath: string, dataDir: string | undefined): Promise<void> {
  const uid = process.getuid?.();
  if (uid === undefined) return;
  const info = await stat(dir);
  const refusal = new UnsafeSocketDirError(socketPath, dir, info.mode, info.uid, uid);
  if (info.uid !== uid) throw refusal;
  if ((info.mode & 0o077) === 0) return;
  if (dataDir === undefined || resolve(dataDir) !== resolve(dir)) throw refusal;
  await chmod(dir, info.mode & 0o7700);
}

/** Run `fn` with the process umask set to `mask`, restoring it after (not possible in a worker thread: runs `fn` as is). */
function withUmask<T>(mask: number, fn: () => T): T {
  if (!isMainThread) return fn();
  const previous = process.umask(mask);
  try {
    return fn();
  } finally {
    process.umask(previous);
  }
}

function serveConnection(socket: Socket, host: HostApi, log: NonNullable<HandleOptions['log']>): void {
  // Text of the current, unfinished line (chars; bounded by MAX_LINE_BYTES).
  let partial = '';
  // Requests on one connection are answered in order.
  let queue: Promise<void> = Promise.resolve();
  // The connection's frame stream: only what frame.resync asks for (a screenshot), never live frames.
  const frames = new FrameFlow(
    host,
    {
      congested: () => socket.writableLength > FRAME_DROP_BYTES,
      isOpen: () => !socket.destroyed && socket.writable,
      send: (message) => {
        socket.write(frameAnnouncement(message.byteLength));
        socket.write(message);
      },
    },
    log,
  );
  const answer = (line: string): void => {
    queue = queue.then(async () => {
      const response = await handleText(host, line, { log, context: { frames } });
      if (!socket.destroyed && socket.writable) socket.write(`${serializeResponse(response, { log })}\n`);
    });
  };
  socket.setEncoding('utf8');
  socket.on('close', () => frames.dispose());
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
