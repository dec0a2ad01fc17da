/**
 * The MMIO context switch as GVT-g's switch_mmio (mmio_context.c): masked registers are restored
 * with `mask << 16` and saved without it; the GPRs (not in upstream's gen9_engine_mmio_list, which
 * leaves them to the hardware context image this model does not have) are switched too. Two vGPUs
 * interleave workloads using CACHE_MODE_0/1 and MI_MATH on the GPRs; neither sees the other's values.
 */
import { describe, expect, it } from 'vitest';
import { addVm, directPort, rig, type Rig } from '../helpers/system';
import { Gen9Gpu } from '../../../src/main/gpu/gpu';
import { ALU, ALU_REG, aluInstr } from '../../../src/main/gpu/mi-commands';
import { CONTEXT_SWITCHED_MMIO } from '../../../src/main/mediator/mmio-table';
import { MI, MI_LOAD_REGISTER_IMM_N, MI_NOOP } from '../../../src/shared/commands';
import { BCS_SWCTRL, CACHE_MODE_0_GEN7, CACHE_MODE_1, GTT_OFFSET, RENDER_RING_BASE, RING_CTL, RING_CTL_SIZE, RING_CTL_VALID, RING_START, RING_TAIL, maskedBitEnable } from '../../../src/shared/regs';

const GPR = (n: number, hi = false): number => RENDER_RING_BASE + 0x600 + n * 8 + (hi ? 4 : 0);
const SRM = ((MI.STORE_REGISTER_MEM << 23) | 2 | (1 << 22)) >>> 0;
/** MI_MATH header for `n` ALU instructions (DWord Length = total - 2). */
const MATH = (n: number): number => ((MI.MATH << 23) | (n - 1)) >>> 0;

/** A VM whose legacy render ring (GM page 0) runs `submit`ted commands; SRM results go to its GM page 8, read back with `out`. */
function renderGuest(r: Rig, domid: number) {
  const { v, ram } = addVm(r, domid, { lowMiB: 64, highMiB: 64 });
  const p = directPort(r, v);
  const words = new Uint32Array(ram);
  const gm = v.alloc.lowGm.base;
  for (let i = 0; i < 16; i++) p.write64(GTT_OFFSET + (gm / 4096 + i) * 8, (i + 1) * 4096 + 1, 0);
  p.write32(RENDER_RING_BASE + RING_START, gm);
  p.write32(RENDER_RING_BASE + RING_CTL, RING_CTL_SIZE(4096) | RING_CTL_VALID);
  let tail = 0;
  const data = gm + 8 * 4096;
  return {
    v,
    p,
    /** SRM of `reg` to data offset `off`. */
    store: (reg: number, off: number): number[] => [SRM, reg, data + off, 0],
    submit(cmds: number[]): void {
      const padded = cmds.length % 2 ? [...cmds, MI_NOOP] : cmds;
      padded.forEach((d, i) => (words[1024 + tail / 4 + i] = d >>> 0));
      tail += padded.length * 4;
      p.write32(RENDER_RING_BASE + RING_TAIL, tail);
    },
    out: (off: number, n: number): number[] => [...words.subarray((9 * 4096 + off) / 4, (9 * 4096 + off) / 4 + n)],
  };
}

/** Tick the scheduler until every queued workload ran. */
function settle(r: Rig, ...vs: { v: { queue: unknown[] } }[]): void {
  for (let i = 0; i < 200 && vs.some((g) => g.v.queue.length > 0); i++) r.m.submission.tick((r.now.ns += 1e6));
  expect(vs.every((g) => g.v.queue.length === 0)).toBe(true);
}

describe('MMIO context switch (GVT-g mmio_context.c switch_mmio)', () => {
  it('Gen9Gpu: CACHE_MODE_0/1 and BCS_SWCTRL are masked registers — a write changes only the bits its mask selects', () => {
    const gpu = new Gen9Gpu();
    gpu.mmioWrite(CACHE_MODE_0_GEN7, maskedBitEnable(0x41));
    gpu.mmioWrite(CACHE_MODE_0_GEN7, 0x0002); // no mask bits: nothing changes
    expect(gpu.mmioRead(CACHE_MODE_0_GEN7)).toBe(0x41);
    gpu.mmioWrite(CACHE_MODE_0_GEN7, (0x1 << 16) | 0);
    expect(gpu.mmioRead(CACHE_MODE_0_GEN7)).toBe(0x40);
    gpu.mmioWrite(BCS_SWCTRL, 0xffff0003);
    expect(gpu.mmioRead(BCS_SWCTRL)).toBe(0x3);
  });

  it('gen9_engine_mmio_list: CACHE_MODE_0_GEN7 and CACHE_MODE_1 are switched with mask 0xffff, the GPRs (ours) without a mask', () => {
    const mask = (off: number) => CONTEXT_SWITCHED_MMIO.find((m) => m.offset === off)?.mask;
    expect([mask(CACHE_MODE_0_GEN7), mask(CACHE_MODE_1), mask(BCS_SWCTRL)]).toEqual([0xffff, 0xffff, 0xffff]);
    expect(mask(GPR(0))).toBe(0);
    expect(mask(GPR(15, true))).toBe(0);
  });

  it('switch_mmio: two vGPUs interleaving CACHE_MODE and MI_MATH workloads never see each other\'s values', () => {
    const r = rig();
    const a = renderGuest(r, 1);
    const b = renderGuest(r, 2);
    // a: sets CACHE_MODE_0 bits 0 and 6, computes GPR2 = GPR0 + GPR1 with MI_MATH.
    a.submit([
      MI_LOAD_REGISTER_IMM_N(3), CACHE_MODE_0_GEN7, maskedBitEnable(0x41), GPR(0), 0x1234, GPR(1), 0x1000,
      MATH(4), aluInstr(ALU.LOAD, ALU_REG.SRCA, 0), aluInstr(ALU.LOAD, ALU_REG.SRCB, 1), aluInstr(ALU.ADD, 0, 0), aluInstr(ALU.STORE, 2, ALU_REG.ACCU),
      ...a.store(CACHE_MODE_0_GEN7, 0), ...a.store(GPR(2), 4),
    ]);
    settle(r, a);
    expect(a.v.failsafe).toBeNull();
    expect(a.out(0, 2)).toEqual([0x41, 0x2234]);
    // b runs next: none of a's values, then sets its own CACHE_MODE_1 bit 1 and GPR0.
    b.submit([
      ...b.store(CACHE_MODE_0_GEN7, 0), ...b.store(GPR(0), 4), ...b.store(GPR(2), 8),
      MI_LOAD_REGISTER_IMM_N(2), CACHE_MODE_1, maskedBitEnable(0x2), GPR(0), 0xbbbb,
      ...b.store(CACHE_MODE_1, 12),
    ]);
    settle(r, b);
    expect(r.m.submission.mmioOwner).toBe(b.v.id);
    expect(b.out(0, 4)).toEqual([0, 0, 0, 0x2]);
    // a's saved masked values hold no mask half (switch_mmio's save: &= ~(mask << 16)).
    expect(a.p.read32(CACHE_MODE_0_GEN7)).toBe(0x41);
    // a again: its own values are back, none of b's.
    a.submit([...a.store(CACHE_MODE_0_GEN7, 16), ...a.store(GPR(2), 20), ...a.store(GPR(0), 24), ...a.store(CACHE_MODE_1, 28)]);
    settle(r, a);
    expect(r.m.submission.mmioOwner).toBe(a.v.id);
    expect(a.out(16, 4)).toEqual([0x41, 0x2234, 0x1234, 0]);
    expect(b.p.read32(CACHE_MODE_1)).toBe(0x2);
  });
});
