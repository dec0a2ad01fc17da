/**
 * GVT-g's time-based scheduler (TBS). The GPU belongs to one vGPU at a time. A vGPU joins the LRU
 * run queue only once it starts scheduling (its guest sets GFX_RUN_LIST_ENABLE), at the queue's
 * head (list_add), with a 2 s priority window starting then. Every tick (1 ms) the owner's time is
 * charged against its timeslice; every balance period (100 ms) each queued vGPU gets its
 * allocation more, and at every 10th period (stage 0) the allocations are recomputed as
 * `period * weight / total weight` over the queued vGPUs (busy or not: the policy is not
 * work-conserving) and left-over time and debt are dropped. The next owner is the first vGPU in LRU
 * order with work queued that is either in its priority window or has timeslice left, and a pick
 * outside the priority window goes to the back of the queue; the owner changes only when no
 * engine has work in flight. Pure: time comes in as nowNs.
 * Source: GVT-g sched_policy.c (tbs_sched_func, gvt_balance_timeslice, find_busy_vgpu,
 * vgpu_update_timeslice, tbs_sched_init_vgpu, tbs_sched_start_schedule, tbs_sched_stop_schedule;
 * GVT_TS_BALANCE_PERIOD_MS 100, GVT_TS_BALANCE_STAGE_NUM 10, GVT_SCHED_VGPU_PRI_TIME 2 s),
 * handlers.c ring_mode_mmio_write (intel_vgpu_start_schedule), scheduler.c (no switch while a
 * workload is in flight).
 */
import type { OwnerTimeline } from './owner-timeline';

export const TICK_NS = 1e6;
export const BALANCE_PERIOD_NS = 100e6;
export const BALANCE_STAGES = 10;
export const PRIORITY_WINDOW_NS = 2e9;

export interface SchedEntity {
  id: number;
  weight: number;
  /** Does it have queued work? */
  busy(): boolean;
}

interface EntityState {
  /** End of the priority window (pri_time), ns; meaningful once started. */
  priorityUntilNs: number;
  allocatedNs: number;
  leftNs: number;
  /** Time it has owned the GPU in total, ns. */
  ownedNs: number;
}

export class TimeSliceScheduler {
  /** `timeline`: where each slice's owner is recorded at its boundaries (the dashboard's timeline). */
  constructor(private readonly timeline?: OwnerTimeline) {}

  private readonly state = new Map<number, EntityState>();
  /** LRU run queue: the front was served least recently. */
  private lru: number[] = [];
  private currentId: number | null = null;
  private schedInNs = 0;
  private nextBalanceNs = 0;
  private stage = 0;

  get current(): number | null {
    return this.currentId;
  }

  /**
   * A new vGPU: known to the scheduler with no allocation, not yet in the run queue (never picked,
   * not counted in the weights) until start(). Source: tbs_sched_init_vgpu (kzalloc'd sched data).
   */
  add(id: number): void {
    if (!this.state.has(id)) this.state.set(id, { priorityUntilNs: 0, allocatedNs: 0, leftNs: 0, ownedNs: 0 });
  }

  /**
   * `id` starts scheduling: it goes to the head of the run queue with a priority window of
   * PRIORITY_WINDOW_NS from now; its timeslice allocation comes at the next stage 0. A vGPU already
   * queued is left as it is. Source: tbs_sched_start_schedule (list_add, pri_time = now + 2 s).
   */
  start(id: number, nowNs: number): void {
    const s = this.state.get(id);
    if (!s || this.lru.includes(id)) return;
    s.priorityUntilNs = nowNs + PRIORITY_WINDOW_NS;
    this.lru.unshift(id);
  }

  /** True once `id` is in the run queue (started and not removed). */
  started(id: number): boolean {
    return this.lru.includes(id);
  }

  /** A vGPU destroyed: out of the run queue and forgotten. Source: tbs_sched_stop_schedule, tbs_sched_clean_vgpu. */
  remove(id: number, nowNs: number): void {
    if (this.currentId === id) this.switchTo(null, nowNs);
    this.state.delete(id);
    this.lru = this.lru.filter((x) => x !== id);
    this.timeline?.forget(id);
  }

  /** Total time `id` has owned the GPU, ns (for statistics and fairness checks). */
  ownedNs(id: number, nowNs: number): number {
    const s = this.state.get(id);
    if (!s) return 0;
    return s.ownedNs + (this.currentId === id ? nowNs - this.schedInNs : 0);
  }

  /**
   * Scheduler tick. `entities` are the live vGPUs; `inFlight` tells whether an engine still has
   * work of the current owner. Returns the owner for the coming tick (null: idle).
   */
  tick(nowNs: number, entities: readonly SchedEntity[], inFlight: boolean): number | null {
    if (nowNs >= this.nextBalanceNs) {
      this.balance(entities);
      this.nextBalanceNs = nowNs + BALANCE_PERIOD_NS;
    }
    if (this.currentId !== null) this.charge(nowNs);
    if (inFlight) return this.currentId;
    const next = this.findBusy(nowNs, entities);
    if (next !== this.currentId) this.switchTo(next, nowNs);
    // The one picked goes to the back of the queue, unless it is in its priority window.
    if (next !== null && !this.inPriority(next, nowNs)) {
      const at = this.lru.indexOf(next);
      if (at !== this.lru.length - 1) {
        if (at >= 0) this.lru.splice(at, 1);
        this.lru.push(next);
      }
    }
    return this.currentId;
  }

  /**
   * May the owner `id` be given more work now? Only while it owns the GPU and is in its priority
   * window or has timeslice left (counting the time since it was last charged).
   */
  mayRun(id: number, nowNs: number): boolean {
    if (this.currentId !== id) return false;
    const s = this.state.get(id);
    return s !== undefined && (this.inPriority(id, nowNs) || s.leftNs - (nowNs - this.schedInNs) > 0);
  }

  /** Timeslice left (negative: debt) of `id` in the current balance period, ns. */
  leftNs(id: number): number {
    return this.state.get(id)?.leftNs ?? 0;
  }

  private inPriority(id: number, nowNs: number): boolean {
    const s = this.state.get(id);
    return s !== undefined && nowNs < s.priorityUntilNs;
  }

  /**
   * gvt_balance_timeslice over the run queue: at stage 0 each queued vGPU's allocation is
   * recomputed from the weights and its timeslice starts afresh (left-over time and debt of earlier
   * periods are forgotten); at the other stages the allocation fixed at stage 0 is added to what is
   * left (a vGPU started since then gets nothing until the next stage 0; its priority window
   * carries it).
   */
  private balance(entities: readonly SchedEntity[]): void {
    if (this.stage === 0) {
      let total = 0;
      for (const id of this.lru) total += entityOf(entities, id)?.weight ?? 0;
      for (const id of this.lru) {
        const e = entityOf(entities, id);
        if (!e) continue;
        const s = this.state.get(id)!;
        s.allocatedNs = total > 0 ? (BALANCE_PERIOD_NS * e.weight) / total : 0;
        s.leftNs = s.allocatedNs;
      }
    } else {
      for (const id of this.lru) {
        if (!entityOf(entities, id)) continue;
        const s = this.state.get(id)!;
        s.leftNs += s.allocatedNs;
      }
    }
    this.stage = (this.stage + 1) % BALANCE_STAGES;
  }

  private charge(nowNs: number): void {
    const s = this.state.get(this.currentId!);
    if (!s) return;
    const used = nowNs - this.schedInNs;
    s.leftNs -= used;
    s.ownedNs += used;
    this.schedInNs = nowNs;
  }

  private findBusy(nowNs: number, entities: readonly SchedEntity[]): number | null {
    for (const id of this.lru) {
      const e = entityOf(entities, id);
      const s = this.state.get(id);
      if (!e || !s || !e.busy()) continue;
      if (this.inPriority(id, nowNs) || s.leftNs > 0) return id;
    }
    return null;
  }

  private switchTo(id: number | null, nowNs: number): void {
    if (this.currentId !== null) this.charge(nowNs);
    this.currentId = id;
    this.schedInNs = nowNs;
    this.timeline?.hold('slice', id, nowNs);
  }
}

/** The entity with `id` in `entities` (a handful of vGPUs: a scan, no Map to build per tick). */
function entityOf(entities: readonly SchedEntity[], id: number): SchedEntity | undefined {
  for (const e of entities) if (e.id === id) return e;
  return undefined;
}
