/**
 * The trap mailbox between a guest worker (the vCPU) and the GPU thread (the mediator): one
 * SharedArrayBuffer of Int32 slots per guest. A guest MMIO access stores a request, rings the GPU
 * thread's doorbell and waits (Atomics.wait) until the mediator has emulated it, like a vCPU
 * stalled on a trapped access. The GPU thread delivers MSIs by bumping IRQ and notifying.
 */
export const MB_STATE = 0;
export const MB_OP = 1;
export const MB_OFFSET = 2;
export const MB_LO = 3;
export const MB_HI = 4;
export const MB_RESULT = 5;
/** MSI counter: incremented by the GPU thread for each interrupt message. */
export const MB_IRQ = 6;
/** Set to 1 by the host to ask the guest to shut down. */
export const MB_STOP = 7;
export const MAILBOX_SLOTS = 8;
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
