// @vitest-environment happy-dom
/**
 * The browser-mode WebSocket owned by the paint worker (frame-stream.ts): frames painted without
 * the page, acknowledged at the worker's animation frame and only while the page is shown, text
 * relayed, sources reported; and the page side: the ready handshake (no canvas transferred before
 * the worker says 'ready'; a worker that does not load leaves the page painting) and the WsClient
 * running over the worker's socket (worker-socket.ts).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FRAME_RLE32, encodeFrame, type FrameMessage } from '../../../src/shared/api';
import { encodeBatch } from '../../../src/shared/frame-batch';
import type { FromWorker, ToWorker } from '../../../src/renderer/lib/frame-paint-protocol';
import type { StreamSocket } from '../../../src/renderer/lib/frame-stream';
import { DrainGate, WorkerPainter, type WorkerLike } from '../../../src/renderer/lib/frame-painter';
import { WsClient, type SocketLike } from '../../../src/renderer/api/ws-client';
import { rgbaRect } from '../helpers/frames';
import { fakeCanvas, worker } from './paint-worker-rig';

/** The socket the worker opened, driven by the test as the host. */
class HostEnd implements StreamSocket {
  binaryType = 'blob';
  onopen: ((ev: unknown) => void) | null = null;
  onclose: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  readonly sent: string[] = [];
  closed = false;
  constructor(readonly url: string) {}
  send(data: string): void {
    this.sent.push(data);
  }
  close(): void {
    this.closed = true;
    this.onclose?.({});
  }
}

function frame(p: Partial<FrameMessage> & Pick<FrameMessage, 'x' | 'y' | 'w' | 'h'>, seed = 7): FrameMessage {
  return { source: 1, width: 8, height: 6, seq: 1, flip: 1, vblankMs: 1000, rgba: rgbaRect(p.w, p.h, seed), ...p };
}
const wire = (f: FrameMessage): Uint8Array => encodeFrame(f, new Uint8Array(f.rgba.buffer), FRAME_RLE32);
/** A batch as the host sends it: an ArrayBuffer of its own (as a browser WebSocket delivers it). */
const batch = (...frames: FrameMessage[]): ArrayBuffer => encodeBatch(frames.map(wire)).slice().buffer;

function streamWorker(clock = { now: 0 }) {
  const sockets: HostEnd[] = [];
  const w = worker(undefined, () => clock.now, (url) => {
    const s = new HostEnd(url);
    sockets.push(s);
    return s;
  });
  w.handle({ kind: 'connect', id: 1, url: 'ws://h/api?token=t' });
  const host = sockets[0]!;
  host.onopen?.({});
  return { ...w, host, sockets, clock };
}

describe("the paint worker's own WebSocket (FrameStreams)", () => {
  it('paints frames straight from the socket and acknowledges them all at its next animation frame', () => {
    const w = streamWorker();
    expect(w.host.binaryType).toBe('arraybuffer');
    expect(w.out).toEqual([{ kind: 'socket', id: 1, event: 'open' }]);
    const canvas = fakeCanvas();
    w.handle({ kind: 'attach', source: 1, canvas: canvas as unknown as OffscreenCanvas });
    const full = frame({ x: 0, y: 0, w: 8, h: 6 }, 3);
    w.host.onmessage!({ data: batch(full) });
    w.host.onmessage!({ data: batch(frame({ x: 1, y: 1, w: 2, h: 2, seq: 2, flip: 2 }, 4), frame({ x: 5, y: 0, w: 1, h: 1, seq: 2, flip: 2 }, 4)) });
    expect(w.host.sent).toEqual([]); // not before the animation frame
    w.animationFrame();
    expect(w.host.sent).toEqual(['{"ack":3}']);
    expect([canvas.width, canvas.height]).toEqual([8, 6]);
    const at = (x: number, y: number) => [...canvas.pixels().subarray((y * 8 + x) * 4, (y * 8 + x) * 4 + 4)];
    expect(at(2, 2)).toEqual([1, 1, 4, 255]);
    expect(at(0, 0)).toEqual([0, 0, 3, 255]);
    expect(w.out.filter((m) => m.kind === 'painted')).toEqual([{ kind: 'painted', source: 1, flip: 2, latencyMs: -1000, width: 8, height: 6 }]);
    expect(w.out.some((m) => m.kind === 'taken')).toBe(false); // nothing for the page to acknowledge
  });

  it('acknowledges nothing while the page is hidden, and what it took once shown again', () => {
    const w = streamWorker();
    w.handle({ kind: 'visible', visible: false });
    w.host.onmessage!({ data: batch(frame({ x: 0, y: 0, w: 8, h: 6 })) });
    w.animationFrame();
    w.host.onmessage!({ data: batch(frame({ x: 0, y: 0, w: 1, h: 1, seq: 2 })) });
    w.animationFrame();
    expect(w.host.sent).toEqual([]);
    w.handle({ kind: 'visible', visible: true });
    w.animationFrame();
    expect(w.host.sent).toEqual(['{"ack":2}']);
  });

  it('relays text messages and the close to the page, sends its text, and a bad batch is reported yet acknowledged', () => {
    const w = streamWorker();
    w.host.onmessage!({ data: '{"id":1,"result":null}' });
    w.handle({ kind: 'send', id: 1, text: '{"id":2,"method":"frame.resync"}' });
    const bad = encodeBatch([wire(frame({ x: 0, y: 0, w: 2, h: 2 }))]);
    new DataView(bad.buffer).setUint32(4, 5, true); // the header promises five messages
    w.host.onmessage!({ data: bad.buffer });
    w.animationFrame();
    expect(w.host.sent).toEqual(['{"id":2,"method":"frame.resync"}', '{"ack":5}']);
    w.handle({ kind: 'disconnect', id: 1 });
    expect(w.host.closed).toBe(true);
    expect(w.out.map((m) => m.kind)).toEqual(['socket', 'text', 'error', 'socket']);
    expect(w.out[1]).toEqual({ kind: 'text', id: 1, data: '{"id":1,"result":null}' });
    expect(w.out[3]).toEqual({ kind: 'socket', id: 1, event: 'close' });
  });

  it('reports a source at once when its size changes, and its frame count (frames, not rects) about once a second', () => {
    const w = streamWorker();
    const reports = () => w.out.filter((m) => m.kind === 'source');
    w.host.onmessage!({ data: batch(frame({ x: 0, y: 0, w: 8, h: 6 })) });
    expect(reports()).toEqual([{ kind: 'source', source: 1, width: 8, height: 6, frames: 1 }]);
    for (let seq = 2; seq <= 4; seq++) w.host.onmessage!({ data: batch(frame({ x: 0, y: 0, w: 1, h: 1, seq }), frame({ x: 2, y: 0, w: 1, h: 1, seq })) });
    w.animationFrame();
    expect(reports().length).toBe(1); // not a second yet
    w.clock.now = 1000;
    w.host.onmessage!({ data: batch(frame({ x: 0, y: 0, w: 1, h: 1, seq: 5 })) });
    w.animationFrame();
    expect(reports()[1]).toEqual({ kind: 'source', source: 1, width: 8, height: 6, frames: 4 });
    // Pipe off (0x0): at once. A forgotten source is new again.
    w.host.onmessage!({ data: batch({ ...frame({ x: 0, y: 0, w: 0, h: 0, seq: 6 }), width: 0, height: 0, rgba: new Uint8ClampedArray(0) }) });
    expect(reports()[2]).toMatchObject({ width: 0, height: 0 });
    w.handle({ kind: 'forget', source: 1 });
    w.host.onmessage!({ data: batch({ ...frame({ x: 0, y: 0, w: 0, h: 0, seq: 7 }), width: 0, height: 0, rgba: new Uint8ClampedArray(0) }) });
    expect(reports()[3]).toMatchObject({ width: 0, height: 0, frames: 1 });
  });
});

describe('the page side: the ready handshake and the worker socket', () => {
  afterEach(() => vi.useRealTimers());

  /** A WorkerLike whose messages the test answers by hand. */
  function port() {
    const posted: ToWorker[] = [];
    const p: WorkerLike & { posted: ToWorker[]; say(m: FromWorker): void } = {
      onmessage: null,
      onerror: null,
      posted,
      postMessage: (m) => void posted.push(m),
      say: (m) => p.onmessage!({ data: m } as MessageEvent<FromWorker>),
    };
    return p;
  }
  /** An HTMLCanvasElement stand-in that records its transfer (and paints like fakeCanvas if kept). */
  function pageCanvas() {
    const c = fakeCanvas() as unknown as HTMLCanvasElement & ReturnType<typeof fakeCanvas> & { transferred: boolean };
    c.transferred = false;
    c.transferControlToOffscreen = () => {
      c.transferred = true;
      return {} as OffscreenCanvas;
    };
    return c;
  }

  it('transfers no canvas before the worker is ready; the frames taken meanwhile go to it as whole pictures', () => {
    const p = port();
    const painter = new WorkerPainter(p, new DrainGate());
    const canvas = pageCanvas();
    painter.attach(1, canvas);
    painter.size(1, 4);
    painter.apply(frame({ x: 0, y: 0, w: 8, h: 6 }, 3));
    painter.apply(frame({ x: 1, y: 1, w: 2, h: 2, seq: 2, flip: 2 }, 4));
    expect(canvas.transferred).toBe(false);
    expect(p.posted).toEqual([]);
    expect(painter.inWorker).toBe(false);
    p.say({ kind: 'ready' });
    expect(painter.inWorker).toBe(true);
    expect(canvas.transferred).toBe(true);
    expect(p.posted.map((m) => m.kind)).toEqual(['frames', 'attach', 'size']);
    const first = p.posted[0] as Extract<ToWorker, { kind: 'frames' }>;
    expect(first.frames).toEqual([expect.objectContaining({ source: 1, x: 0, y: 0, w: 8, h: 6, flip: 2, coding: 'rgba' })]);
    const px = new Uint8ClampedArray(first.payload);
    expect([...px.subarray((2 * 8 + 2) * 4, (2 * 8 + 2) * 4 + 4)]).toEqual([1, 1, 4, 255]); // the later rect, merged
    expect(p.posted[2]).toEqual({ kind: 'size', source: 1, width: 4 });
    expect(painter.surface(1)).toBeUndefined(); // the page keeps no pixels now
  });

  it('a worker that fails to load leaves the page painting its canvases itself (no blank window)', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const p = port();
    const gate = new DrainGate();
    const painter = new WorkerPainter(p, gate);
    const canvas = pageCanvas();
    painter.attach(1, canvas);
    painter.apply(frame({ x: 0, y: 0, w: 8, h: 6 }, 3));
    p.onerror!({ message: 'Failed to fetch a worker script' } as ErrorEvent);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/did not load \(Failed to fetch a worker script\); painting on the main thread/));
    await new Promise((r) => requestAnimationFrame(() => r(null)));
    expect(canvas.transferred).toBe(false);
    expect([canvas.width, canvas.height]).toEqual([8, 6]);
    expect([...canvas.pixels().subarray(0, 4)]).toEqual([0, 0, 3, 255]);
    expect(painter.surface(1)).toBeDefined();
    p.say({ kind: 'ready' }); // too late: nothing moves
    expect(p.posted).toEqual([]);
  });

  it('a worker that never says ready is given up on after the timeout', () => {
    vi.useFakeTimers();
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const p = port();
    const painter = new WorkerPainter(p, new DrainGate(), 500);
    const canvas = pageCanvas();
    painter.attach(1, canvas);
    vi.advanceTimersByTime(499);
    expect(painter.inWorker).toBe(false);
    vi.advanceTimersByTime(1);
    expect(console.warn).toHaveBeenCalledWith(expect.stringMatching(/did not start within 500 ms/));
    p.say({ kind: 'ready' });
    expect(canvas.transferred).toBe(false);
    expect(p.posted).toEqual([]);
  });

  it('the WsClient runs over the worker\'s socket once it is ready; text, open and close are relayed', async () => {
    const p = port();
    const painter = new WorkerPainter(p, new DrainGate());
    const fallback = vi.fn();
    const client = new WsClient('ws://h/api?token=t', { createSocket: painter.socketFactory(fallback), checkAccess: async () => true, minBackoffMs: 10_000 });
    const call = client.invoke('domains.list', {} as never);
    expect(p.posted).toEqual([]); // waits for the worker
    p.say({ kind: 'ready' });
    expect(p.posted).toEqual([{ kind: 'connect', id: 1, url: 'ws://h/api?token=t' }]);
    p.say({ kind: 'socket', id: 1, event: 'open' });
    expect(client.status).toBe('open');
    const sent = p.posted[1] as Extract<ToWorker, { kind: 'send' }>;
    expect(sent).toMatchObject({ kind: 'send', id: 1 });
    const { id } = JSON.parse(sent.text) as { id: number };
    p.say({ kind: 'text', id: 1, data: JSON.stringify({ id, result: [] }) });
    await expect(call).resolves.toEqual([]);
    p.say({ kind: 'socket', id: 1, event: 'close' });
    expect(client.status).toBe('closed');
    client.close();
    expect(fallback).not.toHaveBeenCalled();
  });

  it('without a worker the WsClient gets a socket of the page\'s own', () => {
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const p = port();
    const painter = new WorkerPainter(p, new DrainGate());
    const own: SocketLike = { binaryType: 'blob', readyState: 0, onopen: null, onclose: null, onmessage: null, send: vi.fn(), close: vi.fn() };
    const client = new WsClient('ws://h/api?token=t', { createSocket: painter.socketFactory(() => own), checkAccess: async () => true });
    p.onerror!({ message: 'no worker' } as ErrorEvent);
    expect(own.binaryType).toBe('arraybuffer');
    own.onopen!({});
    expect(client.status).toBe('open');
    const frames = vi.fn();
    client.onFrame(frames);
    own.onmessage!({ data: batch(frame({ x: 0, y: 0, w: 1, h: 1 })) });
    expect(frames).toHaveBeenCalledTimes(1); // the page paints these itself
    client.close();
    expect(own.close).toHaveBeenCalled();
  });
});
