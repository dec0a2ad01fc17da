/**
 * The emulated physical Intel Gen9 (Skylake GT2) GPU: BAR0 MMIO register file, GGTT, the RCS and
 * BCS ring engines, the GT0 / DE pipe A / PCH interrupt banks and pipe A with its primary plane.
 * Pure and synchronous: the owner (the mediator) calls mmioRead/mmioWrite and vblank().
 * Offsets are bytes from BAR0; source: i915 i915_reg.h.
 */
import {
  BLT_RING_BASE,
  GEN8_BCS_IRQ_SHIFT,
  GEN8_DE_PIPE_A_IRQ,
  GEN8_DE_PIPE_ISR_A,
  GEN8_GT_ISR0,
  GEN8_GT_RCS_IRQ,
  GEN8_MASTER_IRQ,
  GEN8_MASTER_IRQ_CONTROL,
  GEN8_PIPE_VBLANK,
  GEN8_RCS_IRQ_SHIFT,
  GT_CONTEXT_SWITCH_INTERRUPT,
  GT_RENDER_USER_INTERRUPT,
  PIPECONF_A,
  PIPECONF_ENABLE,
  PLANE_CTL_1_A,
  PLANE_OFFSET_1_A,
  PLANE_SIZE_1_A,
  PLANE_STRIDE_1_A,
  PLANE_SURF_1_A,
  RENDER_RING_BASE,
  RING_CTL,
  RING_HEAD,
  RING_START,
  RING_TAIL,
} from '../../shared/regs';
import { type GpuGeometry, SKL_GT2_DEFAULT } from '../../shared/platform';
import { type EngineId, type ExecResult, RingEngine } from './engine';
import { ExeclistPort } from './execlist';
import { Ggtt } from './ggtt';
import { type IrqBank, ackIir, bankRegister, newBank, raise } from './irq';
import { HostMemory } from './memory';
import type { PlaneRegs } from './scanout';

/** MMIO register space modelled (2 MiB: registers up to the fence block at 0x100000 and beyond). */
export const MMIO_SPACE_BYTES = 2 << 20;

export const ENGINE_BASE: Record<EngineId, number> = { rcs: RENDER_RING_BASE, bcs: BLT_RING_BASE };
const ENGINE_IRQ_SHIFT: Record<EngineId, number> = { rcs: GEN8_RCS_IRQ_SHIFT, bcs: GEN8_BCS_IRQ_SHIFT };

export class Gen9Gpu {
  readonly memory = new HostMemory();
  readonly ggtt: Ggtt;
  readonly regs = new Uint32Array(MMIO_SPACE_BYTES / 4);
  readonly engines: Record<EngineId, RingEngine>;
  readonly execlists: Record<EngineId, ExeclistPort>;
  readonly gt0: IrqBank = newBank();
  readonly dePipeA: IrqBank = newBank();
  /** Emulated time until which each engine is busy, ns. */
  readonly busyUntilNs: Record<EngineId, number> = { rcs: 0, bcs: 0 };

  constructor(readonly geometry: GpuGeometry = SKL_GT2_DEFAULT) {
    this.ggtt = new Ggtt(geometry.totalGmBytes, this.memory);
    this.engines = { rcs: new RingEngine('rcs', this.ggtt), bcs: new RingEngine('bcs', this.ggtt) };
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
    const de = bankRegister(offset, GEN8_DE_PIPE_ISR_A);
    if (offset >= GEN8_DE_PIPE_ISR_A && offset < GEN8_DE_PIPE_ISR_A + 16 && de) return this.dePipeA[de] >>> 0;
    if (offset === GEN8_MASTER_IRQ) return this.masterIrq();
    return this.regs[offset >>> 2];
  }

  /**
   * Write a register. A RING_TAIL write kicks the engine: it executes up to the new tail at once
   * and is busy for the returned cost from `nowNs`. Returns the execution result for tail writes.
   */
  mmioWrite(offset: number, value: number, nowNs = 0): ExecResult | undefined {
    checkOffset(offset);
    value >>>= 0;
    const ring = this.ringReg(offset);
    if (ring) {
      ring.engine.ring[ring.field] = value;
      if (ring.field === 'tail') return this.kick(ring.engine.id, nowNs);
      return undefined;
    }
    const el = this.execlistReg(offset);
    if (el) {
      const run = el.port.write(el.rel, value);
      return run ? this.account(el.id, run.total, nowNs, true) : undefined;
    }
    if (offset >= GEN8_GT_ISR0 && offset < GEN8_GT_ISR0 + 16) return void this.bankWrite(this.gt0, bankRegister(offset, GEN8_GT_ISR0), value);
    if (offset >= GEN8_DE_PIPE_ISR_A && offset < GEN8_DE_PIPE_ISR_A + 16) return void this.bankWrite(this.dePipeA, bankRegister(offset, GEN8_DE_PIPE_ISR_A), value);
    this.regs[offset >>> 2] = value;
    return undefined;
  }

  private kick(id: EngineId, nowNs: number): ExecResult {
    return this.account(id, this.engines[id].run(), nowNs, false);
  }

  /** Busy time and interrupts of work an engine just ran (legacy ring or an execlist submission). */
  private account(id: EngineId, res: ExecResult, nowNs: number, contextSwitch: boolean): ExecResult {
    this.busyUntilNs[id] = Math.max(this.busyUntilNs[id], nowNs) + res.costNs;
    let bits = res.userInterrupts > 0 ? GT_RENDER_USER_INTERRUPT : 0;
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

  /** The start of a vertical blank on pipe A (called at the mode's refresh rate). */
  vblank(): void {
    if (this.regs[PIPECONF_A >>> 2] & PIPECONF_ENABLE) raise(this.dePipeA, GEN8_PIPE_VBLANK);
  }

  /** Primary plane of pipe A as programmed, for scanout. */
  planeA(): PlaneRegs {
    const r = (o: number): number => this.regs[o >>> 2];
    return { ctl: r(PLANE_CTL_1_A), stride: r(PLANE_STRIDE_1_A), size: r(PLANE_SIZE_1_A), surf: r(PLANE_SURF_1_A), offset: r(PLANE_OFFSET_1_A) };
  }

  pipeAEnabled(): boolean {
    return (this.regs[PIPECONF_A >>> 2] & PIPECONF_ENABLE) !== 0;
  }

  private masterIrq(): number {
    const enabled = this.regs[GEN8_MASTER_IRQ >>> 2] & GEN8_MASTER_IRQ_CONTROL;
    let v = enabled;
    if (this.gt0.iir & this.gt0.ier) v |= GEN8_GT_RCS_IRQ;
    if (this.dePipeA.iir & this.dePipeA.ier) v |= GEN8_DE_PIPE_A_IRQ;
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

function checkOffset(offset: number): void {
  if (!Number.isInteger(offset) || offset < 0 || offset >= MMIO_SPACE_BYTES) throw new RangeError(`MMIO offset 0x${offset.toString(16)} outside BAR0 register space`);
  if (offset % 4 !== 0) throw new RangeError(`MMIO offset 0x${offset.toString(16)} is not 4-byte aligned`);
}
