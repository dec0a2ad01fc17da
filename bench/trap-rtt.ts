/**
 * trap-rtt: MMIO trap round trip from a real guest worker thread to the real GPU thread over the
 * actual trap mailbox. The GPU thread is src/main/host/gpu-thread.ts itself (bundled next to this
 * file by bench/run.mjs), driven through its message protocol exactly as the host does: wait for
 * `ready` (the doorbell), `createVgpu` with a RAM and a mailbox SharedArrayBuffer. The guest side is
 * a worker using MailboxTrapPort (bench/workers/trap-rtt-guest.ts). The GPU thread keeps running
 * its 1 ms scheduler tick and 60 Hz vblank meanwhile, as in the app.
 * Compared with a raw Atomics.wait/notify ping-pong between two worker threads (the floor for a
 * blocking round trip here; a spinning ping-pong is printed too) and, for scale, a plain
 * function-call read of the same register on one thread (the unit-test rig's direct trap port).
 * The trapped reads and the spinning ping-pong are measured in alternating rounds: a round trip
 * between two cores costs about 0.5 µs here and about 0.2 µs when the kernel (or the hypervisor)
 * puts the two threads on one core's SMT siblings, and that placement can change within a run;
 * measured one after the other, the ratio came out at 1.4 or 3.8 depending on which phase got
 * which placement.
 */
import { dirtyLogBytes } from '../src/shared/dirty-log';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { FromGpu, ToGpu, VgpuCreate } from '../src/main/host/gpu-protocol';
import { RpcClient } from '../src/shared/rpc';
import { DEFAULT_WEIGHT } from '../src/main/mediator/vgpu-types';
import { MAILBOX_BYTES } from '../src/shared/trap-mailbox';
import { MiB } from '../src/shared/platform';
import { allocateGuestRam } from '../src/main/gpu/ram-ops';
import { PIPESRC_A } from '../src/shared/regs';
import { benchLine, fmt, header, now, percentile } from './lib/common';
import { mediatedGuest, mediatedHost } from './lib/systems';
import type { TrapRttGuestCommand, TrapRttGuestData, TrapRttGuestReply } from './workers/trap-rtt-guest';
import { PAUSED, type PingPongData, type PingPongRound } from './workers/ping-pong';

const COUNT = 20_000;
const WARMUP = 3_000;
/** COUNT timed reads (and as many spinning ping-pong round trips) in this many alternating rounds. */
const ROUNDS = 5;
/**
 * Untimed round trips at the start of every round after the first. Between rounds the GPU thread
 * goes to sleep; the wake-ups that follow can leave it on the guest's core for a few ms (each then
 * waits for the other to sleep: about 16 µs per trap) until the kernel moves one of them; the
 * warm-up keeps that out of the timed reads, as the first round's WARMUP always did.
 */
const ROUND_WARMUP = 2_000;
/** A plain register: the mediator serves reads from the vGPU's vreg (no side effects). */
const REG = PIPESRC_A;
const VALUE = ((1079 << 16) | 1919) >>> 0;
const DIRECT_BATCH = 1000;
const DIRECT_SAMPLES = 400;

function startGpuThread(): Promise<{ worker: Worker; doorbell: SharedArrayBuffer; call: (op: 'createVgpu', args: VgpuCreate) => Promise<unknown> }> {
  const worker = new Worker(join(__dirname, 'gpu-thread.cjs'));
  // The same RPC core the host's GpuClient uses.
  const rpc = new RpcClient({
    send: (request) => {
      worker.postMessage({ type: 'call', request } satisfies ToGpu);
      return true;
    },
  });
  return new Promise((resolve, reject) => {
    worker.on('error', reject);
    worker.on('message', (msg: FromGpu) => {
      if (msg.type === 'ready') {
        resolve({ worker, doorbell: msg.doorbell, call: (op, args) => rpc.call(op, args) });
      } else if (msg.type === 'response') {
        rpc.receive(msg.response);
      }
      // frames, foreground and failsafe events are not needed here.
    });
  });
}

/** A worker that answers one message with one message (the guest side, the ping side of a ping-pong). */
function ask<T>(w: Worker, m: unknown): Promise<T> {
  return new Promise((ok, fail) => {
    const onError = (e: Error): void => fail(e);
    w.once('error', onError);
    w.once('message', (r: T) => {
      w.off('error', onError);
      ok(r);
    });
    w.postMessage(m);
  });
}

/** The guest worker, once it has found the PVINFO magic and written the register. */
async function startGuest(data: TrapRttGuestData): Promise<{ worker: Worker; magicOk: boolean }> {
  const worker = new Worker(join(__dirname, 'trap-rtt-guest.cjs'), { workerData: data });
  const ready = await new Promise<TrapRttGuestReply>((ok, fail) => {
    worker.once('message', ok);
    worker.once('error', fail);
  });
  return { worker, magicOk: ready.type === 'ready' && ready.magicOk };
}

/** A raw Atomics ping-pong between two fresh worker threads; `round` times round trips (µs). */
async function startPingPong(mode: PingPongData['mode']): Promise<{ round: (r: PingPongRound) => Promise<Float64Array>; stop: () => Promise<void> }> {
  const cells = new SharedArrayBuffer(8);
  Atomics.store(new Int32Array(cells), 1, PAUSED);
  const echo = new Worker(join(__dirname, 'ping-pong.cjs'), { workerData: { role: 'echo', mode, cells } satisfies PingPongData });
  await new Promise((ok) => echo.once('message', ok));
  const ping = new Worker(join(__dirname, 'ping-pong.cjs'), { workerData: { role: 'ping', mode, cells } satisfies PingPongData });
  return {
    round: (r) => ask<Float64Array>(ping, r),
    stop: async () => {
      ping.postMessage('stop');
      await Promise.all([new Promise((ok) => ping.once('exit', ok)), new Promise((ok) => echo.once('exit', ok))]);
    },
  };
}

/** Plain function-call reads of the same register on this thread, through the Mediator. */
function directReads(): { perCall: number[]; single: number[] } {
  const h = mediatedHost();
  const g = mediatedGuest(h, 1);
  g.port.write32(REG, VALUE);
  let bad = 0;
  for (let i = 0; i < 200_000; i++) if (g.port.read32(REG) !== VALUE) bad++;
  // Batches: one call is far shorter than the timer's resolution and cost, so time 1000 at once.
  const perCall: number[] = [];
  for (let s = 0; s < DIRECT_SAMPLES; s++) {
    const t0 = now();
    for (let i = 0; i < DIRECT_BATCH; i++) if (g.port.read32(REG) !== VALUE) bad++;
    perCall.push(((now() - t0) * 1000) / DIRECT_BATCH);
  }
  // Individually timed, like the trap samples (dominated by the timer itself; printed for reference).
  const single: number[] = [];
  for (let s = 0; s < COUNT; s++) {
    const t0 = now();
    if (g.port.read32(REG) !== VALUE) bad++;
    single.push((now() - t0) * 1000);
  }
  if (bad) throw new Error(`${bad} direct reads returned the wrong value`);
  return { perCall, single };
}

async function main(): Promise<void> {
  header('trap-rtt', 'MMIO trap round trip guest worker -> GPU thread (Atomics mailbox) vs a direct function-call read');
  const gpu = await startGpuThread();
  try {
    // Guest RAM as domains.ts allocates it: the wasm memory goes to the GPU thread with it.
    const { buffer: ram, memory: ramMemory } = allocateGuestRam(16 * MiB);
    const mailbox = new SharedArrayBuffer(MAILBOX_BYTES);
    await gpu.call('createVgpu', { domid: 1, name: 'bench', lowGmBytes: 128 * MiB, highGmBytes: 384 * MiB, fences: 4, weight: DEFAULT_WEIGHT, bootForeground: false, ram, ramMemory, dirty: new SharedArrayBuffer(dirtyLogBytes(ram.byteLength)), mailbox, ports: [], maxResolution: { width: 1024, height: 768 } });
    const guest = await startGuest({ mailbox, doorbell: gpu.doorbell, reg: REG, value: VALUE });
    if (!guest.magicOk) throw new Error('the guest did not find the PVINFO magic through the mailbox');
    const spin = await startPingPong('spin');
    const reads: number[] = [];
    const rawSpin: number[] = [];
    let mismatches = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const warmup = i === 0 ? WARMUP : ROUND_WARMUP;
      const count = COUNT / ROUNDS;
      const trapRound = async (): Promise<void> => {
        const r = await ask<TrapRttGuestReply>(guest.worker, { type: 'reads', warmup, count } satisfies TrapRttGuestCommand);
        if (r.type !== 'reads') throw new Error(`guest: unexpected ${r.type}`);
        reads.push(...r.reads);
        mismatches += r.mismatches;
      };
      const spinRound = async (): Promise<void> => void rawSpin.push(...(await spin.round({ warmup, count })));
      // Alternate which goes first, so that neither always follows the other.
      if (i % 2 === 0) {
        await trapRound();
        await spinRound();
      } else {
        await spinRound();
        await trapRound();
      }
    }
    await spin.stop();
    if (mismatches) throw new Error(`${mismatches} trapped reads returned the wrong value`);
    const fin = await ask<TrapRttGuestReply>(guest.worker, { type: 'finish', writes: Math.floor(COUNT / 4) } satisfies TrapRttGuestCommand);
    if (fin.type !== 'finish') throw new Error(`guest: unexpected ${fin.type}`);
    const writes = [...fin.writes];
    const d = directReads();
    const wait = await startPingPong('wait');
    const raw = [...(await wait.round({ warmup: WARMUP, count: COUNT }))];
    await wait.stop();
    const rawP50 = percentile(raw, 50);
    const trapP50 = percentile(reads, 50);
    const directP50 = percentile(d.perCall, 50);
    const us = (x: number): string => `${fmt(x)} µs`;
    console.log(`register: PIPESRC_A (0x${REG.toString(16)}), a plain vreg read; ${COUNT} timed reads in ${ROUNDS} rounds alternating with the spinning ping-pong's (${WARMUP} warm-up, then ${ROUND_WARMUP} per round)`);
    const row = (label: string, text: string): void => console.log(`${label.padEnd(72)} ${text}`);
    row('trapped read  (guest worker -> mailbox -> GPU thread -> Mediator.mmioRead)', `p50 ${us(trapP50)}, p90 ${us(percentile(reads, 90))}, p99 ${us(percentile(reads, 99))}, max ${us(percentile(reads, 100))}`);
    row(`trapped write (write32 of the same register, ${writes.length} samples)`, `p50 ${us(percentile(writes, 50))}, p99 ${us(percentile(writes, 99))}`);
    row(`direct read   (function call into Mediator.mmioRead, batches of ${DIRECT_BATCH})`, `p50 ${us(directP50)}, p99 ${us(percentile(d.perCall, 99))} per call`);
    row('direct read, individually timed (timer-dominated)', `p50 ${us(percentile(d.single, 50))}, p99 ${us(percentile(d.single, 99))}`);
    row('timer: back-to-back performance.now() in the guest worker', `p50 ${us(percentile([...fin.timer], 50))}`);
    row('raw ping-pong, Atomics.wait/notify (two worker threads)', `p50 ${us(rawP50)}, p99 ${us(percentile(raw, 99))}`);
    row('raw ping-pong, both sides spinning on Atomics.load', `p50 ${us(percentile(rawSpin, 50))}, p99 ${us(percentile(rawSpin, 99))}`);
    console.log(`trap rate: ${fmt(1e6 / trapP50)} round trips/s at p50; trap ÷ direct function call ${fmt(trapP50 / directP50)}`);
    // The floor is the faster of the two raw ping-pongs: the trap path spins before it sleeps.
    const floorP50 = Math.min(rawP50, percentile(rawSpin, 50));
    benchLine('trap-rtt', trapP50 / floorP50, `p50 trapped read µs ÷ p50 of the faster raw Atomics ping-pong (trap p50 ${fmt(trapP50)} µs, p99 ${fmt(percentile(reads, 99))} µs; raw spin p50 ${fmt(percentile(rawSpin, 50))} µs, raw wait/notify p50 ${fmt(rawP50)} µs; direct call p50 ${fmt(directP50)} µs)`);
  } finally {
    await gpu.worker.terminate();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
