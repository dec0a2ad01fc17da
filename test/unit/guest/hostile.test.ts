/**
 * Isolation: each hostile scenario runs next to two well-behaved desktop guests; their frames and
 * their memory must be exactly what they are in a run without the hostile guest.
 */
import { describe, expect, it } from 'vitest';
import { addVm, bootDesktop, directPort, rig } from '../helpers/system';
import { GuestDriver } from '../../../src/main/guest/driver';
import { GuestRam } from '../../../src/main/guest/guest-ram';
import { runHostile } from '../../../src/main/guest/workloads/hostile';
import { decodeVgpuFrame, frameRgba } from '../../../src/main/mediator/fb-decoder';
import { HOSTILE_SCENARIOS, type HostileScenario } from '../../../src/shared/workloads';

const FRAMES = 6;

/** Run two desktops (and optionally a hostile guest between their frames); return what they left behind. */
function run(hostile: HostileScenario[] | null) {
  const r = rig();
  const guests = [bootDesktop(r, 1), bootDesktop(r, 2)];
  let h: ReturnType<typeof addVm> | undefined;
  let hd: GuestDriver | undefined;
  if (hostile) {
    h = addVm(r, 3, { lowMiB: 64, highMiB: 128 });
    hd = new GuestDriver(directPort(r, h.v), new GuestRam(h.ram, h.dirty), () => undefined);
    hd.probe();
    hd.initBlitterRing();
  }
  for (let f = 0; f < FRAMES; f++) {
    r.now.ns = f * 33e6;
    for (const g of guests) g.scene.frame(Date.UTC(2026, 0, 1, 0, 0, f));
    if (hostile && hd && h) for (const s of hostile) runHostile(s, hd, directPort(r, h.v));
    for (let t = 0; t < 8; t++) r.m.tick(r.now.ns + t * 1e6);
    r.m.vblank();
  }
  // Long enough for the watchdog to reset an engine a hostile guest hung.
  for (let t = 0; t < 400; t++) r.m.tick(FRAMES * 33e6 + t * 1e6);
  return {
    frames: guests.map((g) => {
      const d = decodeVgpuFrame(r.gpu, g.v);
      if ('error' in d) throw new Error(d.error);
      return Buffer.from(frameRgba(d.frame));
    }),
    rams: guests.map((g) => Buffer.from(new Uint8Array(g.ram))),
    workloads: guests.map((g) => g.v.stats.workloads),
    clean: guests.every((g) => g.v.failsafe === null && g.v.stats.droppedPtes === 0),
    hostile: h?.v,
  };
}

describe('hostile guests are contained', () => {
  const baseline = run(null);

  it('the baseline itself drew every frame', () => {
    expect(baseline.workloads).toEqual([FRAMES, FRAMES]);
    expect(baseline.clean).toBe(true);
  });

  it.each([...HOSTILE_SCENARIOS.map((s) => [s, [s]] as const), ['all', [...HOSTILE_SCENARIOS]] as const])('%s: the other VMs\' frames and memory are unchanged', (_name, scenarios) => {
    const withHostile = run([...scenarios]);
    expect(withHostile.clean).toBe(true);
    expect(withHostile.workloads).toEqual(baseline.workloads);
    withHostile.frames.forEach((f, i) => expect(f.equals(baseline.frames[i]), `frame of VM ${i + 1}`).toBe(true));
    withHostile.rams.forEach((m, i) => expect(m.equals(baseline.rams[i]), `RAM of VM ${i + 1}`).toBe(true));
    // A policy violation leaves a trace on the attacker only: a dropped entry, a refusal or a log
    // line. (An interrupt storm breaks no rule: it only must not slow the others down.)
    const h = withHostile.hostile!;
    if (!scenarios.every((s) => s === 'irq-storm')) expect(h.failsafe !== null || h.stats.droppedPtes > 0 || h.log.length > 0).toBe(true);
    // The self-looping batch hung the engine: the watchdog reset it and the attacker's vGPU.
    // (In 'all' an earlier scenario already put the attacker in failsafe, so the loop never runs.)
    if (scenarios.length === 1 && scenarios[0] === 'batch-loop') {
      expect(h.stats.resets).toBe(1);
      expect(h.log.some((l) => /engine reset: bcs: workload did not complete in 2\d\d ms of engine time/.test(l))).toBe(true);
    }
  });
});
