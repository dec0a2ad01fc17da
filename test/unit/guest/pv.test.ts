/**
 * The guest driver's GVT-g PV paths against the mediator (in-thread): negotiation, PV submission,
 * PV GGTT binds and PVMMIO must give exactly what the trapped paths give, with fewer traps, and
 * the driver must fall back to trapping whenever PV is absent or fails. Test names give the
 * upstream function or patch of Xiaolin Zhang's i915 PV series each behaviour follows.
 */
import { describe, expect, it } from 'vitest';
import { addVm, directPort, rig } from '../helpers/system';
import { BCS_CONTEXT_ID, GuestDriver } from '../../../src/main/guest/driver';
import { GuestRam } from '../../../src/main/guest/guest-ram';
import { GUEST_PV_CAPS, PV_PTE_LIST_FRAME, PV_SHARED_PAGE_FRAME } from '../../../src/main/guest/pv';
import type { TrapPort } from '../../../src/main/guest/trap-port';
import { DesktopScene } from '../../../src/main/guest/workloads/desktop';
import { pteFrame } from '../../../src/main/gpu/ggtt';
import { decodeVgpuFrame, frameRgba } from '../../../src/main/mediator/fb-decoder';
import type { Vgpu } from '../../../src/main/mediator/vgpu';
import { MI_BATCH_BUFFER_START_GGTT, MI_NOOP, MI_USER_INTERRUPT, ROP_PATCOPY, XY_COLOR_BLT_CMD, br13 } from '../../../src/shared/commands';
import { I915_HWS_CSB_BUF0_INDEX, I915_HWS_CSB_WRITE_INDEX } from '../../../src/shared/execlist';
import { MiB, PAGE_SIZE } from '../../../src/shared/platform';
import { PVINFO, PV_GGTT, PV_MMIO, PV_SUBMISSION, VGT_G2V } from '../../../src/shared/pvinfo';
import { BLT_RING_BASE, RING_CONTEXT_STATUS_PTR, VGT_PVINFO_PAGE } from '../../../src/shared/regs';

/** A driver on a fresh vGPU (`vgpuPv` false: created without PV) booted with `pvCaps` (undefined: the default). */
function boot(opts: { pvCaps?: number; vgpuPv?: boolean; wrap?: (p: TrapPort, ram: SharedArrayBuffer) => TrapPort } = {}) {
  const r = rig();
  const ram = new SharedArrayBuffer(64 * MiB);
  const v = r.m.createVgpu({ domid: 1, name: 'vm1', lowGmBytes: 128 * MiB, highGmBytes: 384 * MiB, fences: 4, ram, bootForeground: false, pv: opts.vgpuPv });
  const lines: string[] = [];
  const port = opts.wrap ? opts.wrap(directPort(r, v), ram) : directPort(r, v);
  const driver = new GuestDriver(port, new GuestRam(ram), (l) => lines.push(l), opts.pvCaps === undefined ? {} : { pvCaps: opts.pvCaps });
  driver.probe();
  driver.initBlitterRing();
  driver.enableInterrupts();
  return { r, v, ram, port, driver, lines };
}

const fill = (gm: number, color: number) => [XY_COLOR_BLT_CMD, br13(ROP_PATCOPY, 256), 0, (8 << 16) | 8, gm, 0, color, MI_USER_INTERRUPT, MI_NOOP];
/** Traps `f` costs the vGPU. */
function traps(v: Vgpu, f: () => void): number {
  const before = v.stats.mmioTraps;
  f();
  return v.stats.mmioTraps - before;
}
/**
 * Guest RAM outside the two kernel pages PV uses (which only exist with PV) and outside the CSB
 * mirror of the status page (PV submission has no CSB; HWSP emulation fills it for trapped ELSP).
 */
function objectRam(ram: SharedArrayBuffer, driver: GuestDriver): Buffer {
  const b = Buffer.from(new Uint8Array(ram));
  b.fill(0, PV_SHARED_PAGE_FRAME * PAGE_SIZE, (PV_PTE_LIST_FRAME + 1) * PAGE_SIZE);
  const hws = driver.statusPage;
  if (hws) b.fill(0, hws.firstFrame * PAGE_SIZE + I915_HWS_CSB_BUF0_INDEX * 4, hws.firstFrame * PAGE_SIZE + (I915_HWS_CSB_WRITE_INDEX + 1) * 4);
  return b;
}

describe('negotiation (drm/i915: introduced vgpu pv capability; vgpu shared memory setup for pv support)', () => {
  it('intel_vgpu_pv_detect_caps + intel_vgpu_pv_setup_shared_page: pv_caps negotiated, the shared page registered in kernel memory', () => {
    const { v, driver, lines, port } = boot();
    expect(driver.pvCaps).toBe(GUEST_PV_CAPS);
    expect(GUEST_PV_CAPS).toBe(PV_GGTT | PV_SUBMISSION | PV_MMIO);
    expect(port.read32(VGT_PVINFO_PAGE + PVINFO.pv_caps)).toBe(GUEST_PV_CAPS);
    expect(v.pv.gpa).toBe(PV_SHARED_PAGE_FRAME * PAGE_SIZE);
    expect(v.pv.page).not.toBeNull();
    expect(v.pv.refused).toBe(0);
    expect(lines).toContain('i915 0000:00:02.0: Virtual GPU for Intel GVT-g detected.');
    expect(lines).toContain('[drm] vgpu PV version major 0 and minor 1');
    expect(lines).toContain(`[drm] VGPU pv caps: 0x${GUEST_PV_CAPS.toString(16)}`);
  });

  it('asks only for what it supports: pvCaps PV_SUBMISSION negotiates PV_SUBMISSION alone', () => {
    const { v, driver } = boot({ pvCaps: PV_SUBMISSION });
    expect(driver.pvCaps).toBe(PV_SUBMISSION);
    expect(v.pv.caps).toBe(PV_SUBMISSION);
  });

  it('caps absent (a vGPU without VGT_CAPS_PV): the driver traps ELSP, reads the CSB and writes PTEs one by one', () => {
    const { v, driver, port, lines } = boot({ vgpuPv: false });
    expect(driver.pvCaps).toBe(0);
    expect(v.pv.page).toBeNull();
    expect(lines.some((l) => /pv caps/i.test(l))).toBe(false);
    let fb = driver.allocObject(64 * 64 * 4, 'aperture');
    expect(traps(v, () => (fb = driver.allocObject(8 * PAGE_SIZE, 'aperture')))).toBe(8);
    expect(traps(v, () => driver.submit(fill(fb.gm, 0xff00ff00)))).toBe(4);
    expect(fb.words[0]).toBe(0xff00ff00);
    expect(port.read32(BLT_RING_BASE + RING_CONTEXT_STATUS_PTR) & 7).toBe(1); // two CSB entries written
    expect(driver.handleInterrupt().completedContexts).toEqual([BCS_CONTEXT_ID]);
    expect(v.pv.refused).toBe(0);
  });

  it('the pvCaps: 0 option keeps a PV-capable vGPU fully trapped and registers no page', () => {
    const { v, driver, port } = boot({ pvCaps: 0 });
    expect(driver.pvCaps).toBe(0);
    expect(v.pv.page).toBeNull();
    const fb = driver.allocObject(4 * PAGE_SIZE, 'aperture');
    expect(traps(v, () => driver.submit(fill(fb.gm, 1)))).toBe(4);
    expect(port.read32(BLT_RING_BASE + RING_CONTEXT_STATUS_PTR) & 7).toBe(1);
  });

  it('a shared_page_gpa that does not read back disables PV: pv_caps 0, everything trapped', () => {
    const wrap = (p: TrapPort): TrapPort => ({ ...p, read32: (off) => (off === VGT_PVINFO_PAGE + PVINFO.shared_page_gpa ? 0xdead000 : p.read32(off)) });
    const { v, driver, lines } = boot({ wrap });
    expect(driver.pvCaps).toBe(0);
    expect(v.pv.caps).toBe(0);
    expect(lines).toContain('[drm] vgpu PV setup failed (write shared_page_gpa failed): PV disabled');
    const fb = driver.allocObject(PAGE_SIZE, 'aperture');
    expect(traps(v, () => driver.submit(fill(fb.gm, 2)))).toBe(4);
    expect(fb.words[0]).toBe(2);
  });

  it('a PV version it does not know disables PV (intel_vgpu_pv_setup_shared_page checks PV_MAJOR / PV_MINOR)', () => {
    const wrap = (p: TrapPort, ram: SharedArrayBuffer): TrapPort => ({
      ...p,
      write32(off, value) {
        p.write32(off, value);
        if (off === VGT_PVINFO_PAGE + PVINFO.g2v_notify && value === VGT_G2V.SHARED_PAGE_REGISTER) new Uint32Array(ram)[(PV_SHARED_PAGE_FRAME * PAGE_SIZE) / 4] = 2;
      },
    });
    const { v, driver, lines } = boot({ wrap });
    expect(driver.pvCaps).toBe(0);
    expect(v.pv.caps).toBe(0);
    expect(lines).toContain('[drm] vgpu PV setup failed (vgpu PV version 2.0 incompatible): PV disabled');
  });
});

describe('PV submission (drm/i915: vgpu workload submisison pv support: pv_submit; GVTg support pv workload submssion)', () => {
  it('one trap per submission instead of four; the context is retired on the user interrupt without a CSB', () => {
    const { v, driver, port } = boot();
    const fb = driver.allocObject(64 * 64 * 4, 'aperture');
    expect(traps(v, () => driver.submit(fill(fb.gm, 0xff00ff00)))).toBe(1);
    expect(fb.words[0]).toBe(0xff00ff00);
    expect(driver.ringHead()).toBe(driver.submittedTail);
    expect(port.read32(BLT_RING_BASE + RING_CONTEXT_STATUS_PTR) & 7).toBe(5); // CSB untouched since reset
    const causes = driver.handleInterrupt();
    expect(causes).toMatchObject({ bcsUser: true, completedContexts: [BCS_CONTEXT_ID] });
    expect(driver.handleInterrupt().completedContexts).toEqual([]);
  });

  it('back-to-back submissions: the second runs on the next tick and is retired only when its tail is reached', () => {
    const { r, v, driver } = boot();
    const fb = driver.allocObject(64 * 64 * 4, 'aperture');
    driver.submit(fill(fb.gm, 1));
    driver.submit(fill(fb.gm, 2));
    expect(v.stats.workloads).toBe(1);
    expect(driver.handleInterrupt().completedContexts).toEqual([]);
    r.m.tick(1e6);
    expect(v.stats.workloads).toBe(2);
    expect(fb.words[0]).toBe(2);
    expect(driver.handleInterrupt().completedContexts).toEqual([BCS_CONTEXT_ID]);
  });

  it('draws the same desktop frames and leaves the same guest RAM as trapped submission, with 7 instead of 16 traps per frame (vblank, frame, completion)', () => {
    const run = (pvCaps: number | undefined) => {
      const b = boot({ pvCaps });
      const scene = new DesktopScene(b.driver, { name: 'vm1', domid: 1 });
      scene.boot();
      scene.setMode({ width: 1024, height: 768, refresh: 60 });
      b.driver.setDisplayReady();
      const causes: unknown[] = [];
      const perFrame: number[] = [];
      for (let f = 0; f < 6; f++) {
        b.r.now.ns = f * 17e6;
        perFrame.push(
          traps(b.v, () => {
            b.r.m.vblank();
            causes.push(b.driver.handleInterrupt());
            const seq = scene.frame(Date.UTC(2026, 0, 1, 0, 0, f));
            b.r.m.tick(b.r.now.ns + 1e6);
            expect(scene.completedSeqno()).toBe(seq);
            causes.push(b.driver.handleInterrupt());
          }),
        );
      }
      const d = decodeVgpuFrame(b.r.gpu, b.v);
      if ('error' in d) throw new Error(d.error);
      return { b, causes, perFrame, frame: Buffer.from(frameRgba(d.frame)), ram: objectRam(b.ram, b.driver) };
    };
    const pv = run(undefined);
    const trapped = run(0);
    expect(pv.b.driver.pvCaps).toBe(GUEST_PV_CAPS);
    expect(pv.frame.equals(trapped.frame)).toBe(true);
    expect(pv.ram.equals(trapped.ram)).toBe(true);
    expect(pv.causes).toEqual(trapped.causes);
    expect(pv.perFrame).toEqual([7, 7, 7, 7, 7, 7]);
    // 16: the CSB entries are read from the status page (HWSP emulation), not through 3 trapped reads.
    expect(trapped.perFrame).toEqual([16, 16, 16, 16, 16, 16]);
    for (const { b } of [pv, trapped]) {
      expect(b.v.stats.workloads).toBe(6);
      expect(b.v.failsafe).toBeNull();
      expect(b.v.pv.refused).toBe(0);
    }
  });

  it('a refused PV submission (the vGPU is in failsafe) is logged by the guest and its slot cleared', () => {
    const { r, v, driver, lines } = boot();
    const other = addVm(r, 2);
    driver.submit(fill(other.v.alloc.lowGm.base, 0xffffffff));
    expect(v.failsafe).toMatch(/XY_COLOR_BLT: destination GM/);
    expect(lines).toContain('[drm] *ERROR* PV (bcs0) workload submission failed');
    const fb = driver.allocObject(PAGE_SIZE, 'aperture');
    driver.submit(fill(fb.gm, 1));
    expect(fb.words[0]).toBe(0);
    expect(lines.filter((l) => /workload submission failed/.test(l))).toHaveLength(2);
    expect(v.pv.refused).toBe(1); // the second one: refused because of failsafe
    expect(new Uint32Array(other.ram).every((w) => w === 0)).toBe(true);
  });

  it('hang recovery under PV submission: the watchdog resets the engine, the guest resets its own and draws again', async () => {
    const { WATCHDOG_ENGINE_NS } = await import('../../../src/main/mediator/mediator');
    const { r, v, driver } = boot();
    const fb = driver.allocObject(PAGE_SIZE, 'aperture');
    const loop = driver.allocObject(PAGE_SIZE, 'aperture');
    loop.words.set([MI_NOOP, MI_BATCH_BUFFER_START_GGTT, loop.gm, 0]);
    driver.submit([MI_BATCH_BUFFER_START_GGTT, loop.gm, 0, MI_USER_INTERRUPT]);
    let now = 0;
    while (v.stats.resets === 0 && now < 5e9) r.m.tick((now += 1e6));
    expect(v.stats.gpuTimeNs).toBeGreaterThanOrEqual(WATCHDOG_ENGINE_NS);
    driver.resetEngine();
    r.now.ns = now + 1e6;
    driver.submit(fill(fb.gm, 0xff0000ff));
    for (let t = now + 2e6; fb.words[0] !== 0xff0000ff && t < now + 1e9; t += 1e6) r.m.tick(t);
    expect(fb.words[0]).toBe(0xff0000ff);
    expect(driver.handleInterrupt().completedContexts).toEqual([BCS_CONTEXT_ID]);
    expect(v.failsafe).toBeNull();
  });
});

describe('PV GGTT binds (drm/i915: vgpu ggtt page table pv support: intel_vgpu_pv_ggtt_bind over the CTB)', () => {
  it('allocObject maps the same physical PTEs as trapped writes, with one notification per 512 pages', () => {
    const pv = boot();
    const trapped = boot({ pvCaps: 0 });
    const pages = 1000;
    const objs = [pv, trapped].map((b) => ({ b, n: 0, obj: undefined as ReturnType<GuestDriver['allocObject']> | undefined }));
    for (const o of objs) o.n = traps(o.b.v, () => (o.obj = o.b.driver.allocObject(pages * PAGE_SIZE, 'hidden')));
    expect(objs.map((o) => o.n)).toEqual([2, pages]);
    const gfns = (b: (typeof objs)[0]): number[] => Array.from({ length: pages }, (_, i) => pteFrame(...b.b.r.gpu.ggtt.getPte(b.obj!.gm / PAGE_SIZE + i)) - b.b.v.ram.base / PAGE_SIZE);
    expect(gfns(objs[0])).toEqual(gfns(objs[1]));
    expect(gfns(objs[0])[0]).toBe(objs[0].obj!.firstFrame);
    // The guest's view through the GTT window is the same too.
    const view = (b: (typeof objs)[0]) => b.b.port.read32(0x800000 + (b.obj!.gm / PAGE_SIZE + 999) * 8);
    expect(view(objs[0])).toBe(view(objs[1]));
    expect(pv.v.pv.refused + pv.v.stats.droppedPtes).toBe(0);
  });

  it('a GGTT bind GVT refuses falls back to trapped PTE writes', () => {
    // A port that, once armed, moves the next bind's pv_vma.start to GM 0 (not the vGPU's) before notifying.
    const ctl = { armed: false };
    const wrap = (p: TrapPort, ram: SharedArrayBuffer): TrapPort => ({
      ...p,
      write32(off, value) {
        if (ctl.armed && off === VGT_PVINFO_PAGE + PVINFO.g2v_notify && value === VGT_G2V.PV_SEND_TRIGGER) {
          ctl.armed = false;
          const page = new Uint32Array(ram, PV_SHARED_PAGE_FRAME * PAGE_SIZE, 1024);
          const ring = 0x800 / 4;
          const start = (page[(0x10 + 0xc) / 4] / 4 - 10 + 512) % 512; // header, fence, 8 dwords of pv_vma
          page[ring + ((start + 4) % 512)] = 0;
        }
        p.write32(off, value);
      },
    });
    const { r, v, driver, lines } = boot({ wrap });
    const host0 = r.gpu.ggtt.getPte(0).join();
    ctl.armed = true;
    const obj = driver.allocObject(4 * PAGE_SIZE, 'aperture');
    expect(v.pv.refused).toBe(1);
    expect(lines.some((l) => /PV: send action 0x3 failed/.test(l))).toBe(true);
    for (let i = 0; i < 4; i++) expect(pteFrame(...r.gpu.ggtt.getPte(obj.gm / PAGE_SIZE + i)) - v.ram.base / PAGE_SIZE).toBe(obj.firstFrame + i);
    expect(r.gpu.ggtt.getPte(0).join()).toBe(host0); // the host's GM page the bind aimed at is untouched
  });
});
