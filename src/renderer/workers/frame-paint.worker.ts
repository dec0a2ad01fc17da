/**
 * The paint worker: takes the page's frame batches and canvases (transferred as OffscreenCanvas)
 * and decodes + paints off the page's main thread, as batches come (a canvas attached or resized at
 * the worker's next animation frame). See
 * paint-worker-core.ts; loaded by frame-painter.ts as a module worker (CSP worker-src 'self'), which
 * transfers no canvas before this module has said 'ready' (else the page paints itself).
 */
import { simdDownscaleAvailable } from '../lib/area-downscale-wasm';
import { paintWorkerHandler } from '../lib/paint-worker-core';
import type { FromWorker, ToWorker } from '../lib/frame-paint-protocol';

/** The parts of DedicatedWorkerGlobalScope used here (the web tsconfig has the DOM's types, not the worker's). */
interface WorkerScope {
  postMessage(message: FromWorker): void;
  onmessage: ((ev: MessageEvent<ToWorker>) => void) | null;
  requestAnimationFrame?: (fn: () => void) => number;
}
const scope = self as unknown as WorkerScope;
// A message to itself queues behind the page's messages already waiting (a timer need not).
const queue = new MessageChannel();
const queued: (() => void)[] = [];
queue.port1.onmessage = () => queued.shift()?.();
const handle = paintWorkerHandler((m: FromWorker) => scope.postMessage(m), {
  // Chromium gives dedicated workers requestAnimationFrame (synchronised with OffscreenCanvas commits);
  // used only for whole repaints (attach, size): frames paint as their batch arrives.
  nextFrame: (fn) => (scope.requestAnimationFrame ? void scope.requestAnimationFrame(fn) : void setTimeout(fn, 16)),
  now: () => performance.timeOrigin + performance.now(),
  afterQueued: (fn) => {
    queued.push(fn);
    queue.port2.postMessage(null);
  },
});
scope.onmessage = (ev: MessageEvent<ToWorker>) => handle(ev.data);
scope.postMessage({ kind: 'ready', downscale: simdDownscaleAvailable() ? 'simd' : 'js' });
