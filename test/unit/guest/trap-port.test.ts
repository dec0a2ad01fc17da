/**
 * MailboxTrapPort against a stand-in for the GPU thread in a worker (plain JS, the mailbox protocol
 * of src/shared/trap-mailbox.ts): the guest rings the doorbell only when the GPU side is not
 * polling its mailbox (POLLED), and the GPU side calls Atomics.notify only when the guest sleeps
 * in Atomics.wait (WAITING). The test thread is the vCPU: it blocks in the trap like a guest does.
 */
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { GuestStopped, MailboxTrapPort } from '../../../src/main/guest/trap-port';
import { MAILBOX_BYTES, MB_LO, MB_OFFSET, MB_OP, MB_POLLED, MB_RESULT, MB_STATE, MB_STOP, MB_WAITING, OP_READ32, OP_WRITE32, STATE_DONE, STATE_REQUEST } from '../../../src/shared/trap-mailbox';

/**
 * The stand-in: `polling` keeps POLLED = 1 and spins on STATE; `sleeping` keeps POLLED = 0 and
 * sleeps on the doorbell. It answers a read of offset X with X ^ 0x5a5a0000 after `delayMs`, counts
 * the notifies it sent in ctl[1], and stops when ctl[0] is set. Writes are recorded in ctl[2].
 */
const STANDIN = `
const { workerData } = require('node:worker_threads');
const { mailbox, doorbell, ctl: ctlBuf, mode, delayMs, S } = workerData;
const mb = new Int32Array(mailbox);
const bell = new Int32Array(doorbell);
const ctl = new Int32Array(ctlBuf);
Atomics.store(mb, S.POLLED, mode === 'polling' ? 1 : 0);
Atomics.store(ctl, 3, 1); // ready
let seen = Atomics.load(bell, 0);
while (!Atomics.load(ctl, 0)) {
  if (Atomics.load(mb, S.STATE) !== S.REQUEST) {
    if (mode === 'sleeping') {
      Atomics.wait(bell, 0, seen, 20);
      seen = Atomics.load(bell, 0);
    }
    continue;
  }
  if (delayMs) { const until = Date.now() + delayMs; while (Date.now() < until); }
  const op = mb[S.OP];
  if (op === S.READ32) mb[S.RESULT] = (mb[S.OFFSET] ^ 0x5a5a0000) | 0;
  else if (op === S.WRITE32) Atomics.store(ctl, 2, mb[S.LO]);
  Atomics.store(mb, S.STATE, S.DONE);
  if (Atomics.load(mb, S.WAITING)) { Atomics.add(ctl, 1, 1); Atomics.notify(mb, S.STATE); }
}
`;

const SLOTS = { POLLED: MB_POLLED, WAITING: MB_WAITING, STATE: MB_STATE, OP: MB_OP, OFFSET: MB_OFFSET, LO: MB_LO, RESULT: MB_RESULT, REQUEST: STATE_REQUEST, DONE: STATE_DONE, READ32: OP_READ32, WRITE32: OP_WRITE32 };

interface Rig {
  port: MailboxTrapPort;
  mb: Int32Array;
  bell: Int32Array;
  ctl: Int32Array;
  worker: Worker;
}

let running: Rig | null = null;

async function rig(mode: 'polling' | 'sleeping' | 'silent', delayMs = 0): Promise<Rig> {
  const mailbox = new SharedArrayBuffer(MAILBOX_BYTES);
  const doorbell = new SharedArrayBuffer(4);
  const ctlBuf = new SharedArrayBuffer(16);
  const ctl = new Int32Array(ctlBuf);
  const worker = new Worker(mode === 'silent' ? 'Atomics.store(new Int32Array(require("node:worker_threads").workerData.ctl), 3, 1)' : STANDIN, { eval: true, workerData: { mailbox, doorbell, ctl: ctlBuf, mode, delayMs, S: SLOTS } });
  await new Promise<void>((ok, fail) => {
    worker.once('error', fail);
    worker.once('online', () => {
      const poll = (): void => (Atomics.load(ctl, 3) ? ok() : void setTimeout(poll, 1));
      poll();
    });
  });
  const mb = new Int32Array(mailbox);
  const bell = new Int32Array(doorbell);
  running = { port: new MailboxTrapPort(mb, bell), mb, bell, ctl, worker };
  return running;
}

afterEach(async () => {
  if (!running) return;
  Atomics.store(running.ctl, 0, 1);
  Atomics.add(running.bell, 0, 1);
  Atomics.notify(running.bell, 0);
  await running.worker.terminate();
  running = null;
});

describe('MailboxTrapPort', () => {
  it('does not ring the doorbell while the GPU side polls the mailbox, and leaves STATE at DONE', async () => {
    const r = await rig('polling');
    for (let i = 0; i < 2000; i++) expect(r.port.read32(i * 4)).toBe(((i * 4) ^ 0x5a5a0000) >>> 0);
    r.port.write32(0x2030, 0xdeadbeef);
    expect(Atomics.load(r.ctl, 2)).toBe(0xdeadbeef | 0);
    expect(Atomics.load(r.bell, 0)).toBe(0);
    expect(Atomics.load(r.mb, MB_STATE)).toBe(STATE_DONE);
    expect(Atomics.load(r.mb, MB_WAITING)).toBe(0);
  });

  it('rings the doorbell once per trap while the GPU side may be asleep on it', async () => {
    const r = await rig('sleeping');
    for (let i = 0; i < 200; i++) expect(r.port.read32(0x100 + i * 4)).toBe(((0x100 + i * 4) ^ 0x5a5a0000) >>> 0);
    expect(Atomics.load(r.bell, 0)).toBe(200);
  });

  it('sleeps in Atomics.wait when the answer is slow, flagged WAITING, and the notify wakes it at once', async () => {
    const r = await rig('polling', 20);
    const t0 = performance.now();
    expect(r.port.read32(0x44)).toBe((0x44 ^ 0x5a5a0000) >>> 0);
    const ms = performance.now() - t0;
    expect(Atomics.load(r.ctl, 1)).toBe(1); // the stand-in saw WAITING and notified
    expect(Atomics.load(r.mb, MB_WAITING)).toBe(0);
    expect(ms).toBeGreaterThanOrEqual(19);
    expect(ms).toBeLessThan(400); // woken by the notify, not by the 500 ms timeout
  });

  it('gives up with GuestStopped when the domain is stopped while it waits', async () => {
    const r = await rig('silent');
    Atomics.store(r.mb, MB_STOP, 1);
    expect(() => r.port.read32(0)).toThrow(GuestStopped);
  });
});
