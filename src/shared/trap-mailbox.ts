/**
 * The trap mailbox between a guest worker (the vCPU) and the GPU thread (the mediator): one
 * SharedArrayBuffer of Int32 slots per guest. A guest MMIO access stores a request, rings the GPU
 * thread's doorbell unless the GPU thread is already polling this mailbox (POLLED), and waits until
 * the mediator has emulated it (polling STATE briefly, then Atomics.wait), like a vCPU stalled on a
 * trapped access. Neither side calls Atomics.notify unless the other may be asleep (POLLED,
 * WAITING): a trap answered while both spin costs about what a raw Atomics ping-pong does.
 * The GPU thread delivers MSIs by bumping IRQ; every interrupt source (the GPU's MSI, the keyboard
 * and tablet, the serial line, a power-button request, a stop) also bumps WAKE and notifies it:
 * a halted vCPU sleeps on WAKE, the way a CPU in HLT waits for any IRQ.
 */
// The slots a trap touches (STATE to WAITING) come first and span 32 bytes, so that they share
// one cache line unless the buffer starts in the last 16 bytes of one (Node allocates it with
// calloc: 16-byte aligned). Each line a round trip touches is one more transfer between the two
// cores; with POLLED and WAITING behind the other slots (bytes 48-55) a trap touched two lines
// in 3 of 4 placements, and trap-rtt's p50 came out at either 0.8 or 1.1 µs from run to run.
export const MB_STATE = 0;
export const MB_OP = 1;
export const MB_OFFSET = 2;
export const MB_LO = 3;
export const MB_HI = 4;
export const MB_RESULT = 5;
/**
 * 1 while the GPU thread is polling this mailbox (it spins for a while after each trap): a trap
 * then needs no doorbell. 0 (also a fresh mailbox) while it may be asleep on the doorbell: ring
 * it. Written by the GPU thread only. The guest stores STATE and then loads POLLED; the GPU thread
 * stores POLLED = 0 and then loads every STATE before it sleeps (both sequentially consistent
 * Atomics), so either the guest rings or the GPU thread sees the request: no trap is missed.
 */
export const MB_POLLED = 6;
/**
 * 1 while the guest sleeps in Atomics.wait on STATE (after its spin ran out): only then does the
 * GPU thread need Atomics.notify after storing DONE. Written by the guest only; the same argument
 * as for POLLED (guest: store WAITING, then wait checks STATE; GPU: store STATE, then load WAITING).
 */
export const MB_WAITING = 7;
/** MSI counter: incremented by the GPU thread for each interrupt message. */
export const MB_IRQ = 8;
/** Set to 1 by the host when the domain is destroyed: the vCPU stops wherever it is. */
export const MB_STOP = 9;
/** Wake counter: bumped (then notified) by every interrupt source, see above. */
export const MB_WAKE = 10;
/** 1 while the domain is paused (`xl pause`): the vCPU runs nothing until it is 0 again. */
export const MB_PAUSE = 11;
/** A shutdown request from the toolstack (Xen's control/shutdown node): one of SHUTDOWN_*. */
export const MB_SHUTDOWN = 12;
/** 1 while the vCPU is halted waiting for an interrupt (xl list's "b" state), set by the guest. */
export const MB_HALTED = 13;
export const MAILBOX_SLOTS = 14;
export const MAILBOX_BYTES = MAILBOX_SLOTS * 4;

/** STATE: no trap yet; a request is waiting for the GPU thread; answered (until the next request). */
export const STATE_IDLE = 0;
export const STATE_REQUEST = 1;
export const STATE_DONE = 2;

export const OP_READ32 = 1;
export const OP_WRITE32 = 2;
export const OP_WRITE64 = 3;
/**
 * CPU access through the aperture (BAR2). On real GVT-g the vGPU's aperture slice is mapped into
 * the guest and not trapped; here the GPU model must apply the fences' detiling, so it is a trap.
 */
export const OP_APERTURE_READ32 = 4;
export const OP_APERTURE_WRITE32 = 5;

/** MB_SHUTDOWN values: no request, `xl shutdown` (power off), `xl reboot`. */
export const SHUTDOWN_NONE = 0;
export const SHUTDOWN_POWEROFF = 1;
export const SHUTDOWN_REBOOT = 2;

/** Raise an interrupt on the guest's vCPU: bump WAKE and wake it if halted. */
export function wakeVcpu(mb: Int32Array): void {
  Atomics.add(mb, MB_WAKE, 1);
  Atomics.notify(mb, MB_WAKE);
}
