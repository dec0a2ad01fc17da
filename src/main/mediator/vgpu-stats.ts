/**
 * What the dashboard reads from the mediator: every live vGPU's counters (GpuStats), the scheduler
 * timeline (GpuTimeline) and a vGPU's audit log (VgpuLog), in the API's shapes (ms on the GPU
 * thread's clock, domids instead of vgt_ids). Pure: the caller gives the time and the frame counts.
 */
import { ApiError, type GpuStats, type GpuTimeline, type OwnerSegment, type VgpuLog, type VgpuSample } from '../../shared/api';
import { GEN8_PAGE_PRESENT, PAGE_SIZE } from '../../shared/platform';
import type { Mediator } from './mediator';
import { TIMELINE_LANES, TIMELINE_WINDOW_NS } from './owner-timeline';
import type { Vgpu } from './vgpu';

/** GM the guest has mapped: its present GGTT entries (the guest's view), bytes. */
export function gmInUseBytes(v: Vgpu): number {
  let pages = 0;
  for (const [lo] of v.guestPtes.values()) if (lo & GEN8_PAGE_PRESENT) pages++;
  return pages * PAGE_SIZE;
}

/** One vGPU's sample; `flips`: frames its plane latched (the scanout planner counts them). */
export function vgpuSample(m: Mediator, v: Vgpu, flips: number): VgpuSample {
  const r = v.lastReset;
  return {
    domid: v.domid,
    name: v.name,
    vgtId: v.id,
    weight: v.weight,
    scheduled: m.scheduled(v),
    ownedNs: m.ownedNs(v),
    gpuTimeNs: v.stats.gpuTimeNs,
    workloads: v.stats.workloads,
    mmioTraps: v.stats.mmioTraps,
    flips,
    gmInUseBytes: gmInUseBytes(v),
    gmBytes: v.alloc.lowGm.size + v.alloc.highGm.size,
    resets: v.stats.resets,
    hangs: v.stats.hangs,
    lastReset: r ? { kind: r.kind, reason: r.reason, atMs: r.atNs / 1e6 } : null,
    logNext: v.audit.next,
    failsafe: v.failsafe,
  };
}

/** Every live vGPU's sample at `nowNs`. */
export function gpuStats(m: Mediator, nowNs: number, flipsOf: (domid: number) => number): GpuStats {
  return { nowMs: nowNs / 1e6, vgpus: m.vgpus().map((v) => vgpuSample(m, v, flipsOf(v.domid))) };
}

/** The timeline of the last TIMELINE_WINDOW_NS before `nowNs`, by domid (intervals of vGPUs no longer live are left out). */
export function gpuTimeline(m: Mediator, nowNs: number): GpuTimeline {
  const domidOf = new Map(m.vgpus().map((v) => [v.id, v.domid]));
  const view = m.timeline.view(nowNs);
  const lanes = {} as GpuTimeline['lanes'];
  for (const lane of TIMELINE_LANES) {
    const segments: OwnerSegment[] = [];
    for (const i of view[lane].intervals) {
      const domid = domidOf.get(i.id);
      if (domid !== undefined) segments.push({ domid, startMs: i.startNs / 1e6, endMs: i.endNs / 1e6 });
    }
    lanes[lane] = { sinceMs: view[lane].sinceNs / 1e6, segments };
  }
  return { nowMs: nowNs / 1e6, windowMs: TIMELINE_WINDOW_NS / 1e6, lanes };
}

/** Domain `domid`'s audit log from line `since` on. Throws ApiError('not_found') when it has no vGPU. */
export function vgpuLog(m: Mediator, domid: number, since = 0): VgpuLog {
  const v = m.vgpu(domid);
  if (!v) throw new ApiError('not_found', `no vGPU for domain ${domid}`);
  const lines = v.audit.since(since).map((l) => ({ seq: l.seq, atMs: l.atNs / 1e6, text: l.text }));
  return { domid, lines, first: v.audit.first, next: v.audit.next };
}
