/**
 * What the compositor windows receive: for each vGPU (foreground or not) and for the physical pipe,
 * the damage since the last frame sent. Called at vblank. A source is decoded only when something
 * may have changed it — a workload completed, its plane registers moved, the foreground changed —
 * or every REFRESH_NS regardless, which catches pure CPU (pass-through) drawing. The physical pipe
 * reuses the foreground VM's decode when it scans out the same plane.
 */
import { PHYSICAL_SOURCE } from '../../shared/api';
import { PIPECONF_A, PIPECONF_ENABLE } from '../../shared/regs';
import type { Gen9Gpu } from '../gpu/gpu';
import type { PlaneRegs } from '../gpu/scanout';
import { type Damage, DamageTracker } from './damage';
import { planeFrom } from './display-regs';
import { type DecodeResult, decodePhysicalFrame, decodeVgpuFrame } from './fb-decoder';
import type { Mediator } from './mediator';

/** Decode every source at least this often even without a hint (catches CPU-only drawing), ns. */
export const REFRESH_NS = 250e6;

interface SourceState {
  workloads: number;
  plane: string;
  lastNs: number;
}

const planeKey = (p: PlaneRegs, pipeOn: boolean): string => `${pipeOn}:${p.ctl}:${p.stride}:${p.size}:${p.surf}:${p.offset}`;

export interface FeedItem {
  source: number;
  damage: Damage;
}

export class CompositorFeed {
  private readonly damage = new DamageTracker();
  private readonly state = new Map<number, SourceState>();
  private lastForeground = -1;
  /** Frames decoded since construction (for statistics). */
  decodes = 0;

  constructor(
    private readonly gpu: Gen9Gpu,
    private readonly mediator: Mediator,
  ) {}

  /** The damage of every source that changed since its last frame. */
  collect(nowNs: number): FeedItem[] {
    const items: FeedItem[] = [];
    const decoded = new Map<number, DecodeResult>();
    const fg = this.mediator.foreground;
    const fgChanged = fg !== this.lastForeground;
    this.lastForeground = fg;
    for (const v of this.mediator.vgpus()) {
      const plane = planeKey(planeFrom(v.vreg), (v.vreg[PIPECONF_A >>> 2] & PIPECONF_ENABLE) !== 0);
      const st = this.state.get(v.domid);
      if (st && st.workloads === v.stats.workloads && st.plane === plane && nowNs - st.lastNs < REFRESH_NS) continue;
      this.state.set(v.domid, { workloads: v.stats.workloads, plane, lastNs: nowNs });
      const r = decodeVgpuFrame(this.gpu, v);
      this.decodes++;
      decoded.set(v.domid, r);
      this.push(items, v.domid, r);
    }
    const physPlane = planeKey(this.gpu.planeA(), this.gpu.pipeAEnabled());
    const fgVgpu = this.mediator.vgpu(fg);
    const reuse = fgVgpu && decoded.get(fg) && physPlane === planeKey(planeFrom(fgVgpu.vreg), this.gpu.pipeAEnabled());
    const st = this.state.get(PHYSICAL_SOURCE);
    if (reuse) {
      this.state.set(PHYSICAL_SOURCE, { workloads: 0, plane: physPlane, lastNs: nowNs });
      this.push(items, PHYSICAL_SOURCE, decoded.get(fg)!);
    } else if (fgChanged || !st || st.plane !== physPlane || nowNs - st.lastNs >= REFRESH_NS || (fgVgpu && decoded.has(fg))) {
      this.state.set(PHYSICAL_SOURCE, { workloads: 0, plane: physPlane, lastNs: nowNs });
      this.decodes++;
      this.push(items, PHYSICAL_SOURCE, decodePhysicalFrame(this.gpu));
    }
    return items;
  }

  /** Forget a destroyed vGPU's last frame. */
  forget(source: number): void {
    this.damage.forget(source);
    this.state.delete(source);
  }

  private push(items: FeedItem[], source: number, r: DecodeResult): void {
    if ('error' in r) return;
    const damage = this.damage.update(source, r.frame.width, r.frame.height, r.frame.xrgb);
    if (damage.pieces.length > 0) items.push({ source, damage });
  }
}
