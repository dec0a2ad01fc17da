/**
 * The watchdog and resets: workloads left in flight are resumed each tick and judged by the engine
 * time they used (a hang), a hung or faulting engine is reset with the guilty vGPU's engine state,
 * and a guest's own GEN6_GDRST resets only its vGPU. Source: i915 hangcheck, GVT-g
 * intel_gvt_reset_vgpu_locked (engine mask), execlist.c reset_execlist, handlers.c gdrst_mmio_write.
 */
import { GEN6_GDRST, GEN6_GRDOM_BLT, GEN6_GRDOM_FULL, GEN6_GRDOM_RENDER, RING_CTL, RING_HEAD, RING_START, RING_TAIL } from '../../shared/regs';
import type { EngineId } from '../gpu/engine';
import { ENGINE_BASE } from '../gpu/gpu';
import { ackIir } from '../gpu/irq';
import { ENGINES, ENGINE_IRQ_SHIFT } from './engines';
import type { Gvt } from './gvt';
import type { Vgpu } from './vgpu';

/**
 * Hangs are judged by progress, as i915's hangcheck does (a seqno that stops advancing while the
 * engine keeps executing), never by wall-clock time, so a busy host CPU cannot fake one: a
 * workload that has used this much *engine* time without completing is a GPU hang (a batch
 * looping on itself). Time the workload spent waiting (for the GPU thread, for the engine) is not
 * engine time. Source: i915 hangcheck (1.5 s checks, several of them), shortened.
 */
export const WATCHDOG_ENGINE_NS = 250e6;
const ENGINE_GRDOM: Record<EngineId, number> = { rcs: GEN6_GRDOM_RENDER, bcs: GEN6_GRDOM_BLT };

export class Watchdog {
  /** `engineReset`: tell the host an engine was reset because `v`'s workload hung or faulted. */
  constructor(
    private readonly gvt: Gvt,
    private readonly engineReset: (v: Vgpu, engine: EngineId, reason: string) => void,
  ) {}

  /**
   * Continue workloads left on an engine (the engine keeps executing one that ran out of its
   * command budget) and reset an engine whose workload used WATCHDOG_ENGINE_NS of engine time
   * without completing. Checks come with the ticks: a starved GPU thread checks less often, and
   * only engine time counts, so starvation delays a detection and never fakes one.
   */
  check(nowNs: number): void {
    for (const e of ENGINES) {
      const r = this.gvt.submission.running[e];
      if (!r) continue;
      if (r.engineNs >= WATCHDOG_ENGINE_NS) {
        this.recoverHang(e, `${e}: workload did not complete in ${(r.engineNs / 1e6).toFixed(0)} ms of engine time (GPU hang)`);
        continue;
      }
      if (this.gvt.gpu.busyUntilNs[e] > nowNs) continue;
      const before = this.gvt.gpu.busyUntilNs[e];
      this.gvt.submission.progress(r.v, r.w, this.gvt.gpu.resume(e, nowNs), before, nowNs, r);
    }
  }


  /**
   * GPU hang recovery: reset the physical engine (GEN6_GDRST), drop the guilty vGPU's work on it
   * and reset that vGPU's engine state; the other vGPUs resume. Source: i915 hangcheck + GVT-g
   * engine reset handling (intel_gvt_reset_vgpu_locked with an engine mask).
   */
  recoverHang(engine: EngineId, reason: string): void {
    const r = this.gvt.submission.running[engine];
    this.gvt.submission.running[engine] = undefined;
    this.gvt.gpu.mmioWrite(GEN6_GDRST, ENGINE_GRDOM[engine]);
    ackIir(this.gvt.gpu.gt0, 0xffff << ENGINE_IRQ_SHIFT[engine]);
    if (!r) return;
    r.v.recordReset('hang', `engine reset: ${reason}`);
    this.resetVgpuEngine(r.v, engine);
    this.engineReset(r.v, engine, reason);
  }


  /** Reset a vGPU's view of one engine: queued work dropped, ring and execlist state back to idle. */
  resetVgpuEngine(v: Vgpu, engine: EngineId): void {
    v.queue.splice(0, v.queue.length, ...v.queue.filter((w) => w.engine !== engine));
    v.scannedTail[engine] = 0;
    const base = ENGINE_BASE[engine];
    for (const reg of [RING_HEAD, RING_TAIL, RING_START, RING_CTL]) v.vreg[(base + reg) >>> 2] = 0;
    // reset_execlist: slots emptied, CSB pointers back to GVT-g's read 0 / write 0x7.
    v.execlists[engine].reset();
    this.gvt.irq.syncPvmmio(v);
  }


  /**
   * A guest's GEN6_GDRST write resets only its own vGPU: its engines (and, if they are on the
   * physical engine right now, the physical engine too); a full reset also clears failsafe.
   */
  guestReset(v: Vgpu, value: number): void {
    for (const e of ENGINES) {
      if (!(value & (GEN6_GRDOM_FULL | ENGINE_GRDOM[e]))) continue;
      if (this.gvt.submission.running[e]?.v === v) {
        this.gvt.submission.running[e] = undefined;
        this.gvt.gpu.mmioWrite(GEN6_GDRST, ENGINE_GRDOM[e]);
      }
      this.resetVgpuEngine(v, e);
    }
    if (value & GEN6_GRDOM_FULL && v.failsafe) {
      v.note(`failsafe cleared by a full reset (was: ${v.failsafe})`);
      v.failsafe = null;
    }
    v.recordReset('reset', `guest reset GDRST=0x${value.toString(16)}`);
  }

}
