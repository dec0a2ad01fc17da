import { describe, expect, it } from 'vitest';
import { BALANCE_PERIOD_NS, PRIORITY_WINDOW_NS, TICK_NS, TimeSliceScheduler } from '../../../src/main/mediator/scheduler';
import { addVm, busyBcsGuest, directPort, rig } from '../helpers/system';
import { BLT_RING_BASE, GFX_RUN_LIST_ENABLE, RING_MODE_GEN7, maskedBitEnable } from '../../../src/shared/regs';
import { MI_NOOP } from '../../../src/shared/commands';

const always = (id: number, weight: number) => ({ id, weight, busy: () => true });

describe('TimeSliceScheduler (GVT-g TBS)', () => {
  it('splits GPU time by weight (4:8 -> 1:2) once the priority windows are over', () => {
    const s = new TimeSliceScheduler();
    for (const id of [1, 2]) {
      s.add(id);
      s.start(id, 0);
    }
    const es = [always(1, 4), always(2, 8)];
    let t = 0;
    for (; t < PRIORITY_WINDOW_NS; t += TICK_NS) s.tick(t, es, false);
    const a0 = s.ownedNs(1, t);
    const b0 = s.ownedNs(2, t);
    for (; t < PRIORITY_WINDOW_NS + 3e9; t += TICK_NS) s.tick(t, es, false);
    const ratio = (s.ownedNs(2, t) - b0) / (s.ownedNs(1, t) - a0);
    expect(ratio).toBeGreaterThan(1.94);
    expect(ratio).toBeLessThan(2.06);
  });

  it('a new vGPU is preferred during its 2 s priority window', () => {
    const s = new TimeSliceScheduler();
    s.add(1);
    s.start(1, 0);
    const es = [always(1, 16), always(2, 2)];
    for (let t = 0; t < 3e9; t += TICK_NS) s.tick(t, [es[0]], false);
    s.add(2);
    s.start(2, 3e9);
    // Even with a tiny weight, the newcomer owns the GPU whenever the owner changes in its window.
    const owners = new Set<number | null>();
    for (let t = 3e9; t < 3e9 + 50 * TICK_NS; t += TICK_NS) owners.add(s.tick(t, es, false));
    expect(owners.has(2)).toBe(true);
    expect(s.ownedNs(2, 3e9 + 50 * TICK_NS)).toBeGreaterThan(40 * TICK_NS);
  });

  it('never switches while an engine has work in flight', () => {
    const s = new TimeSliceScheduler();
    for (const id of [1, 2]) {
      s.add(id);
      s.start(id, -PRIORITY_WINDOW_NS);
    }
    const es = [always(1, 1), always(2, 1)];
    const first = s.tick(0, es, false);
    for (let t = TICK_NS; t < 20 * TICK_NS; t += TICK_NS) expect(s.tick(t, es, true)).toBe(first);
    expect(s.tick(20 * TICK_NS, es, false)).not.toBe(first);
  });

  it('an idle vGPU keeps its share (TBS is not work-conserving); debt is forgotten at every 10th period', () => {
    const s = new TimeSliceScheduler();
    for (const id of [1, 2]) {
      s.add(id);
      s.start(id, -PRIORITY_WINDOW_NS);
    }
    const es = [always(1, 1), { id: 2, weight: 1, busy: () => false }];
    for (let t = 0; t < 10 * BALANCE_PERIOD_NS; t += TICK_NS) s.tick(t, es, false);
    expect(s.ownedNs(1, 10 * BALANCE_PERIOD_NS) / (10 * BALANCE_PERIOD_NS)).toBeCloseTo(0.5, 1);
    // Work in flight keeps vGPU 1 on the GPU past its slice: it runs into debt...
    const t1 = 10 * BALANCE_PERIOD_NS;
    expect(s.tick(t1, es, false)).toBe(1);
    for (let t = t1 + TICK_NS; t < t1 + 10 * BALANCE_PERIOD_NS; t += TICK_NS) s.tick(t, es, true);
    expect(s.leftNs(1)).toBeLessThan(-3 * BALANCE_PERIOD_NS);
    // ...which the 10th period's fresh start forgives.
    s.tick(t1 + 10 * BALANCE_PERIOD_NS, es, false);
    expect(s.leftNs(1)).toBeGreaterThan(0);
    expect(s.leftNs(1)).toBeLessThanOrEqual(BALANCE_PERIOD_NS / 2);
  });
});

describe('TBS as GVT-g sched_policy.c', () => {
  it('tbs_sched_start_schedule: a started vGPU joins the LRU head (list_add), so it is picked before one queued earlier', () => {
    const s = new TimeSliceScheduler();
    s.add(1);
    s.add(2);
    // Both priority windows long over, both with a timeslice from the first balance.
    s.start(1, -2 * PRIORITY_WINDOW_NS);
    s.start(2, -2 * PRIORITY_WINDOW_NS);
    expect(s.tick(0, [always(1, 1), always(2, 1)], false)).toBe(2);
  });

  it('tbs_sched_init_vgpu / start: a vGPU that never started is never picked and gets no timeslice', () => {
    const s = new TimeSliceScheduler();
    s.add(1);
    s.add(2);
    s.start(1, 0);
    const es = [always(1, 1), always(2, 1)];
    for (let t = 0; t < 3 * BALANCE_PERIOD_NS; t += TICK_NS) expect(s.tick(t, es, false)).toBe(1);
    expect(s.started(2)).toBe(false);
    expect(s.ownedNs(2, 3 * BALANCE_PERIOD_NS)).toBe(0);
    expect(s.leftNs(2)).toBe(0);
  });

  it('tbs_sched_start_schedule: the 2 s priority window runs from the start, not from creation', () => {
    const s = new TimeSliceScheduler();
    s.add(1);
    s.add(2); // created at 0
    s.start(1, 0);
    const es = [always(1, 16), always(2, 1)];
    for (let t = 0; t < 5e9; t += TICK_NS) s.tick(t, [es[0]], false);
    s.start(2, 5e9); // its guest enables execlists 5 s after creation
    // Started after the last stage 0, it has no timeslice: only the priority window makes it run.
    expect(s.leftNs(2)).toBe(0);
    let owned = 0;
    for (let t = 5e9; t < 5e9 + 50 * TICK_NS; t += TICK_NS) if (s.tick(t, es, false) === 2) owned++;
    expect(owned).toBeGreaterThan(45);
    expect(s.mayRun(2, 5e9 + 50 * TICK_NS)).toBe(true);
    // Past the window (7 s), the weights rule: weight 1 of 17.
    const t0 = 5e9 + PRIORITY_WINDOW_NS + BALANCE_PERIOD_NS;
    for (let t = 5e9 + 50 * TICK_NS; t < t0; t += TICK_NS) s.tick(t, es, false);
    const before = s.ownedNs(2, t0);
    for (let t = t0; t < t0 + 10 * BALANCE_PERIOD_NS; t += TICK_NS) s.tick(t, es, false);
    expect((s.ownedNs(2, t0 + 10 * BALANCE_PERIOD_NS) - before) / (10 * BALANCE_PERIOD_NS)).toBeLessThan(0.1);
  });

  it('gvt_balance_timeslice: allocations are recomputed only at stage 0; other stages add the stage-0 allocation', () => {
    const s = new TimeSliceScheduler();
    s.add(1);
    s.add(2);
    s.start(1, -PRIORITY_WINDOW_NS);
    const idle = [{ id: 1, weight: 1, busy: () => false }, { id: 2, weight: 1, busy: () => false }];
    s.tick(0, idle, false); // stage 0: vGPU 1 alone gets the whole period
    expect(s.leftNs(1)).toBe(BALANCE_PERIOD_NS);
    s.start(2, BALANCE_PERIOD_NS / 2 - PRIORITY_WINDOW_NS);
    s.tick(BALANCE_PERIOD_NS, idle, false); // stage 1: nothing recomputed, vGPU 2 has no allocation yet
    expect(s.leftNs(1)).toBe(2 * BALANCE_PERIOD_NS);
    expect(s.leftNs(2)).toBe(0);
    for (let k = 2; k < 10; k++) s.tick(k * BALANCE_PERIOD_NS, idle, false);
    expect(s.leftNs(2)).toBe(0);
    s.tick(10 * BALANCE_PERIOD_NS, idle, false); // stage 0 again: split by weight, debts and savings dropped
    expect(s.leftNs(1)).toBe(BALANCE_PERIOD_NS / 2);
    expect(s.leftNs(2)).toBe(BALANCE_PERIOD_NS / 2);
  });
});

describe('mediator: scheduling starts at GFX_RUN_LIST_ENABLE (handlers.c ring_mode_mmio_write -> intel_vgpu_start_schedule)', () => {
  it('queued work of a vGPU whose guest has not enabled execlists never runs; enabling them starts it', () => {
    const r = rig();
    const a = addVm(r, 1).v;
    a.queue.push({ engine: 'bcs', tail: 0, scan: { commands: 0, segments: [new Uint32Array([MI_NOOP])], patches: [], flips: [] } });
    for (let t = 0; t < 10; t++) r.m.tick(t * TICK_NS);
    expect(a.stats.workloads).toBe(0);
    r.now.ns = 10 * TICK_NS;
    directPort(r, a).write32(BLT_RING_BASE + RING_MODE_GEN7, maskedBitEnable(GFX_RUN_LIST_ENABLE));
    r.m.tick(11 * TICK_NS);
    expect(a.stats.workloads).toBe(1);
  });
});

describe('mediator scheduling', () => {
  it('under contention, vGPUs with weights 4 and 8 get engine time 1:2', () => {
    const r = rig();
    const a = busyBcsGuest(r, 1, 4);
    const b = busyBcsGuest(r, 2, 8);
    let t = 0;
    const run = (until: number) => {
      for (; t < until; t += TICK_NS) {
        a.topUp();
        b.topUp();
        r.now.ns = t;
        r.m.tick(t);
      }
    };
    run(PRIORITY_WINDOW_NS);
    const [a0, b0] = [r.m.ownedNs(a.v), r.m.ownedNs(b.v)];
    const [ga0, gb0] = [a.v.stats.gpuTimeNs, b.v.stats.gpuTimeNs];
    run(PRIORITY_WINDOW_NS + 2e9);
    const owned = (r.m.ownedNs(b.v) - b0) / (r.m.ownedNs(a.v) - a0);
    const busy = (b.v.stats.gpuTimeNs - gb0) / (a.v.stats.gpuTimeNs - ga0);
    for (const ratio of [owned, busy]) {
      expect(ratio).toBeGreaterThan(1.94);
      expect(ratio).toBeLessThan(2.06);
    }
    expect(a.v.failsafe).toBeNull();
  });
});

describe('per-engine MMIO context switch', () => {
  it('saves the outgoing owner\'s command-accessible registers and restores the incoming one\'s', () => {
    const r = rig();
    const a = addVm(r, 1).v;
    const b = addVm(r, 2).v;
    const GPR0 = BLT_RING_BASE + 0x600;
    b.vreg[GPR0 >>> 2] = 0xb0b;
    const work = { engine: 'bcs' as const, tail: 0, scan: { commands: 0, segments: [new Uint32Array([MI_NOOP])], patches: [], flips: [] } };
    // Both guests enable execlists, which queues them for scheduling (B last: the LRU head).
    for (const v of [a, b]) directPort(r, v).write32(BLT_RING_BASE + RING_MODE_GEN7, maskedBitEnable(GFX_RUN_LIST_ENABLE));
    a.queue.push({ ...work });
    r.m.tick(0); // A owns the GPU (both are new: LRU order)
    r.gpu.mmioWrite(GPR0, 0xa0a); // as an LRI from A's batch would
    b.queue.push({ ...work });
    r.m.tick(TICK_NS); // A idle, B busy: B takes over
    expect(r.gpu.mmioRead(GPR0)).toBe(0xb0b);
    expect(a.vreg[GPR0 >>> 2]).toBe(0xa0a);
  });
});
