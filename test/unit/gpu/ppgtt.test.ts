/**
 * The physical GPU's 48-bit PPGTT: the 4-level walk (i915 gen8_pte_encode, GEN8_PML4E_SHIFT 39,
 * GEN8_PDPE_SHIFT 30, GEN8_PDE_SHIFT 21), a 48-bit PPGTT context loaded from its image's PDP0
 * (INTEL_LEGACY_64B_CONTEXT, ASSIGN_CTX_PML4), PPGTT batch buffers, PPGTT-addressed stores and
 * post-sync writes, blits in a PPGTT context, and page faults contained as a faulted workload.
 */
import { describe, expect, it } from 'vitest';
import { CTX_PDP0_LDW, CTX_PDP0_UDW, INTEL_LEGACY_32B_CONTEXT, INTEL_LEGACY_64B_CONTEXT, contextDescriptor } from '../../../src/shared/execlist';
import { BLT_RING_BASE, GFX_RUN_LIST_ENABLE, RENDER_RING_BASE, RING_CTL_SIZE, RING_CTL_VALID, RING_ELSP, RING_MODE_GEN7, maskedBitEnable } from '../../../src/shared/regs';
import { ROP_PATCOPY, XY_COLOR_BLT_CMD, br13 } from '../../../src/shared/commands';
import { GEN8_PDE_PS_2M } from '../../../src/shared/platform';
import { GEN8_PDPE_PS_1G, Ppgtt, tableIndex, writeEntry } from '../../../src/main/gpu/ppgtt';
import type { Gen9Gpu } from '../../../src/main/gpu/gpu';
import { BB_PPGTT, BB_START, MI_BATCH_BUFFER_END, MI_USER_INTERRUPT, PC_GLOBAL_GTT, PIPE_CONTROL, SDI_PPGTT, gpuWithRam, pcPostSync } from './helpers';
import { encodePte } from '../../../src/main/gpu/ggtt';

const PAGE = 4096;
/** Table pages in the test RAM (host-physical = GM, mapped 1:1). */
const PML4 = 40 * PAGE;
const PDP = 41 * PAGE;
const PD = 42 * PAGE;
const PT = 43 * PAGE;
/** A PPGTT address above 4 GiB with every level's index non-zero. */
const VA = 2 ** 40 + 3 * 2 ** 30 + 5 * 2 ** 21 + 7 * PAGE;

function setEntry(ram: Uint32Array, table: number, index: number, hpa: number): void {
  writeEntry(ram, table / 4 + index * 2, hpa);
}

/** Map PPGTT pages VA + i*4K → host frames `frames[i]`. */
function buildTables(ram: Uint32Array, frames: number[]): void {
  setEntry(ram, PML4, tableIndex(VA, 0), PDP);
  setEntry(ram, PDP, tableIndex(VA, 1), PD);
  setEntry(ram, PD, tableIndex(VA, 2), PT);
  frames.forEach((f, i) => setEntry(ram, PT, tableIndex(VA, 3) + i, f * PAGE));
}

/** Submit a context through the physical ELSP (BCS unless `base` says RCS); its image's PDP0 holds PML4. */
function runContext(gpu: Gen9Gpu, ram: Uint32Array, ring: number[], mode: number, base = BLT_RING_BASE) {
  const ringGm = 16 * PAGE;
  const ctx = 20 * PAGE;
  ring.forEach((d, i) => (ram[ringGm / 4 + i] = d >>> 0));
  const st = (ctx + PAGE) / 4;
  ram[st + 5] = 0;
  ram[st + 7] = ring.length * 4;
  ram[st + 9] = ringGm;
  ram[st + 11] = RING_CTL_SIZE(PAGE) | RING_CTL_VALID;
  ram[st + CTX_PDP0_UDW + 1] = 0;
  ram[st + CTX_PDP0_LDW + 1] = PML4;
  gpu.mmioWrite(base + RING_MODE_GEN7, maskedBitEnable(GFX_RUN_LIST_ENABLE));
  const [lo, hi] = contextDescriptor(ctx, 7, mode);
  let res;
  for (const dw of [0, 0, hi, lo]) res = gpu.mmioWrite(base + RING_ELSP, dw) ?? res;
  return res!;
}

describe('Ppgtt (gen8 4-level walk)', () => {
  it('translates a 48-bit address through PML4/PDP/PD/PT and reports a not-present level as a page fault', () => {
    const { gpu, ram } = gpuWithRam();
    buildTables(ram, [50]);
    const p = new Ppgtt(gpu.memory, PML4);
    expect(p.pageHpa(VA / PAGE)).toBe(50 * PAGE);
    expect(p.fault).toBeUndefined();
    p.write32(VA + 8, 0x12345678);
    expect(ram[(50 * PAGE + 8) / 4]).toBe(0x12345678);
    expect(p.pageHpa(VA / PAGE + 1)).toBe(-1);
    expect(p.fault).toMatch(/PPGTT page fault at 0x[0-9a-f]+: PTE not present/);
    const q = new Ppgtt(gpu.memory, PML4);
    expect(q.read32(2 ** 47)).toBe(0);
    expect(q.fault).toMatch(/PML4E not present/);
  });

  it('keeps translations per 512-page block: pages of two blocks asked in turn, and bad indices, answer as a fresh walk does', () => {
    const { gpu, ram } = gpuWithRam();
    buildTables(ram, [50, 51]);
    // A second page table for the next 2 MiB block (PD index + 1).
    const PT2 = 44 * PAGE;
    setEntry(ram, PD, tableIndex(VA, 2) + 1, PT2);
    setEntry(ram, PT2, 0, 60 * PAGE);
    const p = new Ppgtt(gpu.memory, PML4);
    const first = VA / PAGE;
    const otherBlock = (VA + 2 ** 21 - tableIndex(VA, 3) * PAGE) / PAGE;
    for (let round = 0; round < 3; round++) {
      expect([p.pageHpa(first), p.pageHpa(otherBlock), p.pageHpa(first + 1)]).toEqual([50 * PAGE, 60 * PAGE, 51 * PAGE]);
    }
    expect(p.fault).toBeUndefined();
    expect([p.pageHpa(-1), p.pageHpa(1.5), p.pageHpa(2 ** 36)]).toEqual([-1, -1, -1]);
    expect(p.fault).toMatch(/address beyond 48 bits/);
    // A page that faulted is walked again (nothing cached), and still faults.
    expect([p.pageHpa(first + 2), p.pageHpa(first + 2)]).toEqual([-1, -1]);
  });
});

describe('AddressSpace.pageFrame (the frame number the blitter\'s GmCursor translates with)', () => {
  it('is pageHpa / 4096 for mapped pages of the GGTT and a PPGTT, high host-physical addresses included, and -1 where pageHpa is', () => {
    const { gpu, ram } = gpuWithRam();
    // GGTT: a PTE naming a frame at 8 GiB + 5 pages (where a VM's RAM lies), and one not present.
    gpu.ggtt.setPte(70, ...encodePte(8 * 2 ** 30 + 5 * PAGE));
    for (const i of [3, 70, 71, gpu.ggtt.entries, -1]) {
      const hpa = gpu.ggtt.pageHpa(i);
      expect(gpu.ggtt.pageFrame(i)).toBe(hpa < 0 ? -1 : hpa / PAGE);
    }
    expect(gpu.ggtt.pageFrame(70)).toBe(2 ** 21 + 5);
    // PPGTT: a 4 KiB page at 16 GiB + 9 pages, a not-present one, and an index beyond 48 bits.
    buildTables(ram, [50]);
    setEntry(ram, PT, tableIndex(VA, 3) + 1, 16 * 2 ** 30 + 9 * PAGE);
    const p = new Ppgtt(gpu.memory, PML4);
    expect([p.pageFrame(VA / PAGE), p.pageFrame(VA / PAGE + 1), p.pageFrame(VA / PAGE + 2), p.pageFrame(2 ** 36)]).toEqual([50, 2 ** 22 + 9, -1, -1]);
    expect(p.fault).toMatch(/PTE not present/);
  });
});

/** Make the PD entry of VA a 2 MiB page at `hpa` (GEN8_PDE_PS_2M), with extra low bits `flags` (e.g. the large page's PAT bit 12). */
function setPde2M(ram: Uint32Array, hpa: number, flags = 0): void {
  setEntry(ram, PML4, tableIndex(VA, 0), PDP);
  setEntry(ram, PDP, tableIndex(VA, 1), PD);
  setEntry(ram, PD, tableIndex(VA, 2), hpa);
  ram[PD / 4 + tableIndex(VA, 2) * 2] |= GEN8_PDE_PS_2M | flags;
}

describe('Ppgtt page sizes (GEN8_PDE_PS_2M, GEN8_PDPE_PS_1G)', () => {
  it('a PDE with the PS bit maps a 2 MiB page: address bits 47:21, bit 12 (the large PAT bit) not part of it', () => {
    const { gpu, ram } = gpuWithRam(1024);
    setPde2M(ram, 2 * 2 ** 20, 1 << 12);
    const p = new Ppgtt(gpu.memory, PML4);
    const base = VA - tableIndex(VA, 3) * PAGE; // the 2 MiB-aligned graphics address
    expect([p.pageHpa(base / PAGE), p.pageHpa(VA / PAGE), p.pageHpa(base / PAGE + 511)]).toEqual([2 * 2 ** 20, 2 * 2 ** 20 + 7 * PAGE, 4 * 2 ** 20 - PAGE]);
    p.write32(VA + 12, 0xabcdef01);
    expect(ram[(2 * 2 ** 20 + 7 * PAGE + 12) / 4]).toBe(0xabcdef01);
    expect(p.fault).toBeUndefined();
    // The next PDE is not present: the 2 MiB page ends where it should.
    expect(p.pageHpa(base / PAGE + 512)).toBe(-1);
    expect(p.fault).toMatch(/PDE not present/);
  });

  it('a 2 MiB page straddling the end of backed memory faults at the first unbacked 4 KiB page, nothing written', () => {
    const { gpu, ram } = gpuWithRam(768); // 3 MiB: the page at 2 MiB has its upper half unbacked
    setPde2M(ram, 2 * 2 ** 20);
    const p = new Ppgtt(gpu.memory, PML4);
    const base = VA - tableIndex(VA, 3) * PAGE;
    expect(p.write32(base + 255 * PAGE, 1)).toBe(true);
    expect(p.write32(base + 256 * PAGE, 2)).toBe(false);
    expect(p.fault).toMatch(/PTE points at unbacked memory 0x300000/);
  });

  it('a PDPE with the PS bit (1 GiB page) is not a Gen9 page size: the walk faults', () => {
    const { gpu, ram } = gpuWithRam();
    setEntry(ram, PML4, tableIndex(VA, 0), PDP);
    setEntry(ram, PDP, tableIndex(VA, 1), 0);
    ram[PDP / 4 + tableIndex(VA, 1) * 2] |= GEN8_PDPE_PS_1G;
    const p = new Ppgtt(gpu.memory, PML4);
    expect(p.pageHpa(VA / PAGE)).toBe(-1);
    expect(p.fault).toMatch(/PDPE has the PS bit \(a 1 GiB page\), not a Gen9 page size/);
  });

  it('invalidate drops a 2 MiB translation when its PDE changes to a page table', () => {
    const { gpu, ram } = gpuWithRam(1024);
    setPde2M(ram, 2 * 2 ** 20);
    const p = new Ppgtt(gpu.memory, PML4);
    expect(p.pageHpa(VA / PAGE)).toBe(2 * 2 ** 20 + 7 * PAGE);
    setEntry(ram, PD, tableIndex(VA, 2), PT);
    setEntry(ram, PT, tableIndex(VA, 3), 50 * PAGE);
    expect(p.pageHpa(VA / PAGE)).toBe(2 * 2 ** 20 + 7 * PAGE); // the TLB holds it until told
    p.invalidate(VA / PAGE - tableIndex(VA, 3), 512);
    expect(p.pageHpa(VA / PAGE)).toBe(50 * PAGE);
  });
});

describe('48-bit PPGTT contexts on the physical engine', () => {
  it('runs a PPGTT batch buffer whose blit and PPGTT post-sync store go through the context PML4', () => {
    const { gpu, ram } = gpuWithRam();
    // PPGTT page 0: the batch (frame 51); page 1: the render target (frame 52); page 2: the seqno (frame 53).
    buildTables(ram, [51, 52, 53]);
    const batch = [XY_COLOR_BLT_CMD, br13(ROP_PATCOPY, 64), 0, (1 << 16) | 4, VA + PAGE, VA / 2 ** 32, 0xff00ff00, SDI_PPGTT, VA + 2 * PAGE, VA / 2 ** 32, 99, MI_BATCH_BUFFER_END];
    batch.forEach((d, i) => (ram[(51 * PAGE) / 4 + i] = d >>> 0));
    const res = runContext(gpu, ram, [BB_START | BB_PPGTT, VA, VA / 2 ** 32, MI_USER_INTERRUPT], INTEL_LEGACY_64B_CONTEXT);
    expect(res.fault).toBeUndefined();
    expect(res.pixels).toBe(4);
    expect(Array.from(ram.subarray((52 * PAGE) / 4, (52 * PAGE) / 4 + 5))).toEqual([0xff00ff00, 0xff00ff00, 0xff00ff00, 0xff00ff00, 0]);
    expect(ram[(53 * PAGE) / 4]).toBe(99);
  });

  it('a blit in a PPGTT context through a 2 MiB page (GEN8_PDE_PS_2M) lands in the large page', () => {
    const { gpu, ram } = gpuWithRam(1024);
    setPde2M(ram, 2 * 2 ** 20);
    const res = runContext(gpu, ram, [XY_COLOR_BLT_CMD, br13(ROP_PATCOPY, 64), 0, (1 << 16) | 2, VA + PAGE, VA / 2 ** 32, 0xff0000ff, MI_USER_INTERRUPT], INTEL_LEGACY_64B_CONTEXT);
    expect(res.fault).toBeUndefined();
    expect(Array.from(ram.subarray((2 * 2 ** 20 + 8 * PAGE) / 4, (2 * 2 ** 20 + 8 * PAGE) / 4 + 3))).toEqual([0xff0000ff, 0xff0000ff, 0]);
  });

  it('PIPE_CONTROL post-sync with the Global GTT bit clear writes through the PPGTT; with it set through the GGTT', () => {
    const { gpu, ram } = gpuWithRam();
    buildTables(ram, [53]);
    const res = runContext(gpu, ram, [PIPE_CONTROL, pcPostSync(1), VA + 16, VA / 2 ** 32, 5, 0, PIPE_CONTROL, pcPostSync(1) | PC_GLOBAL_GTT, 60 * PAGE, 0, 6, 0], INTEL_LEGACY_64B_CONTEXT, RENDER_RING_BASE);
    expect(res.fault).toBeUndefined();
    expect(ram[(53 * PAGE + 16) / 4]).toBe(5);
    expect(ram[(60 * PAGE) / 4]).toBe(6);
  });

  it('a legacy 32-bit context has no PPGTT: a PPGTT batch faults and nothing is written', () => {
    const { gpu, ram } = gpuWithRam();
    buildTables(ram, [51]);
    ram[(51 * PAGE) / 4] = MI_BATCH_BUFFER_END;
    const res = runContext(gpu, ram, [BB_START | BB_PPGTT, VA, VA / 2 ** 32, MI_USER_INTERRUPT], INTEL_LEGACY_32B_CONTEXT);
    expect(res.fault).toMatch(/PPGTT batch buffer in a context without a PPGTT/);
  });

  it('a page fault stops the workload as a fault (contained, no write anywhere)', () => {
    const { gpu, ram } = gpuWithRam();
    buildTables(ram, [51]);
    const res = runContext(gpu, ram, [XY_COLOR_BLT_CMD, br13(ROP_PATCOPY, 64), 0, (1 << 16) | 4, VA + 5 * PAGE, VA / 2 ** 32, 0xffffffff, MI_USER_INTERRUPT], INTEL_LEGACY_64B_CONTEXT);
    expect(res.fault).toMatch(/XY_COLOR_BLT: PPGTT page fault at 0x[0-9a-f]+: PTE not present/);
    expect(res.userInterrupts).toBe(0);
    // Nothing outside the ring, the context image and the tables was written (GM 0 is what a GGTT blit would hit).
    const written = [...ram.keys()].filter((i) => ram[i] !== 0 && !(i >= (16 * PAGE) / 4 && i < (17 * PAGE) / 4) && !(i >= (20 * PAGE) / 4 && i < (22 * PAGE) / 4) && !(i >= PML4 / 4 && i < (PT + PAGE) / 4));
    expect(written).toEqual([]);
  });
});
