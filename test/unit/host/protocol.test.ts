import { describe, expect, it, vi } from 'vitest';
import { ApiError, PHYSICAL_SOURCE, decodeFrame, encodeFrame } from '../../../src/shared/api';
import { FrameFlow, MAX_REPAIR_RECTS, addRect, handleRequest, handleText, peekFrameHeader, serializeResponse } from '../../../src/main/host/protocol';
import { createFakeHost } from '../fakes/fake-host';

const quiet = { log: vi.fn() };

describe('handleRequest', () => {
  it('answers a good request with its result and echoes the id', async () => {
    const host = createFakeHost();
    const res = await handleRequest(host, { id: 7, method: 'domains.list', params: {} });
    expect(res).toEqual({ id: 7, result: host.domains });
    expect(host.calls).toEqual([{ method: 'domains.list', params: {} }]);
  });

  it('accepts string ids and missing params (as {})', async () => {
    const host = createFakeHost();
    const res = await handleRequest(host, { id: 'a1', method: 'gpu.info' });
    expect(res.id).toBe('a1');
    expect('result' in res && (res.result as { foreground: number }).foreground).toBe(0);
  });

  it('passes an ApiError through with its code and message', async () => {
    const host = createFakeHost();
    host.failNext('domains.list', new ApiError('busy', 'the GPU is resetting'));
    expect(await handleRequest(host, { id: 1, method: 'domains.list', params: {} })).toEqual({ id: 1, error: { code: 'busy', message: 'the GPU is resetting' } });
  });

  it('passes the host validation error (bad params) through as invalid', async () => {
    const host = createFakeHost();
    const res = await handleRequest(host, { id: 2, method: 'display.setForeground', params: { domid: -1 } });
    expect(res).toMatchObject({ id: 2, error: { code: 'invalid' } });
  });

  it('keeps the code of an ApiError that lost its prototype crossing a thread', async () => {
    const host = createFakeHost();
    host.failNext('domains.list', { name: 'ApiError', code: 'not_found', message: 'no domain vm9' });
    expect(await handleRequest(host, { id: 3, method: 'domains.list', params: {} }, quiet)).toEqual({ id: 3, error: { code: 'not_found', message: 'no domain vm9' } });
  });

  it('masks any other error as internal without leaking its message, and logs it', async () => {
    const host = createFakeHost();
    const log = vi.fn();
    host.failNext('domains.list', new TypeError('secret /home/user/path exploded'));
    const res = await handleRequest(host, { id: 4, method: 'domains.list', params: {} }, { log });
    expect(res).toMatchObject({ id: 4, error: { code: 'internal' } });
    expect(JSON.stringify(res)).not.toContain('secret');
    expect(JSON.stringify(res)).toContain('domains.list');
    expect(log).toHaveBeenCalledTimes(1);
    expect(log.mock.calls[0]?.[1]).toBeInstanceOf(TypeError);
  });

  it('masks a thrown non-Error value and a fake ApiError with an unknown code', async () => {
    const host = createFakeHost();
    host.failNext('domains.list', 'boom');
    expect(await handleRequest(host, { id: 5, method: 'domains.list', params: {} }, quiet)).toMatchObject({ error: { code: 'internal' } });
    host.failNext('domains.list', { name: 'ApiError', code: 'root_me', message: 'x' });
    expect(await handleRequest(host, { id: 6, method: 'domains.list', params: {} }, quiet)).toMatchObject({ error: { code: 'internal' } });
  });

  it.each([
    [null, 'request'],
    [42, 'request'],
    [[], 'request'],
    [{ method: 'domains.list', params: {} }, "'id'"],
    [{ id: 1, params: {} }, "'method'"],
    [{ id: 1, method: 5 }, "'method'"],
    [{ id: -1, method: 'domains.list' }, "'id'"],
    [{ id: 1, method: 'domains.list', extra: true }, 'extra'],
  ])('refuses the malformed request %j naming %s', async (raw, naming) => {
    const host = createFakeHost();
    const res = await handleRequest(host, raw);
    expect(res).toMatchObject({ error: { code: 'invalid' } });
    expect('error' in res && res.error.message).toContain('malformed request');
    expect('error' in res && res.error.message).toContain(naming);
    expect(host.calls).toEqual([]);
  });

  it('keeps a usable id when the rest of the request is malformed', async () => {
    const res = await handleRequest(createFakeHost(), { id: 9, method: '' });
    expect(res.id).toBe(9);
  });

  it('refuses unknown methods, including prototype names, without calling the host', async () => {
    const host = createFakeHost();
    const call = vi.spyOn(host, 'call');
    for (const method of ['nope', '__proto__', 'constructor', 'toString']) {
      const res = await handleRequest(host, { id: 1, method, params: {} });
      expect(res).toEqual({ id: 1, error: { code: 'invalid', message: `unknown method '${method}'` } });
    }
    expect(call).not.toHaveBeenCalled();
  });
});

describe('handleText', () => {
  it('parses JSON and dispatches', async () => {
    const res = await handleText(createFakeHost(), JSON.stringify({ id: 1, method: 'sysfs.read', params: { path: '/sys/kernel/vgt/control/foreground_vm' } }));
    expect(res).toEqual({ id: 1, result: { value: '0' } });
  });

  it('answers malformed JSON with an invalid error and id null', async () => {
    const res = await handleText(createFakeHost(), '{"id": 1, "method": ');
    expect(res).toMatchObject({ id: null, error: { code: 'invalid' } });
    expect('error' in res && res.error.message).toContain('not valid JSON');
  });
});

describe('serializeResponse', () => {
  it('turns an unserializable result into an internal error', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const text = serializeResponse({ id: 1, result: cyclic }, quiet);
    expect(JSON.parse(text)).toMatchObject({ id: 1, error: { code: 'internal' } });
  });
});

describe('frame flow', () => {
  const frame = (source: number, seq: number, fill = 7): Uint8Array =>
    encodeFrame({ source, width: 2, height: 1, x: 0, y: 0, w: 2, h: 1, seq }, new Uint8Array(8).fill(fill));

  it('peeks source and seq from a frame header and rejects non-frames', () => {
    expect(peekFrameHeader(frame(3, 99))).toEqual({ source: 3, width: 2, height: 1, x: 0, y: 0, w: 2, h: 1, seq: 99 });
    expect(peekFrameHeader(new Uint8Array(10))).toBeNull();
    expect(peekFrameHeader(new Uint8Array(40))).toBeNull();
  });

  it('drops frames while congested and repaints the source from a snapshot once drained', async () => {
    const host = createFakeHost();
    host.snapshots.set(1, { width: 2, height: 1, rgba: new Uint8Array(8).fill(9) });
    const sent: Uint8Array[] = [];
    let congested = false;
    const flow = new FrameFlow(host, { congested: () => congested, isOpen: () => true, send: (m) => sent.push(m) }, quiet.log, 5);

    expect(flow.offer(frame(1, 1))).toBe(true);
    congested = true;
    expect(flow.offer(frame(1, 2))).toBe(false);
    expect(flow.offer(frame(1, 3))).toBe(false);
    expect(flow.staleSources()).toEqual([1]);
    expect(sent).toHaveLength(1);

    congested = false; // drains; the retry timer notices without another frame
    await vi.waitFor(() => expect(flow.stats.resyncs).toBe(1), { timeout: 10_000 });
    expect(sent).toHaveLength(2);
    const repaint = decodeFrame(sent[1]!);
    expect(repaint).toMatchObject({ source: 1, x: 0, y: 0, w: 2, h: 1, seq: 3 });
    expect([...repaint.rgba]).toEqual(new Array(8).fill(9));
    // The repaint is the host's binary whole frame (no JSON, no base64 on the way).
    expect(host.snapshotCalls).toEqual([1]);

    expect(flow.offer(frame(1, 4))).toBe(true);
    expect(flow.stats).toEqual({ sent: 2, dropped: 2, resyncs: 1, unwatched: 0 });
    flow.dispose();
  });

  it('repairs only the region its dropped frames covered; a size change asks for the whole frame', async () => {
    const host = createFakeHost();
    host.snapshots.set(1, { width: 2, height: 1, rgba: new Uint8Array(8) });
    let congested = true;
    const flow = new FrameFlow(host, { congested: () => congested, isOpen: () => true, send: () => undefined }, quiet.log, 5);
    const rect = (source: number, seq: number, x: number, y: number, w: number, h: number, width = 1920, height = 1200): Uint8Array =>
      encodeFrame({ source, width, height, x, y, w, h, seq }, new Uint8Array(w * h * 4));
    flow.offer(rect(1, 1, 100, 100, 10, 10));
    flow.offer(rect(1, 2, 300, 50, 20, 5));
    flow.offer(rect(3, 1, 0, 0, 4, 4));
    flow.offer(rect(3, 2, 0, 0, 8, 8, 1024, 768)); // a mode change
    congested = false;
    flow.kick();
    await vi.waitFor(() => expect(flow.staleSources()).toEqual([]), { timeout: 10_000 });
    // Two rectangles far apart stay two regions (not their bounding box); the mode change asks for the whole frame.
    expect(host.snapshotCalls).toEqual([1, 3]);
    expect(host.snapshotRegions).toEqual([[{ x: 100, y: 100, w: 10, h: 10, width: 1920, height: 1200 }, { x: 300, y: 50, w: 20, h: 5, width: 1920, height: 1200 }], null]);
    flow.dispose();
  });

  it('repairs several regions from one picture: a frame composed while they are fetched is not painted over by older pixels', async () => {
    // The client's screen: per pixel, the picture version it last received (a message's flip field).
    const W = 64;
    const H = 8;
    const screen = new Uint32Array(W * H);
    const paint = (m: Uint8Array): void => {
      const f = decodeFrame(m);
      for (let y = f.y; y < f.y + f.h; y++) screen.fill(f.flip, y * W + f.x, y * W + f.x + f.w);
    };
    // The host's picture version, and snapshot answers the test releases one at a time (each taken when released).
    let version = 1;
    const answers: (() => void)[] = [];
    const host = createFakeHost();
    host.snapshotFrame = (source, regions) =>
      new Promise((resolve) => {
        answers.push(() => resolve((regions ?? [{ x: 0, y: 0, w: W, h: H, width: W, height: H }]).map((r) => encodeFrame({ source: source as number, width: W, height: H, x: r.x, y: r.y, w: r.w, h: r.h, seq: 0, flip: version }, new Uint8Array(r.w * r.h * 4)))));
      });
    let congested = true;
    const flow = new FrameFlow(host, { congested: () => congested, isOpen: () => true, send: paint }, quiet.log, 1000);
    const frame = (x: number, w: number, seq: number): Uint8Array => encodeFrame({ source: 1, width: W, height: H, x, y: 0, w, h: H, seq, flip: version }, new Uint8Array(w * H * 4));
    // Two damage frames far apart are dropped: two regions to repair.
    flow.offer(frame(0, 8, 1));
    flow.offer(frame(48, 8, 2));
    congested = false;
    flow.kick();
    // Each answer arrives as its own message event, as the compositor thread's do: a task apart.
    const nextTask = (): Promise<void> => new Promise((r) => setTimeout(r, 0));
    await vi.waitFor(() => expect(answers.length).toBeGreaterThan(0), { timeout: 10_000 });
    answers.shift()!();
    await nextTask();
    // Then the picture changes over the first region and its frame goes out.
    version = 2;
    flow.offer(frame(0, 8, 3));
    while (answers.length > 0) {
      answers.shift()!();
      await nextTask();
    }
    await vi.waitFor(() => expect(flow.staleSources()).toEqual([]), { timeout: 10_000 });
    // Whatever order the messages went in, the first region shows the newest picture.
    expect([...screen.subarray(0, 8)]).toEqual(new Array(8).fill(2));
    flow.dispose();
  });

  it('asks for the physical snapshot for the physical source and gives up on a failed snapshot', async () => {
    const host = createFakeHost();
    host.snapshots.set(2, { width: 1, height: 1, rgba: Uint8Array.from([1, 2, 3, 4]) });
    const sent: Uint8Array[] = [];
    let congested = true;
    const log = vi.fn();
    const flow = new FrameFlow(host, { congested: () => congested, isOpen: () => true, send: (m) => sent.push(m) }, log, 5);
    flow.offer(frame(PHYSICAL_SOURCE, 1));
    flow.offer(frame(2, 1));
    host.failNext('snapshotFrame', new Error('GPU thread gone')); // the first one asked: the physical pipe
    congested = false;
    flow.kick();
    await vi.waitFor(() => expect(flow.staleSources()).toEqual([]), { timeout: 10_000 });
    expect([...host.snapshotCalls].sort()).toEqual([2, 'physical'].sort());
    // The failed one sends nothing.
    expect(sent.map((m) => decodeFrame(m).source)).toEqual([2]);
    expect(log).toHaveBeenCalled();
    flow.dispose();
  });

  it('resync sends the whole current picture at once and covers the repairs pending for it', async () => {
    const host = createFakeHost();
    host.snapshots.set(1, { width: 2, height: 1, rgba: new Uint8Array(8).fill(5) });
    const sent: Uint8Array[] = [];
    let congested = true;
    const flow = new FrameFlow(host, { congested: () => congested, isOpen: () => true, send: (m) => sent.push(m) }, quiet.log, 1000);
    flow.offer(frame(1, 1)); // dropped: a repair is pending
    congested = false;
    expect(await flow.resync(1)).toEqual({ width: 2, height: 1 });
    expect(sent.map((m) => decodeFrame(m))).toMatchObject([{ source: 1, x: 0, y: 0, w: 2, h: 1 }]);
    expect(flow.staleSources()).toEqual([]);
    expect(host.snapshotRegions).toEqual([null]);
    expect(await flow.resync(9)).toBeNull(); // no such source: nothing sent
    expect(sent).toHaveLength(1);
    flow.dispose();
  });

  it('resync behind a congested sink becomes a whole-frame repair, sent once it drains', async () => {
    const host = createFakeHost();
    host.snapshots.set('physical', { width: 2, height: 1, rgba: new Uint8Array(8).fill(3) });
    const sent: Uint8Array[] = [];
    let congested = true;
    const flow = new FrameFlow(host, { congested: () => congested, isOpen: () => true, send: (m) => sent.push(m) }, quiet.log, 5);
    expect(await flow.resync(PHYSICAL_SOURCE)).toEqual({ width: 2, height: 1 });
    expect(sent).toHaveLength(0);
    expect(flow.staleSources()).toEqual([PHYSICAL_SOURCE]);
    congested = false;
    await vi.waitFor(() => expect(sent).toHaveLength(1), { timeout: 10_000 });
    expect(decodeFrame(sent[0]!)).toMatchObject({ source: PHYSICAL_SOURCE, w: 2, h: 1 });
    expect(host.snapshotRegions).toEqual([null, null]);
    flow.dispose();
    expect(await flow.resync(PHYSICAL_SOURCE)).toBeNull(); // disposed: nothing more
  });

  it('addRect keeps at most MAX_REPAIR_RECTS rectangles, merging overlaps and then the cheapest pair', () => {
    const r = (x: number, y: number, w = 10, h = 10) => ({ x, y, w, h });
    expect(addRect([r(0, 0)], r(5, 5))).toEqual([r(0, 0, 15, 15)]);
    let rects = [r(0, 0)];
    for (const x of [100, 200, 300]) rects = addRect(rects, r(x, 0));
    expect(rects).toHaveLength(MAX_REPAIR_RECTS);
    // A fifth joins the one nearest (least growth): 300 → 300..410.
    rects = addRect(rects, r(400, 0));
    expect(rects).toHaveLength(MAX_REPAIR_RECTS);
    expect(rects).toContainEqual(r(300, 0, 110, 10));
    // A merge that swallows a neighbour folds it in.
    expect(addRect([r(0, 0), r(20, 0)], r(5, 0, 20, 10))).toEqual([r(0, 0, 30, 10)]);
  });

  describe('frame.watch (a live stream)', () => {
    /** A flow whose snapshots answer only when the test says (answer()), with an interest in a fake host. */
    function live() {
      const host = createFakeHost();
      const waiting: (() => void)[] = [];
      const real = host.snapshotFrame.bind(host);
      host.snapshotFrame = (source, regions) => new Promise((ok) => waiting.push(() => void real(source, regions).then(ok)));
      const sent: Uint8Array[] = [];
      const flow = new FrameFlow(host, { congested: () => false, isOpen: () => true, send: (m) => sent.push(m) }, quiet.log, 1000, host.frameInterest());
      const answer = async (): Promise<void> => {
        for (const w of waiting.splice(0)) w();
        await new Promise((r) => setTimeout(r, 0));
      };
      return { host, flow, sent, answer, waiting };
    }

    it('sends only watched sources; a newly watched one gets a whole picture, its frames wait for it, a second ask joins it', async () => {
      const { host, flow, sent, answer, waiting } = live();
      host.snapshots.set(2, { width: 2, height: 1, rgba: new Uint8Array(8).fill(0xaa) });
      expect(flow.watch([1])).toEqual({ watching: 1 });
      expect(flow.offer(frame(1, 1))).toBe(true);
      expect(flow.offer(frame(2, 2))).toBe(false);
      expect(flow.watch([1, 2, 2])).toEqual({ watching: 2 });
      // The picture is being fetched: frames of 2 composed before it are in it, so they are not sent.
      expect(flow.offer(frame(2, 3))).toBe(false);
      const again = flow.resync(2); // FrameCanvas's own ask as its window mounts: joins the fetch
      expect(waiting).toHaveLength(1);
      await answer();
      await expect(again).resolves.toEqual({ width: 2, height: 1 });
      expect(flow.offer(frame(2, 4))).toBe(true);
      expect(sent.map((m) => [peekFrameHeader(m)!.source, peekFrameHeader(m)!.seq])).toEqual([[1, 1], [2, 0], [2, 4]]);
      expect(decodeFrame(sent[1]!).rgba[0]).toBe(0xaa);
      expect(host.snapshotCalls).toEqual([2]);
      expect(flow.stats).toMatchObject({ sent: 2, unwatched: 2, resyncs: 1 });
    });

    it('tells the host its set; watchAll (a reloaded page) and dispose (gone) change the union', () => {
      const { host, flow } = live();
      expect(host.composed).toEqual([[], null]);
      flow.watch([PHYSICAL_SOURCE, 3]);
      expect(host.composed.at(-1)).toEqual([3, PHYSICAL_SOURCE]);
      flow.watchAll();
      expect(host.composed.at(-1)).toBeNull();
      flow.dispose();
      expect(host.composed.at(-1)).toEqual([]);
    });

    it('drops repairs pending for a source no longer watched', async () => {
      const host = createFakeHost();
      let congested = false;
      const flow = new FrameFlow(host, { congested: () => congested, isOpen: () => true, send: () => undefined }, quiet.log, 1000, host.frameInterest());
      congested = true;
      flow.offer(frame(1, 1));
      flow.offer(frame(2, 2));
      expect(flow.staleSources().sort()).toEqual([1, 2]);
      flow.watch([2]);
      expect(flow.staleSources()).toEqual([2]);
      flow.dispose();
    });

    it('a stream with no live frames (the CLI socket) refuses frame.watch', async () => {
      const host = createFakeHost();
      const flow = new FrameFlow(host, { congested: () => false, isOpen: () => true, send: () => undefined });
      expect(() => flow.watch([1])).toThrow(/frame.watch: this connection carries no live frames/);
      const res = await handleRequest(host, { id: 1, method: 'frame.watch', params: { sources: [1] } }, { context: { frames: flow } });
      expect(res).toMatchObject({ id: 1, error: { code: 'invalid' } });
      expect(await handleRequest(host, { id: 2, method: 'frame.watch', params: { sources: [1] } })).toMatchObject({ id: 2, error: { code: 'invalid', message: expect.stringContaining('carries no frames') } });
    });
  });

  it('does nothing for a closed sink', () => {
    const send = vi.fn();
    const flow = new FrameFlow(createFakeHost(), { congested: () => false, isOpen: () => false, send });
    expect(flow.offer(frame(1, 1))).toBe(false);
    expect(send).not.toHaveBeenCalled();
  });
});
