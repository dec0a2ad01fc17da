/**
 * `gvt-desk serve`: one host, reachable from a browser (web server with token) and from the CLI
 * (Unix socket), until a shutdown signal.
 */
import { mkdir } from 'node:fs/promises';
import type { HostApi, HostOptions } from '../host/host-api';
import { prepareSocketPath, startSocketServer, type SocketServer } from '../host/socket-server';
import { loadSession, saveSession } from '../host/browser-session';
import { startWebServer, type WebServer } from '../host/web-server';

export interface ServeOptions {
  createHost: (options: HostOptions) => Promise<HostApi>;
  dataDir: string;
  socketPath: string;
  /**
   * TCP port on 127.0.0.1; 0 picks a free one; undefined: the port of the last run with this data
   * dir when it is free (an open tab reconnects), else a free one.
   */
  port?: number;
  rendererDir: string;
  workerDir: string;
  /** Write one line of output (no trailing newline). */
  out: (line: string) => void;
  /** Resolves when the server should stop (SIGINT/SIGTERM in the real CLI), with a reason to log. */
  waitForShutdown: () => Promise<string>;
  /** Called once everything listens (tests use it to find the URL). */
  onReady?: (info: { url: string; port: number; token: string; socketPath: string }) => void;
}

/**
 * Run browser mode until waitForShutdown resolves, then close web server, socket and host, in that
 * order. Rejects (after cleaning up what did start) if the socket is held by a live instance, the
 * port is taken or the host cannot start.
 */
export async function serve(options: ServeOptions): Promise<void> {
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  // Fail before the host (GPU thread, guests) starts if another instance owns the socket.
  await prepareSocketPath(options.socketPath, { dataDir: options.dataDir });
  const host = await options.createHost({ dataDir: options.dataDir, workerDir: options.workerDir });
  let socket: SocketServer | null = null;
  let web: WebServer | null = null;
  try {
    socket = await startSocketServer({ host, path: options.socketPath, dataDir: options.dataDir });
    const session = await loadSession(options.dataDir);
    if (session.discarded) options.out(`new browser session (${session.discarded})`);
    const start = (port: number) => startWebServer({ host, port, token: session.token, rendererDir: options.rendererDir });
    if (options.port !== undefined) {
      const port = options.port;
      web = await start(port).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'EADDRINUSE') throw new Error(`port ${port} on 127.0.0.1 is in use; pass another --port (or 0 for any free one)`);
        throw err;
      });
    } else {
      // The last run's port if it is still free; a tab open on it then reconnects by itself.
      web = await start(session.port).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EADDRINUSE') throw err;
        options.out(`port ${session.port} of the last run is in use: listening on another`);
        return start(0);
      });
    }
    await saveSession(options.dataDir, { port: web.port, token: web.token });
  } catch (err) {
    await socket?.close();
    await host.close();
    throw err;
  }
  options.out(`GVT Desk (browser mode) at ${web.url}`);
  options.out(`socket: ${socket.path}`);
  options.onReady?.({ url: web.url, port: web.port, token: web.token, socketPath: socket.path });

  const reason = await options.waitForShutdown();
  options.out(`${reason}: shutting down`);
  await web.close();
  await socket.close();
  await host.close();
}
