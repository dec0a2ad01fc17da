/**
 * Dirty log: a bit per 1 KiB block of a guest's RAM, in a SharedArrayBuffer of its own, set by
 * whatever writes pixels there — the emulated GPU (the blitter's destinations) and the guest's CPU
 * (what it draws) — and collected by the compositor, which then compares only the parts of a
 * surface whose blocks were written. It plays the role of KVM's dirty page logging, which QEMU's
 * display code reads (memory_region_snapshot_and_clear_dirty) to refresh only what the guest
 * touched; finer than KVM's 4 KiB pages on purpose: a 1920-pixel row is 7.5 KiB, so a page bit
 * would mark whole rows where a window 372 pixels wide changed.
 *
 * Each writing thread has a half of its own (GPU_LOG, CPU_LOG) and sets its bits with a plain OR
 * after writing the pixels: with one writer per half no bit can be lost, and the compositor, the
 * only one to clear, takes words with Atomics.exchange (a bit set again meanwhile only costs it a
 * second look). A writer that does not log is caught by the compositor's periodic full comparison.
 * Browser-safe, no imports.
 */

/** log2 of the bytes one bit covers. */
export const DIRTY_BLOCK_SHIFT = 10;

/** The emulated GPU's half (the GPU thread writes it). */
export const GPU_LOG = 0;
/** The guest CPU's half (its vCPU thread writes it). */
export const CPU_LOG = 1;

/** Bytes of the log for `ramBytes` of RAM: two halves of one bit per block, in whole 32-bit words. */
export function dirtyLogBytes(ramBytes: number): number {
  return 2 * Math.ceil(Math.ceil(ramBytes / 2 ** DIRTY_BLOCK_SHIFT) / 32) * 4;
}

/**
 * Mark the blocks holding bytes [offset, offset + bytes) of the RAM in `writer`'s half of `log`.
 * Bytes beyond the log's blocks are ignored (a write outside RAM has nowhere to land).
 */
export function markDirty(log: Uint32Array, writer: typeof GPU_LOG | typeof CPU_LOG, offset: number, bytes: number): void {
  if (bytes <= 0 || offset < 0) return;
  const half = log.length >>> 1;
  const first = offset >>> DIRTY_BLOCK_SHIFT;
  const last = Math.min((offset + bytes - 1) >>> DIRTY_BLOCK_SHIFT, half * 32 - 1);
  // A word's worth of bits at a time (a blitter chunk, within one page, is a single OR).
  for (let b = first; b <= last; b = (b | 31) + 1) {
    const hi = Math.min(last, b | 31) & 31;
    const lo = b & 31;
    log[writer * half + (b >>> 5)] |= hi === 31 ? ~((1 << lo) - 1) : ((1 << (hi + 1)) - 1) & ~((1 << lo) - 1);
  }
}
