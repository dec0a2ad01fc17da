import { describe, expect, it } from 'vitest';
import { addVm, directPort, rig } from '../helpers/system';
import { BCS_CONTEXT_ID, GuestDriver } from '../../../src/main/guest/driver';
import { GuestRam } from '../../../src/main/guest/guest-ram';
import { MI_NOOP, MI_USER_INTERRUPT, ROP_PATCOPY, XY_COLOR_BLT_CMD, br13 } from '../../../src/shared/commands';
import { GEN8_CTX_PRIVILEGE, contextDescriptor } from '../../../src/shared/execlist';
import { BLT_RING_BASE, GEN6_GDRST, GEN6_GRDOM_BLT, GEN8_CSB_ENTRIES, GEN8_GT_IIR0, GTT_OFFSET, RING_CONTEXT_STATUS_BUF_LO, RING_CONTEXT_STATUS_PTR, RING_HWS_PGA, RING_CTL_SIZE, RING_CTL_VALID, RING_ELSP, RING_MODE_GEN7 } from '../../../src/shared/regs';
import { writeContextRing } from '../../../src/main/mediator/workload-build';

/** A booted driver; `pvCaps` 0 keeps it on the trapped ELSP/CSB path this file is about (pv.test.ts covers PV). */
function boot(mode: 'execlist' | 'ring' = 'execlist', pvCaps = 0) {
  const r = rig();
  const { v, ram, dirty } = addVm(r, 1);
  const port = directPort(r, v);
  const driver = new GuestDriver(port, new GuestRam(ram, dirty), () => undefined, { pvCaps });
  driver.probe();
  driver.initBlitterRing(mode);
  driver.enableInterrupts();
  const fb = driver.allocObject(64 * 64 * 4, 'aperture');
  return { r, v, port, driver, fb };
}

interface Desc {
  lo: number;
  hi: number;
}

/**
 * A guest context of its own (ring + image in the vGPU's aperture, two MI_NOOPs queued) with
 * context ID `ctxId`; `driver` allocates the pages when given, else the first free pages of the
 * aperture are mapped 1:1 onto RAM pages 16+.
 */
function guestContext(r: ReturnType<typeof rig>, v: ReturnType<typeof addVm>['v'], ctxId: number, driver?: GuestDriver): Desc {
  let ringGm: number;
  let ctxGm: number;
  if (driver) {
    const ring = driver.allocObject(4096, 'aperture');
    ring.words.set([MI_NOOP, MI_NOOP]);
    ringGm = ring.gm;
    ctxGm = driver.allocObject(2 * 4096, 'aperture').gm;
  } else {
    const port = directPort(r, v);
    for (let i = 0; i < 3; i++) port.write64(GTT_OFFSET + (v.alloc.lowGm.base / 4096 + i) * 8, (16 + i) * 4096 + 1, 0);
    ringGm = v.alloc.lowGm.base;
    ctxGm = ringGm + 4096;
    r.gpu.ggtt.write32(ringGm, MI_NOOP);
    r.gpu.ggtt.write32(ringGm + 4, MI_NOOP);
  }
  writeContextRing(r.gpu.ggtt, ctxGm, { head: 0, tail: 8, start: ringGm, ctl: RING_CTL_SIZE(4096) | RING_CTL_VALID }, BLT_RING_BASE);
  const [lo, hi] = contextDescriptor(ctxGm, ctxId);
  return { lo, hi };
}

const fill = (gm: number, color: number) => [XY_COLOR_BLT_CMD, br13(ROP_PATCOPY, 256), 0, (8 << 16) | 8, gm, 0, color, MI_USER_INTERRUPT, MI_NOOP];

describe('execlist submission through the mediator', () => {
  it('runs the guest context from its image, writes RING_HEAD back, reports COMPLETE in the virtual CSB', () => {
    const { r, v, port, driver, fb } = boot();
    expect(port.read32(BLT_RING_BASE + RING_MODE_GEN7) & (1 << 15)).not.toBe(0);
    driver.submit(fill(fb.gm, 0xff00ff00));
    expect(fb.words[0]).toBe(0xff00ff00);
    expect(fb.words[7 * 64 + 7]).toBe(0xff00ff00);
    expect(driver.ringHead()).toBe(driver.submittedTail);
    expect(r.msis.get(1)).toBeGreaterThan(0);
    const causes = driver.handleInterrupt();
    expect(causes.bcsUser).toBe(true);
    expect(causes.completedContexts).toEqual([BCS_CONTEXT_ID]);
    // The read pointer caught up with the write pointer: a second pass finds nothing new.
    const ptr = port.read32(BLT_RING_BASE + RING_CONTEXT_STATUS_PTR);
    expect((ptr >>> 8) & 7).toBe(ptr & 7);
    expect(v.stats.workloads).toBe(1);
    expect(v.failsafe).toBeNull();
  });

  it('i915 process_csb with VGT_CAPS_HWSP_EMULATION reads the CSB from the status page (csb_status / csb_write): completions without trapped CSB entry reads', () => {
    const r = rig();
    const { v, ram, dirty } = addVm(r, 1);
    const direct = directPort(r, v);
    let csbReads = 0;
    const csb = [BLT_RING_BASE + RING_CONTEXT_STATUS_BUF_LO(0), BLT_RING_BASE + RING_CONTEXT_STATUS_BUF_LO(GEN8_CSB_ENTRIES)];
    const port = { ...direct, read32: (off: number) => ((csbReads += Number(off >= csb[0] && off < csb[1])), direct.read32(off)) };
    const driver = new GuestDriver(port, new GuestRam(ram, dirty), () => undefined, { pvCaps: 0 });
    driver.probe();
    driver.initBlitterRing();
    driver.enableInterrupts();
    // hws_pga_write took the driver's status page.
    expect(v.hwsPga.bcs).not.toBe(0);
    expect(direct.read32(BLT_RING_BASE + RING_HWS_PGA)).toBe(v.hwsPga.bcs);
    const fb = driver.allocObject(64 * 64 * 4, 'aperture');
    // Eight submissions wrap the six-entry CSB.
    for (let i = 0; i < 8; i++) {
      driver.submit(fill(fb.gm, i));
      r.m.submission.tick((r.now.ns += 1e6));
      expect(driver.handleInterrupt().completedContexts, `submission ${i}`).toEqual([BCS_CONTEXT_ID]);
    }
    expect(csbReads).toBe(0);
    // After an engine reset the status page's write index is reset with the pointers and completions keep coming.
    driver.resetEngine();
    driver.submit(fill(fb.gm, 9));
    r.m.submission.tick((r.now.ns += 1e6));
    expect(driver.handleInterrupt().completedContexts).toEqual([BCS_CONTEXT_ID]);
    expect(csbReads).toBe(0);
  });

  it('emulate_execlist_schedule_in / ctx_schedule_out: IDLE_TO_ACTIVE with context ID 0, then COMPLETE|ACTIVE_IDLE with the guest context ID', () => {
    const { port, driver, fb } = boot();
    driver.submit(fill(fb.gm, 1));
    const entry = (i: number) => [port.read32(BLT_RING_BASE + RING_CONTEXT_STATUS_BUF_LO(i)), port.read32(BLT_RING_BASE + RING_CONTEXT_STATUS_BUF_LO(i) + 4)];
    expect(entry(0)).toEqual([1 << 0, 0]);
    expect(entry(1)).toEqual([(1 << 4) | (1 << 3), BCS_CONTEXT_ID]);
  });

  it('init_vgpu_execlist: a new vGPU\'s CSB pointer reads write_ptr 0x7, read_ptr 0; the first entry goes to slot 0', () => {
    const r = rig();
    const { v } = addVm(r, 1);
    const port = directPort(r, v);
    expect(port.read32(BLT_RING_BASE + RING_CONTEXT_STATUS_PTR)).toBe(0x7);
    // A guest that leaves the pointers as they are still finds the first entry in slot 0.
    const { lo, hi } = guestContext(r, v, 0x5a);
    port.write32(BLT_RING_BASE + RING_MODE_GEN7, (1 << 31) | (1 << 15));
    for (const dw of [0, 0, hi, lo]) port.write32(BLT_RING_BASE + RING_ELSP, dw);
    expect(port.read32(BLT_RING_BASE + RING_CONTEXT_STATUS_PTR) & 7).toBe(1);
    expect(port.read32(BLT_RING_BASE + RING_CONTEXT_STATUS_BUF_LO(0))).toBe(1 << 0);
    expect(port.read32(BLT_RING_BASE + RING_CONTEXT_STATUS_BUF_LO(1))).toBe((1 << 4) | (1 << 3));
    // reset_execlist (a guest GDRST) puts the pointers back to read 0 / write 0x7.
    port.write32(GEN6_GDRST, GEN6_GRDOM_BLT);
    expect(port.read32(BLT_RING_BASE + RING_CONTEXT_STATUS_PTR)).toBe(0x7);
  });

  it('emulate_execlist_ctx_schedule_out: element 0 completing with element 1 valid is COMPLETE|ELEMENT_SWITCH, element 1 then COMPLETE|ACTIVE_IDLE', () => {
    const { r, v, port, driver } = boot();
    const a = guestContext(r, v, 0x11, driver);
    const b = guestContext(r, v, 0x22, driver);
    const irqs = r.msis.get(1) ?? 0;
    for (const dw of [b.hi, b.lo, a.hi, a.lo]) port.write32(BLT_RING_BASE + RING_ELSP, dw);
    r.m.tick(1e6);
    expect(v.stats.workloads).toBe(2);
    const entry = (i: number) => [port.read32(BLT_RING_BASE + RING_CONTEXT_STATUS_BUF_LO(i)), port.read32(BLT_RING_BASE + RING_CONTEXT_STATUS_BUF_LO(i) + 4)];
    expect([entry(0), entry(1), entry(2)]).toEqual([
      [1 << 0, 0],
      [(1 << 4) | (1 << 2), 0x11],
      [(1 << 4) | (1 << 3), 0x22],
    ]);
    expect(r.msis.get(1)).toBeGreaterThan(irqs);
    // The guest retires both contexts from the CSB.
    expect(driver.handleInterrupt().completedContexts).toEqual([0x11, 0x22]);
  });

  it.each([
    ['element 0 invalid (only element 1 valid)', (_a: Desc, b: Desc) => [b.hi, b.lo, 0, 0], /invalid elsp submission, desc0 is invalid/],
    ['element 0 without the privilege bit', (a: Desc) => [0, 0, a.hi, (a.lo & ~GEN8_CTX_PRIVILEGE) >>> 0], /unexpected GGTT elsp submission/],
    ['element 1 without the privilege bit', (a: Desc, b: Desc) => [b.hi, (b.lo & ~GEN8_CTX_PRIVILEGE) >>> 0, a.hi, a.lo], /unexpected GGTT elsp submission/],
  ])('intel_vgpu_submit_execlist refuses an ELSP with %s: logged and ignored, no workload, no failsafe', (_name, dwords, why) => {
    const { r, v, port, driver } = boot();
    const a = guestContext(r, v, 0x11, driver);
    const b = guestContext(r, v, 0x22, driver);
    for (const dw of dwords(a, b)) port.write32(BLT_RING_BASE + RING_ELSP, dw);
    r.m.tick(1e6);
    expect(v.stats.workloads).toBe(0);
    expect(v.queue).toHaveLength(0);
    expect(v.failsafe).toBeNull();
    expect(v.log.some((l) => why.test(l))).toBe(true);
    expect(port.read32(BLT_RING_BASE + RING_CONTEXT_STATUS_PTR) & 7).toBe(5); // nothing written since the driver's reset
    // The port is still usable.
    for (const dw of [0, 0, a.hi, a.lo]) port.write32(BLT_RING_BASE + RING_ELSP, dw);
    expect(v.stats.workloads).toBe(1);
  });

  it('back-to-back submissions of one context only scan the new commands', () => {
    const { r, v, driver, fb } = boot();
    driver.submit(fill(fb.gm, 1));
    driver.submit(fill(fb.gm, 2));
    // The engine is busy with the first workload at t=0; the second runs on the next tick.
    expect(v.stats.workloads).toBe(1);
    r.m.tick(1e6);
    expect(v.stats.workloads).toBe(2);
    expect(v.stats.commands).toBe(6);
    expect(fb.words[0]).toBe(2);
  });

  it('an ELSP write with execlists disabled does nothing; an LRCA outside the vGPU is failsafe', () => {
    const { r, v, port } = boot('ring');
    const [lo, hi] = contextDescriptor(v.alloc.lowGm.base, 7);
    for (const dw of [0, 0, hi, lo]) port.write32(BLT_RING_BASE + RING_ELSP, dw);
    expect(v.log.some((l) => /execlists disabled/.test(l))).toBe(true);
    port.write32(BLT_RING_BASE + RING_MODE_GEN7, (1 << 31) | (1 << 15));
    const [blo, bhi] = contextDescriptor(0 /* host GM */, 7);
    for (const dw of [0, 0, bhi, blo]) port.write32(BLT_RING_BASE + RING_ELSP, dw);
    expect(v.failsafe).toMatch(/LRCA 0x0 outside/);
    expect(r.gpu.mmioRead(GEN8_GT_IIR0)).toBe(0);
  });

  it('the legacy ring path still works', () => {
    const { driver, fb } = boot('ring');
    driver.submit(fill(fb.gm, 0xff0000ff));
    expect(fb.words[0]).toBe(0xff0000ff);
    expect(driver.ringHead()).toBe(driver.submittedTail);
    const causes = driver.handleInterrupt();
    expect(causes).toMatchObject({ bcsUser: true, completedContexts: [] });
  });
});

describe('hang recovery', () => {
  it('a hung workload is reset by its engine time, not the wall clock (i915 hangcheck: progress); the guest resets its engine and draws again', async () => {
    const { WATCHDOG_ENGINE_NS } = await import('../../../src/main/mediator/mediator');
    const { MI_BATCH_BUFFER_START_GGTT } = await import('../../../src/shared/commands');
    const { r, v, driver, fb } = boot();
    const loop = driver.allocObject(4096, 'aperture');
    loop.words.set([MI_NOOP, MI_BATCH_BUFFER_START_GGTT, loop.gm, 0]);
    driver.submit([MI_BATCH_BUFFER_START_GGTT, loop.gm, 0, MI_USER_INTERRUPT]);
    expect(v.stats.resets).toBe(0);
    // A host that could not run the GPU thread for 10 s (a CPU hog): one check, little engine time.
    r.m.tick(10e9);
    expect(v.stats.resets).toBe(0);
    // The engine keeps executing the loop at every tick until it has used the watchdog's engine time.
    let now = 10e9;
    while (v.stats.resets === 0 && now < 30e9) r.m.tick((now += 1e6));
    expect(v.stats.resets).toBe(1);
    expect(v.stats.gpuTimeNs).toBeGreaterThanOrEqual(WATCHDOG_ENGINE_NS);
    expect(v.log.some((l) => /engine reset: bcs: workload did not complete in 25\d ms of engine time \(GPU hang\)/.test(l))).toBe(true);
    expect(v.failsafe).toBeNull();
    // The guest's hangcheck resets its engine (only its own vGPU) and carries on.
    driver.resetEngine();
    expect(v.stats.resets).toBe(2);
    r.now.ns = now + 2e6;
    driver.submit(fill(fb.gm, 0xff00ff00));
    // The hang's engine time was charged to this vGPU: it runs again once the scheduler's periods repaid it.
    for (let t = now + 3e6; fb.words[0] !== 0xff00ff00 && t < now + 1e9; t += 1e6) r.m.tick(t);
    expect(fb.words[0]).toBe(0xff00ff00);
    expect(driver.handleInterrupt().completedContexts).toEqual([BCS_CONTEXT_ID]);
  });

  it('a guest GDRST resets only its own vGPU', async () => {
    const { GEN6_GDRST, GEN6_GRDOM_BLT } = await import('../../../src/shared/regs');
    const r = rig();
    const a = addVm(r, 1);
    const b = addVm(r, 2);
    b.v.queue.push({ engine: 'bcs', tail: 0, scan: { commands: 0, segments: [new Uint32Array([MI_NOOP])], patches: [], flips: [] } });
    directPort(r, a.v).write32(GEN6_GDRST, GEN6_GRDOM_BLT);
    expect(a.v.stats.resets).toBe(1);
    expect(b.v.stats.resets).toBe(0);
    expect(b.v.queue).toHaveLength(1);
    expect(directPort(r, a.v).read32(GEN6_GDRST)).toBe(0);
  });
});
