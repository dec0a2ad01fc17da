/**
 * The dashboard's per-vGPU history: gpu.stats samples (cumulative counters) turned into rates and
 * kept for the last minute. Each sample adds one row at its time (the GPU thread's clock, s) with a
 * point per live vGPU; rates come from the previous sample of the same vGPU, so a vGPU's first row
 * has no rates. A vGPU missing from a sample has stopped: its points leave every row (its series
 * disappears). A clock that goes backwards (the host restarted) starts the history afresh.
 * Browser-safe and pure (no timers): the stats store feeds it.
 */
import type { GpuStats, VgpuSample } from '../../shared/api';

/** What a chart can show per vGPU. */
export const METRICS = ['share', 'workloads', 'mmio', 'fps', 'gm'] as const;
export type Metric = (typeof METRICS)[number];

/** One vGPU at one sample; a rate is null for its first sample. */
export interface Point {
  /** Share of the GPU's time it owned under the scheduler since the last sample, %. */
  share: number | null;
  /** Its entitlement: weight / total weight of the vGPUs in the run queue, % (null while it is not in the queue). */
  weight: number | null;
  /** Workloads executed per second. */
  workloads: number | null;
  /** Trapped MMIO accesses per second. */
  mmio: number | null;
  /** Frames (flips latched at vblank) per second. */
  fps: number | null;
  /** GM mapped by the guest, MiB. */
  gm: number;
}

export interface Row {
  /** Sample time, s on the GPU thread's clock. */
  t: number;
  points: Map<number, Point>;
}

/** A live vGPU as the legend names it. */
export interface SeriesInfo {
  domid: number;
  name: string;
}

const rate = (now: number, before: number, dtS: number): number | null => (dtS > 0 && now >= before ? (now - before) / dtS : null);

/** The point of `cur` given the same vGPU's previous sample (`prev`, `dtS` seconds earlier) and the run queue's total weight. */
export function derivePoint(cur: VgpuSample, prev: VgpuSample | undefined, dtS: number, totalWeight: number): Point {
  const r = (f: (s: VgpuSample) => number): number | null => (prev ? rate(f(cur), f(prev), dtS) : null);
  const ownedMsPerS = r((s) => s.ownedNs / 1e6);
  return {
    share: ownedMsPerS === null ? null : Math.min(100, ownedMsPerS / 10),
    weight: cur.scheduled && totalWeight > 0 ? (100 * cur.weight) / totalWeight : null,
    workloads: r((s) => s.workloads),
    mmio: r((s) => s.mmioTraps),
    fps: r((s) => s.flips),
    gm: cur.gmInUseBytes / 2 ** 20,
  };
}

export class StatsHistory {
  private readonly rowList: Row[] = [];
  private last: GpuStats | null = null;

  /** windowS: how much history to keep, s; maxRows: a bound however often samples come. */
  constructor(
    readonly windowS = 60,
    readonly maxRows = 240,
  ) {}

  /** Add a sample (see the module comment). */
  push(stats: GpuStats): void {
    const prev = this.last;
    if (prev && stats.nowMs < prev.nowMs) this.clear();
    const before = new Map((this.last?.vgpus ?? []).map((v) => [v.domid, v]));
    const dtS = this.last ? (stats.nowMs - this.last.nowMs) / 1000 : 0;
    const totalWeight = stats.vgpus.reduce((n, v) => n + (v.scheduled ? v.weight : 0), 0);
    const live = new Set(stats.vgpus.map((v) => v.domid));
    for (const domid of before.keys()) if (!live.has(domid)) for (const row of this.rowList) row.points.delete(domid);
    const points = new Map(stats.vgpus.map((v) => [v.domid, derivePoint(v, before.get(v.domid), dtS, totalWeight)]));
    this.rowList.push({ t: stats.nowMs / 1000, points });
    const oldest = stats.nowMs / 1000 - this.windowS;
    while (this.rowList.length > this.maxRows || (this.rowList.length > 0 && this.rowList[0].t < oldest)) this.rowList.shift();
    this.last = stats;
  }

  clear(): void {
    this.rowList.length = 0;
    this.last = null;
  }

  get rows(): readonly Row[] {
    return this.rowList;
  }

  /** The vGPUs of the latest sample, by domid. */
  series(): SeriesInfo[] {
    return (this.last?.vgpus ?? []).map((v) => ({ domid: v.domid, name: v.name })).sort((a, b) => a.domid - b.domid);
  }

  /** The latest sample itself (counters, resets), or null. */
  get latestSample(): GpuStats | null {
    return this.last;
  }

  /** The latest point of `domid`, or undefined when it is not live. */
  latest(domid: number): Point | undefined {
    return this.rowList.at(-1)?.points.get(domid);
  }

  /**
   * Chart data as uPlot takes it: [times, then one column per `domids` entry] of `key` (null where
   * the vGPU had no value: before it started, or its first sample for a rate).
   */
  columns(key: keyof Point, domids: readonly number[]): [number[], ...(number | null)[][]] {
    const xs = this.rowList.map((r) => r.t);
    const ys = domids.map((d) => this.rowList.map((r) => r.points.get(d)?.[key] ?? null));
    return [xs, ...ys];
  }
}

/** The smallest of 1, 2, 2.5, 5 x 10^k at or above v (1 for nothing to show): a chart's y top whose middle reads well too. */
export function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 2.5, 5, 10].map((m) => m * p).find((x) => x >= v * (1 - 1e-12)) ?? 10 * p;
}
