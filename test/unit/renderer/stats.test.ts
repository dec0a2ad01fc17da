// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, type VueWrapper } from '@vue/test-utils';
import type { GpuStats, OwnerSegment, VgpuLog, VgpuSample } from '../../../src/shared/api';
import { StatsHistory, derivePoint, niceMax } from '../../../src/renderer/lib/stats-history';
import { timelineBars } from '../../../src/renderer/lib/timeline-bars';
import { LOG_VIEW_LINES, appendLog, lineKind, stamp } from '../../../src/renderer/lib/audit-lines';
import HangBadge from '../../../src/renderer/components/HangBadge.vue';
import VgpuCharts from '../../../src/renderer/components/VgpuCharts.vue';
import { useStatsStore } from '../../../src/renderer/stores/stats';
import { FakeClient } from './fake-client';
import { mountWith } from './mount';
import { defineComponent, h } from 'vue';

function sample(domid: number, over: Partial<VgpuSample> = {}): VgpuSample {
  return { domid, name: `vm${domid}`, vgtId: domid, weight: 4, scheduled: true, ownedNs: 0, gpuTimeNs: 0, workloads: 0, mmioTraps: 0, flips: 0, gmInUseBytes: 0, gmBytes: 512 * 2 ** 20, resets: 0, hangs: 0, lastReset: null, logNext: 0, failsafe: null, ...over };
}
const at = (nowMs: number, ...vgpus: VgpuSample[]): GpuStats => ({ nowMs, vgpus });

describe('StatsHistory: rates from counters, share against weight', () => {
  it('rates are counter differences over the sample interval; the first sample of a vGPU has none', () => {
    const h = new StatsHistory();
    h.push(at(1000, sample(1, { workloads: 10, mmioTraps: 100, flips: 5, ownedNs: 0, gmInUseBytes: 8 * 2 ** 20 })));
    expect(h.latest(1)).toEqual({ share: null, weight: 100, workloads: null, mmio: null, fps: null, gm: 8 });
    h.push(at(3000, sample(1, { workloads: 130, mmioTraps: 2100, flips: 125, ownedNs: 500e6, gmInUseBytes: 16 * 2 ** 20 })));
    expect(h.latest(1)).toEqual({ share: 25, weight: 100, workloads: 60, mmio: 1000, fps: 60, gm: 16 });
  });

  it('weight share is weight / total weight of the vGPUs in the run queue; one not queued has none and does not count', () => {
    const cur = [sample(1, { weight: 4 }), sample(2, { weight: 8 }), sample(3, { weight: 16, scheduled: false })];
    const total = 12;
    expect(derivePoint(cur[0], undefined, 1, total).weight).toBeCloseTo(100 / 3, 6);
    expect(derivePoint(cur[1], undefined, 1, total).weight).toBeCloseTo(200 / 3, 6);
    expect(derivePoint(cur[2], undefined, 1, total).weight).toBeNull();
    const h = new StatsHistory();
    h.push(at(0, ...cur));
    expect(h.latest(1)!.weight! + h.latest(2)!.weight!).toBeCloseTo(100, 6);
  });

  it('a counter that went down gives no rate (never a negative one)', () => {
    const p = derivePoint(sample(1, { workloads: 5 }), sample(1, { workloads: 9 }), 1, 4);
    expect(p.workloads).toBeNull();
  });

  it('keeps the last 60 s, and at most maxRows rows', () => {
    const h = new StatsHistory(60, 1000);
    for (let s = 0; s < 200; s++) h.push(at(s * 1000, sample(1, { workloads: s })));
    expect(h.rows[0].t).toBe(139);
    expect(h.rows.at(-1)!.t).toBe(199);
    const small = new StatsHistory(60, 10);
    for (let s = 0; s < 30; s++) small.push(at(s * 100, sample(1)));
    expect(small.rows).toHaveLength(10);
  });

  it('a vGPU that stops leaves every row and the series; a new one starts with nulls before it', () => {
    const h = new StatsHistory();
    h.push(at(0, sample(1), sample(2)));
    h.push(at(1000, sample(1, { workloads: 3 }), sample(2)));
    h.push(at(2000, sample(1, { workloads: 6 }), sample(3)));
    expect(h.series()).toEqual([{ domid: 1, name: 'vm1' }, { domid: 3, name: 'vm3' }]);
    expect(h.rows.every((r) => !r.points.has(2))).toBe(true);
    expect(h.columns('workloads', [1, 3])).toEqual([[0, 1, 2], [null, 3, 3], [null, null, null]]);
    expect(h.columns('gm', [3])).toEqual([[0, 1, 2], [null, null, 0]]);
  });

  it('a clock that goes back (the host restarted) starts afresh', () => {
    const h = new StatsHistory();
    h.push(at(50_000, sample(1, { workloads: 100 })));
    h.push(at(51_000, sample(1, { workloads: 160 })));
    h.push(at(1000, sample(1, { workloads: 2 })));
    expect(h.rows).toHaveLength(1);
    expect(h.latest(1)!.workloads).toBeNull();
  });
});

describe('niceMax (chart y range)', () => {
  it('rounds up to 1, 2, 2.5 or 5 times a power of ten', () => {
    expect([0, -3, NaN, 0.7, 1, 3, 42, 60.2, 484, 2100].map(niceMax)).toEqual([1, 1, 1, 1, 1, 5, 50, 100, 500, 2500]);
  });
});

describe('timelineBars', () => {
  const seg = (domid: number, startMs: number, endMs: number): OwnerSegment => ({ domid, startMs, endMs });
  it('clips to the window, makes every bar at least a pixel wide, joins one VM’s segments closer than a pixel', () => {
    // 2000 ms over 200 px: 10 ms a pixel.
    const bars = timelineBars([seg(1, 0, 1500), seg(1, 1500, 1501), seg(1, 1505, 1506), seg(2, 1507, 1508), seg(1, 1600, 1700), seg(2, 2950, 3100)], 3000, 2000, 200);
    expect(bars).toEqual([
      { domid: 1, x: 0, w: 506, busyMs: 502 },
      { domid: 2, x: 507, w: 10, busyMs: 1 },
      { domid: 1, x: 600, w: 100, busyMs: 100 },
      { domid: 2, x: 1950, w: 50, busyMs: 50 },
    ]);
  });
  it('thousands of short segments of one VM make one bar', () => {
    const one = Array.from({ length: 4000 }, (_, i) => seg(1, i * 0.5, i * 0.5 + 0.2));
    expect(timelineBars(one, 2000, 2000, 200)).toHaveLength(1);
  });
});

describe('Log view lines', () => {
  const log = (first: number, next: number, seqs: number[]): VgpuLog => ({ domid: 1, first, next, lines: seqs.map((seq) => ({ seq, atMs: seq * 1.5, text: seq === 3 ? 'engine reset: bcs: workload did not complete in 250 ms of engine time (GPU hang)' : `GGTT: dropped PTE ${seq}` })) });
  it('appends, notes lines the host dropped in between, and stays bounded', () => {
    let r = appendLog([], log(0, 2, [0, 1]), 0);
    expect(r.next).toBe(2);
    r = appendLog(r.lines, log(5, 7, [5, 6]), r.next);
    expect(r.lines.map((l) => l.kind)).toEqual(['refused', 'refused', 'gap', 'refused', 'refused']);
    expect(r.lines[2].text).toMatch(/3 older lines dropped/);
    let lines = r.lines;
    let next = r.next;
    for (let k = 0; k < 12; k++) {
      const seqs = Array.from({ length: 100 }, (_, i) => next + i);
      ({ lines, next } = appendLog(lines, log(next, next + 100, seqs), next));
    }
    expect(lines).toHaveLength(LOG_VIEW_LINES);
    expect(lines.at(-1)!.key).toBe(next - 1);
  });
  it('kinds and printk stamps', () => {
    expect(lineKind('engine reset: bcs: workload made no progress in 250 checks (GPU hang)')).toBe('hang');
    expect(lineKind('guest reset GDRST=0x8')).toBe('reset');
    expect(lineKind('failsafe: bcs: unknown command')).toBe('refused');
    expect(lineKind('hotplug: PORT_B connected')).toBe('info');
    expect(stamp(12345.6789)).toBe('[   12.345678]');
  });
});

describe('hang badge and Log view', () => {
  let wrapper: VueWrapper | undefined;
  afterEach(() => {
    wrapper?.unmount();
    vi.useRealTimers();
  });

  it('shows unseen hangs with the last reason, opens the live log, and is cleared by viewing it', async () => {
    let hangs = 2;
    const reason = 'engine reset: bcs: workload did not complete in 251 ms of engine time (GPU hang)';
    const fake = new FakeClient({
      'gpu.stats': () => at(5000, sample(4, { name: 'hostile', hangs, resets: hangs + 1, lastReset: { kind: 'hang', reason, atMs: 4200 } })),
      'vgpu.log': ({ since }) => ({ domid: 4, first: 0, next: 2, lines: [{ seq: 0, atMs: 10, text: 'guest reset GDRST=0x8' }, { seq: 1, atMs: 4200, text: reason }].filter((l) => l.seq >= (since ?? 0)) }),
    });
    const Badge = defineComponent(() => () => h(HangBadge, { domid: 4, name: 'hostile' }));
    ({ wrapper } = mountWith(fake, Badge));
    await flushPromises();
    const badge = wrapper.get('[data-testid="hang-badge-4"]');
    expect(badge.text()).toBe('hang ×2');
    expect(badge.attributes('title')).toContain('2 GPU hangs recovered by the mediator, 1 engine reset by the guest');
    expect(badge.attributes('title')).toContain(reason);
    expect(badge.attributes('aria-label')).toContain('hostile');
    await badge.trigger('click');
    await flushPromises();
    const view = document.querySelector('[data-testid="vgpu-log-4"]')!;
    expect(view.textContent).toContain(reason);
    expect(view.querySelector('.hang')?.textContent).toContain('[    4.200000]');
    expect(wrapper.find('[data-testid="hang-badge-4"]').exists()).toBe(false);
    // A new hang while the log is open is seen as it arrives; after closing, the next one shows again.
    hangs = 3;
    await useStatsStore().poll();
    expect(useStatsStore().unseen(4)).toBeNull();
    (document.querySelector('[data-testid="vgpu-log-close-4"]') as HTMLButtonElement).click();
    await flushPromises();
    expect(document.querySelector('[data-testid="vgpu-log-4"]')).toBeNull();
    hangs = 4;
    await useStatsStore().poll();
    await flushPromises();
    expect(wrapper.get('[data-testid="hang-badge-4"]').text()).toBe('hang ×1');
  });

  it('a guest’s own resets give an amber "reset" badge; no vGPU, no badge', async () => {
    const fake = new FakeClient({ 'gpu.stats': () => at(1, sample(6, { resets: 1, lastReset: { kind: 'reset', reason: 'guest reset GDRST=0x8', atMs: 1 } })) });
    const Badges = defineComponent(() => () => [h(HangBadge, { domid: 6, name: 'a' }), h(HangBadge, { domid: 7, name: 'b', withLog: true })]);
    ({ wrapper } = mountWith(fake, Badges));
    await flushPromises();
    expect(wrapper.get('[data-testid="hang-badge-6"]').classes()).toContain('reset');
    expect(wrapper.get('[data-testid="hang-badge-6"]').text()).toBe('reset ×1');
    expect(wrapper.find('[data-testid="hang-badge-7"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="open-log-7"]').exists()).toBe(false);
  });

  it('the Log view of a domain that stopped says so and stops asking', async () => {
    const fake = new FakeClient({
      'gpu.stats': () => at(1, sample(8)),
      'vgpu.log': () => Promise.reject(Object.assign(new Error('no vGPU for domain 8'), { code: 'not_found' })),
    });
    const Badge = defineComponent(() => () => h(HangBadge, { domid: 8, name: 'gone', withLog: true }));
    ({ wrapper } = mountWith(fake, Badge));
    await flushPromises();
    await wrapper.get('[data-testid="open-log-8"]').trigger('click');
    await flushPromises();
    expect(document.querySelector('[data-testid="vgpu-log-ended-8"]')?.textContent).toContain('gone is no longer running');
  });
});

describe('charts with no data', () => {
  let wrapper: VueWrapper | undefined;
  afterEach(() => wrapper?.unmount());
  it('no vGPU running: an empty state, no chart, no error', async () => {
    const fake = new FakeClient({ 'gpu.stats': () => at(1, ), 'domains.list': () => [] });
    ({ wrapper } = mountWith(fake, VgpuCharts));
    await flushPromises();
    expect(wrapper.find('[data-testid="charts-empty"]').exists()).toBe(true);
    expect(wrapper.find('[data-testid^="chart-"]').exists()).toBe(false);
    expect(wrapper.find('[role="alert"]').exists()).toBe(false);
  });
});
