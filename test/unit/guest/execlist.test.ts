import { describe, expect, it } from 'vitest';
import { addVm, directPort, rig } from '../helpers/system';
import { BCS_CONTEXT_ID, GuestDriver } from '../../../src/main/guest/driver';
import { GuestRam } from '../../../src/main/guest/guest-ram';
import { MI_NOOP, MI_USER_INTERRUPT, ROP_PATCOPY, XY_COLOR_BLT_CMD, br13 } from '../../../src/shared/commands';
import { contextDescriptor } from '../../../src/shared/execlist';
import { BLT_RING_BASE, GEN8_GT_IIR0, RING_CONTEXT_STATUS_BUF_LO, RING_CONTEXT_STATUS_PTR, RING_ELSP, RING_MODE_GEN7 } from '../../../src/shared/regs';

/** A booted driver; `pvCaps` 0 keeps it on the trapped ELSP/CSB path this file is about (pv.test.ts covers PV). */
function boot(mode: 'execlist' | 'ring' = 'execlist', pvCaps = 0) {
  const r = rig();
  const { v, ram } = addVm(r, 1);
  const port = directPort(r, v);
  const driver = new GuestDriver(port, new GuestRam(ram), () => undefined, { pvCaps });
  driver.probe();
  driver.initBlitterRing(mode);
  driver.enableInterrupts();
  const fb = driver.allocObject(64 * 64 * 4, 'aperture');
  return { r, v, port, driver, fb };
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

  it('reports IDLE_ACTIVE then COMPLETE|ACTIVE_IDLE with the guest context ID', () => {
    const { port, driver, fb } = boot();
    driver.submit(fill(fb.gm, 1));
    const entry = (i: number) => [port.read32(BLT_RING_BASE + RING_CONTEXT_STATUS_BUF_LO(i)), port.read32(BLT_RING_BASE + RING_CONTEXT_STATUS_BUF_LO(i) + 4)];
    expect(entry(0)).toEqual([1 << 0, BCS_CONTEXT_ID]);
    expect(entry(1)).toEqual([(1 << 4) | (1 << 3), BCS_CONTEXT_ID]);
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
