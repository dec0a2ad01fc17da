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
import { DP_AUX_CH_CTL, PCH_GMBUS0, PCH_GMBUS5, PCH_PORT_HOTPLUG, PCH_PORT_HOTPLUG2 } from '../../shared/ports';
import { MMIO_SPACE_BYTES } from '../gpu/gpu';
import { DISPLAY_REGS } from './display-regs';
import { registerFenceMmio } from './handlers/fences';
import { registerInterruptMmio } from './handlers/interrupts';
import { registerPvinfoMmio } from './handlers/pvinfo';
import { registerResetMmio } from './handlers/reset';
import { registerRingMmio } from './handlers/rings';
import { F_CMD_ACCESS, F_RO, type MmioInfo, MmioTable } from './mmio-info';

export { F_CMD_ACCESS, F_MODE_MASK, F_RO } from './mmio-info';

/** The MMIO info table (GVT-g gvt->mmio.mmio_info_table), filled once by intel_gvt_setup_mmio_info below. */
export const MMIO_TABLE = new MmioTable();

/** An entry without handlers: the plain vreg default, with its flags. */
function track(offset: number, name: string, flags = 0, bytes = 4): void {
  MMIO_TABLE.add({ offset, name, flags, size: bytes });
}

// intel_gvt_setup_mmio_info: one registration per concern.
registerInterruptMmio(MMIO_TABLE);
registerFenceMmio(MMIO_TABLE);
registerRingMmio(MMIO_TABLE);
registerResetMmio(MMIO_TABLE);
registerPvinfoMmio(MMIO_TABLE);
track(PCH_GMBUS0, 'PCH_GMBUS0..5', 0, PCH_GMBUS5 + 4 - PCH_GMBUS0);
for (let ch = 0; ch < 4; ch++) track(DP_AUX_CH_CTL(ch), `DP_AUX_CH_CTL/DATA(${'ABCD'[ch]})`, 0, 24);
track(PCH_PORT_HOTPLUG, 'PCH_PORT_HOTPLUG');
track(PCH_PORT_HOTPLUG2, 'PCH_PORT_HOTPLUG2');
// DIGITAL_PORT_HOTPLUG_CNTRL (0x44030) is Broadwell's port A hotplug control; Skylake's is in PCH_PORT_HOTPLUG.
for (const off of DISPLAY_REGS) track(off, `display 0x${off.toString(16)}`);

/** The table entry covering `offset` (bytes from BAR0), or undefined when untracked. */
export function mmioInfo(offset: number): MmioInfo | undefined {
  return offset >= 0 && offset < MMIO_SPACE_BYTES ? MMIO_TABLE.find(offset & ~3) : undefined;
}

/** True when a guest command may read or write `offset` (LRI/LRM/LRR/SRM whitelist). */
export function cmdAccessAllowed(offset: number): boolean {
  return ((mmioInfo(offset)?.flags ?? 0) & F_CMD_ACCESS) !== 0;
}

/** Registers saved and restored per vGPU when the GPU changes owner: what commands can change, minus read-only ones. */
export const CONTEXT_SWITCHED_MMIO: readonly number[] = MMIO_TABLE.entries()
  .filter((e) => e.flags & F_CMD_ACCESS && !(e.flags & F_RO))
  .flatMap((e) => Array.from({ length: e.size / 4 }, (_, i) => e.offset + i * 4));
