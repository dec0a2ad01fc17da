import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { PHYSICAL_SOURCE, decodeFrame, encodeFrame, type FrameMessage } from '../../../src/shared/api';
import { MAX_WATCHED_SOURCES } from '../../../src/shared/limits';
import { splitBatch } from '../../../src/shared/frame-batch';
import { resolveStaticPath, startWebServer, type WebServer } from '../../../src/main/host/web-server';
import { contentTypeFor } from '../../../src/main/host/content-types';
import { MAX_BATCHES_IN_FLIGHT, MAX_FRAMES_IN_FLIGHT, frameAck } from '../../../src/main/host/frame-window';
import { frameAckText } from '../../../src/shared/rpc';
import { createFakeHost, type FakeHost } from '../fakes/fake-host';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw HTTP request (node:http keeps the path as given: no client-side '..' normalisation). */
function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Open a WebSocket; resolves with it, or rejects with the HTTP status of a refused upgrade. */
function connect(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

/** Collect messages from a socket; `next` waits for one matching a predicate. */
function inbox(ws: WebSocket) {
  const items: { data: Buffer; isBinary: boolean }[] = [];
  const waiters: (() => void)[] = [];
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    items.push({ data, isBinary });
    for (const w of waiters.splice(0)) w();
  });
  return {
    items,
    async next(pred: (m: { data: Buffer; isBinary: boolean }) => boolean, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const i = items.findIndex(pred);
        if (i >= 0) return items.splice(i, 1)[0]!;
        if (Date.now() > deadline) throw new Error('timed out waiting for a message');
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 50);
        });
      }
    },
  };
}

const json = (m: { data: Buffer; isBinary: boolean }): unknown => (m.isBinary ? undefined : JSON.parse(m.data.toString('utf8')));

/** The frame messages in a binary message: a batch (frame-batch.ts), decoded. */
function framesOf(m: { data: Buffer; isBinary: boolean }): FrameMessage[] {
  return m.isBinary ? splitBatch(new Uint8Array(m.data)).map((f) => decodeFrame(f)) : [];
}

let dir: string;
let rendererDir: string;
let host: FakeHost;
let server: WebServer;
const sockets: WebSocket[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gvt-web-'));
  rendererDir = join(dir, 'renderer');
  await mkdir(join(rendererDir, 'assets'), { recursive: true });
  await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>GVT Desk</title><script type="module" src="./assets/index.js"></script>');
  await writeFile(join(rendererDir, 'assets', 'index.js'), 'console.log("renderer")');
  await writeFile(join(rendererDir, 'assets', 'style.css'), 'body{}');
  await writeFile(join(dir, 'package.json'), '{"secret": "outside the renderer"}');
  await symlink(join(dir, 'package.json'), join(rendererDir, 'link.json'));
  host = createFakeHost();
  server = await startWebServer({ host, rendererDir, log: vi.fn() });
});

afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

async function open(): Promise<WebSocket> {
  const ws = await connect(`ws://127.0.0.1:${server.port}/api?token=${server.token}`);
  sockets.push(ws);
  return ws;
}

describe('startWebServer: static files', () => {
  it('prints a token URL on 127.0.0.1 with a 32-hex-digit random token', () => {
    expect(server.token).toMatch(/^[0-9a-f]{32}$/);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    expect(server.port).toBeGreaterThan(0);
  });

  it('serves index.html for / with a restrictive CSP and no-referrer', async () => {
    const res = await get(server.port, `/?token=${server.token}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toContain('<title>GVT Desk</title>');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${server.port}`);
    expect(csp).toContain("object-src 'none'");
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('serves assets with their content types, and HEAD without a body', async () => {
    const js = await get(server.port, '/assets/index.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.body).toBe('console.log("renderer")');
    expect((await get(server.port, '/assets/style.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    const head = await get(server.port, '/assets/index.js', {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(head.headers['content-length']).toBe(String('console.log("renderer")'.length));
  });

  it.each(['/../package.json', '/assets/../../package.json', '/%2e%2e/package.json', '/..%2fpackage.json', '/assets/..%5c..%5cpackage.json', '/link.json', '/%00index.html'])(
    'refuses the traversal %s',
    async (path) => {
      const res = await get(server.port, path);
      expect(res.status).toBe(404);
      expect(res.body).not.toContain('secret');
    },
  );

  it('answers 404 for missing files and directories, 405 for other methods', async () => {
    expect((await get(server.port, '/nope.js')).status).toBe(404);
    expect((await get(server.port, '/assets')).status).toBe(404);
    const post = await get(server.port, '/', {}, 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    expect((await get(server.port, '/', { Host: `evil.example:${server.port}` })).status).toBe(403);
    expect((await get(server.port, '/', { Host: `localhost:${server.port}` })).status).toBe(200);
  });

  it('/api/access tells a page whether its token opens /api: 204, else 401 (missing or wrong), 403 for a foreign Host, 405 for POST', async () => {
    expect((await get(server.port, `/api/access?token=${server.token}`)).status).toBe(204);
    expect((await get(server.port, '/api/access?token=0123456789abcdef0123456789abcdef')).status).toBe(401);
    const missing = await get(server.port, '/api/access');
    expect([missing.status, missing.headers['cache-control']]).toEqual([401, 'no-store']);
    expect((await get(server.port, `/api/access?token=${server.token}`, { Host: `evil.example:${server.port}` })).status).toBe(403);
    expect((await get(server.port, `/api/access?token=${server.token}`, {}, 'POST')).status).toBe(405);
  });
});

describe('resolveStaticPath / contentTypeFor', () => {
  it('maps paths inside the root only', () => {
    expect(resolveStaticPath('/r', '/')).toBe('/r/index.html');
    expect(resolveStaticPath('/r', '/a/b.js?x=1')).toBe('/r/a/b.js');
    expect(resolveStaticPath('/r', '/a/../b.js')).toBeNull();
    expect(resolveStaticPath('/r', '/%E0%A4%A')).toBeNull();
    expect(resolveStaticPath('/r', 'http://x/y')).toBeNull();
  });

  it('knows the renderer content types', () => {
    expect(contentTypeFor('a.mjs')).toBe('text/javascript; charset=utf-8');
    expect(contentTypeFor('a.SVG')).toBe('image/svg+xml');
    expect(contentTypeFor('a.woff2')).toBe('font/woff2');
    expect(contentTypeFor('a.unknown')).toBe('application/octet-stream');
  });
});

describe('startWebServer: /api WebSocket', () => {
  it('rejects a wrong or missing token with 401 on upgrade', async () => {
    await expect(connect(`ws://127.0.0.1:${server.port}/api?token=${'0'.repeat(32)}`)).rejects.toThrow('HTTP 401');
    await expect(connect(`ws://127.0.0.1:${server.port}/api`)).rejects.toThrow('HTTP 401');
    await expect(connect(`ws://127.0.0.1:${server.port}/api?token=${server.token}x`)).rejects.toThrow('HTTP 401');
  });

  it('rejects a foreign Origin with 403, accepts its own origin', async () => {
    const url = `ws://127.0.0.1:${server.port}/api?token=${server.token}`;
    await expect(connect(url, { Origin: 'http://evil.example' })).rejects.toThrow('HTTP 403');
    await expect(connect(url, { Origin: `http://127.0.0.1:${server.port + 1}` })).rejects.toThrow('HTTP 403');
    const ws = await connect(url, { Origin: `http://127.0.0.1:${server.port}` });
    sockets.push(ws);
    expect(ws.readyState).toBe(WebSocket.OPEN);
  });

  it('answers 404 for other upgrade paths', async () => {
    await expect(connect(`ws://127.0.0.1:${server.port}/other?token=${server.token}`)).rejects.toThrow('HTTP 404');
  });

  it('round-trips a request, an ApiError and bad JSON on one connection', async () => {
    const ws = await open();
    const box = inbox(ws);
    ws.send(JSON.stringify({ id: 1, method: 'domains.list', params: {} }));
    expect(json(await box.next((m) => (json(m) as { id?: number }).id === 1))).toEqual({ id: 1, result: host.domains });

    ws.send(JSON.stringify({ id: 2, method: 'display.setForeground', params: { domid: 42 } }));
    expect(json(await box.next((m) => (json(m) as { id?: number }).id === 2))).toEqual({ id: 2, error: { code: 'not_found', message: 'no domain with domid 42' } });

    ws.send('this is not json');
    expect(json(await box.next((m) => (json(m) as { id?: unknown }).id === null))).toMatchObject({ error: { code: 'invalid' } });

    // Still up after the bad message.
    ws.send(JSON.stringify({ id: 3, method: 'sysfs.read', params: { path: '/sys/kernel/vgt/control/foreground_vm' } }));
    expect(json(await box.next((m) => (json(m) as { id?: number }).id === 3))).toEqual({ id: 3, result: { value: '0' } });
  });

  it('pushes host events to every client', async () => {
    const [a, b] = [await open(), await open()];
    const [boxA, boxB] = [inbox(a), inbox(b)];
    host.emit('serial', { domid: 1, text: 'Booting vm1\n' });
    for (const box of [boxA, boxB]) {
      expect(json(await box.next((m) => !m.isBinary))).toEqual({ event: 'serial', data: { domid: 1, text: 'Booting vm1\n' } });
    }
    // A display switch made by any client is pushed as a display event.
    a.send(JSON.stringify({ id: 1, method: 'display.setForeground', params: { domid: 1 } }));
    expect(json(await boxB.next((m) => (json(m) as { event?: string }).event === 'display'))).toEqual({ event: 'display', data: { foreground: 1 } });
  });

  it('pushes frames as binary messages', async () => {
    const ws = await open();
    const box = inbox(ws);
    const rgba = new Uint8Array([255, 0, 0, 255, 0, 255, 0, 255]);
    host.emitFrame(encodeFrame({ source: 1, width: 640, height: 480, x: 10, y: 20, w: 2, h: 1, seq: 5 }, rgba));
    const msg = await box.next((m) => m.isBinary);
    const [frame] = framesOf(msg);
    expect(framesOf(msg)).toHaveLength(1);
    expect(frame).toMatchObject({ source: 1, width: 640, height: 480, x: 10, y: 20, w: 2, h: 1, seq: 5 });
    expect([...frame!.rgba]).toEqual([...rgba]);
  });

  it('drops frames for a client that does not read, then repaints it from a snapshot', async () => {
    await server.close();
    server = await startWebServer({ host, rendererDir, frameDropBytes: 256 * 1024, log: vi.fn() });
    const ws = await open();
    const box = inbox(ws);
    ws.pause();
    const w = 512;
    const h = 512; // 1 MiB per frame
    const pixels = new Uint8Array(w * h * 4).fill(1);
    for (let seq = 1; seq <= 60; seq++) host.emitFrame(encodeFrame({ source: 1, width: w, height: h, x: 0, y: 0, w, h, seq }, pixels));
    const stats = server.stats();
    expect(stats.dropped).toBeGreaterThan(30);
    expect(stats.sent).toBeLessThan(30);
    expect(stats.sent + stats.dropped).toBe(60);

    host.snapshots.set(1, { width: 2, height: 2, rgba: new Uint8Array(16).fill(0xab) });
    ws.resume();
    // The client catches up: it takes (and acknowledges) what it was sent.
    await vi.waitFor(() => expect(box.items.reduce((n, m) => n + framesOf(m).length, 0)).toBe(stats.sent), { timeout: 10_000 });
    ws.send(frameAckText(stats.sent));
    const repaint = await box.next((m) => framesOf(m).some((f) => f.width === 2), 10_000);
    const frame = framesOf(repaint).find((f) => f.width === 2)!;
    expect(frame).toMatchObject({ source: 1, x: 0, y: 0, w: 2, h: 2, seq: 60 });
    expect([...frame.rgba]).toEqual(new Array(16).fill(0xab));
    expect(server.stats().resyncs).toBe(1);
  });

  it('frame.resync sends the whole picture as binary and answers with its size', async () => {
    const ws = await open();
    const box = inbox(ws);
    host.snapshots.set(1, { width: 2, height: 2, rgba: new Uint8Array(16).fill(0xcd) });
    ws.send(JSON.stringify({ id: 7, method: 'frame.resync', params: { source: 1 } }));
    // The answer and the (compressed, batched) picture: the order between them is not promised.
    expect(json(await box.next((m) => !m.isBinary))).toEqual({ id: 7, result: { width: 2, height: 2 } });
    expect(framesOf(await box.next((m) => m.isBinary))).toMatchObject([{ source: 1, width: 2, height: 2, x: 0, y: 0, w: 2, h: 2 }]);
    ws.send(JSON.stringify({ id: 8, method: 'frame.resync', params: { source: 4 } }));
    expect(json(await box.next(() => true))).toEqual({ id: 8, result: null });
  });

  it('sends frames against acknowledgements: a client that never acks gets a bounded window, acks let the next ones through', async () => {
    const ws = await open();
    const box = inbox(ws);
    const small = (seq: number): Uint8Array => encodeFrame({ source: 1, width: 4, height: 4, x: 0, y: 0, w: 1, h: 1, seq }, new Uint8Array(4));
    for (let seq = 1; seq <= 100; seq++) host.emitFrame(small(seq));
    // The ones sent go out together, as one batch of the window's size.
    const first = await box.next((m) => m.isBinary);
    expect(framesOf(first).map((f) => f.seq)).toEqual(Array.from({ length: MAX_FRAMES_IN_FLIGHT }, (_, i) => i + 1));
    expect(server.stats()).toMatchObject({ sent: MAX_FRAMES_IN_FLIGHT, dropped: 100 - MAX_FRAMES_IN_FLIGHT });
    host.snapshots.set(1, { width: 4, height: 4, rgba: new Uint8Array(64).fill(1) });
    ws.send(frameAckText(MAX_FRAMES_IN_FLIGHT));
    // The dropped frames' region comes back as one repair once the window opens again.
    const repair = await box.next((m) => framesOf(m).some((f) => f.seq === 100));
    expect(framesOf(repair)).toMatchObject([{ source: 1, seq: 100 }]);
    expect(host.snapshotRegions).toEqual([[{ x: 0, y: 0, w: 1, h: 1, width: 4, height: 4 }]]);
    ws.send(frameAckText(1));
    host.emitFrame(small(101));
    const next = await box.next((m) => m.isBinary);
    expect(framesOf(next).map((f) => f.seq)).toEqual([101]);
  });

  it('keeps at most MAX_BATCHES_IN_FLIGHT ticks unacknowledged, however small (a short queue, not 64 frames late)', async () => {
    const ws = await open();
    const box = inbox(ws);
    const small = (seq: number): Uint8Array => encodeFrame({ source: 1, width: 4, height: 4, x: 0, y: 0, w: 1, h: 1, seq }, new Uint8Array(4));
    // One frame per tick, as a guest flipping at vblank sends them.
    for (let seq = 1; seq <= 10; seq++) {
      host.emitFrame(small(seq));
      await new Promise((r) => setImmediate(r));
    }
    await vi.waitFor(() => expect(box.items.filter((m) => m.isBinary)).toHaveLength(MAX_BATCHES_IN_FLIGHT), { timeout: 10_000 });
    expect(server.stats()).toMatchObject({ sent: MAX_BATCHES_IN_FLIGHT, dropped: 10 - MAX_BATCHES_IN_FLIGHT });
    host.snapshots.set(1, { width: 4, height: 4, rgba: new Uint8Array(64).fill(1) });
    ws.send(frameAckText(1));
    // The window opened by one tick: the dropped frames come back as one repair, the newest seq.
    const repair = await box.next((m) => framesOf(m).some((f) => f.seq === 10));
    expect(framesOf(repair)).toMatchObject([{ source: 1, seq: 10 }]);
  });

  it('treats only exact {"ack":N} texts as acknowledgements', () => {
    expect(frameAck('{"ack":3}')).toBe(3);
    for (const t of ['{"ack":0}', '{"ack":-1}', '{"ack":1.5}', '{"ack":"1"}', '{"ack":99999999}', ' {"ack":1}', '{"id":1,"ack":1}']) expect(frameAck(t), t).toBeNull();
  });

  describe('frame.watch', () => {
    const px = (source: number, seq: number): Uint8Array => encodeFrame({ source, width: 2, height: 1, x: 0, y: 0, w: 2, h: 1, seq }, new Uint8Array(8).fill(seq));
    const call = (ws: WebSocket, id: number, method: string, params: unknown): void => ws.send(JSON.stringify({ id, method, params }));
    const answer = (box: ReturnType<typeof inbox>, id: number) => box.next((m) => (json(m) as { id?: number } | undefined)?.id === id);
    /** The frames of every binary message received so far (each acknowledged, so the window never closes). */
    const framesSoFar = (ws: WebSocket, box: ReturnType<typeof inbox>): FrameMessage[] => {
      const got = box.items.filter((m) => m.isBinary).flatMap(framesOf);
      box.items.splice(0, box.items.length, ...box.items.filter((m) => !m.isBinary));
      if (got.length > 0) ws.send(frameAckText(got.length));
      return got;
    };

    it('a client that watches only source 1 gets no frames of source 2; another client (never said) gets both', async () => {
      const [a, b] = [await open(), await open()];
      const [boxA, boxB] = [inbox(a), inbox(b)];
      call(a, 1, 'frame.watch', { sources: [1] });
      expect(json(await answer(boxA, 1))).toEqual({ id: 1, result: { watching: 1 } });
      for (let seq = 1; seq <= 4; seq++) host.emitFrame(px(seq % 2 === 0 ? 2 : 1, seq));
      await vi.waitFor(() => expect(boxB.items.filter((m) => m.isBinary).flatMap(framesOf)).toHaveLength(4));
      await vi.waitFor(() => expect(boxA.items.some((m) => m.isBinary)).toBe(true));
      await new Promise((r) => setTimeout(r, 50));
      expect(framesSoFar(a, boxA).map((f) => [f.source, f.seq])).toEqual([[1, 1], [1, 3]]);
      expect(server.stats().unwatched).toBe(2);
      // The host composes what some client watches: b has said nothing, so everything.
      expect(host.composed.at(-1)).toBeNull();
    });

    it('the host composes the union of what the clients watch; a disconnect drops that client\'s watch', async () => {
      const [a, b] = [await open(), await open()];
      const [boxA, boxB] = [inbox(a), inbox(b)];
      call(a, 1, 'frame.watch', { sources: [1, 'physical'] });
      await answer(boxA, 1);
      expect(host.composed.at(-1)).toBeNull(); // b watches all until it says
      call(b, 2, 'frame.watch', { sources: [2, 1] });
      await answer(boxB, 2);
      expect(host.composed.at(-1)).toEqual([1, 2, PHYSICAL_SOURCE]);
      const closed = new Promise((r) => a.once('close', r));
      a.close();
      await closed;
      await vi.waitFor(() => expect(host.composed.at(-1)).toEqual([1, 2]));
      b.terminate();
      await vi.waitFor(() => expect(host.composed.at(-1)).toEqual([]));
    });

    it('a source watched again comes back as a whole picture first, never as damage on a stale picture', async () => {
      const ws = await open();
      const box = inbox(ws);
      host.snapshots.set(2, { width: 2, height: 1, rgba: new Uint8Array(8).fill(0xee) });
      call(ws, 1, 'frame.watch', { sources: [1] });
      await answer(box, 1);
      host.emitFrame(px(2, 1)); // not watched: not sent
      call(ws, 2, 'frame.watch', { sources: [1, 2] });
      expect(json(await answer(box, 2))).toEqual({ id: 2, result: { watching: 2 } });
      // The whole picture is fetched (one snapshot) and sent; frames of 2 offered meanwhile wait for it.
      host.emitFrame(px(2, 2));
      await vi.waitFor(() => expect(box.items.some((m) => m.isBinary)).toBe(true));
      await new Promise((r) => setTimeout(r, 50));
      const got = framesSoFar(ws, box);
      expect(got[0]).toMatchObject({ source: 2, x: 0, y: 0, w: 2, h: 1 });
      expect([...got[0]!.rgba]).toEqual(new Array(8).fill(0xee));
      expect(host.snapshotCalls).toEqual([2]);
      // Watching an unchanged set again sends nothing; a source already watched is not resent.
      call(ws, 3, 'frame.watch', { sources: [2, 1] });
      await answer(box, 3);
      expect(host.snapshotCalls).toEqual([2]);
      host.emitFrame(px(2, 3));
      await vi.waitFor(() => expect(framesSoFar(ws, box).map((f) => f.seq)).toEqual([3]));
    });

    it('junk gets a clear invalid error and the connection stays usable', async () => {
      const ws = await open();
      const box = inbox(ws);
      const bad: [number, unknown][] = [
        [1, { sources: [1.5] }],
        [2, { sources: [-1] }],
        [3, { sources: ['vm1'] }],
        [4, { sources: new Array(MAX_WATCHED_SOURCES + 1).fill(1) }],
        [5, { sources: 1 }],
        [6, {}],
        [7, { sources: [1], extra: true }],
      ];
      for (const [id, params] of bad) call(ws, id, 'frame.watch', params);
      for (const [id] of bad) expect(json(await answer(box, id))).toMatchObject({ id, error: { code: 'invalid', message: expect.stringContaining('frame.watch') } });
      // Sources that do not exist (yet) are fine: a head that lights later streams to a page that watches it.
      call(ws, 8, 'frame.watch', { sources: [0xfffe, 'physical:E', 0] });
      expect(json(await answer(box, 8))).toEqual({ id: 8, result: { watching: 3 } });
    });
  });

  it('answers binary messages with an error and keeps the connection', async () => {
    const ws = await open();
    const box = inbox(ws);
    ws.send(Buffer.from([1, 2, 3]));
    expect(json(await box.next(() => true))).toMatchObject({ id: null, error: { code: 'invalid' } });
    expect(ws.readyState).toBe(WebSocket.OPEN);
  });

  it('unsubscribes from the host and disconnects clients on close', async () => {
    const ws = await open();
    const closed = new Promise((r) => ws.once('close', r));
    expect(host.listenerCount()).toBe(5); // domains, serial, display, ports events + frames
    await server.close();
    await closed;
    expect(host.listenerCount()).toBe(0);
    await expect(get(server.port, '/')).rejects.toThrow();
    server = await startWebServer({ host, rendererDir }); // for afterEach
  });

  it('refuses to start without a renderer directory or with a short token', async () => {
    await expect(startWebServer({ host, rendererDir: join(dir, 'missing') })).rejects.toThrow('npm run build');
    await expect(startWebServer({ host, rendererDir, token: 'short' })).rejects.toThrow('at least 16');
  });

  it('uses a given port and token', async () => {
    const other = await startWebServer({ host, rendererDir, token: 'f'.repeat(32), port: 0 });
    try {
      expect(other.token).toBe('f'.repeat(32));
      expect(other.port).not.toBe(server.port);
    } finally {
      await other.close();
    }
  });
});
