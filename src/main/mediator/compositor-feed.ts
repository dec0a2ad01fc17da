/**
 * What the compositor windows receive: for each vGPU (foreground or not) and for the physical pipe,
 * the damage since the last frame sent. The work is split so the GPU thread does only the cheap
 * part: at vblank the ScanoutPlanner (GPU side) picks the sources that may have changed — a
 * workload completed, their plane or cursor registers moved, the foreground changed, or REFRESH_NS
 * passed, which catches pure CPU (pass-through) drawing — and snapshots their plane and cursor
 * registers after the guards that keep a vGPU from showing memory outside its GM. The FrameComposer
 * (compositor thread) compares those planes, read where they lie in guest RAM through the shared
 * GGTT, with each source's picture (picture.ts), fixes the picture in place and yields damage
 * rectangles with the cursor blended in. The physical pipe shares the foreground VM's picture and
 * damage when it scans out the same plane and cursor.
 */
import { PHYSICAL_SOURCE } from '../../shared/api';
import { PIPECONF_A, PIPECONF_ENABLE } from '../../shared/regs';
import type { Gen9Gpu } from '../gpu/gpu';
import type { Ggtt } from '../gpu/ggtt';
import { type CursorRegs, type PlaneRegs, decodeCursorRegs, decodePlaneRegs } from '../gpu/scanout';
import { type Damage, type DamageRect, type SpanEqual, jsSpanEqual } from './damage';
import { cursorFrom, planeFrom } from './display-regs';
import { vgpuCursorGuard, vgpuPlaneGuard } from './fb-decoder';
import { BlockWrites } from './block-writes';
import { Picture } from './picture';
import type { Mediator } from './mediator';
import type { Vgpu } from './vgpu';

/** Decode every source at least this often even without a hint (catches CPU-only drawing), ns. */
export const REFRESH_NS = 250e6;

/** One source to decode this vblank, as the GPU thread saw it (structured-clone friendly). */
export interface ScanoutSource {
  /** domid, or PHYSICAL_SOURCE for the physical pipe A. */
  source: number;
  regs: PlaneRegs;
  pipeOn: boolean;
  /** The cursor plane's registers (CUR_CTL, CUR_BASE, CUR_POS). */
  cursor: CursorRegs;
  /** For the physical pipe: the foreground domid whose decode shows the same plane and cursor, if any. */
  sameAs?: number;
  /** The plane may not be shown (e.g. its surface is outside the vGPU's GM): nothing is sent. */
  refused?: string;
  /** The cursor may not be shown (its image is outside the vGPU's GM): the plane is sent without it. */
  cursorRefused?: string;
  /** New surfaces (PLANE_SURF changes: flips) this source latched at vblank so far. */
  flip: number;
  /** When this vblank was, ms since the Unix epoch (for flip → paint latency). */
  vblankMs: number;
}

export interface FeedItem {
  source: number;
  damage: Damage;
  flip: number;
  vblankMs: number;
}

interface SourceState {
  workloads: number;
  /** scanoutKey of the registers last planned. */
  key: string;
  lastNs: number;
  /** PLANE_SURF last planned, and how many times it changed (flips latched). */
  surf: number;
  flips: number;
}

/** Everything that decides a source's picture besides memory: a change means decode again. */
const scanoutKey = (p: PlaneRegs, pipeOn: boolean, c: CursorRegs): string => `${pipeOn}:${p.ctl}:${p.stride}:${p.size}:${p.surf}:${p.offset}:${c.ctl}:${c.base}:${c.pos}`;

/** Why `cursor` may not be shown on a pipe whose registers come from `v` (nothing to check for the host's own). */
function cursorRefusal(cursor: CursorRegs, pipeOn: boolean, v: Vgpu | undefined): string | undefined {
  if (!pipeOn || !v) return undefined;
  const decoded = decodeCursorRegs(cursor);
  return decoded && !('error' in decoded) ? vgpuCursorGuard(v)(decoded) : undefined;
}

/** The flip count after a vblank that latched surface `surf` (counted when it differs from the last one planned). */
const flipsAfter = (st: SourceState | undefined, surf: number): number => (st ? st.flips + (st.surf !== surf ? 1 : 0) : 0);

/** GPU side: which sources to decode at this vblank (cheap: counters and register compares). */
export class ScanoutPlanner {
  private readonly state = new Map<number, SourceState>();
  private lastForeground = -1;

  constructor(
    private readonly gpu: Gen9Gpu,
    private readonly mediator: Mediator,
  ) {}

  /**
   * The sources that may have changed since their last plan. nowNs: monotonic time, ns; vblankMs:
   * the same instant as ms since the Unix epoch (carried to the renderer for latency).
   */
  plan(nowNs: number, vblankMs = 0): ScanoutSource[] {
    const out: ScanoutSource[] = [];
    const fg = this.mediator.foreground;
    const fgChanged = fg !== this.lastForeground;
    this.lastForeground = fg;
    let fgPlanned: ScanoutSource | undefined;
    for (const v of this.mediator.vgpus()) {
      const regs = planeFrom(v.vreg);
      const cursor = cursorFrom(v.vreg);
      const pipeOn = (v.vreg[PIPECONF_A >>> 2] & PIPECONF_ENABLE) !== 0;
      const key = scanoutKey(regs, pipeOn, cursor);
      const st = this.state.get(v.domid);
      if (st && st.workloads === v.stats.workloads && st.key === key && nowNs - st.lastNs < REFRESH_NS) continue;
      const flips = flipsAfter(st, regs.surf);
      this.state.set(v.domid, { workloads: v.stats.workloads, key, lastNs: nowNs, surf: regs.surf, flips });
      const decoded = pipeOn ? decodePlaneRegs(regs) : null;
      const refused = decoded && !('error' in decoded) ? vgpuPlaneGuard(v)(decoded) : undefined;
      const cursorRefused = cursorRefusal(cursor, pipeOn, v);
      const item: ScanoutSource = { source: v.domid, regs, pipeOn, cursor, flip: flips, vblankMs, ...(refused ? { refused } : {}), ...(cursorRefused ? { cursorRefused } : {}) };
      out.push(item);
      if (v.domid === fg) fgPlanned = item;
    }
    const physical = this.planPhysical(nowNs, vblankMs, fg, fgChanged, fgPlanned);
    if (physical) out.push(physical);
    return out;
  }

  /**
   * The physical pipe A, when it may have changed. Its cursor is guarded against the foreground
   * vGPU's GM too: its registers are that guest's, forwarded. It reuses the foreground's decode
   * (sameAs) only when plane, pipe and cursor registers are all equal.
   */
  private planPhysical(nowNs: number, vblankMs: number, fg: number, fgChanged: boolean, fgPlanned: ScanoutSource | undefined): ScanoutSource | undefined {
    const regs = this.gpu.planeA();
    const cursor = this.gpu.cursorA();
    const pipeOn = this.gpu.pipeAEnabled();
    const key = scanoutKey(regs, pipeOn, cursor);
    const st = this.state.get(PHYSICAL_SOURCE);
    const reuse = fgPlanned !== undefined && !fgPlanned.refused && key === scanoutKey(fgPlanned.regs, fgPlanned.pipeOn, fgPlanned.cursor);
    if (!(reuse || fgChanged || !st || st.key !== key || nowNs - st.lastNs >= REFRESH_NS || fgPlanned)) return undefined;
    const flips = flipsAfter(st, regs.surf);
    this.state.set(PHYSICAL_SOURCE, { workloads: 0, key, lastNs: nowNs, surf: regs.surf, flips });
    const cursorRefused = cursorRefusal(cursor, pipeOn, this.mediator.vgpu(fg));
    return { source: PHYSICAL_SOURCE, regs, pipeOn, cursor, flip: flips, vblankMs, ...(reuse ? { sameAs: fg } : {}), ...(cursorRefused ? { cursorRefused } : {}) };
  }

  /** Flips (new surfaces) `source`'s plane has latched at vblank so far: its frames, counted as i915 counts page flips. */
  flips(source: number): number {
    return this.state.get(source)?.flips ?? 0;
  }

  /** Forget a destroyed vGPU. */
  forget(source: number): void {
    this.state.delete(source);
  }
}

/**
 * Merge a newer plan into an older one that was not composed yet (a compositor running behind
 * drops stale frames): per source the newer entry wins; sources only in the older plan stay.
 */
export function mergePlans(older: ScanoutSource[], newer: ScanoutSource[]): ScanoutSource[] {
  const bySource = new Map<number, ScanoutSource>();
  for (const s of older) bySource.set(s.source, s);
  for (const s of newer) {
    bySource.delete(s.source);
    bySource.set(s.source, s);
  }
  // The physical pipe goes last: it may reuse a VM's decode from the same plan.
  const phys = bySource.get(PHYSICAL_SOURCE);
  bySource.delete(PHYSICAL_SOURCE);
  return phys ? [...bySource.values(), phys] : [...bySource.values()];
}

/** Compositor side: bring each planned source's picture up to date and yield its damage. */
export class FrameComposer {
  /** Per source, the picture its windows have. The physical pipe may share the foreground VM's (mirror). */
  private readonly pictures = new Map<number, Picture>();
  /** For the physical pipe while it shares a VM's picture: that domid. */
  private mirrorOf: number | null = null;
  /** Per source, the flip count and vblank time of the last frame composed. */
  private readonly latched = new Map<number, { flip: number; vblankMs: number }>();
  /** The dirty page logs as of the current compose. */
  private readonly writes = new BlockWrites();
  /** Surfaces compared (or read whole) since construction, for statistics and tests. */
  decodes = 0;

  /** equal: how word spans are compared (see SpanEqual; the compositor thread passes a native one). */
  constructor(
    private ggtt: Ggtt,
    private readonly equal: SpanEqual = jsSpanEqual,
  ) {}

  /** Read through another GGTT view from now on (the RAM regions behind it changed). */
  rebind(ggtt: Ggtt): void {
    this.ggtt = ggtt;
  }

  /** The damage of every planned source that changed, in plan order. */
  compose(plan: ScanoutSource[]): FeedItem[] {
    const items: FeedItem[] = [];
    const composed = new Map<number, Damage>();
    this.writes.harvest(this.ggtt.ramRegions());
    for (const s of plan) {
      if (s.refused) continue;
      const same = s.sameAs !== undefined ? composed.get(s.sameAs) : undefined;
      const damage = same ? this.mirror(s.source, s.sameAs!, same) : this.update(s);
      if (!damage) continue;
      composed.set(s.source, damage);
      this.latched.set(s.source, { flip: s.flip, vblankMs: s.vblankMs });
      if (damage.pieces.length > 0) items.push({ source: s.source, damage, flip: s.flip, vblankMs: s.vblankMs });
    }
    return items;
  }

  /** Compare source s's surface with its picture; null when its registers cannot be shown. */
  private update(s: ScanoutSource): Damage | null {
    const plane = s.pipeOn ? decodePlaneRegs(s.regs) : null;
    if (plane && 'error' in plane) return null;
    const decoded = plane && !s.cursorRefused ? decodeCursorRegs(s.cursor) : null;
    const cursor = decoded && !('error' in decoded) ? decoded : null;
    let pic = this.pictures.get(s.source);
    if (!pic || (s.source === PHYSICAL_SOURCE && this.mirrorOf !== null)) {
      // A mirror that now shows something else goes on from what its windows have.
      pic = pic ? pic.clone() : new Picture();
      this.pictures.set(s.source, pic);
      if (s.source === PHYSICAL_SOURCE) this.mirrorOf = null;
    }
    const rects = pic.update(this.ggtt, plane, cursor, this.equal, this.writes);
    this.decodes++;
    return { width: pic.width, height: pic.height, pieces: rects.map((rect) => ({ rect, rgba: pic.rgba(rect) })) };
  }

  /**
   * The physical pipe shows exactly what VM `domid` shows (same plane and cursor registers, composed
   * just now with damage `vm`): share its picture. Already sharing it, the damage is the VM's;
   * starting to, the whole picture (what the physical windows had may be anything).
   */
  private mirror(source: number, domid: number, vm: Damage): Damage {
    const pic = this.pictures.get(domid)!;
    if (this.mirrorOf === domid && this.pictures.get(source) === pic) return vm;
    this.pictures.set(source, pic);
    this.mirrorOf = domid;
    const rect = { x: 0, y: 0, w: pic.width, h: pic.height };
    return { width: pic.width, height: pic.height, pieces: [{ rect, rgba: pic.rgba(rect) }] };
  }

  /**
   * The last picture composed for `source` (what its windows show), with its flip count and vblank
   * time, if any; 0x0 while off. `rgba(r)` gives rectangle r of it (cursor included).
   */
  lastFrame(source: number): { width: number; height: number; flip: number; vblankMs: number; rgba: (r: DamageRect) => Uint8Array } | undefined {
    const pic = this.pictures.get(source);
    const at = this.latched.get(source) ?? { flip: 0, vblankMs: 0 };
    return pic && { width: pic.width, height: pic.height, ...at, rgba: (r) => pic.rgba(r) };
  }

  /** Forget a destroyed vGPU's picture (a physical pipe mirroring it keeps its own reference). */
  forget(source: number): void {
    this.pictures.delete(source);
    this.latched.delete(source);
  }
}
