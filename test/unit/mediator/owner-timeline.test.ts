import { describe, expect, it } from 'vitest';
import { OwnerTimeline, TIMELINE_CAPACITY, TIMELINE_WINDOW_NS, type OwnerInterval } from '../../../src/main/mediator/owner-timeline';
import { PRIORITY_WINDOW_NS, TICK_NS, TimeSliceScheduler } from '../../../src/main/mediator/scheduler';
import { gpuTimeline } from '../../../src/main/mediator/vgpu-stats';
import { busyBcsGuest, rig } from '../helpers/system';

const always = (id: number, weight: number) => ({ id, weight, busy: () => true });
const total = (xs: OwnerInterval[], id: number): number => xs.filter((i) => i.id === id).reduce((n, i) => n + i.endNs - i.startNs, 0);

/** Intervals are in time order and never overlap. */
function expectOrdered(xs: { startNs: number; endNs: number }[]): void {
  for (let k = 1; k < xs.length; k++) expect(xs[k].startNs).toBeGreaterThanOrEqual(xs[k - 1].endNs);
}

describe('OwnerTimeline ring', () => {
  it('merges back-to-back intervals of one vGPU, keeps others apart, ignores empty ones', () => {
    const t = new OwnerTimeline();
    t.record('bcs', 1, 0, 10);
    t.record('bcs', 1, 10, 20); // continues: merged
    t.record('bcs', 2, 20, 25);
    t.record('bcs', 1, 30, 40); // a gap: a new interval
    t.record('bcs', 1, 50, 50); // empty
    t.record('bcs', 1, 60, 55); // reversed
    expect(t.view(100, 100).bcs.intervals).toEqual([
      { id: 1, startNs: 0, endNs: 20 },
      { id: 2, startNs: 20, endNs: 25 },
      { id: 1, startNs: 30, endNs: 40 },
    ]);
    expect(t.view(100, 100).rcs.intervals).toEqual([]);
  });

  it('clips to the window and to now (engine time runs ahead of now)', () => {
    const t = new OwnerTimeline();
    t.record('rcs', 3, 0, 1e9);
    t.record('rcs', 4, 2.5e9, 3.5e9);
    const v = t.view(3e9);
    expect(v.rcs.sinceNs).toBe(3e9 - TIMELINE_WINDOW_NS);
    expect(v.rcs.intervals).toEqual([{ id: 4, startNs: 2.5e9, endNs: 3e9 }]);
  });

  it('is bounded: after more than TIMELINE_CAPACITY intervals it keeps the newest and says from when it is complete', () => {
    const t = new OwnerTimeline();
    const n = TIMELINE_CAPACITY + 500;
    for (let k = 0; k < n; k++) t.record('slice', k % 2 === 0 ? 1 : 2, k * 100, k * 100 + 50);
    const v = t.view(n * 100, n * 100);
    expect(v.slice.intervals).toHaveLength(TIMELINE_CAPACITY);
    expect(v.slice.intervals[0].startNs).toBe(500 * 100);
    expect(v.slice.sinceNs).toBe(500 * 100);
    expect(v.slice.intervals.at(-1)).toEqual({ id: 2, startNs: (n - 1) * 100, endNs: (n - 1) * 100 + 50 });
  });

  it('hold() keeps an open interval up to now and closes it at the next holder', () => {
    const t = new OwnerTimeline();
    t.hold('slice', 1, 0);
    expect(t.view(5, 10).slice.intervals).toEqual([{ id: 1, startNs: 0, endNs: 5 }]);
    t.hold('slice', null, 7);
    t.hold('slice', 2, 9);
    expect(t.view(12, 20).slice.intervals).toEqual([
      { id: 1, startNs: 0, endNs: 7 },
      { id: 2, startNs: 9, endNs: 12 },
    ]);
  });

  it('forget() drops a vGPU everywhere, the ring stays usable', () => {
    const t = new OwnerTimeline();
    for (let k = 0; k < 10; k++) t.record('bcs', 1 + (k % 3), k * 10, k * 10 + 5);
    t.hold('slice', 2, 0);
    t.forget(2);
    const v = t.view(200, 200);
    expect(v.bcs.intervals.map((i) => i.id)).toEqual([1, 3, 1, 3, 1, 3, 1]);
    expect(v.slice.intervals).toEqual([]);
    t.record('bcs', 1, 100, 110);
    expect(t.view(200, 200).bcs.intervals.at(-1)).toEqual({ id: 1, startNs: 100, endNs: 110 });
  });
});

describe('the scheduler records its time slices (GVT-g tbs_sched_func slice boundaries)', () => {
  it('slice intervals alternate with the owner and add up to each vGPU’s owned time in the window', () => {
    const timeline = new OwnerTimeline();
    const s = new TimeSliceScheduler(timeline);
    for (const id of [1, 2]) {
      s.add(id);
      s.start(id, -PRIORITY_WINDOW_NS);
    }
    const es = [always(1, 4), always(2, 8)];
    const now = 3e9;
    const from = now - TIMELINE_WINDOW_NS;
    let owned0: [number, number] = [0, 0];
    const owners: (number | null)[] = [];
    for (let t = 0; t < now; t += TICK_NS) {
      if (t === from) owned0 = [s.ownedNs(1, t), s.ownedNs(2, t)];
      owners.push(s.tick(t, es, false));
    }
    const v = timeline.view(now);
    expectOrdered(v.slice.intervals);
    // Exactly the owner the scheduler returned at each tick of the window, idle ticks left out.
    const expected: OwnerInterval[] = [];
    for (let k = from / TICK_NS; k < now / TICK_NS; k++) {
      const id = owners[k];
      const last = expected.at(-1);
      if (id === null) continue;
      if (last && last.id === id && last.endNs === k * TICK_NS) last.endNs += TICK_NS;
      else expected.push({ id, startNs: k * TICK_NS, endNs: (k + 1) * TICK_NS });
    }
    expect(v.slice.intervals).toEqual(expected);
    expect(owners.slice(from / TICK_NS)).toContain(null);
    expect(total(v.slice.intervals, 1)).toBeCloseTo(s.ownedNs(1, now) - owned0[0], -3);
    expect(total(v.slice.intervals, 2)).toBeCloseTo(s.ownedNs(2, now) - owned0[1], -3);
    // 4:8 weights: the slices split 1:2.
    expect(total(v.slice.intervals, 2) / total(v.slice.intervals, 1)).toBeCloseTo(2, 1);
  });

  it('a removed vGPU leaves the timeline', () => {
    const timeline = new OwnerTimeline();
    const s = new TimeSliceScheduler(timeline);
    s.add(1);
    s.start(1, 0);
    for (let t = 0; t < 10 * TICK_NS; t += TICK_NS) s.tick(t, [always(1, 1)], false);
    expect(timeline.view(10 * TICK_NS).slice.intervals).toHaveLength(1);
    s.remove(1, 10 * TICK_NS);
    expect(timeline.view(10 * TICK_NS).slice.intervals).toEqual([]);
  });
});

describe('the mediator records which vGPU held each engine', () => {
  it('BCS intervals follow the slices: each interval lies inside its owner’s time slice, both vGPUs appear, RCS stays empty', () => {
    const r = rig();
    const a = busyBcsGuest(r, 5);
    const b = busyBcsGuest(r, 6);
    const end = PRIORITY_WINDOW_NS + 1e9;
    const gpu0 = new Map<number, number>();
    for (let t = 0; t < end; t += TICK_NS) {
      a.topUp();
      b.topUp();
      r.now.ns = t;
      if (t === end - TIMELINE_WINDOW_NS) for (const x of [a, b]) gpu0.set(x.v.id, x.v.stats.gpuTimeNs);
      r.m.tick(t);
    }
    const tl = gpuTimeline(r.m, end);
    expect(tl.windowMs).toBe(2000);
    const bcs = tl.lanes.bcs.segments;
    expect(new Set(bcs.map((s) => s.domid))).toEqual(new Set([5, 6]));
    expect(tl.lanes.rcs.segments).toEqual([]);
    const slices = tl.lanes.slice.segments;
    for (const seg of bcs) {
      const inside = slices.some((s) => s.domid === seg.domid && s.startMs <= seg.startMs + 1e-6 && seg.endMs <= s.endMs + TICK_NS / 1e6);
      expect(inside, `BCS ${seg.domid} ${seg.startMs}-${seg.endMs} inside one of its slices`).toBe(true);
    }
    // Engine time in the window is what the engine intervals cover (the last one may run past `end`).
    const view = r.m.timeline.view(end + 1e9, TIMELINE_WINDOW_NS + 1e9);
    for (const x of [a, b]) expect(total(view.bcs.intervals, x.v.id)).toBeCloseTo(x.v.stats.gpuTimeNs - gpu0.get(x.v.id)!, -4);
    // A destroyed vGPU's intervals go with it.
    r.m.destroyVgpu(5);
    const after = gpuTimeline(r.m, end);
    expect(after.lanes.bcs.segments.every((s) => s.domid === 6)).toBe(true);
    expect(after.lanes.slice.segments.every((s) => s.domid === 6)).toBe(true);
  });
});
