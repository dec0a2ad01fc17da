/**
 * trap-rtt's baseline: a raw Atomics ping-pong between two worker threads, the floor under any
 * trap round trip here. The `echo` side answers each ping; the `ping` side times round trips.
 * `wait` mode sleeps in Atomics.wait and wakes the other side with Atomics.notify (the blocking
 * limit); `spin` mode polls with Atomics.load (the limit when both sides spin, as the trap path
 * does first).
 */
import { parentPort, workerData } from 'node:worker_threads';

export interface PingPongData {
  role: 'ping' | 'echo';
  mode: 'wait' | 'spin';
  /** Int32Array cell 0: 0 idle, 1 ping, 2 pong; cell 1: stop. */
  cells: SharedArrayBuffer;
  warmup: number;
  count: number;
}

const d = workerData as PingPongData;
const c = new Int32Array(d.cells);

function waitFor(value: number): void {
  while (Atomics.load(c, 0) !== value) {
    if (d.mode === 'wait') Atomics.wait(c, 0, Atomics.load(c, 0), 100);
    if (Atomics.load(c, 1)) return;
  }
}

function send(value: number): void {
  Atomics.store(c, 0, value);
  if (d.mode === 'wait') Atomics.notify(c, 0);
}

if (d.role === 'echo') {
  parentPort!.postMessage('ready');
  while (!Atomics.load(c, 1)) {
    waitFor(1);
    if (Atomics.load(c, 1)) break;
    send(2);
  }
} else {
  const rtt = new Float64Array(d.count);
  for (let i = 0; i < d.warmup + d.count; i++) {
    const t0 = performance.now();
    send(1);
    waitFor(2);
    if (i >= d.warmup) rtt[i - d.warmup] = (performance.now() - t0) * 1000;
  }
  Atomics.store(c, 1, 1);
  Atomics.notify(c, 0);
  parentPort!.postMessage(rtt, [rtt.buffer]);
}
