/**
 * Dirty log: a bit per 1 KiB block of a guest's RAM, in a SharedArrayBuffer of its own, set by
 * whatever writes there — the emulated GPU (the blitter's destinations) and the guest's CPU (what
 * it draws, its page-table edits) — and read by two consumers: the compositor, which then compares
 * only the parts of a surface whose blocks were written, and the mediator's PPGTT shadowing, which
 * re-checks only the guest page-table pages written since their shadow was built. It plays the role
 * of KVM's dirty page logging, which QEMU's display code reads (memory_region_snapshot_and_clear_dirty)
 * to refresh only what the guest touched, and of the write protection GVT-g puts on guest page
 * tables (intel_vgpu_enable_page_track); finer than KVM's 4 KiB pages on purpose: a 1920-pixel row
 * is 7.5 KiB, so a page bit would mark whole rows where a window 372 pixels wide changed.
 *
 * Layout: one plane (a bit per block, in whole 32-bit words) per (view, writer). Each consumer has
 * a view of its own (COMPOSITOR_VIEW, PPGTT_VIEW) and clears only its own planes, so neither takes
 * bits the other still needs (they read at different times: every compose, every submission).
 * Each writing thread has a plane of its own per view (GPU_LOG, CPU_LOG) and sets its bits with a
 * plain OR after writing the data: with one writer per plane no bit can be lost, and a consumer
 * takes words with Atomics.exchange / Atomics.and (a bit set again meanwhile only costs it a second
 * look). A writer that does not log is caught by each consumer's periodic full comparison.
 * Browser-safe, no imports.
 */

/** log2 of the bytes one bit covers. */
export const DIRTY_BLOCK_SHIFT = 10;

/** The emulated GPU's planes (the GPU thread writes them). */
export const GPU_LOG = 0;
/** The guest CPU's planes (its vCPU thread writes them). */
export const CPU_LOG = 1;
export type DirtyWriter = typeof GPU_LOG | typeof CPU_LOG;

/** The compositor's view (block-writes.ts harvests and clears it every compose). */
export const COMPOSITOR_VIEW = 0;
/** The PPGTT shadowing's view (ppgtt-shadow.ts clears the bits of guest page-table pages it re-checks). */
export const PPGTT_VIEW = 1;
export type DirtyView = typeof COMPOSITOR_VIEW | typeof PPGTT_VIEW;

const VIEWS = 2;
const WRITERS = 2;

/** Bytes of the log for `ramBytes` of RAM: a plane of one bit per block per (view, writer), in whole 32-bit words. */
export function dirtyLogBytes(ramBytes: number): number {
  return VIEWS * WRITERS * Math.ceil(Math.ceil(ramBytes / 2 ** DIRTY_BLOCK_SHIFT) / 32) * 4;
}

/** Words in each plane of `log` (every plane covers the same blocks). */
export function planeWords(log: Uint32Array): number {
  return Math.floor(log.length / (VIEWS * WRITERS));
}

/** Index in `log` of the first word of `writer`'s plane in `view`. */
export function planeStart(log: Uint32Array, view: DirtyView, writer: DirtyWriter): number {
  return (view * WRITERS + writer) * planeWords(log);
}

/**
 * Mark the blocks holding bytes [offset, offset + bytes) of the RAM in `writer`'s planes of every
 * view of `log`. Bytes beyond the log's blocks are ignored (a write outside RAM has nowhere to land).
 */
export function markDirty(log: Uint32Array, writer: DirtyWriter, offset: number, bytes: number): void {
  if (bytes <= 0 || offset < 0) return;
  const words = planeWords(log);
  const first = offset >>> DIRTY_BLOCK_SHIFT;
  const last = Math.min((offset + bytes - 1) >>> DIRTY_BLOCK_SHIFT, words * 32 - 1);
  const compositor = (COMPOSITOR_VIEW * WRITERS + writer) * words;
  const ppgtt = (PPGTT_VIEW * WRITERS + writer) * words;
  // A word's worth of bits at a time (a blitter chunk, within one page, is a single OR per view).
  for (let b = first; b <= last; b = (b | 31) + 1) {
    const hi = Math.min(last, b | 31) & 31;
    const lo = b & 31;
    const bits = hi === 31 ? ~((1 << lo) - 1) : ((1 << (hi + 1)) - 1) & ~((1 << lo) - 1);
    log[compositor + (b >>> 5)] |= bits;
    log[ppgtt + (b >>> 5)] |= bits;
  }
}

/**
 * Test and clear, in `view` only, the bits of blocks [firstBlock, firstBlock + blocks) in both
 * writers' planes: true when any was set (the range was written since the view last took it).
 * Blocks beyond the log count as unwritten. The other view's bits are left alone.
 */
export function takeDirty(log: Uint32Array, view: DirtyView, firstBlock: number, blocks: number): boolean {
  const words = planeWords(log);
  const last = Math.min(firstBlock + blocks - 1, words * 32 - 1);
  let hit = false;
  for (let writer = 0; writer < WRITERS; writer++) {
    const start = (view * WRITERS + writer) * words;
    for (let b = firstBlock; b <= last; b = (b | 31) + 1) {
      const hi = Math.min(last, b | 31) & 31;
      const lo = b & 31;
      const bits = hi === 31 ? ~((1 << lo) - 1) : ((1 << (hi + 1)) - 1) & ~((1 << lo) - 1);
      const at = start + (b >>> 5);
      if ((log[at] & bits) === 0) continue;
      Atomics.and(log, at, ~bits);
      hit = true;
    }
  }
  return hit;
}
