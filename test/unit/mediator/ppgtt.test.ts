/**
 * PPGTT shadowing in the mediator (GVT-g gtt.c / handlers.c): the guest's full 48-bit PPGTT is
 * announced with VGT_G2V_PPGTT_L4_PAGE_TABLE_CREATE (intel_vgpu_g2v_create_ppgtt_mm), shadowed at
 * submission with every frame checked (ppgtt_populate_shadow_entry, scratch page), the shadow
 * context points at the shadow PML4 (update_shadow_pdps), PPGTT batch buffers are scanned through
 * the shadow, and vgt_caps is populate_pvinfo_page's.
 */
import { describe, expect, it } from 'vitest';
import { addVm, bootDesktop, directPort, rig } from '../helpers/system';
import { GuestDriver } from '../../../src/main/guest/driver';
import { GuestRam } from '../../../src/main/guest/guest-ram';
import { MI_BATCH_BUFFER_END, MI_BATCH_BUFFER_START_GGTT, MI_BATCH_PPGTT, MI_USER_INTERRUPT, ROP_PATCOPY, XY_COLOR_BLT_CMD, br13 } from '../../../src/shared/commands';
import { CTX_LRI_HEADER_0, CTX_LRI_HEADER_1, CTX_PDP0_LDW, CTX_PDP0_UDW, CTX_PDP3_UDW, CTX_RING_BUFFER_CONTROL, CTX_RING_BUFFER_START, CTX_RING_HEAD, CTX_RING_TAIL, INTEL_LEGACY_32B_CONTEXT, LRC_STATE_PN, contextDescriptor } from '../../../src/shared/execlist';
import { BLT_RING_BASE, GFX_RUN_LIST_ENABLE, RING_CTL, RING_CTL_SIZE, RING_CTL_VALID, RING_ELSP, RING_HEAD, RING_MODE_GEN7, RING_START, RING_TAIL, VGT_PVINFO_PAGE, maskedBitEnable } from '../../../src/shared/regs';
import { MI_LOAD_REGISTER_IMM_N } from '../../../src/shared/commands';
import { PVINFO, VGT_CAPS_FULL_PPGTT, VGT_CAPS_HUGE_GTT, VGT_CAPS_HWSP_EMULATION, VGT_G2V } from '../../../src/shared/pvinfo';
import { MAX_SHADOW_MMS, MAX_SHADOW_PAGES, PpgttShadow } from '../../../src/main/mediator/ppgtt-shadow';
import { entryAddress } from '../../../src/main/gpu/ppgtt';
import { GEN8_PDE_PS_2M, PAGE_SIZE_2M } from '../../../src/shared/platform';
import type { Rig } from '../helpers/system';

function guest(r: Rig, domid: number, ppgtt = true, ramMiB = 64) {
  const vm = ppgtt ? addVm(r, domid, { ramMiB }) : noPpgttVm(r, domid);
  const lines: string[] = [];
  const d = new GuestDriver(directPort(r, vm.v), new GuestRam(vm.ram, vm.dirty), (l) => lines.push(l));
  d.probe();
  d.initBlitterRing();
  d.enableInterrupts();
  return { ...vm, d, lines };
}

/** A vGPU created with `ppgtt: false` (no VGT_CAPS_FULL_PPGTT). */
function noPpgttVm(r: Rig, domid: number) {
  const ram = new SharedArrayBuffer(64 * 2 ** 20);
  const v = r.m.createVgpu({ domid, name: `vm${domid}`, lowGmBytes: 128 * 2 ** 20, highGmBytes: 384 * 2 ** 20, fences: 4, ram, bootForeground: false, ppgtt: false });
  return { v, ram, dirty: undefined };
}

function settle(r: Rig): void {
  for (let t = 0; t < 8; t++) r.m.tick(r.now.ns + t * 1e6);
}

/** The PDP0 the host wrote into its shadow context image for BCS. */
function shadowContextPml4(r: Rig): number {
  const st = r.m.hostGm.shadowContextGm.bcs + LRC_STATE_PN * 4096;
  return entryAddress(r.gpu.ggtt.read32(st + (CTX_PDP0_LDW + 1) * 4), r.gpu.ggtt.read32(st + (CTX_PDP0_UDW + 1) * 4));
}

describe('PPGTT: caps, notifications and the shadow context', () => {
  it('populate_pvinfo_page: vgt_caps has FULL_PPGTT | HWSP_EMULATION | HUGE_GTT; without full PPGTT only the last two', () => {
    const r = rig();
    const a = addVm(r, 1);
    const b = noPpgttVm(r, 2);
    const caps = (v: typeof a.v): number => r.m.mmioRead(v, VGT_PVINFO_PAGE + PVINFO.vgt_caps);
    expect(caps(a.v) & 0x1c).toBe(VGT_CAPS_FULL_PPGTT | VGT_CAPS_HWSP_EMULATION | VGT_CAPS_HUGE_GTT);
    expect(caps(b.v) & 0x1c).toBe(VGT_CAPS_HWSP_EMULATION | VGT_CAPS_HUGE_GTT);
  });

  it('handle_g2v_notification: L4 CREATE shadows the PML4 in pdp[0], DESTROY drops it; the desktop draws through the shadow PPGTT', () => {
    const r = rig();
    const { v, driver, lines, scene } = bootDesktop(r, 1);
    expect(lines).toContain('[drm] Full PPGTT (48-bit, 4-level) enabled');
    const pml4 = driver.ppgttTables!.pml4;
    expect(v.ppgtt!.size).toBe(1);
    scene.frame(Date.UTC(2026, 0, 1));
    settle(r);
    expect(v.failsafe).toBeNull();
    expect(v.stats.workloads).toBeGreaterThan(0);
    // The host's shadow context carries the shadow PML4 (in the vGPU's pool), never the guest's.
    const shadow = shadowContextPml4(r);
    const pool = v.ppgtt!.poolRange;
    expect(shadow).not.toBe(pml4);
    expect(shadow >= pool.base && shadow < pool.base + pool.size).toBe(true);
    driver.shutdown();
    expect(v.ppgtt!.size).toBe(0);
    const p = directPort(r, v);
    p.write32(VGT_PVINFO_PAGE + PVINFO.g2v_notify, VGT_G2V.PPGTT_L4_PAGE_TABLE_DESTROY);
    expect(v.log.at(-1)).toMatch(/destroy of PML4 0x[0-9a-f]+, which has no shadow, ignored/);
  });

  it('update_shadow_pdps: the shadow context image holds LRI header 1, then PDP3..0 (register, value) pairs of its engine, the shadow PML4 in PDP0', () => {
    const r = rig();
    const { v, scene } = bootDesktop(r, 1);
    scene.frame(Date.UTC(2026, 0, 1));
    settle(r);
    expect(v.failsafe).toBeNull();
    const st = r.m.hostGm.shadowContextGm.bcs + LRC_STATE_PN * 4096;
    const dw = (i: number): number => r.gpu.ggtt.read32(st + i * 4);
    const shadow = shadowContextPml4(r);
    expect(dw(CTX_LRI_HEADER_1)).toBe(MI_LOAD_REGISTER_IMM_N(8) >>> 0);
    const got: number[] = [];
    for (let i = CTX_PDP3_UDW; i < CTX_PDP3_UDW + 16; i++) got.push(dw(i));
    const expected: number[] = [];
    for (let n = 3; n >= 0; n--) {
      const value = n === 0 ? shadow : 0;
      expected.push(BLT_RING_BASE + 0x270 + n * 8 + 4, Math.floor(value / 2 ** 32), BLT_RING_BASE + 0x270 + n * 8, value % 2 ** 32);
    }
    expect(got).toEqual(expected);
    expect(shadow).toBeGreaterThan(0);
  });

  it('intel_vgpu_has_full_ppgtt: without the cap the guest stays GGTT-only and still draws its desktop', () => {
    const r = rig();
    const g = guest(r, 1, false);
    expect(g.lines).toContain('[drm] vGPU without full PPGTT: GGTT only');
    expect(g.d.ppgttTables).toBeNull();
    const fb = g.d.allocObject(4096 * 4, 'hidden');
    g.d.submit([XY_COLOR_BLT_CMD, br13(ROP_PATCOPY, 4096), 0, (1 << 16) | 4, fb.gm, 0, 0xff112233, MI_USER_INTERRUPT]);
    settle(r);
    expect(g.v.failsafe).toBeNull();
    expect(Array.from(fb.words.subarray(0, 4))).toEqual([0xff112233, 0xff112233, 0xff112233, 0xff112233]);
    expect(shadowContextPml4(r)).toBe(0);
  });
});

describe('PPGTT batch buffers and shadow entries', () => {
  it('cmd_parser: a PPGTT batch buffer is scanned through the shadow PPGTT, shadowed and run (its blit lands in the guest object)', () => {
    const r = rig();
    const g = guest(r, 1);
    const batch = g.d.allocObject(4096, 'hidden');
    const target = g.d.allocObject(4096, 'hidden');
    batch.words.set([XY_COLOR_BLT_CMD, br13(ROP_PATCOPY, 4096), 0, (1 << 16) | 2, target.gm, 0, 0xff445566, MI_BATCH_BUFFER_END]);
    g.d.submit([(MI_BATCH_BUFFER_START_GGTT | MI_BATCH_PPGTT) >>> 0, batch.gm, 0, MI_USER_INTERRUPT]);
    settle(r);
    expect(g.v.failsafe).toBeNull();
    expect(Array.from(target.words.subarray(0, 3))).toEqual([0xff445566, 0xff445566, 0]);
  });

  it('ppgtt_populate_shadow_entry: frames outside the VM (beyond RAM, another VM, the shadow pools) go to the scratch page; the other VM stays byte-identical', () => {
    const r = rig();
    const victim = guest(r, 1);
    const g = guest(r, 2);
    const target = g.d.allocObject(4 * 4096, 'hidden');
    const t = g.d.ppgttTables!;
    t.setEntry(target.gm, 3, victim.v.ram.base); // the victim's first frame, as a "guest frame"
    t.setEntry(target.gm + 4096, 3, 0x100000 * 4096); // far past its RAM
    t.setEntry(target.gm + 8192, 3, victim.v.ppgtt!.poolRange.base); // the victim's shadow tables
    t.setEntry(2 ** 40, 2, victim.v.ram.base + 4096); // a PDE into the victim
    victim.d.allocObject(4096, 'hidden'); // make the victim's shadow exist
    const before = Buffer.from(new Uint8Array(victim.ram));
    const poolBefore = Buffer.from(new Uint8Array(r.gpu.memory.regionOf(victim.v.ppgtt!.poolRange.base)!.bytes));
    g.d.submit([XY_COLOR_BLT_CMD, br13(ROP_PATCOPY, 16384), 0, (1 << 16) | 4096, target.gm, 0, 0xffffffff, MI_USER_INTERRUPT]);
    settle(r);
    expect(g.v.ppgtt!.stats.scratched).toBeGreaterThanOrEqual(4);
    expect(g.v.log.filter((l) => /PPGTT: (PTE|PDE) \d+ .*outside the VM's 64 MiB RAM: pointed at the scratch (page|table)/.test(l)).length).toBeGreaterThanOrEqual(4);
    expect(Buffer.from(new Uint8Array(victim.ram)).equals(before)).toBe(true);
    expect(Buffer.from(new Uint8Array(r.gpu.memory.regionOf(victim.v.ppgtt!.poolRange.base)!.bytes)).equals(poolBefore)).toBe(true);
    // The guest's own fourth page was written; the scratch page took the rest.
    expect(target.words[3 * 1024]).toBe(0xffffffff);
  });

  it('re-shadows at submission only what changed: an unchanged PPGTT re-translates no entry, a changed PTE exactly one', () => {
    const r = rig();
    const g = guest(r, 1);
    const obj = g.d.allocObject(2 * 4096, 'hidden');
    const submit = (): void => {
      g.d.submit([XY_COLOR_BLT_CMD, br13(ROP_PATCOPY, 4096), 0, (1 << 16) | 1, obj.gm, 0, 1, MI_USER_INTERRUPT]);
      settle(r);
    };
    submit();
    const s = g.v.ppgtt!.stats;
    const translated = s.translated;
    submit();
    expect(s.translated).toBe(translated);
    g.d.ppgttTables!.setEntry(obj.gm, 3, (obj.firstFrame + 1) * 4096);
    submit();
    expect(s.translated).toBe(translated + 1);
    expect(obj.words[1024]).toBe(1); // the blit followed the new mapping
  });

  it('intel_vgpu_get_ppgtt_mm keeps at most MAX_SHADOW_MMS shadows: a new one evicts the least recently used, not the oldest made', () => {
    const r = rig();
    const g = guest(r, 1);
    const p = g.v.ppgtt!;
    // Empty PML4s in pages of RAM nothing else uses (the top 1 MiB of the 64 MiB).
    const pml4 = (n: number): number => 63 * 2 ** 20 + n * 4096;
    const held = p.size; // the driver's own PML4
    for (let n = 0; n < MAX_SHADOW_MMS - held; n++) expect(p.shadow(pml4(n)).ok).toBe(true);
    expect(p.size).toBe(MAX_SHADOW_MMS);
    // The first one made is used again; the driver's (made before it, not used since) is now the least recently used.
    const first = p.shadow(pml4(0));
    expect(p.shadow(pml4(100)).ok).toBe(true);
    expect(p.size).toBe(MAX_SHADOW_MMS);
    expect(p.destroy(g.d.ppgttTables!.pml4)).toBe(false);
    // pml4(0) kept its shadow (the same address space, not rebuilt); pml4(1) is next in line.
    const again = p.shadow(pml4(0));
    expect(first.ok && again.ok && again.mm === first.mm).toBe(true);
    expect(p.shadow(pml4(101)).ok).toBe(true);
    expect(p.destroy(pml4(1))).toBe(false);
    expect(p.destroy(pml4(0))).toBe(true);
  });

  it('a PML4 outside the VM RAM is refused (failsafe), and the pool is bounded', () => {
    const r = rig();
    const g = guest(r, 1);
    expect(g.v.ppgtt!.shadow(0x100000 * 4096)).toMatchObject({ ok: false, reason: expect.stringMatching(/not a page of the VM's RAM/) });
    expect(MAX_SHADOW_PAGES).toBe(1024);
    expect(new PpgttShadow(g.v, r.gpu.memory, g.ram, 0).size).toBe(0);
  });
});

/** The `n`th 2 MiB-aligned graphics address from the top of the vGPU's hidden GM (no object is bound there in these tests). */
function largeVa(g: ReturnType<typeof guest>, n: number): number {
  const h = g.v.alloc.highGm;
  return Math.floor((h.base + h.size) / PAGE_SIZE_2M) * PAGE_SIZE_2M - (n + 1) * PAGE_SIZE_2M;
}

/** XY_COLOR_BLT filling the 2 MiB at graphics address `va` (1024 x 512 pixels, pitch 4 KiB) with `color`. */
const fill2M = (va: number, color: number): number[] => [XY_COLOR_BLT_CMD, br13(ROP_PATCOPY, 4096), 0, (512 << 16) | 1024, va % 2 ** 32, Math.floor(va / 2 ** 32), color];

describe('PPGTT 2 MiB and 1 GiB pages (GEN8_PDE_PS_2M, GEN8_PDPE_PS_1G)', () => {
  it('split_2MB_gtt_entry: a guest 2 MiB page is shadowed as 512 4 KiB entries of its own frames, and a PPGTT blit through it fills exactly its 2 MiB', () => {
    const r = rig();
    const g = guest(r, 1);
    const va = largeVa(g, 0);
    const frame = 0x2000; // guest-physical 32 MiB, 2 MiB aligned
    g.d.ppgttTables!.map2M(va, frame);
    expect(() => g.d.ppgttTables!.map2M(va + 4096, frame)).toThrow(/2 MiB-aligned/);
    g.d.submit([...fill2M(va, 0xff336699), MI_USER_INTERRUPT]);
    settle(r);
    expect(g.v.failsafe).toBeNull();
    const words = new Uint32Array(g.ram);
    const first = (frame * 4096) / 4;
    expect([words[first - 1], words[first], words[first + PAGE_SIZE_2M / 4 - 1], words[first + PAGE_SIZE_2M / 4]]).toEqual([0, 0xff336699, 0xff336699, 0]);
    // The shadow maps each 4 KiB page to the VM's frame (no PS bit in the shadow: the walker sees a page table).
    const mm = g.v.ppgtt!.shadow(g.d.ppgttTables!.pml4);
    expect(mm.ok).toBe(true);
    const w = g.v.ppgtt!.walker((mm as { mm: Parameters<PpgttShadow['walker']>[0] }).mm);
    for (const k of [0, 1, 255, 511]) expect(w.pageHpa(va / 4096 + k)).toBe(g.v.ram.base + (frame + k) * 4096);
    expect(g.v.ppgtt!.stats.scratched).toBe(0);
    // Turning the PDE back into a page table (4 KiB pages) is seen at the next submission.
    const obj = g.d.allocObject(4096, 'hidden');
    g.d.ppgttTables!.setEntry(va, 2, obj.firstFrame * 4096); // the object's page as a (zero) page table
    g.d.submit([MI_USER_INTERRUPT]);
    settle(r);
    expect(w.pageHpa(va / 4096)).toBe(-1);
  });

  it('GuestPpgtt.map binds a 2 MiB-aligned run of 512 contiguous frames as one 2 MiB page (gen8_ppgtt_insert_huge), the rest as 4 KiB pages; 4 KiB pages mapped over it replace it', () => {
    const r = rig();
    const g = guest(r, 1);
    const t = g.d.ppgttTables!;
    const words = new Uint32Array(g.ram);
    /** The guest's own entry at `level` on the walk of `va` (lo word). */
    const entry = (va: number, level: number): number => {
      let table = t.pml4;
      for (let l = 0; l < level; l++) table = entryAddress(words[table / 4 + (Math.floor(va / 2 ** [39, 30, 21][l]!) % 512) * 2]!, 0);
      return words[table / 4 + (Math.floor(va / 2 ** [39, 30, 21, 12][level]!) % 512) * 2]!;
    };
    const va = largeVa(g, 1);
    t.map(va - 4096, Array.from({ length: 514 }, (_, i) => 0x1fff + i)); // one 4 KiB page, one 2 MiB page, one 4 KiB page
    expect([entry(va - 4096, 2) & GEN8_PDE_PS_2M, entry(va, 2) & GEN8_PDE_PS_2M, entry(va + PAGE_SIZE_2M, 2) & GEN8_PDE_PS_2M]).toEqual([0, GEN8_PDE_PS_2M, 0]);
    g.d.submit([...[va - 4096, va + 3 * 4096, va + PAGE_SIZE_2M].flatMap((a) => [XY_COLOR_BLT_CMD, br13(ROP_PATCOPY, 4096), 0, (1 << 16) | 1, a % 2 ** 32, 0, 0xff0000aa]), MI_USER_INTERRUPT]);
    settle(r);
    expect(g.v.failsafe).toBeNull();
    expect([words[(0x1fff * 4096) / 4], words[((0x2000 + 3) * 4096) / 4], words[((0x2000 + 512) * 4096) / 4]]).toEqual([0xff0000aa, 0xff0000aa, 0xff0000aa]);
    t.map(va, [0x3000]);
    expect(entry(va, 2) & GEN8_PDE_PS_2M).toBe(0);
    g.d.submit([XY_COLOR_BLT_CMD, br13(ROP_PATCOPY, 4096), 0, (1 << 16) | 1, va % 2 ** 32, 0, 0xff0000bb, MI_USER_INTERRUPT]);
    settle(r);
    expect(words[(0x3000 * 4096) / 4]).toBe(0xff0000bb);
  });

  it('split_2MB_gtt_entry, hostile: 2 MiB pages straddling the end of RAM, at another VM, at its shadow tables; a PPGTT batch writing through them leaves the other VM byte-identical', () => {
    const r = rig();
    const victim = guest(r, 1);
    const g = guest(r, 2, true, 63); // 63 MiB: a 2 MiB page at 62 MiB is half outside
    victim.d.allocObject(4096, 'hidden'); // the victim's shadow exists
    const t = g.d.ppgttTables!;
    const vas = [largeVa(g, 0), largeVa(g, 1), largeVa(g, 2)];
    t.setEntry(vas[0]!, 2, 62 * 2 ** 20, true, 0x3 | GEN8_PDE_PS_2M);
    t.setEntry(vas[1]!, 2, victim.v.ram.base, true, 0x3 | GEN8_PDE_PS_2M);
    t.setEntry(vas[2]!, 2, victim.v.ppgtt!.poolRange.base, true, 0x3 | GEN8_PDE_PS_2M);
    const before = Buffer.from(new Uint8Array(victim.ram));
    const poolBefore = Buffer.from(new Uint8Array(r.gpu.memory.regionOf(victim.v.ppgtt!.poolRange.base)!.bytes));
    const batch = g.d.allocObject(4096, 'hidden');
    batch.words.set([...vas.flatMap((va) => fill2M(va, 0xffffffff)), MI_BATCH_BUFFER_END]);
    g.d.submit([(MI_BATCH_BUFFER_START_GGTT | MI_BATCH_PPGTT) >>> 0, batch.gm, 0, MI_USER_INTERRUPT]);
    settle(r);
    expect(Buffer.from(new Uint8Array(victim.ram)).equals(before)).toBe(true);
    expect(Buffer.from(new Uint8Array(r.gpu.memory.regionOf(victim.v.ppgtt!.poolRange.base)!.bytes)).equals(poolBefore)).toBe(true);
    const notes = g.v.log.filter((l) => /PDE \d+ .* is a 2 MiB page at guest-physical 0x[0-9a-f]+, split into 4 KiB entries \(split_2MB_gtt_entry\): \d+ of its 512 frames lie outside the VM's 63 MiB RAM, pointed at the scratch page/.test(l));
    expect(notes.map((l) => /: (\d+) of its/.exec(l)![1]).sort()).toEqual(['256', '512', '512']);
    expect(g.v.ppgtt!.stats.scratched).toBe(256 + 512 + 512);
    // The guest's own half of the straddling page was written; its RAM ends at 63 MiB.
    const own = new Uint32Array(g.ram);
    expect([own[(62 * 2 ** 20) / 4], own[own.length - 1]]).toEqual([0xffffffff, 0xffffffff]);
  });

  it('ppgtt_populate_shadow_entry: a PDPE with the PS bit (1 GiB page) is refused ("GVT doesn\'t support 1GB entry"): the scratch table, and an access through it faults', () => {
    const r = rig();
    const g = guest(r, 1);
    const target = g.d.allocObject(4096, 'hidden');
    g.d.ppgttTables!.setEntry(target.gm, 1, 0, true, 0x3 | GEN8_PDE_PS_2M); // bit 7 of a PDPE: 1 GiB at guest-physical 0
    const before = Buffer.from(new Uint8Array(g.ram));
    g.d.submit([XY_COLOR_BLT_CMD, br13(ROP_PATCOPY, 4096), 0, (1 << 16) | 4, target.gm, 0, 0xff00ff00, MI_USER_INTERRUPT]);
    settle(r);
    expect(g.v.log.some((l) => /PPGTT: PDPE \d+ of guest table 0x[0-9a-f]+ has the PS bit \(a 1 GiB page\): GVT doesn't support 1GB entry \(ppgtt_populate_shadow_entry\), pointed at the scratch table/.test(l))).toBe(true);
    expect(g.v.log.some((l) => /PPGTT page fault at 0x[0-9a-f]+: PDE not present/.test(l))).toBe(true);
    expect(target.words[0]).toBe(0);
    // Nothing of the VM's RAM was written by the blit (only the guest's own ring/context bookkeeping may differ).
    const now = new Uint8Array(g.ram);
    const gpa = target.firstFrame * 4096;
    expect(Buffer.from(now.subarray(gpa, gpa + 4096)).equals(before.subarray(gpa, gpa + 4096))).toBe(true);
  });
});

/**
 * Submit a blitter context by hand through ELSP (as i915's execlists do): a ring holding `ring`, a
 * context image with the ring registers and PDP3..0 values `pdps` (upper, lower per PDP, PDP3
 * first), and a descriptor with addressing mode `mode`.
 */
function submitByHand(g: ReturnType<typeof guest> & { r: Rig }, mode: number, pdps: readonly number[], ring: readonly number[]): () => void {
  const ringObj = g.d.allocObject(4096, 'aperture');
  const ctx = g.d.allocObject(2 * 4096, 'aperture');
  ringObj.words.set(ring);
  const st = ctx.words.subarray(1024);
  st[CTX_LRI_HEADER_0] = MI_LOAD_REGISTER_IMM_N(4);
  for (const [i, reg, value] of [[CTX_RING_HEAD, RING_HEAD, 0], [CTX_RING_TAIL, RING_TAIL, ring.length * 4], [CTX_RING_BUFFER_START, RING_START, ringObj.gm], [CTX_RING_BUFFER_CONTROL, RING_CTL, RING_CTL_SIZE(4096) | RING_CTL_VALID]] as const) {
    st[i] = BLT_RING_BASE + reg;
    st[i + 1] = value;
  }
  pdps.forEach((value, i) => (st[CTX_PDP3_UDW + 1 + 2 * i] = value));
  const p = directPort(g.r, g.v);
  p.write32(BLT_RING_BASE + RING_MODE_GEN7, maskedBitEnable(GFX_RUN_LIST_ENABLE));
  const [lo, hi] = contextDescriptor(ctx.gm, 5, mode);
  const elsp = (): void => {
    for (const dw of [0, 0, hi, lo]) p.write32(BLT_RING_BASE + RING_ELSP, dw);
  };
  elsp();
  return elsp;
}

describe('3-level (legacy 32-bit) PPGTT and advanced contexts: refused', () => {
  it('handle_g2v_notification: VGT_G2V_PPGTT_L3_PAGE_TABLE_CREATE/DESTROY are refused with a note (GVT-g has no support for 32bit ppgtt), nothing shadowed', () => {
    const r = rig();
    const g = guest(r, 1);
    const shadows = g.v.ppgtt!.size;
    const p = directPort(r, g.v);
    p.write32(VGT_PVINFO_PAGE + PVINFO.pdp0_lo, 0x90000);
    p.write32(VGT_PVINFO_PAGE + PVINFO.g2v_notify, VGT_G2V.PPGTT_L3_PAGE_TABLE_CREATE);
    expect(g.v.log.at(-1)).toMatch(/VGT_G2V_PPGTT_L3_PAGE_TABLE_CREATE refused: a 3-level \(legacy 32-bit\) PPGTT is not supported, this vGPU shadows 4-level \(48-bit\) PPGTTs only \(GVT-g has no support for 32bit ppgtt\); nothing shadowed/);
    p.write32(VGT_PVINFO_PAGE + PVINFO.g2v_notify, VGT_G2V.PPGTT_L3_PAGE_TABLE_DESTROY);
    expect(g.v.log.at(-1)).toMatch(/VGT_G2V_PPGTT_L3_PAGE_TABLE_DESTROY refused/);
    expect(g.v.ppgtt!.size).toBe(shadows);
    expect(g.v.failsafe).toBeNull();
  });

  it('a legacy 32-bit context naming a 3-level PPGTT in its PDPs has it refused (noted once, the PDP named) and runs GGTT-only: a PPGTT batch in it is refused by the scanner', () => {
    const r = rig();
    const other = guest(r, 1);
    const g = guest(r, 2);
    const otherBefore = Buffer.from(new Uint8Array(other.ram));
    const pd = g.d.allocObject(4096, 'hidden');
    const target = g.d.allocObject(4096, 'aperture');
    // PDP0 lower dword = a page directory in the guest's RAM (what a 3-level PPGTT would put there).
    const pdps = [0, 0, 0, 0, 0, 0, 0, pd.firstFrame * 4096];
    const again = submitByHand({ ...g, r }, INTEL_LEGACY_32B_CONTEXT, pdps, [XY_COLOR_BLT_CMD, br13(ROP_PATCOPY, 4096), 0, (1 << 16) | 2, target.gm, 0, 0xff010203, MI_USER_INTERRUPT]);
    settle(r);
    again(); // the same context once more (nothing new in its ring): no second note
    settle(r);
    const refusal = /context 0x[0-9a-f]+: a legacy 32-bit context naming a 3-level PPGTT \(PDP0 lower dword 0x[0-9a-f]+\): refused, this vGPU shadows 4-level \(48-bit\) PPGTTs only \(GVT-g has no support for 32bit ppgtt\); the context runs GGTT-only/;
    expect(g.v.log.filter((l) => refusal.test(l))).toHaveLength(1);
    expect(g.v.failsafe).toBeNull();
    // GGTT-only: the blit went through the GGTT to the object.
    expect(Array.from(target.words.subarray(0, 3))).toEqual([0xff010203, 0xff010203, 0]);
    // A PPGTT batch buffer in it: refused by the scanner (cmd_parser), failsafe, the other VM untouched.
    const batch = g.d.allocObject(4096, 'hidden');
    batch.words.set([XY_COLOR_BLT_CMD, br13(ROP_PATCOPY, 4096), 0, (1 << 16) | 2, target.gm, 0, 0xffffffff, MI_BATCH_BUFFER_END]);
    submitByHand({ ...g, r }, INTEL_LEGACY_32B_CONTEXT, pdps, [(MI_BATCH_BUFFER_START_GGTT | MI_BATCH_PPGTT) >>> 0, batch.gm, 0, MI_USER_INTERRUPT]);
    settle(r);
    expect(g.v.failsafe).toMatch(/PPGTT batch buffer in a context without a PPGTT/);
    expect(target.words[0]).toBe(0xff010203);
    expect(Buffer.from(new Uint8Array(other.ram)).equals(otherBefore)).toBe(true);
  });

  it('prepare_mm: an advanced (SVM) context descriptor is refused ("Advanced Context mode(SVM) is not supported")', () => {
    for (const mode of [0, 2]) {
      const r = rig();
      const g = guest(r, 1);
      submitByHand({ ...g, r }, mode, [], [MI_USER_INTERRUPT]);
      settle(r);
      expect(g.v.failsafe).toMatch(new RegExp(`Advanced Context mode\\(SVM\\) is not supported \\(addressing mode ${mode}; GVT-g prepare_mm\\)`));
    }
  });
});
