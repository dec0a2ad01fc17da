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
  MB_POLLED,
  MB_RESULT,
  MB_STATE,
  MB_STOP,
  MB_WAITING,
  OP_APERTURE_READ32,
  OP_APERTURE_WRITE32,
  OP_READ32,
  OP_WRITE32,
  OP_WRITE64,
  STATE_DONE,
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

/** How long a trapping guest polls for the answer before it sleeps on the mailbox, ms (at most). */
const TRAP_SPIN_MS = 0.03;
/**
 * The least it polls, ms. The budget halves after each trap whose answer came only after the
 * guest fell asleep and doubles (up to TRAP_SPIN_MS) after each answered while polling: when other
 * work leaves the guest and the GPU thread one core between them, polling only delays the GPU
 * thread (trap-rtt under load: p50 44 µs with a fixed 30 µs spin, 16 µs adaptive), and an idle GPU
 * thread takes far longer than 30 µs to wake; on free cores the budget stays at the maximum.
 */
const TRAP_SPIN_MIN_MS = 0.002;
/**
 * Polls of STATE between two reads of the clock while spinning (a power of two). performance.now()
 * costs about as much as 5-10 polls, and reading it on every poll delayed noticing the answer by
 * half a clock read on average; 64 polls are well under a microsecond.
 */
const POLLS_PER_CLOCK = 64;

/** Thrown inside the guest when the host asked it to stop while it waited on a trap. */
export class GuestStopped extends Error {}

export class MailboxTrapPort implements TrapPort {
  /** Current poll budget, ms, between TRAP_SPIN_MIN_MS and TRAP_SPIN_MS. */
  private spinMs = TRAP_SPIN_MS;

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
    // A GPU thread polling this mailbox sees the request by itself; one that may be asleep needs
    // the doorbell (see MB_POLLED for why this store-then-load order cannot lose a trap).
    if (Atomics.load(mb, MB_POLLED) === 0) {
      Atomics.add(this.doorbell, 0, 1);
      Atomics.notify(this.doorbell, 0);
    }
    // Even when it rang, the guest polls no longer than its budget: polling on while the GPU
    // thread wakes up (tried: 250 µs) doubled the first trap after idle (~150 -> ~400 µs), the
    // poller keeping busy the core the woken thread wanted.
    if (Atomics.load(mb, MB_STATE) !== STATE_DONE) this.awaitAnswer(mb);
    // STATE stays DONE until the next request: storing IDLE here would take the mailbox's cache
    // line back from the GPU thread's core before returning, a cross-core round trip per trap.
    return mb[MB_RESULT] >>> 0;
  }

  /**
   * Wait for STATE = DONE. The GPU thread usually answers within a microsecond (it polls after
   * each trap), so poll for the current budget first, since a futex wake-up alone costs tens of
   * µs; then sleep on STATE, flagged in WAITING so the GPU thread knows to notify.
   */
  private awaitAnswer(mb: Int32Array): void {
    let spinUntil = -1;
    for (let polls = 1; Atomics.load(mb, MB_STATE) !== STATE_DONE; polls++) {
      if ((polls & (POLLS_PER_CLOCK - 1)) !== 0) continue;
      const now = performance.now();
      if (spinUntil < 0) spinUntil = now + this.spinMs;
      else if (now >= spinUntil) {
        this.spinMs = Math.max(TRAP_SPIN_MIN_MS, this.spinMs / 2);
        this.sleepForAnswer(mb);
        return;
      }
    }
    this.spinMs = Math.min(TRAP_SPIN_MS, this.spinMs * 2);
  }

  private sleepForAnswer(mb: Int32Array): void {
    while (Atomics.load(mb, MB_STATE) !== STATE_DONE) {
      Atomics.store(mb, MB_WAITING, 1);
      Atomics.wait(mb, MB_STATE, STATE_REQUEST, 500);
      Atomics.store(mb, MB_WAITING, 0);
      if (Atomics.load(mb, MB_STOP)) throw new GuestStopped('stopped');
    }
  }
}
