// @vitest-environment happy-dom
/**
 * The paint worker's ready handshake (frame-painter.ts): no canvas is transferred before the worker
 * says 'ready', the frames taken meanwhile reach it as whole pictures, and a worker that does not
 * load (an error event, or no word before the timeout) leaves the page painting its canvases itself.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FrameMessage } from '../../../src/shared/api';
import type { FromWorker, ToWorker } from '../../../src/renderer/lib/frame-paint-protocol';
import { DrainGate, WorkerPainter, type WorkerLike } from '../../../src/renderer/lib/frame-painter';
import { rgbaRect } from '../helpers/frames';
import { fakeCanvas } from './paint-worker-rig';

function frame(p: Partial<FrameMessage> & Pick<FrameMessage, 'x' | 'y' | 'w' | 'h'>, seed = 7): FrameMessage {
  return { source: 1, width: 8, height: 6, seq: 1, flip: 1, vblankMs: 1000, rgba: rgbaRect(p.w, p.h, seed), ...p };
}

describe('the paint worker\'s ready handshake (WorkerPainter)', () => {
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
    p.say({ kind: 'ready', downscale: 'simd' });
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

  it('a worker that cannot run the SIMD downscale says so; the page warns and still hands it the canvases', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const p = port();
      const painter = new WorkerPainter(p, new DrainGate());
      const canvas = pageCanvas();
      painter.attach(1, canvas);
      p.say({ kind: 'ready', downscale: 'js' });
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/WebAssembly SIMD.*downscaled in JS/));
      expect(painter.inWorker).toBe(true);
      expect(canvas.transferred).toBe(true);
    } finally {
      warn.mockRestore();
    }
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
    p.say({ kind: 'ready', downscale: 'simd' }); // too late: nothing moves
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
    p.say({ kind: 'ready', downscale: 'simd' });
    expect(canvas.transferred).toBe(false);
    expect(p.posted).toEqual([]);
  });
});
