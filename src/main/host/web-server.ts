/**
 * Browser mode: serves the built renderer over HTTP on 127.0.0.1 and carries the API over a
 * WebSocket at /api, guarded by a per-launch random token (and the Origin/Host headers, so another
 * web page or a DNS-rebound name cannot reach it). JSON text messages are requests (protocol.ts),
 * host events are pushed as `{ event, data }`, frames as binary messages (one batch per tick:
 * frame-batch.ts), which the page acknowledges with `{"ack":N}` text messages once it has
 * taken them (frame-window.ts).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { contentTypeFor } from './content-types';
import { contentSecurityPolicy } from './csp';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve, sep } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { HostApi } from './host-api';
import { FrameBatcher } from './frame-batcher';
import { FrameWindow, frameAck } from './frame-window';
import { EVENT_NAMES, FRAME_FLOW_COUNTERS, FrameFlow, handleText, serializeResponse, type FrameFlowStats, type HandleOptions } from './protocol';

export interface WebServerOptions {
  host: HostApi;
  /** TCP port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
  /** Directory of the built renderer (out/renderer), holding index.html. */
  rendererDir: string;
  /** Access token for /api; default 32 random hex digits. At least 16 characters when given. */
  token?: string;
  /** Frames are dropped (and the source later repainted with a whole frame) for a client with more than this many bytes queued; default 16 MiB (one 1920x1200 frame is 9 MiB). */
  frameDropBytes?: number;
  /** A client with more than this many bytes queued is disconnected; default 64 MiB. */
  maxBufferedBytes?: number;
  log?: HandleOptions['log'];
}

export interface WebServer {
  /** http://127.0.0.1:PORT/?token=TOKEN — what the user opens. */
  url: string;
  port: number;
  token: string;
  /** Connected API clients and frame counters summed over every client since start. */
  stats(): { clients: number } & FrameFlowStats;
  /** Stop accepting, disconnect every client and unsubscribe from the host (the host stays open). */
  close(): Promise<void>;
}

/** Largest request message, bytes: library.import carries up to 1 MiB of text, JSON-escaped. */
const MAX_MESSAGE_BYTES = 8 * 1024 * 1024;


/**
 * Start the browser-mode server on 127.0.0.1. Resolves once listening; rejects if the port is
 * taken (EADDRINUSE) or the token is too short. The host is subscribed to once for events and
 * frames, and unsubscribed by close().
 */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const { host } = options;
  const token = options.token ?? randomBytes(16).toString('hex');
  if (token.length < 16) throw new Error('web server: the access token must be at least 16 characters');
  const frameDropBytes = options.frameDropBytes ?? 16 * 1024 * 1024;
  const maxBufferedBytes = options.maxBufferedBytes ?? 64 * 1024 * 1024;
  const log = options.log ?? ((message: string, err: unknown) => console.error(message, err));
  const rendererRoot = await realpath(resolve(options.rendererDir)).catch(() => {
    throw new Error(`web server: renderer directory ${options.rendererDir} does not exist (run \`npm run build\`)`);
  });
  const tokenDigest = digest(token);
  let port = 0;

  const server: Server = createServer((req, res) => {
    if (new URL(req.url ?? '/', 'http://127.0.0.1').pathname === ACCESS_PATH) {
      checkAccess(req, res, port, tokenDigest);
      return;
    }
    serveStatic(req, res, rendererRoot, port).catch((err: unknown) => {
      log('gvt-desk: static file error', err);
      if (!res.headersSent) sendText(res, 500, 'Internal Server Error', port);
      else res.destroy();
    });
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES, perMessageDeflate: false });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refusal = checkUpgrade(req, port, tokenDigest);
    if (refusal) {
      rejectUpgrade(socket, refusal.status, refusal.reason);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  const flows = new Map<WebSocket, FrameFlow>();
  const batchers = new Map<WebSocket, FrameBatcher>();
  const totals: FrameFlowStats = { sent: 0, dropped: 0, resyncs: 0, unwatched: 0 };

  wss.on('connection', (ws: WebSocket) => {
    const window = new FrameWindow();
    // One batch per tick (frame-batch.ts): what headless Chromium can take at 60 Hz.
    const batcher = new FrameBatcher((batch) => {
      window.batchEnd();
      if (ws.readyState === WebSocket.OPEN) ws.send(batch, { binary: true });
    });
    batchers.set(ws, batcher);
    flows.set(
      ws,
      new FrameFlow(
        host,
        {
          // A client that has not acknowledged enough (it paints slower than frames come) gets no
          // more: frames are skipped, not queued, and FrameFlow repaints it once it catches up.
          congested: () => window.full() || ws.bufferedAmount > frameDropBytes,
          isOpen: () => ws.readyState === WebSocket.OPEN,
          send: (message) => {
            window.sent(message.byteLength);
            batcher.add(message);
          },
        },
        log,
        undefined,
        // Each page says which sources it shows (frame.watch); the host composes only those.
        host.frameInterest(),
      ),
    );
    ws.on('close', () => {
      const flow = flows.get(ws);
      if (flow) {
        for (const k of FRAME_FLOW_COUNTERS) totals[k] += flow.stats[k];
        flow.dispose();
      }
      flows.delete(ws);
      batchers.get(ws)?.close();
      batchers.delete(ws);
    });
    ws.on('error', () => ws.terminate());
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) {
        sendJson(ws, JSON.stringify({ id: null, error: { code: 'invalid', message: 'malformed request: binary messages are not requests' } }));
        return;
      }
      const text = rawToString(data);
      const acked = frameAck(text);
      if (acked !== null) {
        window.acked(acked);
        flows.get(ws)?.kick();
        return;
      }
      void handleText(host, text, { log, context: { frames: flows.get(ws) } }).then((response) => sendJson(ws, serializeResponse(response, { log })));
    });
  });

  function sendJson(ws: WebSocket, text: string): void {
    if (ws.readyState !== WebSocket.OPEN) return;
    if (ws.bufferedAmount > maxBufferedBytes) {
      // A client this far behind is not reading; dropping it bounds memory.
      ws.terminate();
      return;
    }
    ws.send(text);
  }

  const unsubscribe = [
    ...EVENT_NAMES.map((event) =>
      host.on(event, (data) => {
        let text: string;
        try {
          text = JSON.stringify({ event, data });
        } catch (err) {
          log(`gvt-desk: cannot send the '${event}' event`, err);
          return;
        }
        for (const ws of wss.clients) sendJson(ws, text);
      }),
    ),
    host.onFrame((message) => {
      for (const flow of flows.values()) flow.offer(message);
    }),
  ];

  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', rejectListen);
      resolveListen();
    });
  }).catch((err: unknown) => {
    for (const u of unsubscribe) u();
    throw err;
  });
  port = (server.address() as AddressInfo).port;
  server.on('error', (err) => log('gvt-desk: web server error', err));

  let closing: Promise<void> | null = null;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    stats() {
      const sum = { clients: flows.size, ...totals };
      for (const flow of flows.values()) for (const k of FRAME_FLOW_COUNTERS) sum[k] += flow.stats[k];
      return sum;
    },
    close(): Promise<void> {
      closing ??= (async () => {
        for (const u of unsubscribe) u();
        for (const ws of wss.clients) ws.terminate();
        await new Promise<void>((r) => wss.close(() => r()));
        const closed = new Promise<void>((r) => server.close(() => r()));
        server.closeAllConnections();
        await closed;
      })();
      return closing;
    },
  };
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

/**
 * GET /api/access?token=T: 204 when T opens /api, 401 when it does not (the page asks after a
 * failed connection, since a browser WebSocket cannot see the refusal's status and would retry
 * forever with a token the host no longer takes).
 */
export const ACCESS_PATH = '/api/access';

function checkAccess(req: IncomingMessage, res: ServerResponse, port: number, tokenDigest: Buffer): void {
  if (!allowedHosts(port).includes(req.headers.host ?? '')) return sendText(res, 403, 'Forbidden: unexpected Host header', port);
  if (req.method !== 'GET') return sendText(res, 405, 'Method Not Allowed', port, { Allow: 'GET' });
  const given = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams.get('token');
  if (given === null || !timingSafeEqual(digest(given), tokenDigest)) return sendText(res, 401, 'Unauthorized', port, { 'Cache-Control': 'no-store' });
  res.writeHead(204, { ...securityHeaders(port), 'Cache-Control': 'no-store' });
  res.end();
}

/** Host header values that mean "this server" (anything else may be DNS rebinding). */
function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

function checkUpgrade(req: IncomingMessage, port: number, tokenDigest: Buffer): { status: number; reason: string } | null {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (url.pathname !== '/api') return { status: 404, reason: 'Not Found' };
  if (!allowedHosts(port).includes(req.headers.host ?? '')) return { status: 403, reason: 'Forbidden' };
  const origin = req.headers.origin;
  if (origin !== undefined && !allowedHosts(port).some((h) => origin === `http://${h}`)) return { status: 403, reason: 'Forbidden' };
  const given = url.searchParams.get('token');
  // Compare digests so the comparison is constant-time whatever the given length.
  if (given === null || !timingSafeEqual(digest(given), tokenDigest)) return { status: 401, reason: 'Unauthorized' };
  return null;
}

function rejectUpgrade(socket: Duplex, status: number, reason: string): void {
  socket.on('error', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${reason.length}\r\n\r\n${reason}`);
}

function securityHeaders(port: number): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(port),
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    // The page URL carries the token: never leak it in a Referer.
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}

function sendText(res: ServerResponse, status: number, text: string, port: number, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...securityHeaders(port), 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...extra });
  res.end(text);
}

/**
 * Resolve a request path to a file inside root, or null when it is outside root, has a NUL byte,
 * a '..' segment or bad percent-encoding. '/' maps to index.html.
 */
export function resolveStaticPath(root: string, urlPath: string): string | null {
  const pathname = urlPath.split(/[?#]/, 1)[0] ?? '/';
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (!decoded.startsWith('/') || decoded.includes('\0') || decoded.includes('\\')) return null;
  const segments = decoded.split('/');
  if (segments.some((s) => s === '..')) return null;
  const relative = decoded.endsWith('/') ? `${decoded}index.html` : decoded;
  const full = resolve(root, `.${relative}`);
  if (full !== root && !full.startsWith(root + sep)) return null;
  return full;
}

async function serveStatic(req: IncomingMessage, res: ServerResponse, root: string, port: number): Promise<void> {
  if (!allowedHosts(port).includes(req.headers.host ?? '')) {
    sendText(res, 403, 'Forbidden: unexpected Host header', port);
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendText(res, 405, 'Method Not Allowed', port, { Allow: 'GET, HEAD' });
    return;
  }
  const candidate = resolveStaticPath(root, req.url ?? '/');
  if (candidate === null) {
    sendText(res, 404, 'Not Found', port);
    return;
  }
  // Follow symlinks, then re-check containment on the real path.
  const real = await realpath(candidate).catch(() => null);
  const info = real === null ? null : await stat(real).catch(() => null);
  if (real === null || info === null || !info.isFile() || (real !== root && !real.startsWith(root + sep))) {
    sendText(res, 404, 'Not Found', port);
    return;
  }
  res.writeHead(200, {
    ...securityHeaders(port),
    'Content-Type': contentTypeFor(real),
    'Content-Length': info.size,
    'Cache-Control': real.endsWith('.html') ? 'no-store' : 'no-cache',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(real);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
