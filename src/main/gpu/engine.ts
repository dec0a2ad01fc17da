/**
 * A ring-buffer command streamer (RCS or BCS) of the physical GPU: executes the commands between
 * RING_HEAD and RING_TAIL of the ring at RING_START, and the batch buffers they call, reading
 * through the GGTT. Execution is instantaneous in emulated time; the returned cost (ns, see
 * cost-model.ts) is what the engine would have been busy for.
 *
 * What runs:
 * - MI: NOOP, ARB_CHECK, ARB_ON_OFF (no preemption is modelled), LOAD_SCAN_LINES_INCL (no wait:
 *   scanout is atomic at vblank), USER_INTERRUPT, STORE_DATA_IMM, FLUSH_DW, LOAD_REGISTER_IMM/MEM/
 *   REG, STORE_REGISTER_MEM (predicated too), MATH (the CS ALU on the GPRs), PREDICATE,
 *   SEMAPHORE_WAIT, DISPLAY_FLIP, BATCH_BUFFER_START (predicated too)/END: the executors in
 *   mi-dispatch.ts, one per command key (mi-commands.ts has the data-moving ones). Other MI
 *   commands fault.
 * - 2D on BCS: XY_SETUP_BLT (state only), XY_COLOR_BLT, XY_SRC_COPY_BLT, linear or X-tiled.
 * - Type 3 on RCS: PIPE_CONTROL's post-sync write and notify; every other 3D/media/GPGPU command
 *   genxml knows is decoded and charged by the cost model but NOT rasterised or executed.
 * - A command an engine does not accept (per the genxml engine mask) faults: a render-only command
 *   on BCS, a blitter command on RCS.
 *
 * Batch buffers (Gen8 MI_BATCH_BUFFER_START, 3 dwords, dw1-2 address bits 47:2): from the ring it
 * starts a first-level batch (bit 22 is ignored there); inside a batch, without bit 22 it chains
 * (the current batch is replaced, nothing returns to it), with bit 22 it calls a second-level
 * batch, which returns to the caller at its MI_BATCH_BUFFER_END. A call from a second-level batch
 * (third level) faults. MI_BATCH_BUFFER_END in the ring is a no-op.
 *
 * Address spaces: the ring is read through the GGTT. A context loaded as a 48-bit PPGTT context
 * (setPpgtt: the execlist port reads the PML4 from its image) has a PPGTT (ppgtt.ts): a batch
 * whose MI_BATCH_BUFFER_START sets the Address Space Indicator (bit 8) is fetched through it, and
 * so is every access whose address-space bit is clear (MI_STORE_DATA_IMM, PIPE_CONTROL and
 * MI_FLUSH_DW post-sync writes, LRM/SRM, semaphores). XY_* blits have no such bit: in a PPGTT
 * context they go through the PPGTT, else the GGTT. (On hardware a non-privileged PPGTT batch
 * selects this; the mediator runs every guest batch from a scanned GGTT copy, so the model ties
 * it to the context's addressing mode.) PPGTT addressing in a context without one faults, and so
 * does a PPGTT page fault (an entry not present at any level): the workload stops there.
 * While a batch runs RING_HEAD already points past the ring's MI_BATCH_BUFFER_START (as on
 * hardware); the engine keeps the batch position (like RING_BBADDR) across kicks as long as the
 * ring is not reprogrammed (RING_START, RING_CTL or RING_HEAD changed between kicks drops it).
 *
 * Stops: a fault leaves head at the faulting command (`fault`); an MI_SEMAPHORE_WAIT whose
 * condition fails leaves the engine at that command (`stalled`) until the next kick (RING_TAIL or
 * ELSP write, or resume()); running out of MAX_COMMANDS_PER_KICK with work left (e.g. a batch that
 * jumps to itself) leaves it mid-workload (`hung`) for a watchdog to reset(). Nothing throws and
 * every loop is bounded.
 *
 * Sources: PRM "Ring Buffer" (head/tail in bytes, wrap at RING_CTL size); Mesa genxml gen9.xml
 * (command layouts, lengths, engine masks); GVT-g cmd_parser.c (batch buffer levels).
 */
import { BLT, BLT_DST_TILED, BLT_SRC_TILED, BLT_WRITE_ALPHA, BLT_WRITE_RGB, CMD_TYPE_2D, CMD_TYPE_3D, CMD_TYPE_MI, type CommandSpec, ENGINE, PIPE_CONTROL_KEY, bltOpcode, commandName, commandSpec } from '../../shared/commands';
import { PAGE_SIZE } from '../../shared/platform';
import { RING_ADDR_MASK, RING_CTL_VALID, ringCtlBytes } from '../../shared/regs';
import { type BlitRect, type BlitSurface, copySurface, fillSurface } from './blitter';
import { COST_PER_COMMAND_NS, COST_PER_PIXEL_NS, renderCommandCostNs } from './cost-model';
import type { Ggtt } from './ggtt';
import type { AddressSpace } from './gm-access';
import { Ppgtt } from './ppgtt';
import { MI_EXECUTORS, NEXT, type Step, fault } from './mi-dispatch';
import { type DisplayFlip, type MiContext, NO_REGISTERS, type RegisterPort, addr64, csTimestampTicks, pipeControl } from './mi-commands';

export { COST_PER_COMMAND_NS, COST_PER_PIXEL_NS } from './cost-model';
export { addr64, type DisplayFlip, type RegisterPort } from './mi-commands';
export { MAX_BATCH_DEPTH } from './mi-dispatch';

export type EngineId = 'rcs' | 'bcs';

export interface RingRegs {
  start: number;
  ctl: number;
  head: number;
  tail: number;
}

/**
 * What one kick of an engine did. The optional fields are always set by RingEngine.run(); they
 * are optional so that aggregates built elsewhere may omit them.
 */
export interface ExecResult {
  /** Commands executed (a stalled or faulting command is not counted). */
  commands: number;
  /** Pixels the blitter covered. */
  pixels: number;
  /** Emulated busy time, ns. */
  costNs: number;
  /** MI_USER_INTERRUPTs executed. */
  userInterrupts: number;
  /** Set when the engine stopped on a command it cannot execute (the engine hangs there). */
  fault?: string;
  /** PIPE_CONTROL / MI_FLUSH_DW with Notify Enable executed (GT_RENDER_PIPECTL_NOTIFY_INTERRUPT). */
  notifyInterrupts?: number;
  /** Stopped at an MI_SEMAPHORE_WAIT whose condition does not hold; resumes on the next kick. */
  stalled?: boolean;
  /** Ran out of MAX_COMMANDS_PER_KICK with work left: mid-workload, for a watchdog to reset. */
  hung?: boolean;
  /** MI_DISPLAY_FLIPs executed, in order. */
  flips?: DisplayFlip[];
  /** Engines a GEN6_GDRST write reset (set only on the result of that register write). */
  reset?: EngineId[];
}

/** A result with nothing done, every field present. */
export const emptyExecResult = (): ExecResult => ({ commands: 0, pixels: 0, costNs: 0, userInterrupts: 0, notifyInterrupts: 0, stalled: false, hung: false, flips: [] });

/** Bound on commands one kick may run (batch commands included), so a corrupt ring cannot spin forever. */
export const MAX_COMMANDS_PER_KICK = 1 << 16;

/** State XY_SETUP_BLT loads (BR13, clip rectangle BR24/25, destination BR09, colours BR18/19, pattern BR11). */
export interface BlitterSetup {
  br13: number;
  clip: BlitRect;
  dstBase: number;
  dstTiled: boolean;
  background: number;
  foreground: number;
  patternBase: number;
}

/** What an engine reaches besides graphics memory. */
export interface EnginePorts {
  /** MMIO registers (LRI/LRM/LRR/SRM, MI_DISPLAY_FLIP, indirect draw parameters). Default: none. */
  regs?: RegisterPort;
  /** Emulated time, ns, at which the current kick starts executing (timestamps). Default: 0. */
  clockNs?: () => number;
}

/** BR13 bits 25:24 colour depth → bytes per pixel (8 bpp, 565, 1555, 8888). */
const BR13_CPP = [1, 2, 2, 4] as const;
const ENGINE_BIT: Record<EngineId, number> = { rcs: ENGINE.RENDER, bcs: ENGINE.BLITTER };

export class RingEngine {
  readonly ring: RingRegs = { start: 0, ctl: 0, head: 0, tail: 0 };
  private readonly regs: RegisterPort;
  private readonly clockNs: () => number;
  /** GM address of the next command at each batch level (index 0 = first level). */
  private batches: number[] = [];
  /** Whether each batch level is fetched through the PPGTT (its MI_BATCH_BUFFER_START bit 8). */
  private batchPpgtt: boolean[] = [];
  /** Host-physical PML4 of the loaded context's PPGTT, or null (GGTT only). */
  private ppgttRoot: number | null = null;
  /** Ring registers when the engine last stopped: a change means the ring was reprogrammed. */
  private stoppedAt = { start: 0, ctl: 0, head: 0 };
  private running = false;
  /** Bumped by reset(), so a run interrupted by a reset (e.g. an LRI to GEN6_GDRST) stops. */
  private epoch = 0;
  private setup: BlitterSetup | undefined;
  private lastStalled = false;

  constructor(
    readonly id: EngineId,
    private readonly ggtt: Ggtt,
    ports: EnginePorts = {},
  ) {
    this.regs = ports.regs ?? NO_REGISTERS;
    this.clockNs = ports.clockNs ?? (() => 0);
  }

  /** Nothing to do: the ring is disabled, or head = tail and no batch is in flight. */
  get idle(): boolean {
    return (this.ring.ctl & RING_CTL_VALID) === 0 || ((this.ring.head & RING_ADDR_MASK) === (this.ring.tail & RING_ADDR_MASK) && this.batchDepth === 0);
  }

  /** True while run() is executing (a command's register write may reach the GPU re-entrantly). */
  get executing(): boolean {
    return this.running;
  }

  /** Batch level in flight (0 = executing from the ring). */
  get batchDepth(): number {
    return this.ringUnchanged() ? this.batches.length : 0;
  }

  /** GM address of the next batch command (the RING_BBADDR the engine would show), if in a batch. */
  get batchAddress(): number | undefined {
    return this.batchDepth > 0 ? this.batches[this.batches.length - 1] : undefined;
  }

  /** The last run stopped at an MI_SEMAPHORE_WAIT that did not pass. */
  get stalled(): boolean {
    return this.lastStalled;
  }

  /**
   * Load a context's address space: `pml4` is the host-physical address of a 48-bit PPGTT's PML4
   * (from the context image), null for a context without PPGTT.
   */
  setPpgtt(pml4: number | null): void {
    this.ppgttRoot = pml4;
  }

  /** State from the last XY_SETUP_BLT (undefined after reset). */
  get blitterSetup(): BlitterSetup | undefined {
    return this.setup;
  }

  /**
   * Engine reset (GEN6_GDRST domain): idle at once — head = tail, batch levels dropped, blitter
   * setup state and any stall cleared. RING_START/RING_CTL/RING_TAIL keep their values (i915
   * reprograms the ring after a reset anyway). A run in progress stops after its current command.
   */
  reset(): void {
    this.ring.head = ((this.ring.head & ~RING_ADDR_MASK) | (this.ring.tail & RING_ADDR_MASK)) >>> 0;
    this.batches = [];
    this.batchPpgtt = [];
    this.setup = undefined;
    this.lastStalled = false;
    this.epoch++;
    this.remember();
  }

  /** Re-evaluate after a stall (or continue a hung workload): the same as a kick. */
  resume(): ExecResult {
    return this.run();
  }

  /**
   * Run until head reaches tail with no batch in flight, or a fault, stall or the command budget
   * stops it. Head is advanced past every executed ring command. Re-entrant calls (a command of
   * this engine kicking it again) return an empty result.
   */
  run(): ExecResult {
    const res = emptyExecResult();
    const ring = this.ring;
    if (this.running || (ring.ctl & RING_CTL_VALID) === 0) return res;
    if (!this.ringUnchanged()) {
      this.batches = [];
      this.batchPpgtt = [];
    }
    const size = ringCtlBytes(ring.ctl);
    const base = (ring.start & 0xfffff000) >>> 0;
    const tail = ring.tail & RING_ADDR_MASK;
    let head = ring.head & RING_ADDR_MASK;
    this.lastStalled = false;
    if (tail >= size || head >= size) {
      res.fault = `${this.id}: RING_${tail >= size ? 'TAIL' : 'HEAD'} 0x${(tail >= size ? tail : head).toString(16)} is outside the ${size}-byte ring`;
      return res;
    }
    const epoch = this.epoch;
    // The tables' owner decides whether the TLB outlives the run (Ppgtt.forRun).
    const ppgtt = this.ppgttRoot === null ? null : Ppgtt.forRun(this.ggtt, this.ppgttRoot);
    const ctx = this.context(res, ppgtt);
    const engineBit = ENGINE_BIT[this.id];
    // The command being executed: a GM address in a batch, or a byte offset in the ring (wrapping).
    let depth = 0;
    let at = 0;
    const dw = (i: number): number => (depth > 0 ? (this.batchPpgtt[depth - 1] && ppgtt ? ppgtt : this.ggtt).read32(at + i * 4) : this.ggtt.read32(base + ((at + i * 4) % size)));
    const where = (): string => (depth > 0 ? `batch GM 0x${at.toString(16)} (level ${depth})` : `head 0x${at.toString(16)}`);
    this.running = true;
    try {
      for (;;) {
        depth = this.batches.length;
        if (depth === 0 && head === tail) break;
        if (res.commands >= MAX_COMMANDS_PER_KICK) {
          res.hung = true;
          break;
        }
        at = depth > 0 ? this.batches[depth - 1] : head;
        const dw0 = dw(0) >>> 0;
        const info = commandSpec(dw0, engineBit);
        if (!info) {
          res.fault = `${this.id}: cannot execute ${commandName(dw0)} at ${where()}`;
          break;
        }
        const len = info.lengthMask === 0 ? (info.nominalLength ?? 1) : (dw0 & info.lengthMask) + info.bias;
        if (depth === 0 && len * 4 > (tail - head + size) % size) {
          res.fault = `${this.id}: ${info.name} (${len} dwords) at ${where()} runs past RING_TAIL 0x${tail.toString(16)}`;
          break;
        }
        let step: Step;
        try {
          step = this.execute(info, dw0, len, dw, ctx, res, depth);
        } catch (e) {
          step = { op: 'fault', reason: `internal error: ${e instanceof Error ? e.message : String(e)}` };
        }
        if (this.epoch !== epoch) {
          // Reset while executing: the reset state stands.
          res.commands++;
          res.costNs += COST_PER_COMMAND_NS;
          return res;
        }
        if (step.op === 'fault') {
          res.fault = `${this.id}: ${info.name}: ${step.reason} at ${where()}`;
          break;
        }
        if (ppgtt?.fault !== undefined) {
          res.fault = `${this.id}: ${info.name}: ${ppgtt.fault} at ${where()}`;
          break;
        }
        if (step.op === 'stall') {
          res.stalled = true;
          this.lastStalled = true;
          break;
        }
        res.commands++;
        res.costNs += COST_PER_COMMAND_NS;
        if (step.op === 'start') {
          if (depth === 0) {
            head = (head + len * 4) % size;
            this.batches = [step.target];
            this.batchPpgtt = [step.ppgtt];
          } else if (step.second) {
            this.batches[depth - 1] += len * 4;
            this.batches.push(step.target);
            this.batchPpgtt.push(step.ppgtt);
          } else {
            this.batches[depth - 1] = step.target;
            this.batchPpgtt[depth - 1] = step.ppgtt;
          }
        } else if (step.op === 'end' && depth > 0) {
          this.batches.pop();
          this.batchPpgtt.pop();
        } else if (depth > 0) {
          this.batches[depth - 1] += len * 4;
        } else {
          head = (head + len * 4) % size;
        }
      }
    } finally {
      this.running = false;
    }
    ring.head = ((ring.head & ~RING_ADDR_MASK) | head) >>> 0;
    this.remember();
    return res;
  }

  private ringUnchanged(): boolean {
    const s = this.stoppedAt;
    return this.ring.start === s.start && this.ring.ctl === s.ctl && this.ring.head === s.head;
  }

  private remember(): void {
    this.stoppedAt = { start: this.ring.start, ctl: this.ring.ctl, head: this.ring.head };
  }

  private context(res: ExecResult, ppgtt: AddressSpace | null): MiContext {
    return {
      ggtt: this.ggtt,
      ppgtt,
      regs: this.regs,
      timestamp: () => csTimestampTicks(this.clockNs() + res.costNs),
      notify: () => void (res.notifyInterrupts = (res.notifyInterrupts ?? 0) + 1),
      flip: (f) => void (res.flips ??= []).push(f),
    };
  }

  private execute(info: CommandSpec, dw0: number, len: number, dw: (i: number) => number, ctx: MiContext, res: ExecResult, depth: number): Step {
    if ((info.engines & ENGINE_BIT[this.id]) === 0) return fault(`not valid on ${this.id}`);
    if (info.type === CMD_TYPE_MI) {
      const run = MI_EXECUTORS.get(info.key);
      return run ? run(dw0, len, dw, ctx, res, depth, this.id) : fault('is not supported by this engine model');
    }
    if (info.type === CMD_TYPE_2D) return this.executeBlt(dw0, len, dw, res, ctx.ppgtt ?? this.ggtt);
    if (info.type === CMD_TYPE_3D) {
      if (info.key === PIPE_CONTROL_KEY) {
        const r = pipeControl(ctx, len, dw);
        if (r) return fault(r);
      }
      // Decoded and charged only: 3D/media/GPGPU work is not rasterised or run (see cost-model.ts).
      res.costNs += renderCommandCostNs(info.name, dw0, len, dw, (o) => this.regs.read32(o));
      return NEXT;
    }
    return fault('is not supported by this engine model');
  }

  /** XY_* on BCS. BR13: bits 25:24 colour depth, 15:0 pitch (bytes; dwords for a tiled surface). */
  private executeBlt(dw0: number, len: number, dw: (i: number) => number, res: ExecResult, space: AddressSpace): Step {
    const op = bltOpcode(dw0);
    const need = op === BLT.XY_COLOR_BLT ? 7 : 10;
    if (len < need) return fault(`${len} dwords is too short for its fields (needs ${need})`);
    const d1 = dw(1);
    const rectAt = (i: number): BlitRect => ({ x1: dw(i) & 0xffff, y1: dw(i) >>> 16, x2: dw(i + 1) & 0xffff, y2: dw(i + 1) >>> 16 });
    if (op === BLT.XY_SETUP_BLT) {
      this.setup = { br13: d1 >>> 0, clip: rectAt(2), dstBase: addr64(dw(4), dw(5)), dstTiled: (dw0 & BLT_DST_TILED) !== 0, background: dw(6) >>> 0, foreground: dw(7) >>> 0, patternBase: addr64(dw(8), dw(9)) };
      return NEXT;
    }
    const cpp = BR13_CPP[(d1 >>> 24) & 3];
    const dstTiled = (dw0 & BLT_DST_TILED) !== 0;
    const dst: BlitSurface = { base: addr64(dw(4), dw(5)), pitch: (d1 & 0xffff) * (dstTiled ? 4 : 1), tiled: dstTiled, cpp };
    const rect = rectAt(2);
    if (rect.y2 - rect.y1 > 1 && rect.x2 > rect.x1 && dst.pitch < rect.x2 * cpp) return fault(`destination pitch ${dst.pitch} B is narrower than x2=${rect.x2} at ${cpp * 8} bpp (rows would overlap)`);
    const mask = { alpha: (dw0 & BLT_WRITE_ALPHA) !== 0, rgb: (dw0 & BLT_WRITE_RGB) !== 0 };
    const gmEnd = space.entries * PAGE_SIZE;
    let pixels: number;
    if (op === BLT.XY_COLOR_BLT) {
      pixels = fillSurface(space, dst, rect, dw(6), mask, gmEnd);
    } else {
      const srcTiled = (dw0 & BLT_SRC_TILED) !== 0;
      const src: BlitSurface = { base: addr64(dw(8), dw(9)), pitch: (dw(7) & 0xffff) * (srcTiled ? 4 : 1), tiled: srcTiled, cpp };
      pixels = copySurface(space, dst, rect, src, dw(6) & 0xffff, dw(6) >>> 16, mask, gmEnd);
    }
    res.pixels += pixels;
    res.costNs += pixels * COST_PER_PIXEL_NS;
    return NEXT;
  }
}
