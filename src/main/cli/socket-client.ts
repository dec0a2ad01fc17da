/**
 * CLI side of the control socket: check who owns the socket, connect, send request lines, settle
 * them from response lines (the shared RPC core) and decode the frames the host sends.
 *
 * The owner check keeps the CLI from handing a request (and trusting the answer) to a socket
 * another user planted at the path, e.g. in a shared directory. It is a check before connect(), not
 * a peer-credential check (Node has no SO_PEERCRED API; see socket-server.ts): it settles the
 * question when the socket's directory is yours and closed to others, which the server insists on.
 */
import { lstat, stat } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { decodeFrame, type FrameMessage, type MethodName, type Params, type Results } from '../../shared/api';
import { EventHub, RpcClient, readMessage } from '../../shared/rpc';
import { WireReader, type WireItem } from '../host/socket-wire';

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

/** Longest line the host may send, bytes (a big domains list or console output fits easily). */
const MAX_RESPONSE_LINE_BYTES = 64 * 1024 * 1024;

/**
 * One connection to the host's socket: typed calls through the shared RPC core (src/shared/rpc.ts)
 * and the frames the host sends on it (those frame.resync asks for).
 */
export class SocketConnection {
  private readonly rpc: RpcClient;
  private readonly frames = new EventHub<FrameMessage>('frame');
  private closedReason: string | null = null;

  private constructor(
    private readonly socket: Socket,
    private readonly socketPath: string,
  ) {
    this.rpc = new RpcClient({
      send: (request) => {
        if (this.closedReason !== null) return false;
        socket.write(`${JSON.stringify(request)}\n`);
        return true;
      },
    });
    const reader = new WireReader(MAX_RESPONSE_LINE_BYTES);
    socket.on('data', (chunk: Buffer) => {
      let items: WireItem[];
      try {
        items = reader.push(chunk);
      } catch (err) {
        this.fail(() => new Error(`${socketPath}: ${err instanceof Error ? err.message : String(err)}`));
        return;
      }
      for (const item of items) this.receive(item);
    });
    socket.on('error', (err) => this.fail(() => new Error(`cannot talk to GVT Desk on ${socketPath}: ${err.message}`)));
    socket.on('close', () => this.fail((method) => new Error(`GVT Desk on ${socketPath} closed the connection before answering ${method}`)));
  }

  /**
   * Connect to the host at `socketPath`. Rejects with ForeignSocketError (before connecting) when
   * the socket or a symlink at the path belongs to another user, NoHostError when nothing listens.
   */
  static async open(socketPath: string): Promise<SocketConnection> {
    await checkOwner(socketPath);
    const socket = connect(socketPath);
    await new Promise<void>((resolveOpen, rejectOpen) => {
      socket.once('connect', () => {
        socket.off('error', rejectOpen);
        resolveOpen();
      });
      socket.once('error', (err: NodeJS.ErrnoException) => {
        socket.destroy();
        if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED' || err.code === 'ENOTSOCK') rejectOpen(new NoHostError(socketPath));
        else rejectOpen(new Error(`cannot talk to GVT Desk on ${socketPath}: ${err.message}`));
      });
    });
    return new SocketConnection(socket, socketPath);
  }

  /**
   * Call one API method. Rejects with ApiError (the host's code and message) when the host
   * refuses, and a plain Error on a timeout (which closes the connection), a dropped connection or
   * a garbled response.
   */
  call<M extends MethodName>(method: M, params: Params<M>, options: CallOptions = {}): Promise<Results[M]> {
    const timeoutMs = options.timeoutMs ?? 120_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new Error(`${method}: no answer from ${this.socketPath} within ${timeoutMs / 1000} s`));
        this.close();
      }, timeoutMs);
    });
    // The one place a result meets its type: the host answered this method, validated by name.
    const answer = this.rpc.call(method, params) as Promise<Results[M]>;
    return Promise.race([answer, timeout]).finally(() => clearTimeout(timer));
  }

  /** Frames the host sends on this connection (decoded); returns an unsubscribe function. */
  onFrame(handler: (frame: FrameMessage) => void): () => void {
    return this.frames.on(handler);
  }

  close(): void {
    this.socket.destroy();
  }

  private receive(item: WireItem): void {
    if ('frame' in item) {
      let frame: FrameMessage;
      try {
        frame = decodeFrame(item.frame);
      } catch (err) {
        this.fail(() => new Error(`${this.socketPath}: the host sent a malformed frame (${err instanceof Error ? err.message : String(err)})`));
        return;
      }
      this.frames.emit(frame);
      return;
    }
    let msg: unknown;
    try {
      msg = JSON.parse(item.line);
    } catch {
      this.fail((method) => new Error(`${method}: the host sent a response that is not JSON`));
      return;
    }
    const read = readMessage(msg);
    if (read === null) this.fail((method) => new Error(`${method}: the host sent a malformed response`));
    else if ('response' in read) this.rpc.receive(read.response);
  }

  /** Reject every unanswered call and drop the connection. */
  private fail(error: (method: string) => Error): void {
    this.closedReason ??= 'closed';
    this.rpc.failAll(error);
    this.socket.destroy();
  }
}

/**
 * Call one API method on a fresh connection to `socketPath` and resolve with its result; rejects
 * as SocketConnection.open and SocketConnection.call do.
 */
export async function callSocket<M extends MethodName>(socketPath: string, method: M, params: Params<M>, options: CallOptions = {}): Promise<Results[M]> {
  const connection = await SocketConnection.open(socketPath);
  try {
    return await connection.call(method, params, options);
  } finally {
    connection.close();
  }
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
