/**
 * The MMIO tracking table: every register offset the mediator knows, with GVT-g-style flags and,
 * where emulation needs more than the vreg, read/write handlers (registered per concern by
 * handlers/*.ts). Accesses to offsets not in the table are "untracked": emulated against vreg but
 * logged per vGPU.
 * F_CMD_ACCESS marks the registers a guest command (LRI/LRM/LRR/SRM) may touch — the scanner's
 * whitelist. Source: GVT-g handlers.c (MMIO_D/MMIO_DFH/MMIO_RING_* with F_RO, F_MODE_MASK,
 * F_CMD_ACCESS), i915_reg.h offsets; the F_CMD_ACCESS set is the subset of GVT-g's that this
 * emulator models.
 */
import { MMIO_SPACE_BYTES } from '../gpu/gpu';
import { registerDisplayMmio } from './handlers/display';
import { registerFenceMmio } from './handlers/fences';
import { registerInterruptMmio } from './handlers/interrupts';
import { registerPvinfoMmio } from './handlers/pvinfo';
import { registerResetMmio } from './handlers/reset';
import { registerRingMmio } from './handlers/rings';
import { F_CMD_ACCESS, F_MODE_MASK, F_RO, type MmioInfo, MmioTable } from './mmio-info';

export { F_CMD_ACCESS, F_MODE_MASK, F_RO } from './mmio-info';

/** The MMIO info table (GVT-g gvt->mmio.mmio_info_table), filled once by intel_gvt_setup_mmio_info below. */
export const MMIO_TABLE = new MmioTable();

// intel_gvt_setup_mmio_info: one registration per concern.
registerInterruptMmio(MMIO_TABLE);
registerFenceMmio(MMIO_TABLE);
registerRingMmio(MMIO_TABLE);
registerResetMmio(MMIO_TABLE);
registerPvinfoMmio(MMIO_TABLE);
registerDisplayMmio(MMIO_TABLE);

/** The table entry covering `offset` (bytes from BAR0), or undefined when untracked. */
export function mmioInfo(offset: number): MmioInfo | undefined {
  return offset >= 0 && offset < MMIO_SPACE_BYTES ? MMIO_TABLE.find(offset & ~3) : undefined;
}

/** True when a guest command may read or write `offset` (LRI/LRM/LRR/SRM whitelist). */
export function cmdAccessAllowed(offset: number): boolean {
  return ((mmioInfo(offset)?.flags ?? 0) & F_CMD_ACCESS) !== 0;
}

/** One register of the MMIO context switch (GVT-g struct engine_mmio): its offset and, for a masked register, its mask (0xffff). */
export interface EngineMmio {
  readonly offset: number;
  /** Bits 15:0 a masked write may change (restored as `value | mask << 16`); 0 for a plain register. */
  readonly mask: number;
}

/**
 * Registers saved and restored per vGPU when the GPU changes owner (switch_mmio): every register a
 * guest command may write (F_CMD_ACCESS, not read-only), masked ones with mask 0xffff. Of GVT-g's
 * gen9_engine_mmio_list this model has CACHE_MODE_0_GEN7 and CACHE_MODE_1 (masked, 0xffff, as
 * upstream); the rest of that list (INSTPM, FORCE_TO_NONPRIV, chicken bits, PAT, MOCS, ...) is not
 * modelled, and GFX_MODE is emulated per vGPU (the physical one stays the host's).
 * Where we differ: the GPRs, MI_PREDICATE_* and BCS_SWCTRL are switched too. Upstream does not
 * list them because the hardware saves them in each context's logical image (i915's live_lrc_gpr
 * selftest relies on it for the GPRs) and every vGPU runs on its own shadow context; here the
 * context image holds only the ring registers and all vGPUs share the host's shadow context per
 * engine, so without the switch one VM's MI_MATH results would be readable by the next VM.
 */
export const CONTEXT_SWITCHED_MMIO: readonly EngineMmio[] = MMIO_TABLE.entries()
  .filter((e) => e.flags & F_CMD_ACCESS && !(e.flags & F_RO))
  .flatMap((e) => Array.from({ length: e.size / 4 }, (_, i) => ({ offset: e.offset + i * 4, mask: e.flags & F_MODE_MASK ? 0xffff : 0 })));
