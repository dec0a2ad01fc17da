/**
 * Hostile guest workloads (`gvt_workload='hostile:<scenario>'`, or `hostile:all`): a guest that
 * attacks the mediator through every door a GVT-g guest has — GGTT entries, fences, command
 * streams, batch buffers, PVINFO, MMIO and interrupts. Each attack must be contained to the
 * attacker's own vGPU (dropped, refused, failsafe or reset) while other VMs keep running
 * untouched. The scenarios only use what a real guest can do: its trapped BAR0 and its own RAM.
 */
import {
  MI,
  MI_BATCH_BUFFER_END,
  MI_BATCH_BUFFER_START_GGTT,
  MI_BATCH_PPGTT,
  MI_LOAD_REGISTER_IMM_N,
  MI_NOOP,
  MI_USER_INTERRUPT,
  ROP_PATCOPY,
  XY_COLOR_BLT_CMD,
  br13,
} from '../../../shared/commands';
import { PVINFO } from '../../../shared/pvinfo';
import { FENCE_REG_GEN6_HI, FENCE_REG_GEN6_LO, GEN8_GT_IER0, GEN8_GT_IIR0, GEN8_GT_IMR0, GEN8_MASTER_IRQ, GEN8_MASTER_IRQ_CONTROL, GTT_OFFSET, VGT_PVINFO_PAGE } from '../../../shared/regs';
import type { HostileScenario } from '../../../shared/workloads';
import type { GuestDriver } from '../driver';
import type { TrapPort } from '../trap-port';

/**
 * Host-physical addresses a guest might aim its page tables at: the other vGPUs' RAM windows (the
 * mediator's 8 GiB slots 1-3), Dom0 at 0 seen as a frame past this RAM, and the mediator's shadow
 * page-table pools (2^44 + id GiB). A guest names only guest-physical frames, so each must land on
 * the scratch page or table.
 */
const FOREIGN_HPA = [1 * 2 ** 33, 2 * 2 ** 33, 3 * 2 ** 33 + 0x10000];
const SHADOW_POOL_HPA = [2 ** 44 + 2 ** 30, 2 ** 44 + 2 * 2 ** 30, 2 ** 44 + 3 * 2 ** 30];

/** XY_COLOR_BLT of 64 rows of 1024 pixels at `gm` (through the context's PPGTT in a PPGTT context). */
const fill = (gm: number): number[] => [XY_COLOR_BLT_CMD, br13(ROP_PATCOPY, 4096), 0, (64 << 16) | 1024, gm, 0, 0xffff00ff];

/** GM addresses this guest does not own: the host's, and just past either end of its own ranges. */
function foreignGm(d: GuestDriver): number[] {
  const r = d.resources;
  return [0, r.aperture.base - 4096, r.aperture.base + r.aperture.size, r.hidden.base + r.hidden.size].filter((a) => a >= 0);
}

/**
 * Run one scenario. `d` has probed and set up its BCS submission; `port` is the raw trap port.
 * Returns a line for the serial log describing what was attempted.
 */
export function runHostile(scenario: HostileScenario, d: GuestDriver, port: TrapPort): string {
  const scratch = d.allocObject(4 * 4096, 'aperture');
  switch (scenario) {
    case 'ggtt-outside':
      // PTEs for GM pages it does not own, pointing at its own first page.
      for (const gm of foreignGm(d)) port.write64(GTT_OFFSET + (gm / 4096) * 8, (scratch.firstFrame * 4096) | 1, 0);
      return 'wrote GGTT entries outside its GM ranges';
    case 'ggtt-foreign-frame':
      // PTEs inside its own range but pointing past the end of its RAM (someone else's memory).
      for (const gfn of [0x100000, 0x7ffff, 0xfffff]) port.write64(GTT_OFFSET + (scratch.gm / 4096) * 8, gfn * 4096 + 1, gfn >>> 20);
      return 'wrote GGTT entries pointing outside its RAM';
    case 'fence-steal': {
      const n = d.resources.fences;
      for (let i = n; i < 32; i++) {
        port.write32(FENCE_REG_GEN6_HI(i), 0xfffff000);
        port.write32(FENCE_REG_GEN6_LO(i), 1);
      }
      // An owned fence covering everybody's GM.
      port.write32(FENCE_REG_GEN6_HI(0), 0xfffff000);
      port.write32(FENCE_REG_GEN6_LO(0), 1);
      return `wrote fences ${n}..31 it does not own and a fence over all GM`;
    }
    case 'lri-privileged':
      d.submit([MI_LOAD_REGISTER_IMM_N(3), GEN8_MASTER_IRQ, 0, FENCE_REG_GEN6_LO(0), 0xffffffff, 0x941c /* GDRST */, 1, MI_USER_INTERRUPT]);
      return 'LRI to GEN8_MASTER_IRQ, a fence and GDRST';
    case 'batch-foreign':
      d.submit([MI_BATCH_BUFFER_START_GGTT, foreignGm(d)[1], 0, MI_USER_INTERRUPT]);
      return "started a batch buffer in another VM's GM";
    case 'batch-loop':
      // A batch that jumps to itself: never completes.
      scratch.words.set([MI_NOOP, MI_BATCH_BUFFER_START_GGTT, scratch.gm, 0]);
      d.submit([MI_BATCH_BUFFER_START_GGTT, scratch.gm, 0, MI_USER_INTERRUPT]);
      return 'started a self-looping batch buffer';
    case 'blit-foreign':
      for (const gm of foreignGm(d)) d.submit([XY_COLOR_BLT_CMD, br13(ROP_PATCOPY, 4096), 0, (64 << 16) | 1024, gm, 0, 0xffff00ff, MI_USER_INTERRUPT]);
      return "blitted into GM it does not own";
    case 'malformed':
      d.submit([0x1f800000, 0xffffffff, 0x7fffffff, MI_USER_INTERRUPT]);
      return 'submitted unknown opcodes';
    case 'oversized':
      // A header claiming 255 more dwords than the tail allows, and an LRI with a huge count.
      d.submit([(MI.STORE_DATA_IMM << 23) | 0x3ff, 0, 0]);
      d.submit([MI_LOAD_REGISTER_IMM_N(100), 0x22600, 0]);
      return 'submitted commands longer than the submission';
    case 'pvinfo-reserved':
      for (const off of [PVINFO.magic, PVINFO.vgt_id, PVINFO.mappable_gmadr_base, PVINFO.mappable_gmadr_size, PVINFO.fence_num, 0x100]) port.write32(VGT_PVINFO_PAGE + off, 0xffffffff);
      return 'wrote reserved PVINFO fields';
    case 'irq-storm':
      port.write32(GEN8_GT_IMR0, 0);
      port.write32(GEN8_GT_IER0, 0xffffffff);
      port.write32(GEN8_MASTER_IRQ, GEN8_MASTER_IRQ_CONTROL);
      for (let i = 0; i < 2000; i++) {
        port.write32(GEN8_GT_IIR0, 0xffffffff);
        port.write32(GEN8_MASTER_IRQ, i & 1 ? GEN8_MASTER_IRQ_CONTROL : 0);
      }
      for (let i = 0; i < 50; i++) d.submit(Array.from({ length: 64 }, () => MI_USER_INTERRUPT));
      return 'stormed interrupt registers and submitted thousands of MI_USER_INTERRUPTs';
    case 'ppgtt-outside': {
      // PTEs of its own (mirrored) addresses pointing past the end of its RAM, then blits there.
      const t = d.ppgttTables;
      if (!t) return 'no PPGTT (vGPU without VGT_CAPS_FULL_PPGTT)';
      [0x100000, 0x7ffff, 0xfffff].forEach((gfn, i) => t.setEntry(scratch.gm + i * 4096, 3, gfn * 4096));
      d.submit([...fill(scratch.gm), MI_USER_INTERRUPT]);
      return 'pointed PPGTT entries outside its RAM and blitted through them';
    }
    case 'ppgtt-foreign-frame': {
      // Leaf entries and a whole PD entry naming other VMs' RAM windows (as if guest frames).
      const t = d.ppgttTables;
      if (!t) return 'no PPGTT (vGPU without VGT_CAPS_FULL_PPGTT)';
      FOREIGN_HPA.forEach((hpa, i) => t.setEntry(scratch.gm + i * 4096, 3, hpa));
      t.setEntry(2 ** 40, 2, FOREIGN_HPA[0]);
      d.submit([...fill(scratch.gm), MI_USER_INTERRUPT]);
      return "pointed PPGTT entries at other VMs' RAM and blitted through them";
    }
    case 'ppgtt-shadow-tables': {
      // Entries at every level aimed at the mediator's shadow page-table pools.
      const t = d.ppgttTables;
      if (!t) return 'no PPGTT (vGPU without VGT_CAPS_FULL_PPGTT)';
      t.setEntry(scratch.gm, 3, SHADOW_POOL_HPA[0]);
      t.setEntry(2 ** 41, 1, SHADOW_POOL_HPA[1]);
      t.setEntry(2 ** 42, 2, SHADOW_POOL_HPA[2]);
      t.setEntry(2 ** 43, 0, SHADOW_POOL_HPA[0]);
      d.submit([...fill(scratch.gm), MI_USER_INTERRUPT]);
      return 'pointed PPGTT entries at the shadow page tables and blitted through them';
    }
    case 'ppgtt-batch-foreign': {
      // A PPGTT batch in its own memory whose blit and PPGTT store land on pages mapped to other VMs' RAM.
      const t = d.ppgttTables;
      if (!t) return 'no PPGTT (vGPU without VGT_CAPS_FULL_PPGTT)';
      const target = scratch.gm + 4096;
      t.setEntry(target, 3, FOREIGN_HPA[1]);
      scratch.words.set([...fill(target), (MI.STORE_DATA_IMM << 23) | 2, target + 64, 0, 0xdeadbeef, MI_BATCH_BUFFER_END]);
      d.submit([(MI_BATCH_BUFFER_START_GGTT | MI_BATCH_PPGTT) >>> 0, scratch.gm, 0, MI_USER_INTERRUPT]);
      return "ran a PPGTT batch buffer writing to other VMs' RAM";
    }
    case 'mmio-sweep':
      // Every page of register space (and the GTT window's first pages), read then written.
      for (let off = 0; off < 0x200000; off += 0x1000) {
        port.write32(off, port.read32(off) ^ 0xffffffff);
      }
      for (let off = GTT_OFFSET; off < GTT_OFFSET + 0x4000; off += 8) port.write64(off, 0xfffff001, 0x7f);
      return 'swept BAR0 with reads and writes';
  }
}
