/**
 * trap-rtt guest side: a worker thread standing in for a guest vCPU. It traps through the real
 * MailboxTrapPort (src/main/guest/trap-port.ts) to the GPU thread and times each access, in rounds
 * the bench asks for by message (so that they can alternate with the raw ping-pong rounds); it
 * idles in its event loop between rounds.
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
}

/** What the bench asks for: a round of reads (`warmup` untimed, then `count` timed), or the closing writes and timer samples. */
export type TrapRttGuestCommand = { type: 'reads'; warmup: number; count: number } | { type: 'finish'; writes: number };

export type TrapRttGuestReply =
  | { type: 'ready'; magicOk: boolean }
  /** Per-read round trip, µs; reads that returned something else than `value`. */
  | { type: 'reads'; reads: Float64Array; mismatches: number }
  /** Per-write round trip, µs (write32 of the same register); back-to-back performance.now() deltas, µs (the timer's own cost). */
  | { type: 'finish'; writes: Float64Array; timer: Float64Array };

const d = workerData as TrapRttGuestData;
const port = new MailboxTrapPort(new Int32Array(d.mailbox), new Int32Array(d.doorbell));
const post = (m: TrapRttGuestReply, transfer: ArrayBuffer[] = []): void => parentPort!.postMessage(m, transfer);

const magicOk = port.read32(VGT_PVINFO_PAGE + PVINFO.magic) === VGT_MAGIC_LO;
port.write32(d.reg, d.value);
post({ type: 'ready', magicOk });

parentPort!.on('message', (m: TrapRttGuestCommand) => {
  if (m.type === 'reads') {
    let mismatches = 0;
    for (let i = 0; i < m.warmup; i++) if (port.read32(d.reg) !== d.value) mismatches++;
    const reads = new Float64Array(m.count);
    for (let i = 0; i < m.count; i++) {
      const t0 = performance.now();
      const got = port.read32(d.reg);
      reads[i] = (performance.now() - t0) * 1000;
      if (got !== d.value) mismatches++;
    }
    post({ type: 'reads', reads, mismatches }, [reads.buffer]);
    return;
  }
  const writes = new Float64Array(m.writes);
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
  post({ type: 'finish', writes, timer }, [writes.buffer, timer.buffer]);
  parentPort!.close();
});
