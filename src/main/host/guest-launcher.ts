/**
 * Starts each guest in its own worker thread (its vCPU) with its RAM, trap mailbox and the GPU
 * thread's doorbell, and stops it by raising the mailbox's stop flag (then terminating).
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { MAILBOX_BYTES, MB_STOP, wakeVcpu } from '../../shared/trap-mailbox';
import type { GuestHandle, GuestLaunch, GuestLauncher } from '../vm/domains';
import type { GuestMessage, GuestWorkerData } from '../guest/worker';

/** How long a guest gets to notice the stop flag before its thread is terminated, ms. */
const STOP_GRACE_MS = 1000;

export class WorkerGuestLauncher implements GuestLauncher {
  readonly mailboxBytes = MAILBOX_BYTES;

  constructor(
    private readonly workerDir: string,
    private readonly doorbell: () => SharedArrayBuffer,
  ) {}

  launch(l: GuestLaunch): GuestHandle {
    const data: GuestWorkerData = {
      name: l.spec.name,
      domid: l.domid,
      memoryMiB: l.spec.memoryMiB,
      vcpus: l.spec.vcpus,
      vgt: l.spec.vgt,
      workload: l.spec.workload,
      keymap: l.spec.keymap,
      tablet: l.spec.tablet,
      displayLayout: l.spec.displayLayout,
      ram: l.ram,
      dirty: l.dirty,
      mailbox: l.mailbox,
      doorbell: this.doorbell(),
      input: l.input,
    };
    const worker = new Worker(join(this.workerDir, 'guest-worker.js'), { workerData: data });
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    let stopping = false;
    worker.on('message', (m: GuestMessage) => {
      if (m.type === 'serial') l.onSerial(m.text);
      else if (m.type === 'crash') l.onExit({ kind: 'crash', message: m.message });
      else if (m.type === 'exit' && m.reason !== 'stopped' && !stopping) l.onExit({ kind: m.reason });
    });
    worker.on('error', (e) => l.onExit({ kind: 'crash', message: e.message }));
    worker.on('exit', (code) => {
      if (!stopping && code !== 0) l.onExit({ kind: 'crash', message: `guest thread exited with code ${code}` });
    });
    const mb = new Int32Array(l.mailbox);
    return {
      async stop() {
        stopping = true;
        Atomics.store(mb, MB_STOP, 1);
        wakeVcpu(mb);
        const timer = setTimeout(() => void worker.terminate(), STOP_GRACE_MS);
        await exited;
        clearTimeout(timer);
      },
    };
  }
}
