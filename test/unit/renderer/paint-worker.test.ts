// @vitest-environment happy-dom
/**
 * The paint worker's pieces without a browser: packing a task's frame rects into one transferred
 * buffer, the worker's handler (decode, paint at once, 'taken' with the paints; a canvas attached
 * later painted at its animation frame, 'painted'), and the
 * page side (WorkerPainter) against the real handler run in this thread, with the acknowledgement
 * gate between them. The ready handshake is in paint-worker-ready.test.ts.
 */
import { describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { FRAME_RLE32, decodeFrameCoded, encodeFrame, type CodedFrameMessage, type FrameMessage } from '../../../src/shared/api';
import { encodeBatch, splitBatch } from '../../../src/shared/frame-batch';
import { packFrames, unpackFrames, type FromWorker, type ToWorker } from '../../../src/renderer/lib/frame-paint-protocol';
import { DrainGate, WorkerPainter, type WorkerLike } from '../../../src/renderer/lib/frame-painter';
import { downscaleRect, makeAxis } from '../../../src/renderer/lib/area-downscale';
import { rgbaRect } from '../helpers/frames';
import { fakeCanvas, worker } from './paint-worker-rig';

function raw(p: Partial<FrameMessage> & Pick<FrameMessage, 'x' | 'y' | 'w' | 'h'>, seed = 7): FrameMessage {
  return { source: 1, width: 8, height: 6, seq: 1, flip: 1, vblankMs: 1000, rgba: rgbaRect(p.w, p.h, seed), ...p };
}

const coded = (f: FrameMessage): CodedFrameMessage => decodeFrameCoded(encodeFrame(f, new Uint8Array(f.rgba.buffer), FRAME_RLE32)) as CodedFrameMessage;

/** The whole w x h frame downscaled to tw x th in one go (the reference for what a canvas shows). */
function downscaled(rgba: Uint8ClampedArray, w: number, h: number, tw: number, th: number): Uint8ClampedArray {
  const out = new Uint8ClampedArray(tw * th * 4);
  downscaleRect(rgba, makeAxis(w, tw), makeAxis(h, th), 0, 0, tw, th, out, tw);
  return out;
}

const framesMessage = (list: (FrameMessage | CodedFrameMessage)[]): ToWorker => ({ kind: 'frames', ...packFrames(list) });

describe('frame batches to the paint worker (packFrames / unpackFrames)', () => {
  it('packs raw and RLE32 rects into one buffer, word-aligned, and unpacks them to the same frames', () => {
    const a = raw({ x: 0, y: 0, w: 3, h: 1 }, 1);
    const b = coded(raw({ x: 2, y: 2, w: 4, h: 3, seq: 2 }, 2));
    const { frames, payload } = packFrames([a, b]);
    expect(frames.map((f) => [f.coding, f.offset % 4])).toEqual([
      ['rgba', 0],
      ['rle32', 0],
    ]);
    expect(payload.byteLength).toBe(a.rgba.byteLength + b.rle32.byteLength);
    const [ua, ub] = unpackFrames(frames, payload);
    expect(ua).toEqual(a);
    expect(ub).toEqual(b);
  });

  it('hands over the frames of one WebSocket batch in that batch\'s own buffer, nothing copied', () => {
    const a = raw({ x: 0, y: 0, w: 3, h: 1 }, 1);
    const b = raw({ x: 2, y: 2, w: 4, h: 3, seq: 2 }, 2);
    const wire = encodeBatch([encodeFrame(a, new Uint8Array(a.rgba.buffer), FRAME_RLE32), encodeFrame(b, new Uint8Array(b.rgba.buffer))]);
    const received = splitBatch(wire).map((m) => decodeFrameCoded(m));
    const { frames, payload } = packFrames(received);
    expect(payload).toBe(wire.buffer);
    expect(frames.map((f) => [f.coding, f.offset % 4])).toEqual([
      ['rle32', 0],
      ['rgba', 0],
    ]);
    const [ua, ub] = unpackFrames(frames, payload);
    expect(ua).toEqual(coded(a));
    expect(ub).toEqual(b);
  });

  it('refuses a header that points outside the batch (RangeError naming the source)', () => {
    const { frames, payload } = packFrames([raw({ x: 0, y: 0, w: 2, h: 2 })]);
    expect(() => unpackFrames([{ ...frames[0]!, bytes: 1000 }], payload)).toThrow(/source 1 at bytes 0\+1000 outside a 16-byte batch/);
    expect(() => unpackFrames([{ ...frames[0]!, offset: 2, bytes: 4 }], payload)).toThrow(RangeError);
  });
});

describe('the paint worker (paintWorkerHandler)', () => {
  it('paints as batches come (once per run of queued ones), exactly at 1:1, and answers taken with the flips painted', () => {
    const w = worker();
    const canvas = fakeCanvas();
    w.handle({ kind: 'attach', source: 1, canvas: canvas as unknown as OffscreenCanvas });
    const full = raw({ x: 0, y: 0, w: 8, h: 6 }, 3);
    w.handle(framesMessage([coded(full)]));
    expect([canvas.width, canvas.height]).toEqual([8, 6]);
    expect([...canvas.pixels()]).toEqual([...full.rgba]);
    expect(w.out).toEqual([{ kind: 'taken', batches: 1, painted: [{ source: 1, flip: 1, latencyMs: 20, width: 8, height: 6 }] }]);
    w.animationFrame(); // the attach's repaint found nothing left to do
    expect(w.out).toHaveLength(1);

    // Damage only: one rect, and a paint for the new flip, without waiting for an animation frame.
    const rect = raw({ x: 5, y: 3, w: 2, h: 2, seq: 2, flip: 2 }, 9);
    w.handle(framesMessage([rect]));
    const at = (x: number, y: number) => [...canvas.pixels().subarray((y * 8 + x) * 4, (y * 8 + x) * 4 + 4)];
    expect(at(6, 4)).toEqual([1, 1, 9, 255]);
    expect(at(4, 3)).toEqual([4, 3, 3, 255]); // left of the rect: the first frame's pixel
    expect(w.out.at(-1)).toEqual({ kind: 'taken', batches: 1, painted: [{ source: 1, flip: 2, latencyMs: 20, width: 8, height: 6 }] });
    // Batches queued behind each other are all taken, and painted once, the newest picture.
    const before = w.out.length;
    w.handle(framesMessage([raw({ x: 0, y: 0, w: 1, h: 1, seq: 3, flip: 3 }, 1)]), { queued: true });
    w.handle(framesMessage([raw({ x: 0, y: 0, w: 1, h: 1, seq: 4, flip: 4 }, 2)]), { queued: true });
    expect(w.out).toHaveLength(before);
    w.runQueued();
    expect(w.out.slice(before)).toEqual([{ kind: 'taken', batches: 2, painted: [{ source: 1, flip: 4, latencyMs: 20, width: 8, height: 6 }] }]);
    expect(at(0, 0)).toEqual([0, 0, 2, 255]);
    // The same flip again (a repair): painted, not reported as a new frame.
    w.handle(framesMessage([raw({ x: 0, y: 0, w: 1, h: 1, seq: 5, flip: 4 })]));
    expect(w.out.at(-1)).toEqual({ kind: 'taken', batches: 1, painted: [] });
  });

  it('a canvas attached after its frames is painted whole at the next animation frame (painted)', () => {
    const w = worker();
    const full = raw({ x: 0, y: 0, w: 8, h: 6 }, 3);
    w.handle(framesMessage([full]));
    expect(w.out).toEqual([{ kind: 'taken', batches: 1, painted: [] }]);
    const canvas = fakeCanvas();
    w.handle({ kind: 'attach', source: 1, canvas: canvas as unknown as OffscreenCanvas });
    expect(canvas.width).toBe(0);
    w.animationFrame();
    expect([...canvas.pixels()]).toEqual([...full.rgba]);
    expect(w.out.at(-1)).toEqual({ kind: 'painted', source: 1, flip: 1, latencyMs: 20, width: 8, height: 6 });
  });

  it('paints a canvas shown smaller area-averaged, no wider than asked, aspect kept, then only the damage', () => {
    const w = worker();
    const canvas = fakeCanvas();
    w.handle({ kind: 'attach', source: 1, canvas: canvas as unknown as OffscreenCanvas });
    w.handle({ kind: 'size', source: 1, width: 4 });
    const full = raw({ x: 0, y: 0, w: 8, h: 6 }, 3);
    w.handle(framesMessage([full]));
    expect([canvas.width, canvas.height]).toEqual([4, 3]);
    expect([...canvas.pixels()]).toEqual([...downscaled(full.rgba, 8, 6, 4, 3)]);
    // A 1x1 damage at (5, 3) changes shown pixel (2, 1) alone: its 2x2 block averaged anew.
    const puts = canvas.puts.length;
    w.handle(framesMessage([raw({ x: 5, y: 3, w: 1, h: 1, seq: 2, flip: 2 }, 203)]));
    expect(canvas.puts.slice(puts)).toEqual([[2, 1, 1, 1]]);
    // Block (4..5, 2..3): red 4,5,4,0 (the damage is rgbaRect's (0, 0) = [0, 0, 203]); green 2,2,3,0; blue 3,3,3,203.
    expect([...canvas.pixels().subarray((1 * 4 + 2) * 4, (1 * 4 + 2) * 4 + 4)]).toEqual([Math.floor(13 / 4 + 0.5), Math.floor(7 / 4 + 0.5), Math.floor(212 / 4 + 0.5), 255]);
  });

  it('shown smaller, painting damage rect after damage rect gives the whole final frame downscaled (property)', () => {
    const rect = fc.record({ x: fc.nat(12), y: fc.nat(8), w: fc.integer({ min: 1, max: 13 }), h: fc.integer({ min: 1, max: 9 }), seed: fc.nat(255) });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 13 }), fc.array(fc.array(rect, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 6 }), (shownW, batches) => {
        const W = 13;
        const H = 9;
        const w = worker();
        const canvas = fakeCanvas();
        w.handle({ kind: 'attach', source: 1, canvas: canvas as unknown as OffscreenCanvas });
        w.handle({ kind: 'size', source: 1, width: shownW });
        const truth = new Uint8ClampedArray(W * H * 4);
        const apply = (f: FrameMessage): void => {
          for (let y = f.y; y < Math.min(H, f.y + f.h); y++)
            for (let x = f.x; x < Math.min(W, f.x + f.w); x++) truth.set(f.rgba.subarray(((y - f.y) * f.w + (x - f.x)) * 4, ((y - f.y) * f.w + (x - f.x)) * 4 + 4), (y * W + x) * 4);
        };
        const first = raw({ width: W, height: H, x: 0, y: 0, w: W, h: H }, 1);
        apply(first);
        w.handle(framesMessage([first]));
        batches.forEach((rects, i) => {
          const frames = rects.map((r) => raw({ width: W, height: H, x: r.x, y: r.y, w: Math.min(r.w, W - r.x), h: Math.min(r.h, H - r.y), seq: i + 2, flip: i + 2 }, r.seed));
          frames.forEach(apply);
          w.handle(framesMessage(frames));
        });
        const shownH = Math.max(1, Math.round((shownW * H) / W));
        expect([canvas.width, canvas.height]).toEqual([shownW, shownH]);
        expect([...canvas.pixels()]).toEqual([...downscaled(truth, W, H, shownW, shownH)]);
      }),
    );
  });

  it('a batch that does not decode is reported and still taken; other sources and later batches paint', () => {
    const w = worker();
    const { frames, payload } = packFrames([coded(raw({ x: 0, y: 0, w: 8, h: 6 }))]);
    new Uint32Array(payload).fill(0xffffffff); // tokens that announce more pixels than the rect holds
    w.handle({ kind: 'frames', frames, payload });
    expect(w.out.map((m) => m.kind)).toEqual(['error', 'taken']);
    w.handle(framesMessage([raw({ source: 2, x: 0, y: 0, w: 8, h: 6 })]));
    expect(w.out.at(-1)).toEqual({ kind: 'taken', batches: 1, painted: [] });
  });

  it('a detached source is not painted; a forgotten one starts from a blank picture', () => {
    const w = worker();
    const canvas = fakeCanvas();
    w.handle({ kind: 'attach', source: 1, canvas: canvas as unknown as OffscreenCanvas });
    w.handle({ kind: 'detach', source: 1 });
    w.handle(framesMessage([raw({ x: 0, y: 0, w: 8, h: 6 })]));
    w.animationFrame();
    expect(canvas.width).toBe(0);
    const again = fakeCanvas();
    w.handle({ kind: 'forget', source: 1 });
    w.handle({ kind: 'attach', source: 1, canvas: again as unknown as OffscreenCanvas });
    w.handle(framesMessage([raw({ x: 0, y: 0, w: 1, h: 1, seq: 2 }, 5)]));
    w.animationFrame();
    expect([...again.pixels().subarray(4, 8)]).toEqual([0, 0, 0, 0]); // the first frame's pixels went with the forget
  });
});

describe('the page side (WorkerPainter) and the acknowledgement gate', () => {
  /** A WorkerLike that runs the worker's handler here, its messages a microtask later (as postMessage is async). */
  function inProcess() {
    const posted: ToWorker[] = [];
    const port: WorkerLike = {
      onmessage: null,
      onerror: null,
      postMessage(message) {
        posted.push(message);
        w.handle(message);
      },
    };
    const w = worker((m) => queueMicrotask(() => port.onmessage?.({ data: m } as MessageEvent<FromWorker>)));
    return { ...w, port, posted, deliver: () => new Promise((r) => setTimeout(r, 0)) };
  }
  /** A WorkerPainter whose worker has said 'ready'. */
  function ready(port: WorkerLike, gate: DrainGate): WorkerPainter {
    const painter = new WorkerPainter(port, gate);
    port.onmessage!({ data: { kind: 'ready', downscale: 'simd' } } as MessageEvent<FromWorker>);
    return painter;
  }

  it('sends the rects of one task as one transferred batch and relays the worker\'s paints', async () => {
    const w = inProcess();
    const gate = new DrainGate();
    const painter = ready(w.port, gate);
    const painted = vi.fn();
    painter.onPainted(painted);
    painter.apply(raw({ x: 0, y: 0, w: 8, h: 6 }));
    painter.apply(coded(raw({ x: 1, y: 1, w: 2, h: 2 }, 4)));
    expect(w.posted).toEqual([]); // flushed at the end of the task
    await Promise.resolve();
    expect(w.posted.map((m) => (m.kind === 'frames' ? m.frames.length : m.kind))).toEqual([2]);
    await w.deliver();
    expect(gate.pending).toBe(0);
    w.handle({ kind: 'attach', source: 1, canvas: fakeCanvas() as unknown as OffscreenCanvas });
    w.animationFrame();
    await w.deliver();
    expect(painted).toHaveBeenCalledWith({ source: 1, flip: 1, latencyMs: 20, width: 8, height: 6 });
    // Later batches paint as they are taken: the paint comes with the 'taken'.
    painter.apply(raw({ x: 0, y: 0, w: 2, h: 2, seq: 2, flip: 2 }));
    await Promise.resolve();
    await w.deliver();
    expect(painted).toHaveBeenLastCalledWith({ source: 1, flip: 2, latencyMs: 20, width: 8, height: 6 });
    expect(gate.pending).toBe(0);
  });

  it('acknowledgements wait until the worker has taken every batch handed before them', async () => {
    const gate = new DrainGate();
    const held: FromWorker[] = [];
    const port: WorkerLike = { onmessage: null, onerror: null, postMessage: (m) => void (m.kind === 'frames' && held.push({ kind: 'taken', batches: 1, painted: [] })) };
    const painter = ready(port, gate);
    painter.apply(raw({ x: 0, y: 0, w: 1, h: 1 }));
    await Promise.resolve();
    painter.apply(raw({ x: 0, y: 0, w: 1, h: 1, seq: 2 }));
    await Promise.resolve();
    expect(gate.pending).toBe(2);
    const ack = vi.fn();
    gate.whenTaken(ack);
    // A batch handed later does not hold back what was asked before it (a stream never drains).
    painter.apply(raw({ x: 0, y: 0, w: 1, h: 1, seq: 3 }));
    expect(gate.pending).toBe(3);
    const later = vi.fn();
    gate.whenTaken(later);
    port.onmessage!({ data: held[0]! } as MessageEvent<FromWorker>);
    expect(ack).not.toHaveBeenCalled();
    port.onmessage!({ data: held[1]! } as MessageEvent<FromWorker>);
    expect(ack).toHaveBeenCalledTimes(1);
    expect(later).not.toHaveBeenCalled();
    await Promise.resolve();
    port.onmessage!({ data: held[2]! } as MessageEvent<FromWorker>);
    expect(later).toHaveBeenCalledTimes(1);
    gate.whenTaken(ack); // nothing outstanding: at once
    expect(ack).toHaveBeenCalledTimes(2);
  });

  it('a worker that fails releases the acknowledgements it held', async () => {
    const gate = new DrainGate();
    const port: WorkerLike = { onmessage: null, onerror: null, postMessage: () => undefined };
    const painter = ready(port, gate);
    painter.apply(raw({ x: 0, y: 0, w: 1, h: 1 }));
    await Promise.resolve();
    const ack = vi.fn();
    gate.whenTaken(ack);
    vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    port.onerror!({ message: 'boom' } as ErrorEvent);
    expect(ack).toHaveBeenCalledTimes(1);
    expect(gate.pending).toBe(0);
  });
});
