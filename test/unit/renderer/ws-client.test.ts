// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, FRAME_RLE32, PHYSICAL_SOURCE, encodeFrame, type CodedFrameMessage, type FrameMessage } from '../../../src/shared/api';
import { ConnectionLostError, WsClient, apiUrlFor, type SocketLike } from '../../../src/renderer/api/ws-client';
import { encodeBatch } from '../../../src/shared/frame-batch';
import { whenShown } from '../../../src/renderer/api';

/** A WebSocket stand-in the test drives by hand. */
class MockSocket implements SocketLike {
  static instances: MockSocket[] = [];
  binaryType = 'blob';
  readyState = 0;
  onopen: ((ev: unknown) => void) | null = null;
  onclose: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  readonly sent: string[] = [];

  constructor(readonly url: string) {
    MockSocket.instances.push(this);
  }
  send(data: string): void {
    this.sent.push(data);
  }
  close(): void {
    this.readyState = 3;
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  serverClose(): void {
    this.readyState = 3;
    this.onclose?.({});
  }
  receive(data: unknown): void {
    this.onmessage?.({ data });
  }
  requests(): { id: number; method: string; params: unknown }[] {
    return this.sent.map((s) => JSON.parse(s));
  }
}

/** Callbacks waiting for the next paint (WsClientOptions.nextPaint); `paint()` runs them. */
let paints: (() => void)[] = [];
function paint(): void {
  const due = paints;
  paints = [];
  for (const fn of due) fn();
}

/** What the access check answers (WsClientOptions.checkAccess): null = host unreachable. */
let access: boolean | null = null;

function newClient(url = 'ws://127.0.0.1:1234/api?token=t'): { client: WsClient; socket: () => MockSocket } {
  const client = new WsClient(url, { minBackoffMs: 100, maxBackoffMs: 400, createSocket: (u) => new MockSocket(u), nextPaint: (fn) => paints.push(fn), checkAccess: async () => access });
  return { client, socket: () => MockSocket.instances[MockSocket.instances.length - 1] };
}

beforeEach(() => {
  MockSocket.instances = [];
  paints = [];
  access = null;
});
afterEach(() => {
  vi.useRealTimers();
});

describe('WsClient', () => {
  it('builds the api URL from the page URL token', () => {
    expect(apiUrlFor({ protocol: 'http:', host: '127.0.0.1:8123', search: '?token=a%2Fb' })).toBe('ws://127.0.0.1:8123/api?token=a%2Fb');
  });

  it('queues calls until open, then correlates responses by id even out of order', async () => {
    const { client, socket } = newClient();
    const list = client.invoke('domains.list', {});
    const start = client.invoke('domain.start', { name: 'vm1' });
    expect(socket().sent).toHaveLength(0);
    expect(socket().binaryType).toBe('arraybuffer');

    socket().open();
    const [r1, r2] = socket().requests();
    expect(r1).toMatchObject({ method: 'domains.list', params: {} });
    expect(r2).toMatchObject({ method: 'domain.start', params: { name: 'vm1' } });
    expect(r1.id).not.toBe(r2.id);

    socket().receive(JSON.stringify({ id: r2.id, result: { domid: 5 } }));
    socket().receive(JSON.stringify({ id: r1.id, result: [] }));
    await expect(start).resolves.toEqual({ domid: 5 });
    await expect(list).resolves.toEqual([]);
  });

  it('rejects with an ApiError carrying the server code and message', async () => {
    const { client, socket } = newClient();
    socket().open();
    const call = client.invoke('library.import', { fileName: 'a.hvm', text: 'x' });
    const { id } = socket().requests()[0];
    socket().receive(JSON.stringify({ id, error: { code: 'config', message: 'a.hvm:1: expected key = value' } }));
    const err = await call.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'config', message: 'a.hvm:1: expected key = value' });
  });

  it('dispatches push events to their subscribers until unsubscribed', () => {
    const { client, socket } = newClient();
    socket().open();
    const serial = vi.fn();
    const display = vi.fn();
    const off = client.on('serial', serial);
    client.on('display', display);
    socket().receive(JSON.stringify({ event: 'serial', data: { domid: 1, text: 'Booting' } }));
    socket().receive(JSON.stringify({ event: 'display', data: { foreground: 1 } }));
    off();
    socket().receive(JSON.stringify({ event: 'serial', data: { domid: 1, text: 'again' } }));
    expect(serial.mock.calls).toEqual([[{ domid: 1, text: 'Booting' }]]);
    expect(display.mock.calls).toEqual([[{ foreground: 1 }]]);
  });

  it('decodes binary frame messages for onFrame, drops malformed ones and acknowledges each', () => {
    const { client, socket } = newClient();
    socket().open();
    const frames: (FrameMessage | CodedFrameMessage)[] = [];
    client.onFrame((f) => frames.push(f));
    const rgba = new Uint8Array([1, 2, 3, 255, 4, 5, 6, 255]);
    const msg = encodeFrame({ source: PHYSICAL_SOURCE, width: 640, height: 480, x: 10, y: 20, w: 2, h: 1, seq: 9 }, rgba);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    socket().receive(msg.buffer);
    socket().receive(new Uint8Array(8).buffer);
    // Flow control: nothing until the page paints, then one ack for every message taken, the bad one included.
    expect(socket().sent).toEqual([]);
    paint();
    expect(socket().sent).toEqual(['{"ack":2}']);
    paint();
    expect(socket().sent).toEqual(['{"ack":2}']);
    warn.mockRestore();
    expect(frames).toHaveLength(1);
    expect(frames[0]).toMatchObject({ source: PHYSICAL_SOURCE, width: 640, height: 480, x: 10, y: 20, w: 2, h: 1, seq: 9 });
    const raw = frames[0]!;
    expect('rgba' in raw && [...raw.rgba]).toEqual([...rgba]);
  });

  it('splits frame batches in arrival order, leaves RLE32 pixels coded for the store and refuses a batch whose count lies', () => {
    const { client, socket } = newClient();
    socket().open();
    const got: (FrameMessage | CodedFrameMessage)[] = [];
    client.onFrame((f) => got.push(f));
    const frame = (seq: number): Uint8Array => encodeFrame({ source: 1, width: 64, height: 64, x: 0, y: 0, w: 64, h: 64, seq }, new Uint8Array(64 * 64 * 4).fill(seq), FRAME_RLE32);
    const batch = (seqs: number[], lie = 0): ArrayBuffer => {
      const b = encodeBatch(seqs.map(frame));
      new DataView(b.buffer).setUint32(4, seqs.length + lie, true);
      return b.buffer as ArrayBuffer;
    };
    socket().receive(batch([1, 2, 3]));
    paint();
    socket().receive(encodeFrame({ source: 1, width: 64, height: 64, x: 0, y: 0, w: 1, h: 1, seq: 4 }, new Uint8Array(4)).buffer);
    paint();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    socket().receive(batch([5], 1));
    paint();
    socket().receive(batch([6, 7]));
    paint();
    expect(warn.mock.calls[0]?.[1]).toBeInstanceOf(RangeError);
    warn.mockRestore();
    expect(got.map((f) => f.seq)).toEqual([1, 2, 3, 4, 6, 7]);
    // Coded: a run of 64x64 pixels 0x01010101 is two words.
    const first = got[0]!;
    expect('rle32' in first && [...first.rle32]).toEqual([(0x80000000 | 4096) >>> 0, 0x01010101]);
    // Each batch is acknowledged for as many frames as its header says.
    expect(socket().sent).toEqual(['{"ack":3}', '{"ack":1}', '{"ack":2}', '{"ack":2}']);
  });

  it('acknowledges only frames their painter has taken (whenTaken), at the paint after', () => {
    const taken: (() => void)[] = [];
    const client = new WsClient('ws://127.0.0.1:1234/api?token=t', { createSocket: (u) => new MockSocket(u), nextPaint: (fn) => paints.push(fn), whenTaken: (fn) => taken.push(fn), checkAccess: async () => access });
    const socket = MockSocket.instances.at(-1)!;
    socket.open();
    client.onFrame(() => undefined);
    const frame = (seq: number): Uint8Array => encodeFrame({ source: 1, width: 4, height: 4, x: 0, y: 0, w: 1, h: 1, seq }, new Uint8Array(4));
    socket.receive(encodeBatch([frame(1), frame(2)]).buffer);
    socket.receive(frame(3).buffer);
    paint();
    expect(socket.sent).toEqual([]); // handed over, not taken yet
    taken.shift()!(); // the painter took the batch; the single frame is still with it
    paint();
    expect(socket.sent).toEqual(['{"ack":2}']);
    taken.shift()!();
    paint();
    expect(socket.sent).toEqual(['{"ack":2}', '{"ack":1}']);
  });

  it('acknowledges what a connection took at the next paint, not what a dropped one took', async () => {
    vi.useFakeTimers();
    const { socket } = newClient();
    socket().open();
    const frame = encodeFrame({ source: 1, width: 4, height: 4, x: 0, y: 0, w: 1, h: 1, seq: 1 }, new Uint8Array(4));
    const first = socket();
    first.receive(frame.buffer);
    first.serverClose();
    await vi.advanceTimersByTimeAsync(100);
    socket().open();
    paint(); // the old socket's frame is owed to nobody
    expect(first.sent).toEqual([]);
    expect(socket().sent).toEqual([]);
    socket().receive(frame.buffer);
    socket().receive(frame.buffer);
    paint();
    expect(socket().sent).toEqual(['{"ack":2}']);
  });

  it('rejects pending calls when the socket drops, then reconnects with growing backoff', async () => {
    vi.useFakeTimers();
    const { client, socket } = newClient();
    const statuses: string[] = [];
    client.onStatus((s) => statuses.push(s));
    socket().open();
    const call = client.invoke('gpu.info', {});
    socket().serverClose();
    const err = await call.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionLostError);
    expect((err as Error).message).toMatch(/gpu\.info.*connection.*lost/);

    expect(MockSocket.instances).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(MockSocket.instances).toHaveLength(2);
    socket().serverClose(); // the attempt fails: next wait doubles
    await vi.advanceTimersByTimeAsync(199);
    expect(MockSocket.instances).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(MockSocket.instances).toHaveLength(3);

    // A call made while reconnecting goes out once the new socket opens.
    const again = client.invoke('gpu.info', {});
    socket().open();
    const { id } = socket().requests()[0];
    socket().receive(JSON.stringify({ id, result: { foreground: 0 } }));
    await expect(again).resolves.toEqual({ foreground: 0 });
    expect(statuses).toEqual(['open', 'closed', 'connecting', 'closed', 'connecting', 'open']);
    client.close();
  });

  it("stays 'unauthorized' without retrying when the host refuses the token, or when the address has none", async () => {
    vi.useFakeTimers();
    const { client, socket } = newClient();
    const seen: string[] = [];
    client.onStatus((st) => seen.push(st));
    access = false;
    socket().serverClose();
    await vi.waitFor(() => expect(client.status).toBe('unauthorized'), { timeout: 10_000 });
    vi.advanceTimersByTime(10_000);
    expect(MockSocket.instances).toHaveLength(1);
    expect(seen).toEqual(['closed', 'unauthorized']);
    const bare = newClient('ws://127.0.0.1:1234/api?token=');
    expect(bare.client.status).toBe('unauthorized');
    expect(MockSocket.instances).toHaveLength(1); // no socket for an address without a token
  });

  it('keeps retrying while the host is down or accepts the token (a restart)', async () => {
    vi.useFakeTimers();
    const { client, socket } = newClient();
    socket().serverClose(); // unreachable: access null
    await vi.advanceTimersByTimeAsync(100);
    expect(MockSocket.instances).toHaveLength(2);
    access = true;
    socket().serverClose();
    await vi.advanceTimersByTimeAsync(200);
    expect(MockSocket.instances).toHaveLength(3);
    socket().open();
    expect(client.status).toBe('open');
  });
});

describe('whenShown (when the app acknowledges frames)', () => {
  it('runs at the end of the task while the page is shown, and only once it shows again while hidden', async () => {
    const fn = vi.fn();
    whenShown(document, fn);
    expect(fn).not.toHaveBeenCalled();
    await Promise.resolve();
    expect(fn).toHaveBeenCalledTimes(1);

    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    try {
      whenShown(document, fn);
      await Promise.resolve();
      document.dispatchEvent(new Event('visibilitychange'));
      expect(fn).toHaveBeenCalledTimes(1); // still hidden: no acknowledgement, the host's stream waits
      Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
      expect(fn).toHaveBeenCalledTimes(2);
      document.dispatchEvent(new Event('visibilitychange'));
      expect(fn).toHaveBeenCalledTimes(2);
    } finally {
      Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true });
    }
  });
});
