/**
 * The emulated physical Intel Gen9 (Skylake GT2) GPU: BAR0 MMIO register file, GGTT, the RCS and
 * BCS ring engines, the GT0 / DE pipe A / PCH interrupt banks and pipe A with its primary and
 * cursor planes.
 * Pure and synchronous: the owner (the mediator) calls mmioRead/mmioWrite and vblank().
 * Offsets are bytes from BAR0; source: i915 i915_reg.h.
 */
import {
  BCS_SWCTRL,
  BLT_RING_BASE,
  CACHE_MODE_0_GEN7,
  CACHE_MODE_1,
  CUR_BASE_A,
  CUR_CTL_A,
  CUR_POS_A,
  GEN8_BCS_IRQ_SHIFT,
  GEN8_DE_PIPE_IRQ,
  GEN8_DE_PIPE_ISR,
  GEN8_DE_PIPE_ISR_A,
  GEN8_GT_ISR0,
  GEN8_MASTER_IRQ,
  GEN8_MASTER_IRQ_CONTROL,
  GEN8_PIPE_VBLANK,
  GEN8_RCS_IRQ_SHIFT,
  GEN6_GDRST,
  GEN6_GRDOM_BLT,
  GEN6_GRDOM_FULL,
  GEN6_GRDOM_RENDER,
  GT_CONTEXT_SWITCH_INTERRUPT,
  GT_RENDER_PIPECTL_NOTIFY_INTERRUPT,
  GT_RENDER_USER_INTERRUPT,
  PIPECONF_A,
  PIPECONF_ENABLE,
  PLANE_CTL_1_A,
  PLANE_OFFSET_1_A,
  PLANE_SIZE_1_A,
  PLANE_STRIDE_1_A,
  PLANE_SURF_1_A,
  PIPE_COUNT,
  PIPE_NAMES,
  pipeReg,
  RENDER_RING_BASE,
  RING_CTL,
  RING_HEAD,
  RING_START,
  RING_TAIL,
  applyMasked,
} from '../../shared/regs';
import { type GpuGeometry, SKL_GT2_DEFAULT } from '../../shared/platform';
import { type EngineId, type ExecResult, type RegisterPort, RingEngine, emptyExecResult } from './engine';
import { apertureToGm } from './aperture';
import { ExeclistPort } from './execlist';
import { Ggtt } from './ggtt';
import { type IrqBank, ackIir, bankRegister, gt0MasterBits, newBank, raise } from './irq';
import { HostMemory } from './memory';
import type { CursorRegs, PlaneRegs } from './scanout';

/** MMIO register space modelled (2 MiB: registers up to the fence block at 0x100000 and beyond). */
export const MMIO_SPACE_BYTES = 2 << 20;

export const ENGINE_BASE: Record<EngineId, number> = { rcs: RENDER_RING_BASE, bcs: BLT_RING_BASE };
const ENGINE_IRQ_SHIFT: Record<EngineId, number> = { rcs: GEN8_RCS_IRQ_SHIFT, bcs: GEN8_BCS_IRQ_SHIFT };

const ENGINE_GRDOM: Record<EngineId, number> = { rcs: GEN6_GRDOM_RENDER, bcs: GEN6_GRDOM_BLT };

/**
 * Masked ("mode") registers of the plain register file: bits 31:16 of a write select which of bits
 * 15:0 change, and they read back with bits 31:16 clear, as on the hardware (GFX_MODE, also
 * masked, lives in the execlist port). Source: i915 _MASKED_BIT_ENABLE users, GVT-g
 * mmio_context.c (its masked entries, mask 0xffff).
 */
const MASKED_REGISTERS: ReadonlySet<number> = new Set([CACHE_MODE_0_GEN7, CACHE_MODE_1, BCS_SWCTRL]);

/** Registers an engine owns (ring and execlist registers), relative to its base. */
const isEngineRegister = (rel: number): boolean => rel === RING_TAIL || rel === RING_HEAD || rel === RING_START || rel === RING_CTL || ExeclistPort.owns(rel);

export class Gen9Gpu {
  readonly memory = new HostMemory();
  readonly ggtt: Ggtt;
  readonly regs = new Uint32Array(MMIO_SPACE_BYTES / 4);
  readonly engines: Record<EngineId, RingEngine>;
  readonly execlists: Record<EngineId, ExeclistPort>;
  readonly gt0: IrqBank = newBank();
  /** DE pipe interrupt banks, one per pipe (A, B, C): GEN8_DE_PIPE_ISR/IMR/IIR/IER(pipe). */
  readonly dePipe: readonly IrqBank[] = PIPE_NAMES.map(() => newBank());
  /** Emulated time until which each engine is busy, ns. */
  readonly busyUntilNs: Record<EngineId, number> = { rcs: 0, bcs: 0 };
  /** Latest emulated time seen by mmioWrite / resume, ns (time only moves forward). */
  private clockNs = 0;

  constructor(readonly geometry: GpuGeometry = SKL_GT2_DEFAULT) {
    this.ggtt = new Ggtt(geometry.totalGmBytes, this.memory);
    const engine = (id: EngineId): RingEngine => new RingEngine(id, this.ggtt, { regs: this.registerPort(), clockNs: () => Math.max(this.busyUntilNs[id], this.clockNs) });
    this.engines = { rcs: engine('rcs'), bcs: engine('bcs') };
    this.execlists = { rcs: new ExeclistPort(this.engines.rcs, this.ggtt), bcs: new ExeclistPort(this.engines.bcs, this.ggtt) };
  }

  /** Read a register; offset: bytes from BAR0; throws RangeError if unaligned or outside MMIO space. */
  mmioRead(offset: number): number {
    checkOffset(offset);
    const ring = this.ringReg(offset);
    if (ring) return ring.engine.ring[ring.field] >>> 0;
    const el = this.execlistReg(offset);
    if (el) return el.port.read(el.rel);
    const gt = bankRegister(offset, GEN8_GT_ISR0);
    if (offset >= GEN8_GT_ISR0 && offset < GEN8_GT_ISR0 + 16 && gt) return this.gt0[gt] >>> 0;
    const de = this.dePipeReg(offset);
    if (de) return de.bank[de.field] >>> 0;
    if (offset === GEN8_MASTER_IRQ) return this.masterIrq();
    return this.regs[offset >>> 2];
  }

  /**
   * Write a register. A RING_TAIL write kicks the engine: it executes up to the new tail at once
   * and is busy for the returned cost from `nowNs` (or from when it frees up). Returns the
   * execution result for tail writes and for the ELSP write that submits; for a GEN6_GDRST write
   * that resets engines, an empty result whose `reset` lists them. A masked register
   * (CACHE_MODE_0/1, BCS_SWCTRL) changes only the bits its write's mask selects.
   */
  mmioWrite(offset: number, value: number, nowNs = 0): ExecResult | undefined {
    checkOffset(offset);
    value >>>= 0;
    this.clockNs = Math.max(this.clockNs, nowNs);
    const ring = this.ringReg(offset);
    if (ring) {
      ring.engine.ring[ring.field] = value;
      if (ring.field === 'tail') return this.kick(ring.engine.id, nowNs);
      return undefined;
    }
    const el = this.execlistReg(offset);
    if (el) {
      const run = el.port.write(el.rel, value);
      // Aggregate from the per-context results: they carry every ExecResult field.
      // A context-switch interrupt only once the CSB has news beyond IDLE_ACTIVE, i.e. a completion.
      return run ? this.account(el.id, mergeResults(run.contexts.map((c) => c.result)), nowNs, !el.port.active) : undefined;
    }
    if (offset === GEN6_GDRST) {
      const reset = this.resetDomains(value);
      return reset.length > 0 ? { ...emptyExecResult(), reset } : undefined;
    }
    if (offset >= GEN8_GT_ISR0 && offset < GEN8_GT_ISR0 + 16) return void this.bankWrite(this.gt0, bankRegister(offset, GEN8_GT_ISR0), value);
    const de = this.dePipeReg(offset);
    if (de) return void this.bankWrite(de.bank, de.field, value);
    this.regs[offset >>> 2] = MASKED_REGISTERS.has(offset) ? applyMasked(this.regs[offset >>> 2], value) : value;
    return undefined;
  }

  /**
   * Kick engine `id` again without a register write, e.g. after the memory an MI_SEMAPHORE_WAIT
   * polls has changed: it continues where it stopped (stall or hang), accounted like a tail kick.
   */
  resume(id: EngineId, nowNs = 0): ExecResult {
    this.clockNs = Math.max(this.clockNs, nowNs);
    const run = this.execlists[id].resume();
    if (run) return this.account(id, mergeResults(run.contexts.map((c) => c.result)), nowNs, !this.execlists[id].active);
    return this.kick(id, nowNs);
  }

  /**
   * GEN6_GDRST: reset the engines whose domain bits are set (bit 0 full reset = every engine, bit 1
   * render, bit 3 blitter); returns them. The reset completes at once, so the register reads back 0
   * (i915 polls for the bits to clear). A reset engine is idle from now: its busy time is cut
   * back. Interrupt, execlist (GFX_MODE, CSB) and display state are left alone.
   */
  resetDomains(value: number): EngineId[] {
    const ids = (['rcs', 'bcs'] as const).filter((id) => value & (GEN6_GRDOM_FULL | ENGINE_GRDOM[id]));
    for (const id of ids) {
      this.engines[id].reset();
      this.execlists[id].abort();
      this.busyUntilNs[id] = Math.min(this.busyUntilNs[id], this.clockNs);
    }
    this.regs[GEN6_GDRST >>> 2] = 0;
    return ids;
  }

  private kick(id: EngineId, nowNs: number): ExecResult {
    // Legacy ring submission has no context image: GGTT only.
    this.engines[id].setPpgtt(null);
    return this.account(id, this.engines[id].run(), nowNs, false);
  }

  /**
   * The engines' view of MMIO: this GPU's own mmioRead/mmioWrite. Offsets outside the modelled
   * register space read 0 and drop writes (unclaimed MMIO), and writes to the ring or execlist
   * registers of an engine that is executing right now are dropped, so a command cannot re-enter
   * or reprogram its own engine mid-run. Nested kicks of another engine are accounted as usual.
   */
  private registerPort(): RegisterPort {
    const inSpace = (offset: number): boolean => Number.isInteger(offset) && offset >= 0 && offset < MMIO_SPACE_BYTES && offset % 4 === 0;
    return {
      read32: (offset) => (inSpace(offset) ? this.mmioRead(offset) : 0),
      write32: (offset, value) => {
        if (!inSpace(offset)) return;
        for (const e of Object.values(this.engines)) if (e.executing && isEngineRegister(offset - ENGINE_BASE[e.id])) return;
        this.mmioWrite(offset, value, this.clockNs);
      },
    };
  }

  /** Busy time and interrupts of work an engine just ran (legacy ring or an execlist submission). */
  private account(id: EngineId, res: ExecResult, nowNs: number, contextSwitch: boolean): ExecResult {
    this.busyUntilNs[id] = Math.max(this.busyUntilNs[id], nowNs) + res.costNs;
    let bits = res.userInterrupts > 0 ? GT_RENDER_USER_INTERRUPT : 0;
    if ((res.notifyInterrupts ?? 0) > 0) bits |= GT_RENDER_PIPECTL_NOTIFY_INTERRUPT;
    if (contextSwitch) bits |= GT_CONTEXT_SWITCH_INTERRUPT;
    if (bits) raise(this.gt0, bits << ENGINE_IRQ_SHIFT[id]);
    return res;
  }

  private execlistReg(offset: number): { id: EngineId; port: ExeclistPort; rel: number } | undefined {
    for (const id of ['rcs', 'bcs'] as const) {
      const rel = offset - ENGINE_BASE[id];
      if (ExeclistPort.owns(rel)) return { id, port: this.execlists[id], rel };
    }
    return undefined;
  }

  /**
   * A CPU read through the aperture (BAR2) at byte `offset` (= GM address), detiled by any fence
   * covering it. Throws RangeError outside the aperture or unaligned.
   */
  apertureRead32(offset: number): number {
    this.checkAperture(offset);
    return this.ggtt.read32(apertureToGm(this.regs, this.geometry.fences, offset));
  }

  /** A CPU write through the aperture; see apertureRead32. */
  apertureWrite32(offset: number, value: number): void {
    this.checkAperture(offset);
    this.ggtt.write32(apertureToGm(this.regs, this.geometry.fences, offset), value >>> 0);
  }

  private checkAperture(offset: number): void {
    if (!Number.isInteger(offset) || offset < 0 || offset >= this.geometry.apertureBytes || offset % 4) throw new RangeError(`aperture offset 0x${offset.toString(16)} outside the ${this.geometry.apertureBytes >>> 20} MiB aperture or unaligned`);
  }

  /** The start of a vertical blank on every enabled pipe (called at the mode's refresh rate). */
  vblank(): void {
    for (let pipe = 0; pipe < PIPE_COUNT; pipe++) if (this.pipeEnabled(pipe)) raise(this.dePipe[pipe], GEN8_PIPE_VBLANK);
  }

  /** Primary plane (universal plane 1) of `pipe` (0 = A) as programmed, for scanout. */
  plane(pipe = 0): PlaneRegs {
    const r = (o: number): number => this.regs[pipeReg(o, pipe) >>> 2];
    return { ctl: r(PLANE_CTL_1_A), stride: r(PLANE_STRIDE_1_A), size: r(PLANE_SIZE_1_A), surf: r(PLANE_SURF_1_A), offset: r(PLANE_OFFSET_1_A) };
  }

  /**
   * Cursor plane of `pipe` (0 = A) as programmed, for scanout. Source: i915 CURCNTR/CURBASE/CURPOS(pipe).
   * Like the primary plane's, these are plain register-file values that apply at once: the model
   * does not double-buffer until the arming CUR_BASE write (i9xx_update_cursor writes it last anyway).
   */
  cursor(pipe = 0): CursorRegs {
    const r = (o: number): number => this.regs[pipeReg(o, pipe) >>> 2];
    return { ctl: r(CUR_CTL_A), base: r(CUR_BASE_A), pos: r(CUR_POS_A) };
  }

  /** TRANSCONF (PIPECONF) of `pipe` has its enable bit set. */
  pipeEnabled(pipe = 0): boolean {
    return (this.regs[pipeReg(PIPECONF_A, pipe) >>> 2] & PIPECONF_ENABLE) !== 0;
  }

  /** The DE pipe bank register at `offset`, if it is one. */
  private dePipeReg(offset: number): { bank: IrqBank; field: keyof IrqBank } | undefined {
    if (offset < GEN8_DE_PIPE_ISR_A || offset >= GEN8_DE_PIPE_ISR(PIPE_COUNT)) return undefined;
    const pipe = (offset - GEN8_DE_PIPE_ISR_A) >>> 4;
    return { bank: this.dePipe[pipe], field: bankRegister(offset, GEN8_DE_PIPE_ISR(pipe))! };
  }

  private masterIrq(): number {
    const enabled = this.regs[GEN8_MASTER_IRQ >>> 2] & GEN8_MASTER_IRQ_CONTROL;
    let v = enabled;
    v |= gt0MasterBits(this.gt0);
    this.dePipe.forEach((bank, pipe) => {
      if (bank.iir & bank.ier) v |= GEN8_DE_PIPE_IRQ(pipe);
    });
    return v >>> 0;
  }

  private bankWrite(bank: IrqBank, field: keyof IrqBank | undefined, value: number): void {
    if (field === 'iir') ackIir(bank, value);
    else if (field === 'imr' || field === 'ier') bank[field] = value;
    // ISR is read-only.
  }

  private ringReg(offset: number): { engine: RingEngine; field: keyof RingEngine['ring'] } | undefined {
    for (const engine of Object.values(this.engines)) {
      const rel = offset - ENGINE_BASE[engine.id];
      if (rel === RING_TAIL) return { engine, field: 'tail' };
      if (rel === RING_HEAD) return { engine, field: 'head' };
      if (rel === RING_START) return { engine, field: 'start' };
      if (rel === RING_CTL) return { engine, field: 'ctl' };
    }
    return undefined;
  }
}

/** Sum of several engine results (an execlist submission's contexts), every field included. */
export function mergeResults(results: readonly ExecResult[]): ExecResult {
  const total = emptyExecResult();
  for (const r of results) {
    total.commands += r.commands;
    total.pixels += r.pixels;
    total.costNs += r.costNs;
    total.userInterrupts += r.userInterrupts;
    total.notifyInterrupts! += r.notifyInterrupts ?? 0;
    total.stalled ||= r.stalled ?? false;
    total.hung ||= r.hung ?? false;
    total.flips!.push(...(r.flips ?? []));
    if (r.fault) total.fault ??= r.fault;
  }
  return total;
}

function checkOffset(offset: number): void {
  if (!Number.isInteger(offset) || offset < 0 || offset >= MMIO_SPACE_BYTES) throw new RangeError(`MMIO offset 0x${offset.toString(16)} outside BAR0 register space`);
  if (offset % 4 !== 0) throw new RangeError(`MMIO offset 0x${offset.toString(16)} is not 4-byte aligned`);
}
