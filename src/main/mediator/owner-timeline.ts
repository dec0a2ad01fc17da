/**
 * Who held the GPU, recently: per lane, the intervals (vGPU id, start ns, end ns) in which the
 * scheduler's time slice (`slice`) or a physical engine (`rcs`, `bcs`: a vGPU's workload executing
 * on it, in engine time) belonged to one vGPU. Fixed-size rings of typed arrays, so recording at a
 * slice boundary or a workload's completion allocates nothing; back-to-back intervals of the same
 * vGPU are merged into one. Kept: the last TIMELINE_CAPACITY intervals per lane, which covers
 * TIMELINE_WINDOW_NS unless the owner changed more often than every ~0.5 ms (then the view says
 * from when it is complete). Pure: time comes in as nowNs.
 * Source: GVT-g sched_policy.c (tbs_sched_func: scheduler->next_vgpu / current_vgpu at each slice
 * boundary) and scheduler.c (scheduler->current_workload[ring_id], engine_owner[ring_id]).
 */

export const TIMELINE_LANES = ['slice', 'rcs', 'bcs'] as const;
export type TimelineLane = (typeof TIMELINE_LANES)[number];
/** How far back a view reaches, ns. */
export const TIMELINE_WINDOW_NS = 2e9;
/** Intervals kept per lane. */
export const TIMELINE_CAPACITY = 4096;

/** One interval in which `id` held a lane, ns. */
export interface OwnerInterval {
  id: number;
  startNs: number;
  endNs: number;
}

/** A lane's intervals overlapping [sinceNs, nowNs], oldest first; sinceNs is later than nowNs - window when the ring wrapped. */
export interface LaneView {
  sinceNs: number;
  intervals: OwnerInterval[];
}

class LaneRing {
  readonly ids = new Int32Array(TIMELINE_CAPACITY);
  readonly start = new Float64Array(TIMELINE_CAPACITY);
  readonly end = new Float64Array(TIMELINE_CAPACITY);
  /** Next slot to write. */
  head = 0;
  count = 0;
  /** Did the ring overwrite an interval (so the oldest kept start bounds what is known)? */
  wrapped = false;
  /** The holder since openStartNs whose interval is not closed yet (-1: none). */
  openId = -1;
  openStartNs = 0;

  slot(k: number): number {
    return (this.head - this.count + k + TIMELINE_CAPACITY) % TIMELINE_CAPACITY;
  }
}

export class OwnerTimeline {
  private readonly lanes: Record<TimelineLane, LaneRing> = { slice: new LaneRing(), rcs: new LaneRing(), bcs: new LaneRing() };

  /**
   * `id` held `lane` over [startNs, endNs). Merged into the previous interval when that one is the
   * same vGPU's and reaches startNs; an empty or reversed interval is ignored.
   */
  record(lane: TimelineLane, id: number, startNs: number, endNs: number): void {
    if (!(endNs > startNs)) return;
    const l = this.lanes[lane];
    if (l.count > 0) {
      const last = l.slot(l.count - 1);
      if (l.ids[last] === id && startNs <= l.end[last]) {
        if (endNs > l.end[last]) l.end[last] = endNs;
        return;
      }
    }
    l.ids[l.head] = id;
    l.start[l.head] = startNs;
    l.end[l.head] = endNs;
    l.head = (l.head + 1) % TIMELINE_CAPACITY;
    if (l.count < TIMELINE_CAPACITY) l.count++;
    else l.wrapped = true;
  }

  /** From `nowNs` on, `lane` is held by `id` (null: by nobody); the previous holder's interval ends now. */
  hold(lane: TimelineLane, id: number | null, nowNs: number): void {
    const l = this.lanes[lane];
    if (l.openId >= 0) this.record(lane, l.openId, l.openStartNs, nowNs);
    l.openId = id ?? -1;
    l.openStartNs = nowNs;
  }

  /** A vGPU destroyed: its intervals go (its id may be given to the next vGPU). */
  forget(id: number): void {
    for (const l of Object.values(this.lanes)) {
      if (l.openId === id) l.openId = -1;
      let kept = 0;
      for (let k = 0; k < l.count; k++) {
        const from = l.slot(k);
        if (l.ids[from] === id) continue;
        const to = (l.head - l.count + kept + TIMELINE_CAPACITY) % TIMELINE_CAPACITY;
        l.ids[to] = l.ids[from];
        l.start[to] = l.start[from];
        l.end[to] = l.end[from];
        kept++;
      }
      l.head = (l.head - l.count + kept + TIMELINE_CAPACITY) % TIMELINE_CAPACITY;
      l.count = kept;
    }
  }

  /**
   * Each lane's intervals that overlap the `windowNs` before `nowNs`, clipped to it (an engine's
   * interval may end after nowNs: engine time runs ahead while a workload executes), plus the open
   * one. Allocates: for the API, not the hot path.
   */
  view(nowNs: number, windowNs = TIMELINE_WINDOW_NS): Record<TimelineLane, LaneView> {
    const fromNs = nowNs - windowNs;
    const out = {} as Record<TimelineLane, LaneView>;
    for (const lane of TIMELINE_LANES) {
      const l = this.lanes[lane];
      const intervals: OwnerInterval[] = [];
      for (let k = 0; k < l.count; k++) {
        const s = l.slot(k);
        const startNs = Math.max(l.start[s], fromNs);
        const endNs = Math.min(l.end[s], nowNs);
        if (endNs > startNs) intervals.push({ id: l.ids[s], startNs, endNs });
      }
      if (l.openId >= 0 && nowNs > l.openStartNs) intervals.push({ id: l.openId, startNs: Math.max(l.openStartNs, fromNs), endNs: nowNs });
      const oldest = l.wrapped && l.count > 0 ? l.start[l.slot(0)] : -Infinity;
      out[lane] = { sinceNs: Math.max(fromNs, oldest), intervals };
    }
    return out;
  }
}
