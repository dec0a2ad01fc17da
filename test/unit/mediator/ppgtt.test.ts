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
import { CTX_PDP0_LDW, CTX_PDP0_UDW, LRC_STATE_PN } from '../../../src/shared/execlist';
import { PVINFO, VGT_CAPS_FULL_PPGTT, VGT_CAPS_HUGE_GTT, VGT_CAPS_HWSP_EMULATION, VGT_G2V } from '../../../src/shared/pvinfo';
import { VGT_PVINFO_PAGE } from '../../../src/shared/regs';
import { MAX_SHADOW_PAGES, PpgttShadow } from '../../../src/main/mediator/ppgtt-shadow';
import { entryAddress } from '../../../src/main/gpu/ppgtt';
import type { Rig } from '../helpers/system';

function guest(r: Rig, domid: number, ppgtt = true) {
  const vm = ppgtt ? addVm(r, domid) : noPpgttVm(r, domid);
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

  it('a PML4 outside the VM RAM is refused (failsafe), and the pool is bounded', () => {
    const r = rig();
    const g = guest(r, 1);
    expect(g.v.ppgtt!.shadow(0x100000 * 4096)).toMatchObject({ ok: false, reason: expect.stringMatching(/not a page of the VM's RAM/) });
    expect(MAX_SHADOW_PAGES).toBe(1024);
    expect(new PpgttShadow(g.v, r.gpu.memory, g.ram, 0).size).toBe(0);
  });
});
