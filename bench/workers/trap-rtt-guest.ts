/**
 * trap-rtt guest side: a worker thread standing in for a guest vCPU. It traps through the real
 * MailboxTrapPort (src/main/guest/trap-port.ts) to the GPU thread and times each access.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { MailboxTrapPort } from '../../src/main/guest/trap-port';
import { PVINFO, VGT_MAGIC_LO } from '../../src/shared/pvinfo';
import { VGT_PVINFO_PAGE } from '../../src/shared/regs';

export interface TrapRttGuestData {
  mailbox: SharedArrayBuffer;
  doorbell: SharedArrayBuffer;
  /** The plain register to read (bytes from BAR0) and the value written there first. */
  reg: number;
  value: number;
  warmup: number;
  count: number;
}

export interface TrapRttGuestResult {
  magicOk: boolean;
  /** Per-read round trip, µs. */
  reads: Float64Array;
  /** Per-write round trip, µs (write32 of the same register). */
  writes: Float64Array;
  /** Back-to-back performance.now() deltas, µs (the timer's own cost). */
  timer: Float64Array;
  mismatches: number;
}

const d = workerData as TrapRttGuestData;
const port = new MailboxTrapPort(new Int32Array(d.mailbox), new Int32Array(d.doorbell));
const magicOk = port.read32(VGT_PVINFO_PAGE + PVINFO.magic) === VGT_MAGIC_LO;
port.write32(d.reg, d.value);
let mismatches = 0;
for (let i = 0; i < d.warmup; i++) if (port.read32(d.reg) !== d.value) mismatches++;
const reads = new Float64Array(d.count);
for (let i = 0; i < d.count; i++) {
  const t0 = performance.now();
  const got = port.read32(d.reg);
  reads[i] = (performance.now() - t0) * 1000;
  if (got !== d.value) mismatches++;
}
const writes = new Float64Array(Math.floor(d.count / 4));
for (let i = 0; i < writes.length; i++) {
  const t0 = performance.now();
  port.write32(d.reg, d.value);
  writes[i] = (performance.now() - t0) * 1000;
}
const timer = new Float64Array(10000);
for (let i = 0; i < timer.length; i++) {
  const t0 = performance.now();
  timer[i] = (performance.now() - t0) * 1000;
}
const result: TrapRttGuestResult = { magicOk, reads, writes, timer, mismatches };
parentPort!.postMessage(result, [reads.buffer, writes.buffer, timer.buffer]);
