/**
 * Guest worker entry: one worker thread per VM (its vCPU). Guest RAM and the trap mailbox are
 * SharedArrayBuffers shared with the GPU thread; serial output goes to the host as messages.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { MB_IRQ, MB_STOP } from '../../shared/trap-mailbox';
import { runGuest } from './boot';
import { GuestRam } from './guest-ram';
import { GuestStopped, MailboxTrapPort } from './trap-port';

export interface GuestWorkerData {
  name: string;
  domid: number;
  memoryMiB: number;
  vcpus: number;
  vgt: boolean;
  workload: string;
  ram: SharedArrayBuffer;
  mailbox: SharedArrayBuffer;
  doorbell: SharedArrayBuffer;
}

const data = workerData as GuestWorkerData;
const mb = new Int32Array(data.mailbox);
const started = performance.now();
let seenIrq = Atomics.load(mb, MB_IRQ);

try {
  runGuest(new MailboxTrapPort(mb, new Int32Array(data.doorbell)), new GuestRam(data.ram), {
    ...data,
    serial: (line) => parentPort?.postMessage({ type: 'serial', text: line + '\n' }),
    waitIrq(timeoutMs) {
      if (Atomics.load(mb, MB_IRQ) === seenIrq) Atomics.wait(mb, MB_IRQ, seenIrq, timeoutMs);
      const now = Atomics.load(mb, MB_IRQ);
      const fired = now !== seenIrq;
      seenIrq = now;
      return fired;
    },
    nowMs: () => Date.now(),
    uptime: () => (performance.now() - started) / 1000,
    stopped: () => Atomics.load(mb, MB_STOP) !== 0,
  });
  parentPort?.postMessage({ type: 'exit', code: 0 });
} catch (e) {
  if (e instanceof GuestStopped) parentPort?.postMessage({ type: 'exit', code: 0 });
  else parentPort?.postMessage({ type: 'crash', message: e instanceof Error ? `${e.message}\n${e.stack}` : String(e) });
}
