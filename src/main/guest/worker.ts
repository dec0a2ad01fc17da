/**
 * Guest worker entry: one worker thread per VM (its vCPU). Guest RAM, the trap mailbox and the
 * input queue are SharedArrayBuffers shared with the host; serial output goes to the host as
 * messages. The vCPU halts on the mailbox's WAKE word between interrupts and stays stopped there
 * while the domain is paused. When the guest powers off or reboots, the thread ends with that reason.
 */
import type { DisplayLayoutName } from './display-layout';
import { parentPort, workerData } from 'node:worker_threads';
import { InputQueue } from '../../shared/input-queue';
import { MB_HALTED, MB_IRQ, MB_PAUSE, MB_SHUTDOWN, MB_STOP, MB_WAKE } from '../../shared/trap-mailbox';
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
  /** xl.cfg keymap= (e.g. 'en-us'): the guest's keyboard layout. */
  keymap: string;
  /** usbdevice='tablet': an absolute USB tablet, else a PS/2 mouse. */
  tablet: boolean;
  /** gvt_display_layout: the desktop over several monitors. */
  displayLayout: DisplayLayoutName;
  ram: SharedArrayBuffer;
  dirty: SharedArrayBuffer;
  mailbox: SharedArrayBuffer;
  doorbell: SharedArrayBuffer;
  input: SharedArrayBuffer;
}

/** What the worker tells the host. */
export type GuestMessage = { type: 'serial'; text: string } | { type: 'exit'; reason: 'poweroff' | 'reboot' | 'stopped' } | { type: 'crash'; message: string };

const data = workerData as GuestWorkerData;
const mb = new Int32Array(data.mailbox);
const started = performance.now();
let seenIrq = Atomics.load(mb, MB_IRQ);
let seenWake = Atomics.load(mb, MB_WAKE);
const post = (m: GuestMessage): void => parentPort?.postMessage(m);

/** Sleep on WAKE until it moves from `seen`, or `timeoutMs`, flagged as halted for xl list. */
function halt(timeoutMs: number): void {
  if (Atomics.load(mb, MB_WAKE) !== seenWake) return;
  Atomics.store(mb, MB_HALTED, 1);
  Atomics.wait(mb, MB_WAKE, seenWake, timeoutMs);
  Atomics.store(mb, MB_HALTED, 0);
}

try {
  const exit = runGuest(new MailboxTrapPort(mb, new Int32Array(data.doorbell)), new GuestRam(data.ram, data.dirty), {
    ...data,
    input: new InputQueue(data.input),
    serial: (text) => post({ type: 'serial', text }),
    waitIrq(timeoutMs) {
      halt(timeoutMs);
      seenWake = Atomics.load(mb, MB_WAKE);
      // xl pause: the vCPU does nothing more until it is unpaused (or the domain destroyed).
      while (Atomics.load(mb, MB_PAUSE) && !Atomics.load(mb, MB_STOP)) {
        halt(500);
        seenWake = Atomics.load(mb, MB_WAKE);
      }
      const now = Atomics.load(mb, MB_IRQ);
      const fired = now !== seenIrq;
      seenIrq = now;
      return fired;
    },
    shutdownRequest: () => Atomics.load(mb, MB_SHUTDOWN),
    nowMs: () => Date.now(),
    uptime: () => (performance.now() - started) / 1000,
    stopped: () => Atomics.load(mb, MB_STOP) !== 0,
  });
  post({ type: 'exit', reason: exit });
} catch (e) {
  if (e instanceof GuestStopped) post({ type: 'exit', reason: 'stopped' });
  else post({ type: 'crash', message: e instanceof Error ? `${e.message}\n${e.stack}` : String(e) });
}
