/**
 * The trap mailbox between a guest worker (the vCPU) and the GPU thread (the mediator): one
 * SharedArrayBuffer of Int32 slots per guest. A guest MMIO access stores a request, rings the GPU
 * thread's doorbell and waits (Atomics.wait) until the mediator has emulated it, like a vCPU
 * stalled on a trapped access. The GPU thread delivers MSIs by bumping IRQ; every interrupt source
 * (the GPU's MSI, the keyboard and tablet, the serial line, a power-button request, a stop) also
 * bumps WAKE and notifies it: a halted vCPU sleeps on WAKE, the way a CPU in HLT waits for any IRQ.
 */
export const MB_STATE = 0;
export const MB_OP = 1;
export const MB_OFFSET = 2;
export const MB_LO = 3;
export const MB_HI = 4;
export const MB_RESULT = 5;
/** MSI counter: incremented by the GPU thread for each interrupt message. */
export const MB_IRQ = 6;
/** Set to 1 by the host when the domain is destroyed: the vCPU stops wherever it is. */
export const MB_STOP = 7;
/** Wake counter: bumped (then notified) by every interrupt source, see above. */
export const MB_WAKE = 8;
/** 1 while the domain is paused (`xl pause`): the vCPU runs nothing until it is 0 again. */
export const MB_PAUSE = 9;
/** A shutdown request from the toolstack (Xen's control/shutdown node): one of SHUTDOWN_*. */
export const MB_SHUTDOWN = 10;
/** 1 while the vCPU is halted waiting for an interrupt (xl list's "b" state), set by the guest. */
export const MB_HALTED = 11;
export const MAILBOX_SLOTS = 12;
export const MAILBOX_BYTES = MAILBOX_SLOTS * 4;

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
