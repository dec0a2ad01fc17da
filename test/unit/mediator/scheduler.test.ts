import { describe, expect, it } from 'vitest';
import { BALANCE_PERIOD_NS, PRIORITY_WINDOW_NS, TICK_NS, TimeSliceScheduler } from '../../../src/main/mediator/scheduler';
import { addVm, directPort, rig } from '../helpers/system';
import { BLT_RING_BASE, GTT_OFFSET, RING_CTL, RING_CTL_SIZE, RING_CTL_VALID, RING_START, RING_TAIL } from '../../../src/shared/regs';
import { MI_NOOP, ROP_PATCOPY, XY_COLOR_BLT_CMD, br13 } from '../../../src/shared/commands';

const always = (id: number, weight: number) => ({ id, weight, busy: () => true });

describe('TimeSliceScheduler (GVT-g TBS)', () => {
  it('splits GPU time by weight (4:8 -> 1:2) once the priority windows are over', () => {
    const s = new TimeSliceScheduler();
    s.add(1, 0);
    s.add(2, 0);
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
    s.add(1, 0);
    const es = [always(1, 16), always(2, 2)];
    for (let t = 0; t < 3e9; t += TICK_NS) s.tick(t, [es[0]], false);
    s.add(2, 3e9);
    // Even with a tiny weight, the newcomer owns the GPU whenever the owner changes in its window.
    const owners = new Set<number | null>();
    for (let t = 3e9; t < 3e9 + 50 * TICK_NS; t += TICK_NS) owners.add(s.tick(t, es, false));
    expect(owners.has(2)).toBe(true);
    expect(s.ownedNs(2, 3e9 + 50 * TICK_NS)).toBeGreaterThan(40 * TICK_NS);
  });

  it('never switches while an engine has work in flight', () => {
    const s = new TimeSliceScheduler();
    s.add(1, -PRIORITY_WINDOW_NS);
    s.add(2, -PRIORITY_WINDOW_NS);
    const es = [always(1, 1), always(2, 1)];
    const first = s.tick(0, es, false);
    for (let t = TICK_NS; t < 20 * TICK_NS; t += TICK_NS) expect(s.tick(t, es, true)).toBe(first);
    expect(s.tick(20 * TICK_NS, es, false)).not.toBe(first);
  });

  it('an idle vGPU keeps its share (TBS is not work-conserving); debt is forgotten at every 10th period', () => {
    const s = new TimeSliceScheduler();
    s.add(1, -PRIORITY_WINDOW_NS);
    s.add(2, -PRIORITY_WINDOW_NS);
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

describe('mediator scheduling', () => {
  /** Keep a vGPU's legacy ring full of small blits. */
  function busyGuest(r: ReturnType<typeof rig>, domid: number, weight: number) {
    const vm = addVm(r, domid, { lowMiB: 64, highMiB: 64 });
    const v = vm.v;
    (v as { weight: number }).weight = weight;
    const p = directPort(r, v);
    const words = new Uint32Array(vm.ram);
    for (let i = 0; i < 16; i++) p.write64(GTT_OFFSET + (v.alloc.lowGm.base / 4096 + i) * 8, (i + 1) * 4096 + 1, 0);
    p.write32(BLT_RING_BASE + RING_START, v.alloc.lowGm.base);
    p.write32(BLT_RING_BASE + RING_CTL, RING_CTL_SIZE(4096) | RING_CTL_VALID);
    let tail = 0;
    return {
      v,
      topUp() {
        while (v.queue.length < 2) {
          const cmd = [XY_COLOR_BLT_CMD, br13(ROP_PATCOPY, 1024), 0, (64 << 16) | 256, v.alloc.lowGm.base + 4096, 0, domid, MI_NOOP];
          cmd.forEach((d, i) => (words[1024 + tail / 4 + i] = d));
          tail = (tail + 32) % 4096;
          p.write32(BLT_RING_BASE + RING_TAIL, tail);
        }
      },
    };
  }

  it('under contention, vGPUs with weights 4 and 8 get engine time 1:2', () => {
    const r = rig();
    const a = busyGuest(r, 1, 4);
    const b = busyGuest(r, 2, 8);
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
    a.queue.push({ ...work });
    r.m.tick(0); // A owns the GPU (both are new: LRU order)
    r.gpu.mmioWrite(GPR0, 0xa0a); // as an LRI from A's batch would
    b.queue.push({ ...work });
    r.m.tick(TICK_NS); // A idle, B busy: B takes over
    expect(r.gpu.mmioRead(GPR0)).toBe(0xb0b);
    expect(a.vreg[GPR0 >>> 2]).toBe(0xa0a);
  });
});
