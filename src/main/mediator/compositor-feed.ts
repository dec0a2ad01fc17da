/**
 * What the compositor windows receive: for each head — every enabled pipe of each vGPU (foreground
 * or not) and every physical pipe with a monitor — the damage since the last frame sent. Sources
 * are named as src/shared/heads.ts says (a domid is its pipe A, PHYSICAL_SOURCE the first physical
 * monitor). The work is split so the GPU thread does only the cheap
 * part: at vblank the ScanoutPlanner (GPU side) picks the sources that may have changed — a
 * workload completed, their plane or cursor registers moved, the foreground changed, or REFRESH_NS
 * passed, which catches pure CPU (pass-through) drawing — and snapshots their plane and cursor
 * registers after the guards that keep a vGPU from showing memory outside its GM. The FrameComposer
 * (compositor thread) compares those planes, read where they lie in guest RAM through the shared
 * GGTT, with each source's picture (picture.ts), fixes the picture in place and yields damage
 * rectangles with the cursor blended in, coded RLE32. Physical pipe N shares the foreground VM's pipe N picture
 * and damage when it scans out the same plane and cursor.
 */
import { PHYSICAL_SOURCE } from '../../shared/api';
import { FRAME_HEADER_BYTES } from '../../shared/frame-message';
import { isPhysicalSource, physicalHeadSource, vmHeadSource } from '../../shared/heads';
import { PIPE_COUNT } from '../../shared/regs';
import type { Gen9Gpu } from '../gpu/gpu';
import type { Ggtt } from '../gpu/ggtt';
import { type CursorRegs, type PlaneRegs, decodeCursorRegs, decodePlaneRegs } from '../gpu/scanout';
import { type Damage, type DamageRect, type SpanEqual, jsSpanEqual } from './damage';
import { cursorFrom, pipeOnIn, planeFrom } from './display-regs';
import { vgpuCursorGuard, vgpuPlaneGuard } from './fb-decoder';
import { BlockWrites } from './block-writes';
import { Picture } from './picture';
import type { Mediator } from './mediator';
import type { Vgpu } from './vgpu';

/** Decode every source at least this often even without a hint (catches CPU-only drawing), ns. */
export const REFRESH_NS = 250e6;

/** One source to decode this vblank, as the GPU thread saw it (structured-clone friendly). */
export interface ScanoutSource {
  /** The head (src/shared/heads.ts): a VM's pipe (its domid for pipe A) or a physical pipe's monitor. */
  source: number;
  regs: PlaneRegs;
  pipeOn: boolean;
  /** The cursor plane's registers (CUR_CTL, CUR_BASE, CUR_POS). */
  cursor: CursorRegs;
  /** For a physical pipe: the foreground VM's head (same pipe) whose decode shows the same plane and cursor, if any. */
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
    const fgPlanned: (ScanoutSource | undefined)[] = [];
    for (const v of this.mediator.vgpus()) {
      for (let pipe = 0; pipe < PIPE_COUNT; pipe++) {
        const source = vmHeadSource(v.domid, pipe);
        const pipeOn = pipeOnIn(v.vreg, pipe);
        // Pipes B and C are heads only while on (and once more when they go off: "no signal").
        if (pipe > 0 && !pipeOn && !this.state.has(source)) continue;
        const regs = planeFrom(v.vreg, pipe);
        const cursor = cursorFrom(v.vreg, pipe);
        const key = scanoutKey(regs, pipeOn, cursor);
        const st = this.state.get(source);
        if (st && st.workloads === v.stats.workloads && st.key === key && nowNs - st.lastNs < REFRESH_NS) continue;
        const flips = flipsAfter(st, regs.surf);
        if (pipe > 0 && !pipeOn) this.state.delete(source);
        else this.state.set(source, { workloads: v.stats.workloads, key, lastNs: nowNs, surf: regs.surf, flips });
        const decoded = pipeOn ? decodePlaneRegs(regs) : null;
        const refused = decoded && !('error' in decoded) ? vgpuPlaneGuard(v)(decoded) : undefined;
        const cursorRefused = cursorRefusal(cursor, pipeOn, v);
        const item: ScanoutSource = { source, regs, pipeOn, cursor, flip: flips, vblankMs, ...(refused ? { refused } : {}), ...(cursorRefused ? { cursorRefused } : {}) };
        out.push(item);
        if (v.domid === fg) fgPlanned[pipe] = item;
      }
    }
    const ports = this.mediator.physicalPipePorts();
    for (let pipe = 0; pipe < PIPE_COUNT; pipe++) {
      const port = ports[pipe];
      // The first physical head is always planned (PHYSICAL_SOURCE, as before multi-head); the others while they have a monitor.
      if (pipe > 0 && !port) continue;
      const source = pipe === 0 ? PHYSICAL_SOURCE : physicalHeadSource(port!);
      const physical = this.planPhysical(source, pipe, nowNs, vblankMs, fg, fgChanged, fgPlanned[pipe]);
      if (physical) out.push(physical);
    }
    return out;
  }

  /**
   * Physical pipe `pipe` as head `source`, when it may have changed. Its cursor is guarded against
   * the foreground vGPU's GM too: its registers are that guest's, forwarded. It reuses the
   * foreground's decode of the same pipe (sameAs) only when plane, pipe and cursor registers are
   * all equal.
   */
  private planPhysical(source: number, pipe: number, nowNs: number, vblankMs: number, fg: number, fgChanged: boolean, fgPlanned: ScanoutSource | undefined): ScanoutSource | undefined {
    const regs = this.gpu.plane(pipe);
    const cursor = this.gpu.cursor(pipe);
    const pipeOn = this.gpu.pipeEnabled(pipe);
    const key = scanoutKey(regs, pipeOn, cursor);
    const st = this.state.get(source);
    const reuse = fgPlanned !== undefined && !fgPlanned.refused && key === scanoutKey(fgPlanned.regs, fgPlanned.pipeOn, fgPlanned.cursor);
    if (!(reuse || fgChanged || !st || st.key !== key || nowNs - st.lastNs >= REFRESH_NS || fgPlanned)) return undefined;
    const flips = flipsAfter(st, regs.surf);
    this.state.set(source, { workloads: 0, key, lastNs: nowNs, surf: regs.surf, flips });
    const cursorRefused = cursorRefusal(cursor, pipeOn, this.mediator.vgpu(fg));
    return { source, regs, pipeOn, cursor, flip: flips, vblankMs, ...(reuse ? { sameAs: fgPlanned.source } : {}), ...(cursorRefused ? { cursorRefused } : {}) };
  }

  /** Flips (new surfaces) `source`'s plane has latched at vblank so far: its frames, counted as i915 counts page flips. */
  flips(source: number): number {
    return this.state.get(source)?.flips ?? 0;
  }

  /** Forget a destroyed vGPU (`domid`): every head of it. */
  forget(domid: number): void {
    for (let pipe = 0; pipe < PIPE_COUNT; pipe++) this.state.delete(vmHeadSource(domid, pipe));
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
  // The physical heads go last: they may reuse a VM's decode from the same plan.
  const all = [...bySource.values()];
  return [...all.filter((s) => !isPhysicalSource(s.source)), ...all.filter((s) => isPhysicalSource(s.source))];
}

/** Compositor side: bring each planned source's picture up to date and yield its damage. */
export class FrameComposer {
  /** Per source, the picture its windows have. A physical head may share the foreground VM's (mirror). */
  private readonly pictures = new Map<number, Picture>();
  /** Per physical head sharing a VM head's picture: that VM head. */
  private readonly mirrorOf = new Map<number, number>();
  /** Per source, the flip count and vblank time of the last frame composed. */
  private readonly latched = new Map<number, { flip: number; vblankMs: number }>();
  /** The dirty page logs as of the current compose. */
  private readonly writes: BlockWrites;
  /** Surfaces compared (or read whole) since construction, for statistics and tests. */
  decodes = 0;

  /** equal: how word spans are compared (see SpanEqual; the compositor thread passes a native one). */
  constructor(
    private ggtt: Ggtt,
    private readonly equal: SpanEqual = jsSpanEqual,
  ) {
    this.writes = new BlockWrites(equal === jsSpanEqual ? undefined : equal);
  }

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
    if (!pic || this.mirrorOf.has(s.source)) {
      // A mirror that now shows something else goes on from what its windows have.
      pic = pic ? pic.clone() : new Picture();
      this.pictures.set(s.source, pic);
      this.mirrorOf.delete(s.source);
    }
    const rects = pic.update(this.ggtt, plane, cursor, this.equal, this.writes);
    this.decodes++;
    return { width: pic.width, height: pic.height, pieces: rects.map((rect) => ({ rect, rle32: pic.rle32(rect, FRAME_HEADER_BYTES) })) };
  }

  /**
   * Physical head `source` shows exactly what VM head `head` shows (same plane and cursor registers,
   * composed just now with damage `vm`): share its picture. Already sharing it, the damage is the
   * VM's; starting to, the whole picture (what the physical windows had may be anything).
   */
  private mirror(source: number, head: number, vm: Damage): Damage {
    const pic = this.pictures.get(head)!;
    if (this.mirrorOf.get(source) === head && this.pictures.get(source) === pic) return vm;
    this.pictures.set(source, pic);
    this.mirrorOf.set(source, head);
    const rect = { x: 0, y: 0, w: pic.width, h: pic.height };
    return { width: pic.width, height: pic.height, pieces: [{ rect, rle32: pic.rle32(rect, FRAME_HEADER_BYTES) }] };
  }

  /**
   * The last picture composed for `source` (what its windows show), with its flip count and vblank
   * time, if any; 0x0 while off. `rle32(r, lead)` gives rectangle r of it (cursor included) as
   * Picture.rle32 does.
   */
  lastFrame(source: number): { width: number; height: number; flip: number; vblankMs: number; rle32: (r: DamageRect, lead?: number) => Uint32Array } | undefined {
    const pic = this.pictures.get(source);
    const at = this.latched.get(source) ?? { flip: 0, vblankMs: 0 };
    return pic && { width: pic.width, height: pic.height, ...at, rle32: (r, lead) => pic.rle32(r, lead) };
  }

  /** Forget a destroyed vGPU's pictures, every head of `domid` (a physical head mirroring one keeps its own reference). */
  forget(domid: number): void {
    for (let pipe = 0; pipe < PIPE_COUNT; pipe++) {
      this.pictures.delete(vmHeadSource(domid, pipe));
      this.latched.delete(vmHeadSource(domid, pipe));
    }
  }
}
