/**
 * The MMIO tracking table: every register offset the mediator knows, with GVT-g-style flags.
 * Accesses to offsets not in the table are "untracked": emulated against vreg but logged per vGPU.
 * F_CMD_ACCESS marks the registers a guest command (LRI/LRM/LRR/SRM) may touch — the scanner's
 * whitelist. Source: GVT-g handlers.c (MMIO_D/MMIO_DFH/MMIO_RING_* with F_RO, F_MODE_MASK,
 * F_CMD_ACCESS), i915_reg.h offsets; the F_CMD_ACCESS set is the subset of GVT-g's that this
 * emulator models.
 */
import {
  BLT_RING_BASE,
  FENCE_REG_GEN6_LO,
  GEN6_GDRST,
  GEN8_CSB_ENTRIES,
  GEN8_DE_PIPE_ISR,
  PIPE_NAMES,
  GEN8_DE_PORT_ISR,
  GEN8_GT_ISR0,
  GEN8_MASTER_IRQ,
  RENDER_RING_BASE,
  RING_CONTEXT_STATUS_BUF_LO,
  RING_CONTEXT_STATUS_PTR,
  RING_CTL,
  RING_ELSP,
  RING_EXECLIST_STATUS_HI,
  RING_EXECLIST_STATUS_LO,
  RING_HEAD,
  RING_MODE_GEN7,
  RING_START,
  RING_TAIL,
  SDEISR,
  VGT_PVINFO_PAGE,
  VGT_PVINFO_SIZE,
} from '../../shared/regs';
import { DP_AUX_CH_CTL, PCH_GMBUS0, PCH_GMBUS5, PCH_PORT_HOTPLUG, PCH_PORT_HOTPLUG2 } from '../../shared/ports';
import { DISPLAY_REGS } from './display-regs';

/** Read-only for the guest (writes are dropped). */
export const F_RO = 1 << 0;
/** Masked ("mode") register: the high 16 bits of a write select which low bits change. */
export const F_MODE_MASK = 1 << 1;
/** A guest command (LRI/LRM/LRR/SRM) may access it. */
export const F_CMD_ACCESS = 1 << 2;
/** Handled by a dedicated emulation handler (not a plain vreg access). */
export const F_HANDLER = 1 << 3;

export interface MmioEntry {
  name: string;
  flags: number;
}

const table = new Map<number, MmioEntry>();

function track(offset: number, name: string, flags = 0, bytes = 4): void {
  for (let o = offset; o < offset + bytes; o += 4) table.set(o, { name: bytes > 4 ? `${name}+0x${(o - offset).toString(16)}` : name, flags });
}

for (const [engine, base] of [
  ['RCS', RENDER_RING_BASE],
  ['BCS', BLT_RING_BASE],
] as const) {
  track(base + RING_TAIL, `${engine}_RING_TAIL`, F_HANDLER);
  track(base + RING_HEAD, `${engine}_RING_HEAD`);
  track(base + RING_START, `${engine}_RING_START`);
  track(base + RING_CTL, `${engine}_RING_CTL`);
  track(base + RING_MODE_GEN7, `${engine}_RING_MODE_GEN7`, F_MODE_MASK | F_HANDLER);
  track(base + RING_ELSP, `${engine}_RING_ELSP`, F_HANDLER);
  track(base + RING_EXECLIST_STATUS_LO, `${engine}_RING_EXECLIST_STATUS_LO`, F_RO);
  track(base + RING_EXECLIST_STATUS_HI, `${engine}_RING_EXECLIST_STATUS_HI`, F_RO);
  track(base + RING_CONTEXT_STATUS_BUF_LO(0), `${engine}_RING_CONTEXT_STATUS_BUF`, F_RO, GEN8_CSB_ENTRIES * 8);
  track(base + RING_CONTEXT_STATUS_PTR, `${engine}_RING_CONTEXT_STATUS_PTR`, F_MODE_MASK | F_HANDLER);
  // Command streamer general purpose registers (16 x 64 bit) and the timestamp.
  track(base + 0x600, `${engine}_GPR`, F_CMD_ACCESS, 0x80);
  track(base + 0x358, `${engine}_RING_TIMESTAMP`, F_RO | F_CMD_ACCESS, 8);
}
track(0x2400, 'MI_PREDICATE_SRC0', F_CMD_ACCESS, 8);
track(0x2408, 'MI_PREDICATE_SRC1', F_CMD_ACCESS, 8);
track(0x2410, 'MI_PREDICATE_DATA', F_CMD_ACCESS, 8);
track(0x2418, 'MI_PREDICATE_RESULT', F_CMD_ACCESS);
track(0x7000, 'CACHE_MODE_0_GEN7', F_MODE_MASK | F_CMD_ACCESS);
track(0x7004, 'CACHE_MODE_1', F_MODE_MASK | F_CMD_ACCESS);
track(0x22200, 'BCS_SWCTRL', F_MODE_MASK | F_CMD_ACCESS);
track(GEN8_MASTER_IRQ, 'GEN8_MASTER_IRQ', F_HANDLER);
track(GEN8_GT_ISR0, 'GEN8_GT_ISR/IMR/IIR/IER(0)', F_HANDLER, 16);
for (const [pipe, name] of PIPE_NAMES.entries()) track(GEN8_DE_PIPE_ISR(pipe), `GEN8_DE_PIPE_ISR/IMR/IIR/IER(${name})`, F_HANDLER, 16);
track(SDEISR, 'SDEISR/IMR/IIR/IER', F_HANDLER, 16);
track(GEN8_DE_PORT_ISR, 'GEN8_DE_PORT_ISR/IMR/IIR/IER', F_HANDLER, 16);
track(GEN6_GDRST, 'GEN6_GDRST', F_HANDLER);
track(PCH_GMBUS0, 'PCH_GMBUS0..5', F_HANDLER, PCH_GMBUS5 + 4 - PCH_GMBUS0);
for (let ch = 0; ch < 4; ch++) track(DP_AUX_CH_CTL(ch), `DP_AUX_CH_CTL/DATA(${'ABCD'[ch]})`, F_HANDLER, 24);
track(PCH_PORT_HOTPLUG, 'PCH_PORT_HOTPLUG', F_HANDLER);
track(PCH_PORT_HOTPLUG2, 'PCH_PORT_HOTPLUG2', F_HANDLER);
// DIGITAL_PORT_HOTPLUG_CNTRL (0x44030) is Broadwell's port A hotplug control; Skylake's is in PCH_PORT_HOTPLUG.
for (const off of DISPLAY_REGS) track(off, `display 0x${off.toString(16)}`, F_HANDLER);
track(FENCE_REG_GEN6_LO(0), 'FENCE_REG_GEN6', F_HANDLER, 32 * 8);
track(VGT_PVINFO_PAGE, 'PVINFO', F_HANDLER, VGT_PVINFO_SIZE);

/** The table entry for `offset` (bytes from BAR0), or undefined when untracked. */
export function mmioEntry(offset: number): MmioEntry | undefined {
  return table.get(offset & ~3);
}

/** True when a guest command may read or write `offset` (LRI/LRM/LRR/SRM whitelist). */
export function cmdAccessAllowed(offset: number): boolean {
  return ((mmioEntry(offset)?.flags ?? 0) & F_CMD_ACCESS) !== 0;
}

/** Registers saved and restored per vGPU when the GPU changes owner: what commands can change, minus read-only ones. */
export const CONTEXT_SWITCHED_MMIO: readonly number[] = [...table].filter(([, e]) => e.flags & F_CMD_ACCESS && !(e.flags & F_RO)).map(([o]) => o);
