/**
 * The guest's view of BAR0: every access traps to the mediator. `TrapPort` is what the guest
 * driver programs; `MailboxTrapPort` implements it over the shared trap mailbox (worker side).
 * Offsets are bytes from BAR0; the GTT window is at BAR0 + 8 MiB.
 */
import {
  MB_HI,
  MB_LO,
  MB_OFFSET,
  MB_OP,
  MB_RESULT,
  MB_STATE,
  MB_STOP,
  OP_APERTURE_READ32,
  OP_APERTURE_WRITE32,
  OP_READ32,
  OP_WRITE32,
  OP_WRITE64,
  STATE_DONE,
  STATE_IDLE,
  STATE_REQUEST,
} from '../../shared/trap-mailbox';

export interface TrapPort {
  read32(offset: number): number;
  write32(offset: number, value: number): void;
  /** A 64-bit write (writeq), e.g. a GGTT PTE. */
  write64(offset: number, lo: number, hi: number): void;
  /** CPU access through the aperture (BAR2); offset = GM address inside the vGPU's aperture. */
  apertureRead32(offset: number): number;
  apertureWrite32(offset: number, value: number): void;
}

/** How long a trapping guest polls for the answer before it sleeps on the mailbox, ms. */
const TRAP_SPIN_MS = 0.03;

/** Thrown inside the guest when the host asked it to stop while it waited on a trap. */
export class GuestStopped extends Error {}

export class MailboxTrapPort implements TrapPort {
  constructor(
    private readonly mb: Int32Array,
    private readonly doorbell: Int32Array,
  ) {}

  read32(offset: number): number {
    return this.trap(OP_READ32, offset, 0, 0);
  }

  write32(offset: number, value: number): void {
    this.trap(OP_WRITE32, offset, value, 0);
  }

  write64(offset: number, lo: number, hi: number): void {
    this.trap(OP_WRITE64, offset, lo, hi);
  }

  apertureRead32(offset: number): number {
    return this.trap(OP_APERTURE_READ32, offset, 0, 0);
  }

  apertureWrite32(offset: number, value: number): void {
    this.trap(OP_APERTURE_WRITE32, offset, value, 0);
  }

  private trap(op: number, offset: number, lo: number, hi: number): number {
    const mb = this.mb;
    mb[MB_OP] = op;
    mb[MB_OFFSET] = offset;
    mb[MB_LO] = lo | 0;
    mb[MB_HI] = hi | 0;
    Atomics.store(mb, MB_STATE, STATE_REQUEST);
    Atomics.add(this.doorbell, 0, 1);
    Atomics.notify(this.doorbell, 0);
    // The GPU thread usually answers within microseconds (it spins after each trap): poll that
    // long before sleeping, since a futex wake-up alone costs about as much as the whole trap.
    const spinUntil = performance.now() + TRAP_SPIN_MS;
    while (Atomics.load(mb, MB_STATE) !== STATE_DONE) {
      if (performance.now() < spinUntil) continue;
      Atomics.wait(mb, MB_STATE, STATE_REQUEST, 500);
      if (Atomics.load(mb, MB_STOP)) throw new GuestStopped('stopped');
    }
    const result = mb[MB_RESULT] >>> 0;
    Atomics.store(mb, MB_STATE, STATE_IDLE);
    return result;
  }
}
