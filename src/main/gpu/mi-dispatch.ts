/**
 * The ring engines' MI command dispatch: one executor per MI command this GPU model executes,
 * keyed by the command key (miKey, the same constants the mediator's audit table uses), built
 * once. An MI command with no executor here faults. What each executor does lives in
 * mi-commands.ts; the flow control results (batch start/end, semaphore stall) are the Step values
 * engine.ts acts on.
 *
 * Source for the shape: GVT-g cmd_parser.c cmd_info (one table entry per command, found by opcode
 * through a hash per ring) — here a Map by key, looked up once per command.
 */
import { CMD_TYPE_2D, CMD_TYPE_3D, CMD_TYPE_MI, type CommandSpec, MI, MI_BATCH_PPGTT, MI_BATCH_SECOND_LEVEL, miKey } from '../../shared/commands';
import { BLT_RING_BASE, RENDER_RING_BASE } from '../../shared/regs';
import type { EngineId, ExecResult } from './engine';
import {
  type MiContext,
  addr64,
  displayFlip,
  flushDw,
  loadRegisterImm,
  loadRegisterMem,
  loadRegisterReg,
  math,
  predicate,
  predicateResult,
  semaphorePasses,
  storeDataImm,
  storeRegisterMem,
} from './mi-commands';

/** How execution continues after a command. */
export type Step =
  | { op: 'next' }
  | { op: 'stall' }
  | { op: 'end' }
  | { op: 'start'; target: number; second: boolean; ppgtt: boolean }
  | { op: 'fault'; reason: string };

export const NEXT: Step = { op: 'next' };
export const STALL: Step = { op: 'stall' };
export const END: Step = { op: 'end' };
/** A handler's verdict as a Step: undefined = carry on, a string = fault with that reason. */
export const fault = (reason: string | undefined): Step => (reason === undefined ? NEXT : { op: 'fault', reason });

/**
 * Executes one MI command: dw0, its length in dwords, a reader of its dwords (0 = header), the
 * engine's context, the kick's result (counters), the batch level (0 = ring) and the engine.
 */
export type MiExecutor = (dw0: number, len: number, dw: (i: number) => number, ctx: MiContext, res: ExecResult, depth: number, engine: EngineId) => Step;

/** Deepest batch level: ring = 0, first-level batch = 1, second-level batch = 2 (Gen8/9 hardware). */
export const MAX_BATCH_DEPTH = 2;
/** MI_BATCH_BUFFER_START dw0 bits. Source: genxml MI_BATCH_BUFFER_START. */
const BB_ADD_OFFSET = 1 << 16;
const BB_PREDICATION = 1 << 15;
/** CS_GPR: 16 64-bit general purpose registers at engine base + 0x600 (MI_MATH). Source: i915 GEN8_RING_CS_GPR. */
const CS_GPR = 0x600;
/** Engine MMIO bases (the GPRs MI_MATH works on are the engine's own). */
const ENGINE_MMIO_BASE: Record<EngineId, number> = { rcs: RENDER_RING_BASE, bcs: BLT_RING_BASE };

const next: MiExecutor = () => NEXT;

const batchBufferStart: MiExecutor = (dw0, len, dw, ctx, _res, depth) => {
  const ppgtt = (dw0 & MI_BATCH_PPGTT) !== 0;
  if (ppgtt && !ctx.ppgtt) return fault('PPGTT batch buffer in a context without a PPGTT (not a 48-bit PPGTT context)');
  if (dw0 & BB_ADD_OFFSET) return fault('Add Offset Enable is not modelled');
  if (len < 3) return fault(`${len} dwords is too short for its fields (needs 3)`);
  // Predication Enable: the batch is started only when MI_PREDICATE_RESULT is set.
  if (dw0 & BB_PREDICATION && !predicateResult(ctx)) return NEXT;
  const second = depth > 0 && (dw0 & MI_BATCH_SECOND_LEVEL) !== 0;
  if (second && depth >= MAX_BATCH_DEPTH) return fault(`batch nesting deeper than second level (called from a level-${depth} batch)`);
  return { op: 'start', target: addr64(dw(1) & ~3, dw(2)), second, ppgtt };
};

/** MI command key → executor: every MI command the engines execute. */
export const MI_EXECUTORS: ReadonlyMap<number, MiExecutor> = new Map<number, MiExecutor>([
  [miKey(MI.NOOP), next],
  [miKey(MI.ARB_CHECK), next],
  // Arbitration on/off: a no-op without preemption.
  [miKey(MI.ARB_ON_OFF), next],
  // The scan-line window counts as reached: scanout is atomic at vblank here.
  [miKey(MI.LOAD_SCAN_LINES_INCL), next],
  [miKey(MI.MATH), (_dw0, len, dw, ctx, _res, _depth, engine) => fault(math(ctx, ENGINE_MMIO_BASE[engine] + CS_GPR, len, dw))],
  [miKey(MI.PREDICATE), (dw0, _len, _dw, ctx) => fault(predicate(ctx, dw0))],
  [
    miKey(MI.USER_INTERRUPT),
    (_dw0, _len, _dw, _ctx, res) => {
      res.userInterrupts++;
      return NEXT;
    },
  ],
  [miKey(MI.STORE_DATA_IMM), (dw0, len, dw, ctx) => fault(storeDataImm(ctx, dw0, len, dw))],
  [miKey(MI.FLUSH_DW), (dw0, len, dw, ctx) => fault(flushDw(ctx, dw0, len, dw))],
  [miKey(MI.LOAD_REGISTER_IMM), (dw0, len, dw, ctx) => fault(loadRegisterImm(ctx, dw0, len, dw))],
  [miKey(MI.LOAD_REGISTER_MEM), (dw0, len, dw, ctx) => fault(loadRegisterMem(ctx, dw0, len, dw))],
  [miKey(MI.STORE_REGISTER_MEM), (dw0, len, dw, ctx) => fault(storeRegisterMem(ctx, dw0, len, dw))],
  [miKey(MI.LOAD_REGISTER_REG), (_dw0, len, dw, ctx) => fault(loadRegisterReg(ctx, len, dw))],
  [miKey(MI.DISPLAY_FLIP), (dw0, len, dw, ctx) => fault(displayFlip(ctx, dw0, len, dw))],
  [
    miKey(MI.SEMAPHORE_WAIT),
    (dw0, len, dw, ctx) => {
      const r = semaphorePasses(ctx, dw0, len, dw);
      return typeof r === 'string' ? fault(r) : r ? NEXT : STALL;
    },
  ],
  [miKey(MI.BATCH_BUFFER_END), () => END],
  [miKey(MI.BATCH_BUFFER_START), batchBufferStart],
]);

/**
 * Whether the engines execute a decoded command (on the engines in its genxml mask): an MI
 * command with an executor; every XY_* blitter command the decoder knows (engine.ts executeBlt);
 * every type-3 command (PIPE_CONTROL's post-sync executed, the rest decoded and charged by the
 * cost model, see engine.ts).
 */
export function engineExecutes(spec: CommandSpec): boolean {
  if (spec.type === CMD_TYPE_MI) return MI_EXECUTORS.has(spec.key);
  return spec.type === CMD_TYPE_2D || spec.type === CMD_TYPE_3D;
}
