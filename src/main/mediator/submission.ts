/**
 * Workload submission and scheduling: a guest's submission (legacy RING_TAIL or an ELSP write, or a
 * PV submission) is scanned into a workload and queued; the time-slice scheduler picks the vGPU
 * that owns the engines; its workloads run on the physical engines through the host's shadow ring
 * and shadow context, with the MMIO context switched lazily; completion is reported back to the
 * guest (RING_HEAD, or context image head, virtual CSB and interrupts). Workloads that run out of
 * their command budget stay in flight for the watchdog (watchdog.ts).
 * Source: GVT-g execlist.c (intel_vgpu_submit_execlist, prepare/complete_execlist_workload),
 * scheduler.c (intel_gvt_schedule, dispatch_workload, complete_current_workload), sched_policy.c,
 * mmio_context.c (intel_gvt_switch_mmio).
 */
import { PAGE_SIZE } from '../../shared/platform';
import { GT_CONTEXT_SWITCH_INTERRUPT, GT_RENDER_PIPECTL_NOTIFY_INTERRUPT, GT_RENDER_USER_INTERRUPT, RING_ADDR_MASK, RING_CTL, RING_CTL_VALID, RING_ELSP, RING_HEAD, RING_START, RING_TAIL } from '../../shared/regs';
import { INTEL_LEGACY_32B_CONTEXT, INTEL_LEGACY_64B_CONTEXT, contextDescriptor } from '../../shared/execlist';
import type { EngineId, ExecResult } from '../gpu/engine';
import { ENGINE_BASE } from '../gpu/gpu';
import { ackIir } from '../gpu/irq';
import { ENGINES, ENGINE_IRQ_SHIFT } from './engines';
import type { Gvt } from './gvt';
import { type HostGm, SHADOW_RING_BYTES } from './host-gm';
import { CONTEXT_SWITCHED_MMIO } from './mmio-table';
import type { OwnerTimeline } from './owner-timeline';
import { contextPpgtt, writeContextPdps } from './ppgtt-context';
import { type SchedEntity, TimeSliceScheduler } from './scheduler';
import type { Vgpu, Workload } from './vgpu';
import { CONTEXT_IMAGE_BYTES, buildWorkload, contextRing, layoutShadowBatches, setContextHead, writeContextRing, writeDwords } from './workload-build';
import { type CtxDesc, ctxDesc, sameContext } from './virtual-execlist';

/** A workload left on an engine (out of its command budget) and the engine time it has used. */
export interface InFlight {
  v: Vgpu;
  w: Workload;
  /** Engine time it has used so far, ns. */
  engineNs: number;
}
/** Context ID the host gives its shadow contexts (guest context IDs only appear in virtual CSBs). */
const SHADOW_CTX_ID = 0xffff;
/** Bound on workloads dispatched per engine per tick (keeps a tick's cost bounded). */
const MAX_DISPATCH_PER_TICK = 64;

export class Submission {
  readonly scheduler: TimeSliceScheduler;
  /** Workloads still on a physical engine (stalled on a semaphore, or hung). */
  readonly running: Partial<Record<EngineId, InFlight>> = {};
  /** Latest emulated time seen (ticks and dispatches), ns. */
  nowNs = 0;
  /**
   * The vGPU whose command-accessible registers the physical GPU holds (null: none yet). Switched
   * lazily when another vGPU's workload is dispatched, as GVT-g's scheduler->engine_owner is in
   * shadow_context_status_change, so an owner going idle and coming back costs no switch.
   */
  mmioOwner: number | null = null;
  /** schedule()'s list of schedulable vGPUs (refilled each time). */
  private readonly entities: SchedEntity[] = [];

  constructor(
    private readonly gvt: Gvt,
    private readonly hostGm: HostGm,
    private readonly timeline: OwnerTimeline,
  ) {
    this.scheduler = new TimeSliceScheduler(timeline);
  }

  /** Legacy ring submission: a trapped RING_TAIL write (ours: GVT-g guests submit through execlists only). */
  submitRing(v: Vgpu, engine: EngineId, nowNs: number): void {
    if (v.failsafe) return;
    const base = ENGINE_BASE[engine];
    const r = (rel: number): number => v.vreg[(base + rel) >>> 2];
    const ring = { start: r(RING_START), ctl: r(RING_CTL), head: r(RING_HEAD), tail: r(RING_TAIL) };
    if ((ring.ctl & RING_CTL_VALID) === 0) return void v.note(`${engine}: RING_TAIL written while the ring is disabled`);
    const tail = ring.tail & RING_ADDR_MASK;
    if (tail === v.scannedTail[engine]) return;
    const built = buildWorkload(this.gvt.gpu.ggtt, v, engine, ring, v.scannedTail[engine]);
    if (!built.ok) return this.refuse(v, built);
    v.scannedTail[engine] = tail;
    v.queue.push({ engine, tail, scan: built.scan });
    this.dispatch(engine, nowNs);
  }


  /**
   * An ELSP submission (elements: [lo, hi] of element 0 and 1): each valid element names a guest
   * context (LRCA inside the vGPU's GM) whose image holds the ring state; the commands from the
   * last scanned position to its RING_TAIL become one workload. As intel_vgpu_submit_execlist, a
   * submission whose element 0 is invalid, or with a valid element lacking the privilege bit (a
   * non-GGTT context), is refused whole: logged (gvt_vgpu_err) and ignored, no failsafe. `pv`: it
   * came through PV submission (shared page + one notification). True when the workloads were
   * queued. Source: GVT-g execlist.c intel_vgpu_submit_execlist / submit_context, scheduler.c.
   */
  submitExeclist(v: Vgpu, engine: EngineId, elements: [number, number][], nowNs: number, pv: boolean): boolean {
    if (v.failsafe) return false;
    const [e0 = [0, 0], e1 = [0, 0]] = elements;
    const desc: [CtxDesc, CtxDesc] = [ctxDesc(e0[0], e0[1]), ctxDesc(e1[0], e1[1])];
    if (!desc[0].valid) {
      v.note(`${engine}: invalid elsp submission, desc0 is invalid (${descriptorDump(e0, e1)}), ignored`);
      return false;
    }
    if ((desc[0].valid && !desc[0].privileged) || (desc[1].valid && !desc[1].privileged)) {
      v.note(`${engine}: unexpected GGTT elsp submission: a descriptor without the privilege bit (${descriptorDump(e0, e1)}), ignored`);
      return false;
    }
    // Element 0 is valid (checked above); element 1 only when its valid bit is set.
    const count = desc[1].valid ? 2 : 1;
    const built: Workload[] = [];
    for (let i = 0; i < count; i++) {
      const d = desc[i]!;
      const lrca = d.lrca;
      if (!v.ownsGm(lrca, CONTEXT_IMAGE_BYTES)) {
        this.gvt.enterFailsafe(v, `${engine}: context descriptor LRCA 0x${lrca.toString(16)} outside the vGPU's graphics memory`);
        return false;
      }
      const ring = contextRing(this.gvt.gpu.ggtt, lrca);
      const ve = v.execlists[engine];
      const from = ve.scannedTail.get(lrca) ?? ring.head;
      // A 48-bit PPGTT context: its tables are shadowed now, its batches scanned through the shadow.
      const pp = contextPpgtt(this.gvt.gpu.ggtt, v, (i === 0 ? e0 : e1)[0], lrca);
      if (!pp.ok) {
        this.gvt.enterFailsafe(v, `${engine}: ${pp.reason}`);
        return false;
      }
      const b = buildWorkload(this.gvt.gpu.ggtt, v, engine, ring, from, pp.mm && v.ppgtt ? v.ppgtt.walker(pp.mm) : null);
      if (!b.ok) {
        this.refuse(v, b);
        return false;
      }
      ve.scannedTail.set(lrca, ring.tail & RING_ADDR_MASK);
      // Element 0 carries the pair: its arrival on the engine is the slot's schedule-in.
      const w: Workload = { engine, tail: ring.tail & RING_ADDR_MASK, scan: b.scan, context: { desc: d, elsp: i === 0 ? desc : undefined, pv } };
      if (pp.mm) w.shadowPml4 = pp.mm.shadowPml4;
      built.push(w);
    }
    for (const w of built) v.queue.push(w);
    this.dispatch(engine, nowNs);
    return true;
  }


  private refuse(v: Vgpu, b: { reason: string; rejected: boolean }): void {
    if (b.rejected) v.stats.rejectedCommands++;
    this.gvt.enterFailsafe(v, b.reason);
  }


  /**
   * Scheduler tick (every TICK_NS): charge the owner's time, pick the owner for the next tick with
   * GVT-g's time-based policy (switching only when no engine has work in flight, with the
   * per-engine MMIO context saved and restored), then feed its queued workloads to idle engines.
   */
  tick(nowNs: number): void {
    this.gvt.hangs.check(nowNs);
    this.schedule(nowNs);
    for (const e of ENGINES) this.dispatch(e, nowNs);
  }


  /**
   * One scheduling decision (charge, pick); dispatches nothing. The MMIO context follows the
   * workloads, not the owner: see execute().
   */
  schedule(nowNs: number): void {
    this.nowNs = Math.max(this.nowNs, nowNs);
    let inFlight = false;
    for (const e of ENGINES) if (this.gvt.gpu.busyUntilNs[e] > nowNs || this.running[e] !== undefined) inFlight = true;
    // The live vGPUs not in failsafe, in a list reused from tick to tick (this runs every 1 ms and
    // at each submission to an idle GPU).
    const entities = this.entities;
    entities.length = 0;
    for (const v of this.gvt.vgpus()) if (!v.failsafe) entities.push(v);
    this.scheduler.tick(nowNs, entities, inFlight);
  }


  /** GPU time `v` has owned the engines under the scheduler, ns. */
  ownedNs(v: Vgpu): number {
    return this.scheduler.ownedNs(v.id, this.nowNs);
  }


  /** Is `v` in the scheduler's run queue (its weight counts in the split)? */
  scheduled(v: Vgpu): boolean {
    return this.scheduler.started(v.id);
  }


  /** Feed the current owner's queued workloads for `engine` while the engine is idle. */
  dispatch(engine: EngineId, nowNs: number): void {
    this.nowNs = Math.max(this.nowNs, nowNs);
    // Nobody owns the GPU: decide now rather than leave a new submission waiting for the tick.
    if (this.scheduler.current === null && this.anyQueued()) this.schedule(nowNs);
    const v = this.byId(this.scheduler.current);
    if (!v || v.failsafe || this.running[engine]) return;
    for (let n = 0; n < MAX_DISPATCH_PER_TICK && this.gvt.gpu.busyUntilNs[engine] <= nowNs && !this.running[engine]; n++) {
      // An owner whose timeslice ran out waits for the next tick to reschedule (GVT-g need_reschedule).
      if (!this.scheduler.mayRun(v.id, nowNs)) return;
      const idx = queuedFor(v.queue, engine);
      if (idx < 0) return;
      const w = idx === 0 ? v.queue.shift()! : v.queue.splice(idx, 1)[0]!;
      this.execute(v, w, nowNs);
    }
  }


  private anyQueued(): boolean {
    for (const v of this.gvt.vgpus()) if (v.queue.length > 0) return true;
    return false;
  }


  private byId(id: number | null): Vgpu | undefined {
    if (id === null) return undefined;
    for (const v of this.gvt.vgpus()) if (v.id === id) return v;
    return undefined;
  }


  /**
   * MMIO context switch between vGPUs (switch_mmio): each register of CONTEXT_SWITCHED_MMIO (GPRs,
   * predicate, cache-mode registers) is saved from the physical GPU into the outgoing vGPU's vreg,
   * a masked one without its mask half, and restored from the incoming one's, a masked one with
   * `mask << 16` so that every bit is written (a plain write would change none of them). With no
   * incoming vGPU the registers go back to 0 (ours: the host never sets them; upstream restores the
   * host's saved values). One owner for both engines (GVT-g keeps one per engine).
   * Source: GVT-g mmio_context.c intel_gvt_switch_mmio / switch_mmio.
   */
  private switchMmioContext(fromId: number | null, toId: number | null): void {
    const from = this.byId(fromId);
    const to = this.byId(toId);
    for (const { offset, mask } of CONTEXT_SWITCHED_MMIO) {
      if (from) from.vreg[offset >>> 2] = (this.gvt.gpu.mmioRead(offset) & ~(mask << 16)) >>> 0;
      this.gvt.gpu.mmioWrite(offset, ((to ? to.vreg[offset >>> 2] : 0) | (mask << 16)) >>> 0);
    }
  }


  /**
   * Run a workload on the physical engine: its scanned copy goes into the host's shadow ring, the
   * host's shadow context image points at it, and the physical ELSP submits that context. Then the
   * guest sees its own completion: RING_HEAD (legacy) or the context image head plus CSB entries
   * and a context-switch interrupt (execlists), and MI_USER_INTERRUPTs on its virtual GT bank.
   */
  private execute(v: Vgpu, w: Workload, nowNs: number): void {
    const gpu = this.gvt.gpu;
    const base = ENGINE_BASE[w.engine];
    const ring = this.hostGm.shadowRingGm[w.engine];
    const ctx = this.hostGm.shadowContextGm[w.engine];
    if (w.context?.elsp && !w.context.pv) {
      // prepare_execlist_workload: element 0 reaching the engine is the slot's schedule-in.
      const up = v.execlists[w.engine].scheduleIn(w.context.elsp);
      if (up.error) {
        // The workload fails before it runs; GVT-g then drops the engine's queued work (clean_workloads).
        v.note(`${w.engine}: fail to emulate execlist schedule in: ${up.error}; workloads dropped`);
        v.queue.splice(0, v.queue.length, ...v.queue.filter((q) => q.engine !== w.engine));
        return;
      }
      if (up.interrupt) this.gvt.irq.raise(v, v.gt0, GT_CONTEXT_SWITCH_INTERRUPT << ENGINE_IRQ_SHIFT[w.engine]);
    }
    const ringDwords = layoutShadowBatches(gpu.ggtt, w.scan, this.hostGm.shadowBatchGm);
    writeDwords(gpu.ggtt, ring, ringDwords);
    writeContextRing(gpu.ggtt, ctx, { start: ring, ctl: ((SHADOW_RING_BYTES - PAGE_SIZE) & 0x1ff000) | RING_CTL_VALID, head: 0, tail: ringDwords.length * 4 });
    // The shadow context points at the shadow PML4, never the guest's (update_shadow_pdps).
    writeContextPdps(gpu.ggtt, ctx, w.shadowPml4 ?? null, base);
    const desc = contextDescriptor(ctx, SHADOW_CTX_ID, w.shadowPml4 === undefined ? INTEL_LEGACY_32B_CONTEXT : INTEL_LEGACY_64B_CONTEXT);
    if (this.mmioOwner !== v.id) {
      this.switchMmioContext(this.mmioOwner, v.id);
      this.mmioOwner = v.id;
    }
    // Element 1 (empty) first, element 0 (hi, lo) last: the fourth write submits.
    const before = gpu.busyUntilNs[w.engine];
    let res: ExecResult | undefined = gpu.mmioWrite(base + RING_ELSP, 0, nowNs);
    res = gpu.mmioWrite(base + RING_ELSP, 0, nowNs) ?? res;
    res = gpu.mmioWrite(base + RING_ELSP, desc[1], nowNs) ?? res;
    res = gpu.mmioWrite(base + RING_ELSP, desc[0], nowNs) ?? res;
    if (!res) return this.gvt.enterFailsafe(v, `${w.engine}: the physical engine did not take the shadow context (execlists disabled?)`);
    v.stats.workloads++;
    this.progress(v, w, res, before, nowNs);
  }


  /**
   * Account what the engine did for workload `w` and, when it completed, report completion to the
   * guest. A workload that runs out of its command budget stays on the engine as in flight; the
   * tick resumes it, and the watchdog resets engine and vGPU if it never finishes. One that stops
   * on a fault or a stall is contained at once.
   */
  progress(v: Vgpu, w: Workload, res: ExecResult, busyBefore: number, nowNs: number, prior?: InFlight): void {
    const gpu = this.gvt.gpu;
    const engineNs = gpu.busyUntilNs[w.engine] - Math.max(busyBefore, nowNs);
    v.stats.commands += res.commands;
    v.stats.gpuTimeNs += engineNs;
    this.timeline.record(w.engine, v.id, gpu.busyUntilNs[w.engine] - engineNs, gpu.busyUntilNs[w.engine]);
    const inFlightNs = (prior?.engineNs ?? 0) + engineNs;
    // Physical interrupts are consumed here and re-raised on the owner's virtual bank.
    ackIir(gpu.gt0, (GT_RENDER_USER_INTERRUPT | GT_CONTEXT_SWITCH_INTERRUPT | GT_RENDER_PIPECTL_NOTIFY_INTERRUPT) << ENGINE_IRQ_SHIFT[w.engine]);
    let bits = (res.userInterrupts > 0 ? GT_RENDER_USER_INTERRUPT : 0) | ((res.notifyInterrupts ?? 0) > 0 ? GT_RENDER_PIPECTL_NOTIFY_INTERRUPT : 0);
    if (res.fault || res.stalled) {
      // The engine stopped on a command the scanner let through (a stall needs MI_SEMAPHORE_WAIT,
      // which the scanner refuses as GVT-g does): contain it like a hang.
      this.running[w.engine] = { v, w, engineNs: inFlightNs };
      this.gvt.hangs.recoverHang(w.engine, res.fault ?? `${w.engine}: stalled on a semaphore`);
      return;
    }
    if (res.hung) {
      this.running[w.engine] = { v, w, engineNs: inFlightNs };
      if (bits) this.gvt.irq.raise(v, v.gt0, bits << ENGINE_IRQ_SHIFT[w.engine]);
      return;
    }
    this.running[w.engine] = undefined;
    const base = ENGINE_BASE[w.engine];
    if (w.context?.pv) {
      // PV submission: no execlist emulation, no CSB and no context-switch interrupt; the context
      // image's head is all the guest reads (GVTg support pv workload submssion).
      setContextHead(gpu.ggtt, w.context.desc.lrca, w.tail);
    } else if (w.context) {
      setContextHead(gpu.ggtt, w.context.desc.lrca, w.tail);
      // complete_execlist_workload: when the next workload queued on this engine continues the same
      // context (a lite restore), the context is not scheduled out: no CSB entry, no interrupt.
      const at = queuedFor(v.queue, w.engine);
      const next = at < 0 ? undefined : v.queue[at];
      if (!next?.context || !sameContext(next.context.desc, w.context.desc)) {
        const up = v.execlists[w.engine].scheduleOut(w.context.desc);
        if (up.error) v.note(`${w.engine}: fail to emulate execlist schedule out: ${up.error}`);
        if (up.interrupt) bits |= GT_CONTEXT_SWITCH_INTERRUPT;
      }
    } else {
      // The workload is consumed: the guest's view of RING_HEAD moves to its tail.
      v.vreg[(base + RING_HEAD) >>> 2] = (v.vreg[(base + RING_HEAD) >>> 2] & ~RING_ADDR_MASK) | w.tail;
    }
    if (bits) this.gvt.irq.raise(v, v.gt0, bits << ENGINE_IRQ_SHIFT[w.engine]);
    else this.gvt.irq.syncPvmmio(v);
    for (const flip of w.scan.flips) this.gvt.displayOwner.emulateFlip(v, flip);
  }

}


/** Index of the first workload in `queue` for `engine`, or -1. */
function queuedFor(queue: readonly Workload[], engine: EngineId): number {
  for (let i = 0; i < queue.length; i++) if (queue[i]!.engine === engine) return i;
  return -1;
}

/** An ELSP pair as GVT-g's gvt_vgpu_err prints it: "desc0 <udw> <ldw> desc1 <udw> <ldw>" in hex (for refusals only). */
function descriptorDump(e0: [number, number], e1: [number, number]): string {
  const hex = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');
  return `desc0 ${hex(e0[1])} ${hex(e0[0])} desc1 ${hex(e1[1])} ${hex(e1[0])}`;
}
