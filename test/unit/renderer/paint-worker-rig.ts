/** The paint worker's handler run in-process, and canvases that record what is painted on them. */
import type { PaintCanvas } from '../../../src/renderer/lib/canvas-painter';
import type { FromWorker, ToWorker } from '../../../src/renderer/lib/frame-paint-protocol';
import { paintWorkerHandler } from '../../../src/renderer/lib/paint-worker-core';

/** A canvas whose 2D context paints into a plain RGBA buffer (putImageData, the painter's only call) and records each put's destination rect. */
export function fakeCanvas(): PaintCanvas & { pixels: () => Uint8ClampedArray; puts: number[][] } {
  const puts: number[][] = [];
  let pixels = new Uint8ClampedArray(0);
  const canvas = {
    width: 0,
    height: 0,
    puts,
    pixels: () => pixels,
    getContext: () => ({
      putImageData(image: ImageData, dx: number, dy: number, sx: number, sy: number, sw: number, sh: number) {
        if (pixels.length !== canvas.width * canvas.height * 4) pixels = new Uint8ClampedArray(canvas.width * canvas.height * 4);
        puts.push([dx, dy, sw, sh]);
        for (let row = 0; row < sh; row++) {
          const from = ((sy + row) * image.width + sx) * 4;
          pixels.set(image.data.subarray(from, from + sw * 4), ((dy + row) * canvas.width + dx) * 4);
        }
      },
    }),
  };
  return canvas as unknown as PaintCanvas & { pixels: () => Uint8ClampedArray; puts: number[][] };
}

/**
 * The worker's handler with its animation frames and the tasks it queues behind its messages
 * (afterQueued) run by hand, and its messages collected. `handle` runs the queued tasks after the
 * message unless told `{ queued: true }` (more messages already waiting behind it).
 */
export function worker(relay: (m: FromWorker) => void = () => undefined, now = 1020) {
  const out: FromWorker[] = [];
  const frames: (() => void)[] = [];
  const tasks: (() => void)[] = [];
  const handler = paintWorkerHandler(
    (m) => {
      out.push(m);
      relay(m);
    },
    {
      nextFrame: (fn) => void frames.push(fn),
      now: () => now,
      afterQueued: (fn) => void tasks.push(fn),
    },
  );
  const runQueued = (): void => {
    for (const fn of tasks.splice(0)) fn();
  };
  const handle = (m: ToWorker, opts: { queued?: boolean } = {}): void => {
    handler(m);
    if (!opts.queued) runQueued();
  };
  const animationFrame = (): void => {
    for (const fn of frames.splice(0)) fn();
  };
  return { out, handle, animationFrame, runQueued };
}

