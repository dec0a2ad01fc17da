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
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { FromGpu, ToGpu, VgpuCreate } from '../src/main/host/gpu-protocol';
import { RpcClient } from '../src/shared/rpc';
import { DEFAULT_WEIGHT } from '../src/main/mediator/vgpu-types';
import { MAILBOX_BYTES } from '../src/shared/trap-mailbox';
import { MiB } from '../src/shared/platform';
import { PIPESRC_A } from '../src/shared/regs';
import { benchLine, fmt, header, now, percentile } from './lib/common';
import { mediatedGuest, mediatedHost } from './lib/systems';
import type { TrapRttGuestData, TrapRttGuestResult } from './workers/trap-rtt-guest';
import type { PingPongData } from './workers/ping-pong';

const COUNT = 20_000;
const WARMUP = 3_000;
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

function runGuest(data: TrapRttGuestData): Promise<TrapRttGuestResult> {
  return new Promise((resolve, reject) => {
    const w = new Worker(join(__dirname, 'trap-rtt-guest.cjs'), { workerData: data });
    w.once('message', (r: TrapRttGuestResult) => {
      resolve(r);
      void w.terminate();
    });
    w.once('error', reject);
  });
}

/** Round trips of a raw Atomics ping-pong between two fresh worker threads (µs). */
async function pingPong(mode: PingPongData['mode']): Promise<number[]> {
  const cells = new SharedArrayBuffer(8);
  const echo = new Worker(join(__dirname, 'ping-pong.cjs'), { workerData: { role: 'echo', mode, cells, warmup: 0, count: 0 } satisfies PingPongData });
  await new Promise((ok) => echo.once('message', ok));
  const ping = new Worker(join(__dirname, 'ping-pong.cjs'), { workerData: { role: 'ping', mode, cells, warmup: WARMUP, count: COUNT } satisfies PingPongData });
  const rtt = await new Promise<Float64Array>((ok, fail) => {
    ping.once('message', ok);
    ping.once('error', fail);
  });
  await Promise.all([ping.terminate(), echo.terminate()]);
  return [...rtt];
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
    const ram = new SharedArrayBuffer(16 * MiB);
    const mailbox = new SharedArrayBuffer(MAILBOX_BYTES);
    await gpu.call('createVgpu', { domid: 1, name: 'bench', lowGmBytes: 128 * MiB, highGmBytes: 384 * MiB, fences: 4, weight: DEFAULT_WEIGHT, bootForeground: false, ram, mailbox, ports: [], maxResolution: { width: 1024, height: 768 } });
    const r = await runGuest({ mailbox, doorbell: gpu.doorbell, reg: REG, value: VALUE, warmup: WARMUP, count: COUNT });
    if (!r.magicOk) throw new Error('the guest did not find the PVINFO magic through the mailbox');
    if (r.mismatches) throw new Error(`${r.mismatches} trapped reads returned the wrong value`);
    const reads = [...r.reads];
    const writes = [...r.writes];
    const d = directReads();
    const raw = await pingPong('wait');
    const rawSpin = await pingPong('spin');
    const rawP50 = percentile(raw, 50);
    const trapP50 = percentile(reads, 50);
    const directP50 = percentile(d.perCall, 50);
    const us = (x: number): string => `${fmt(x)} µs`;
    console.log(`register: PIPESRC_A (0x${REG.toString(16)}), a plain vreg read; ${COUNT} timed reads after ${WARMUP} warm-up`);
    const row = (label: string, text: string): void => console.log(`${label.padEnd(72)} ${text}`);
    row('trapped read  (guest worker -> mailbox -> GPU thread -> Mediator.mmioRead)', `p50 ${us(trapP50)}, p90 ${us(percentile(reads, 90))}, p99 ${us(percentile(reads, 99))}, max ${us(percentile(reads, 100))}`);
    row(`trapped write (write32 of the same register, ${writes.length} samples)`, `p50 ${us(percentile(writes, 50))}, p99 ${us(percentile(writes, 99))}`);
    row(`direct read   (function call into Mediator.mmioRead, batches of ${DIRECT_BATCH})`, `p50 ${us(directP50)}, p99 ${us(percentile(d.perCall, 99))} per call`);
    row('direct read, individually timed (timer-dominated)', `p50 ${us(percentile(d.single, 50))}, p99 ${us(percentile(d.single, 99))}`);
    row('timer: back-to-back performance.now() in the guest worker', `p50 ${us(percentile([...r.timer], 50))}`);
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
