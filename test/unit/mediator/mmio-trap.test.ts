import { describe, expect, it } from 'vitest';
import { addVm, directPort, rig } from '../helpers/system';
import { PVINFO, VGT_MAGIC_HI, VGT_MAGIC_LO } from '../../../src/shared/pvinfo';
import {
  BLT_RING_BASE,
  FENCE_REG_GEN6_HI,
  FENCE_REG_GEN6_LO,
  GEN8_GT_IER0,
  GEN8_GT_IIR0,
  GEN8_GT_IMR0,
  GEN8_MASTER_IRQ,
  GEN8_MASTER_IRQ_CONTROL,
  GTT_OFFSET,
  PIPECONF_A,
  PIPECONF_ENABLE,
  PLANE_CTL_1_A,
  PLANE_SURF_1_A,
  RING_CTL,
  RING_CTL_SIZE,
  RING_CTL_VALID,
  RING_HEAD,
  RING_START,
  RING_TAIL,
  VGT_PVINFO_PAGE,
} from '../../../src/shared/regs';
import { MI_NOOP, MI_USER_INTERRUPT, ROP_PATCOPY, XY_COLOR_BLT_CMD, br13 } from '../../../src/shared/commands';
import { MiB } from '../../../src/shared/platform';
import { raise } from '../../../src/main/gpu/irq';

const pv = (off: number): number => VGT_PVINFO_PAGE + off;

describe('PVINFO', () => {
  it('exposes the magic, version 1.0, vgt_id and the ballooning ranges', () => {
    const r = rig();
    const { v } = addVm(r, 1);
    const p = directPort(r, v);
    expect(p.read32(pv(PVINFO.magic))).toBe(VGT_MAGIC_LO);
    expect(p.read32(pv(PVINFO.magic + 4))).toBe(VGT_MAGIC_HI);
    expect(p.read32(pv(PVINFO.version_major))).toBe(1);
    expect(p.read32(pv(PVINFO.vgt_id))).toBe(1);
    expect(p.read32(pv(PVINFO.mappable_gmadr_base))).toBe(128 * MiB);
    expect(p.read32(pv(PVINFO.mappable_gmadr_size))).toBe(128 * MiB);
    expect(p.read32(pv(PVINFO.nonmappable_gmadr_base))).toBe(896 * MiB);
    expect(p.read32(pv(PVINFO.nonmappable_gmadr_size))).toBe(384 * MiB);
    expect(p.read32(pv(PVINFO.fence_num))).toBe(4);
  });

  it('cursor_x_hot / cursor_y_hot read UINT_MAX until the guest writes them (GVT-g populate_pvinfo_page)', () => {
    const r = rig();
    const { v } = addVm(r, 1);
    const p = directPort(r, v);
    expect(p.read32(pv(PVINFO.cursor_x_hot))).toBe(0xffffffff);
    expect(p.read32(pv(PVINFO.cursor_y_hot))).toBe(0xffffffff);
    p.write32(pv(PVINFO.cursor_x_hot), 3);
    expect(p.read32(pv(PVINFO.cursor_x_hot))).toBe(3);
    expect(v.failsafe).toBeNull();
  });

  it('pvinfo_mmio_write: a write to an unlisted PVINFO offset is logged and ignored, not failsafe; display_ready is writable', () => {
    const r = rig();
    const { v } = addVm(r, 1);
    const p = directPort(r, v);
    p.write32(pv(PVINFO.display_ready), 1);
    expect(p.read32(pv(PVINFO.display_ready))).toBe(1);
    for (const off of [PVINFO.magic, PVINFO.vgt_id, PVINFO.fence_num, 0x100, 0x800, 0x81c, 0xffc]) p.write32(pv(off), 0xffffffff);
    expect(v.failsafe).toBeNull();
    expect(p.read32(pv(PVINFO.fence_num))).toBe(4);
    expect(p.read32(pv(PVINFO.magic))).toBe(VGT_MAGIC_LO);
    expect(p.read32(pv(0x100))).toBe(0);
    expect(v.log.filter((l) => /invalid pvinfo write offset/.test(l))).toHaveLength(7);
  });

  it.each([0, 4, 8, 12])('pvinfo_mmio_write: a write to rsv5[%i] enters failsafe (GVT_FAILSAFE_INSUFFICIENT_RESOURCE) and is not stored', (i) => {
    const r = rig();
    const { v } = addVm(r, 1);
    const p = directPort(r, v);
    p.write32(pv(PVINFO.rsv5 + i), 1);
    expect(v.failsafe).toMatch(/rsv5.*resource is not enough/);
    expect(r.failsafes).toHaveLength(1);
    expect(p.read32(pv(PVINFO.rsv5 + i))).toBe(0);
  });
});

describe('shadow GGTT', () => {
  it('translates guest frames to host frames and keeps the guest view', () => {
    const r = rig();
    const { v } = addVm(r, 1, { ramMiB: 16 });
    const p = directPort(r, v);
    const index = (128 * MiB) / 4096;
    p.write64(GTT_OFFSET + index * 8, 5 * 4096 + 1, 0);
    expect(r.gpu.ggtt.pageHpa(index)).toBe(v.ram.base + 5 * 4096);
    expect(p.read32(GTT_OFFSET + index * 8)).toBe(5 * 4096 + 1);
    expect(v.stats.droppedPtes).toBe(0);
  });

  it('drops entries outside the vGPU GM or outside its RAM, leaving the physical PTE alone', () => {
    const r = rig();
    const { v } = addVm(r, 1, { ramMiB: 16 });
    const { v: other } = addVm(r, 2, { ramMiB: 16 });
    const p = directPort(r, v);
    const othersIndex = other.alloc.lowGm.base / 4096;
    directPort(r, other).write64(GTT_OFFSET + othersIndex * 8, 4096 + 1, 0);
    const before = r.gpu.ggtt.pageHpa(othersIndex);
    p.write64(GTT_OFFSET + othersIndex * 8, 4096 + 1, 0); // another VM's GM
    p.write64(GTT_OFFSET + (v.alloc.lowGm.base / 4096) * 8, 64 * MiB + 1, 0); // beyond its 16 MiB RAM
    p.write64(GTT_OFFSET + 0, 4096 + 1, 0); // the host's GM
    expect(v.stats.droppedPtes).toBe(3);
    expect(r.gpu.ggtt.pageHpa(othersIndex)).toBe(before);
    // The frame outside its RAM: its own GM page goes to the scratch page (see below).
    expect(r.gpu.ggtt.pageHpa(v.alloc.lowGm.base / 4096)).toBe(r.m.hostGm.scratchHpa);
  });

  it('emulate_ggtt_mmio_write: a rejected PTE is pointed at the scratch page, not left at its old mapping; the guest view keeps what it wrote', () => {
    const r = rig();
    const { v, ram } = addVm(r, 1, { ramMiB: 16 });
    const p = directPort(r, v);
    const index = v.alloc.lowGm.base / 4096;
    p.write64(GTT_OFFSET + index * 8, 5 * 4096 + 1, 0);
    expect(r.gpu.ggtt.pageHpa(index)).toBe(v.ram.base + 5 * 4096);
    p.write64(GTT_OFFSET + index * 8, 64 * MiB + 1, 0); // beyond its 16 MiB RAM
    expect(r.gpu.ggtt.pageHpa(index)).toBe(r.m.hostGm.scratchHpa);
    expect(p.read32(GTT_OFFSET + index * 8)).toBe(64 * MiB + 1);
    expect(v.stats.droppedPtes).toBe(1);
    expect(v.log.some((l) => /PTE \d+ names guest frame 0x4000 outside .* scratch page/.test(l))).toBe(true);
    // What the engine writes through it lands in the scratch page, not in the old frame.
    r.gpu.ggtt.write32(v.alloc.lowGm.base, 0xdeadbeef);
    expect(new Uint32Array(ram)[(5 * 4096) / 4]).toBe(0);
    expect(r.gpu.ggtt.read32(v.alloc.lowGm.base)).toBe(0xdeadbeef);
    // A non-present entry: on the scratch page with the present bit clear (set_pfn + clear_present).
    p.write64(GTT_OFFSET + index * 8, 5 * 4096 + 1, 0);
    p.write64(GTT_OFFSET + index * 8, 0, 0);
    expect(r.gpu.ggtt.pageHpa(index)).toBe(-1);
    expect(r.gpu.ggtt.getPte(index)[0] >>> 12).toBe(r.m.hostGm.scratchHpa / 4096);
  });

  it('emulate_ggtt_mmio_write partial PTEs: a 32-bit half is held until the other half arrives, in either order', () => {
    const r = rig();
    const { v, ram } = addVm(r, 1, { ramMiB: 16 });
    const p = directPort(r, v);
    const words = new Uint32Array(ram);
    const index = v.alloc.lowGm.base / 4096 + 3;
    p.write64(GTT_OFFSET + index * 8, 5 * 4096 + 1, 0);
    // Low half first: the guest view shows it with the high half 0, the physical PTE is off (scratch, not present).
    p.write32(GTT_OFFSET + index * 8, 7 * 4096 + 1);
    expect([p.read32(GTT_OFFSET + index * 8), p.read32(GTT_OFFSET + index * 8 + 4)]).toEqual([7 * 4096 + 1, 0]);
    expect(r.gpu.ggtt.pageHpa(index)).toBe(-1);
    // The same half again only replaces the held value.
    p.write32(GTT_OFFSET + index * 8, 8 * 4096 + 1);
    expect(r.gpu.ggtt.pageHpa(index)).toBe(-1);
    // The high half completes the entry with the latest low half.
    p.write32(GTT_OFFSET + index * 8 + 4, 0);
    expect(r.gpu.ggtt.pageHpa(index)).toBe(v.ram.base + 8 * 4096);
    words[(8 * 4096) / 4] = 0x1234;
    expect(r.gpu.ggtt.read32(index * 4096)).toBe(0x1234);
    // High half first works the same.
    p.write32(GTT_OFFSET + index * 8 + 4, 0);
    expect(r.gpu.ggtt.pageHpa(index)).toBe(-1);
    p.write32(GTT_OFFSET + index * 8, 9 * 4096 + 1);
    expect(r.gpu.ggtt.pageHpa(index)).toBe(v.ram.base + 9 * 4096);
    expect(v.partialPtes.size).toBe(0);
    expect(v.stats.droppedPtes).toBe(0);
  });
});

describe('fences', () => {
  it('maps guest fence i to physical fence fenceBase+i and drops fences it does not own (fence_mmio_write, after PVINFO was read)', () => {
    const r = rig();
    const { v } = addVm(r, 1);
    const p = directPort(r, v);
    p.read32(pv(PVINFO.fence_num)); // a GVT-g-aware driver reads its ballooning info first
    const start = v.alloc.lowGm.base;
    p.write32(FENCE_REG_GEN6_LO(1) + 4, start + 0xf000);
    p.write32(FENCE_REG_GEN6_LO(1), start | 1);
    expect(r.gpu.mmioRead(FENCE_REG_GEN6_LO(v.alloc.fenceBase + 1))).toBe((start | 1) >>> 0);
    p.write32(FENCE_REG_GEN6_LO(7), 1);
    expect(r.gpu.mmioRead(FENCE_REG_GEN6_LO(v.alloc.fenceBase + 7))).toBe(0);
    expect(v.log.some((l) => /oob fence reg 7\/4/.test(l))).toBe(true);
    expect(p.read32(FENCE_REG_GEN6_LO(7))).toBe(0);
    expect(v.failsafe).toBeNull();
  });

  it('sanitize_fence_mmio_access: an out-of-range fence access before PVINFO was read means a guest without GVT-g support: failsafe', () => {
    const r = rig();
    const { v } = addVm(r, 1);
    const p = directPort(r, v);
    p.write32(FENCE_REG_GEN6_LO(1), v.alloc.lowGm.base | 1); // an owned fence: fine
    expect(v.failsafe).toBeNull();
    p.write32(FENCE_REG_GEN6_LO(5), 1);
    expect(v.failsafe).toMatch(/fence 5 accessed before PVINFO was read/);
    expect(r.gpu.mmioRead(FENCE_REG_GEN6_LO(v.alloc.fenceBase + 5))).toBe(0);
    // A read does the same (fence_mmio_read runs the same check).
    const { v: w } = addVm(r, 2);
    expect(directPort(r, w).read32(FENCE_REG_GEN6_HI(6))).toBe(0);
    expect(w.failsafe).toMatch(/fence 6/);
  });
});

/** Map `pages` of the VM's aperture 1:1 onto its first RAM pages and return the GM base. */
function mapAperture(r: ReturnType<typeof rig>, v: ReturnType<typeof addVm>['v'], pages: number): number {
  const p = directPort(r, v);
  for (let i = 0; i < pages; i++) p.write64(GTT_OFFSET + (v.alloc.lowGm.base / 4096 + i) * 8, (i + 1) * 4096 + 1, 0);
  return v.alloc.lowGm.base;
}

function submit(r: ReturnType<typeof rig>, vm: ReturnType<typeof addVm>, cmds: number[]): void {
  const { v, ram } = vm;
  const p = directPort(r, v);
  const gm = mapAperture(r, v, 8);
  const words = new Uint32Array(ram);
  // Ring at aperture page 0 = RAM page 1.
  cmds.forEach((d, i) => (words[1024 + i] = d));
  p.write32(BLT_RING_BASE + RING_START, gm);
  p.write32(BLT_RING_BASE + RING_CTL, RING_CTL_SIZE(4096) | RING_CTL_VALID);
  p.write32(BLT_RING_BASE + RING_TAIL, cmds.length * 4);
}

describe('submission, scanning and interrupts', () => {
  it('executes an audited blit into the guest framebuffer and delivers the user interrupt as an MSI', () => {
    const r = rig();
    const vm = addVm(r, 1);
    const p = directPort(r, vm.v);
    p.write32(GEN8_GT_IMR0, ~(1 << 16) >>> 0);
    p.write32(GEN8_GT_IER0, 1 << 16);
    p.write32(GEN8_MASTER_IRQ, GEN8_MASTER_IRQ_CONTROL);
    const fb = vm.v.alloc.lowGm.base + 4096; // aperture page 1 = RAM page 2
    submit(r, vm, [XY_COLOR_BLT_CMD, br13(ROP_PATCOPY, 64), 0, (2 << 16) | 4, fb, 0, 0xff0000ff, MI_USER_INTERRUPT, MI_NOOP]);
    const words = new Uint32Array(vm.ram);
    expect(words[2048]).toBe(0xff0000ff);
    expect(words[2048 + 16 + 3]).toBe(0xff0000ff);
    expect(words[2048 + 4]).toBe(0);
    expect(p.read32(BLT_RING_BASE + RING_HEAD)).toBe(9 * 4);
    expect(r.msis.get(1)).toBe(1);
    // A BCS interrupt (GT0 bit 16) reports on master bit 1: GVT-g gen8_irq_map, i915 GEN8_GT_BCS_IRQ.
    expect(p.read32(GEN8_MASTER_IRQ) & 3).toBe(2);
    expect(p.read32(GEN8_GT_IIR0)).toBe(1 << 16);
    p.write32(GEN8_GT_IIR0, 1 << 16);
    expect(p.read32(GEN8_GT_IIR0)).toBe(0);
    expect(vm.v.stats.workloads).toBe(1);
  });

  it('gen8_irq_map: GT0 bits 15:0 (RCS) report on master bit 0, bits 31:16 (BCS) on master bit 1', () => {
    const r = rig();
    const { v } = addVm(r, 1);
    const p = directPort(r, v);
    p.write32(GEN8_GT_IMR0, 0);
    p.write32(GEN8_GT_IER0, 0xffffffff);
    raise(v.gt0, 1 << 0);
    expect(p.read32(GEN8_MASTER_IRQ) & 3).toBe(1);
    p.write32(GEN8_GT_IIR0, 0xffffffff);
    raise(v.gt0, 1 << 16);
    expect(p.read32(GEN8_MASTER_IRQ) & 3).toBe(2);
  });

  it('rejects a blit aimed at another VM\'s GM: failsafe, and the other VM\'s memory is untouched', () => {
    const r = rig();
    const a = addVm(r, 1);
    const b = addVm(r, 2);
    mapAperture(r, b.v, 4);
    const victim = new Uint32Array(b.ram);
    victim.fill(0x12345678, 1024, 2048);
    submit(r, a, [XY_COLOR_BLT_CMD, br13(ROP_PATCOPY, 64), 0, (2 << 16) | 4, b.v.alloc.lowGm.base, 0, 0xffffffff, MI_USER_INTERRUPT]);
    expect(a.v.failsafe).toMatch(/XY_COLOR_BLT: destination GM 0x10000000\+.* outside/);
    expect(a.v.stats.rejectedCommands).toBe(1);
    expect(victim[1024]).toBe(0x12345678);
    expect(r.failsafes).toHaveLength(1);
  });

  it('rejects unknown opcodes and commands overrunning the tail', () => {
    const r = rig();
    const a = addVm(r, 1);
    submit(r, a, [0x1f800000]);
    expect(a.v.failsafe).toMatch(/unknown command/);
    const b = addVm(r, 2);
    submit(r, b, [XY_COLOR_BLT_CMD, 0, 0]);
    expect(b.v.failsafe).toMatch(/runs past the ring tail/);
  });
});

describe('display ownership', () => {
  it('foreground_vm needs display_ready (EAGAIN) and then mirrors the VM plane to the physical pipe', () => {
    const r = rig();
    const { v } = addVm(r, 1);
    const p = directPort(r, v);
    p.write32(PIPECONF_A, PIPECONF_ENABLE);
    p.write32(PLANE_CTL_1_A, (1 << 31) | (4 << 24));
    p.write32(PLANE_SURF_1_A, v.alloc.lowGm.base);
    expect(() => r.m.setForeground(1)).toThrow(/EAGAIN/);
    p.write32(pv(PVINFO.display_ready), 1);
    r.m.setForeground(1);
    expect(r.gpu.mmioRead(PLANE_SURF_1_A)).toBe(v.alloc.lowGm.base);
    p.write32(PLANE_SURF_1_A, v.alloc.lowGm.base + 4096);
    expect(r.gpu.mmioRead(PLANE_SURF_1_A)).toBe(v.alloc.lowGm.base + 4096);
    r.m.setForeground(0);
    expect(r.gpu.mmioRead(PLANE_SURF_1_A)).toBe(r.m.hostDisplay[PLANE_SURF_1_A >>> 2]);
    expect(() => r.m.setForeground(9)).toThrow(/no running domain/);
  });

  it('a VM whose surface points outside its GM never gets the physical plane enabled', () => {
    const r = rig();
    const { v } = addVm(r, 1);
    const p = directPort(r, v);
    p.write32(pv(PVINFO.display_ready), 1);
    r.m.setForeground(1);
    p.write32(PLANE_SURF_1_A, 0); // host GM
    p.write32(PLANE_CTL_1_A, (1 << 31) | (4 << 24));
    expect(r.gpu.mmioRead(PLANE_CTL_1_A) >>> 31).toBe(0);
  });

  it('hvm_boot_foreground switches to the VM once its driver reports display_ready', () => {
    const r = rig();
    const { v } = addVm(r, 1, { bootForeground: true });
    expect(r.m.foreground).toBe(0);
    directPort(r, v).write32(pv(PVINFO.display_ready), 1);
    expect(r.m.foreground).toBe(1);
  });
});

describe('robustness', () => {
  it('never throws for invalid offsets from a guest', () => {
    const r = rig();
    const { v } = addVm(r, 1);
    const p = directPort(r, v);
    expect(p.read32(3)).toBe(0);
    expect(p.read32(-4)).toBe(0);
    expect(() => p.write32(0x7fffffff, 1)).not.toThrow();
    expect(() => p.write64(GTT_OFFSET + 3, 1, 1)).not.toThrow();
  });
});

describe('MMIO tracking table', () => {
  it('logs untracked offsets once per offset, counts them, and shows them in sysfs', async () => {
    const { sysfsRead } = await import('../../../src/main/mediator/sysfs');
    const r = rig();
    const { v } = addVm(r, 1);
    const p = directPort(r, v);
    p.write32(0x12340, 7);
    expect(p.read32(0x12340)).toBe(7);
    p.read32(0x12340);
    expect(v.untrackedMmio.get(0x12340)).toEqual({ reads: 2, writes: 1 });
    expect(v.log.filter((l) => l.includes('0x12340'))).toHaveLength(1);
    expect(sysfsRead(r.m, '/sys/kernel/vgt/vm1/untracked_mmio')).toBe('0x012340 reads 2 writes 1\n');
    // Tracked registers are not logged.
    p.write32(BLT_RING_BASE + RING_START, v.alloc.lowGm.base);
    expect(v.untrackedMmio.size).toBe(1);
  });

  it('drops guest writes to read-only registers and applies masked writes to mode registers', () => {
    const r = rig();
    const { v } = addVm(r, 1);
    const p = directPort(r, v);
    p.write32(0x22358, 0x1234); // BCS RING_TIMESTAMP: read-only
    expect(p.read32(0x22358)).toBe(0);
    p.write32(0x7004, (1 << 16) | 1); // CACHE_MODE_1: set bit 0
    p.write32(0x7004, (2 << 16) | 2); // set bit 1, bit 0 untouched
    p.write32(0x7004, 1 << 16); // clear bit 0
    expect(p.read32(0x7004)).toBe(2);
  });
});

describe('virtual interrupt tree', () => {
  it('a PCH event latches into SDEIIR only when unmasked, sets the master PCH bit and sends one MSI', async () => {
    const { SDEIER, SDEIIR, SDEIMR, GEN8_DE_PCH_IRQ } = await import('../../../src/shared/regs');
    const r = rig();
    const { v } = addVm(r, 1);
    const p = directPort(r, v);
    p.write32(GEN8_MASTER_IRQ, GEN8_MASTER_IRQ_CONTROL);
    r.m.raisePchEvent(v, 1 << 21); // masked (IMR all ones after reset)
    expect(p.read32(SDEIIR)).toBe(0);
    expect(r.msis.get(1)).toBeUndefined();
    p.write32(SDEIMR, ~(1 << 21) >>> 0);
    p.write32(SDEIER, 1 << 21);
    r.m.raisePchEvent(v, 1 << 21);
    expect(p.read32(SDEIIR)).toBe(1 << 21);
    expect(p.read32(GEN8_MASTER_IRQ) & GEN8_DE_PCH_IRQ).toBe(GEN8_DE_PCH_IRQ);
    expect(r.msis.get(1)).toBe(1);
    p.write32(SDEIIR, 1 << 21);
    expect(p.read32(GEN8_MASTER_IRQ) & GEN8_DE_PCH_IRQ).toBe(0);
  });

  it('vblank reaches only guests with the pipe enabled and the event unmasked', async () => {
    const { GEN8_DE_PIPE_IER_A, GEN8_DE_PIPE_IIR_A, GEN8_DE_PIPE_IMR_A } = await import('../../../src/shared/regs');
    const r = rig();
    const a = addVm(r, 1).v;
    const b = addVm(r, 2).v;
    for (const v of [a, b]) {
      const p = directPort(r, v);
      p.write32(GEN8_MASTER_IRQ, GEN8_MASTER_IRQ_CONTROL);
      p.write32(GEN8_DE_PIPE_IMR_A, ~1 >>> 0);
      p.write32(GEN8_DE_PIPE_IER_A, 1);
    }
    directPort(r, a).write32(PIPECONF_A, PIPECONF_ENABLE);
    r.m.vblank();
    expect(directPort(r, a).read32(GEN8_DE_PIPE_IIR_A)).toBe(1);
    expect(directPort(r, b).read32(GEN8_DE_PIPE_IIR_A)).toBe(0);
    expect(r.msis.get(1)).toBe(1);
    expect(r.msis.get(2)).toBeUndefined();
  });
});

describe('DE port bank', () => {
  it('a DE port event reaches the master as bit 20 when unmasked and is acked by IIR', async () => {
    const { GEN8_DE_PORT_IER, GEN8_DE_PORT_IIR, GEN8_DE_PORT_IMR, GEN8_DE_PORT_IRQ } = await import('../../../src/shared/regs');
    const r = rig();
    const { v } = addVm(r, 1);
    const p = directPort(r, v);
    p.write32(GEN8_MASTER_IRQ, GEN8_MASTER_IRQ_CONTROL);
    p.write32(GEN8_DE_PORT_IMR, ~1 >>> 0);
    p.write32(GEN8_DE_PORT_IER, 1);
    r.m.raiseDePortEvent(v, 1);
    expect(p.read32(GEN8_MASTER_IRQ) & GEN8_DE_PORT_IRQ).toBe(GEN8_DE_PORT_IRQ);
    expect(r.msis.get(1)).toBe(1);
    p.write32(GEN8_DE_PORT_IIR, 1);
    expect(p.read32(GEN8_MASTER_IRQ) & GEN8_DE_PORT_IRQ).toBe(0);
  });
});
