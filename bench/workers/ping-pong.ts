/**
 * trap-rtt's baseline: a raw Atomics ping-pong between two worker threads, the floor under any
 * trap round trip here. The `echo` side answers each ping; the `ping` side times round trips, in
 * rounds the bench asks for by message (so that they can alternate with the trap rounds), and
 * both sides sleep between rounds. `wait` mode sleeps in Atomics.wait and wakes the other side
 * with Atomics.notify (the blocking limit); `spin` mode polls with Atomics.load (the limit when
 * both sides spin, as the trap path does first).
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';

export interface PingPongData {
  role: 'ping' | 'echo';
  mode: 'wait' | 'spin';
  /**
   * Int32Array cell 0: 0 idle, 1 ping, 2 pong; cell 1: RUN, PAUSED (between rounds: the echo
   * sleeps on this cell) or STOP. Starts PAUSED.
   */
  cells: SharedArrayBuffer;
}

/** A round the bench asks the `ping` side for: `warmup` untimed round trips, then `count` timed ones. */
export interface PingPongRound {
  warmup: number;
  count: number;
}

export const RUN = 0;
export const PAUSED = 1;
export const STOP = 2;

/** The worker body (the bench imports this module for its types and constants only). */
function run(d: PingPongData): void {
  const c = new Int32Array(d.cells);

  /** Wait until cell 0 holds `value`; false when the round ended (cell 1 left RUN) meanwhile. */
  const waitFor = (value: number): boolean => {
    while (Atomics.load(c, 0) !== value) {
      if (d.mode === 'wait') Atomics.wait(c, 0, Atomics.load(c, 0), 100);
      if (Atomics.load(c, 1) !== RUN) return false;
    }
    return true;
  };

  const send = (value: number): void => {
    Atomics.store(c, 0, value);
    if (d.mode === 'wait') Atomics.notify(c, 0);
  };

  const setRun = (state: number): void => {
    Atomics.store(c, 1, state);
    Atomics.notify(c, 1);
    Atomics.notify(c, 0);
  };

  if (d.role === 'echo') {
    parentPort!.postMessage('ready');
    for (;;) {
      const state = Atomics.load(c, 1);
      if (state === STOP) break;
      if (state === PAUSED) {
        Atomics.wait(c, 1, PAUSED, 100);
        continue;
      }
      if (waitFor(1)) send(2);
    }
    return;
  }
  parentPort!.on('message', (m: PingPongRound | 'stop') => {
    if (m === 'stop') {
      setRun(STOP);
      parentPort!.close();
      return;
    }
    const rtt = new Float64Array(m.count);
    setRun(RUN);
    for (let i = 0; i < m.warmup + m.count; i++) {
      const t0 = performance.now();
      send(1);
      waitFor(2);
      if (i >= m.warmup) rtt[i - m.warmup] = (performance.now() - t0) * 1000;
    }
    setRun(PAUSED);
    parentPort!.postMessage(rtt, [rtt.buffer]);
  });
}

if (!isMainThread) run(workerData as PingPongData);
