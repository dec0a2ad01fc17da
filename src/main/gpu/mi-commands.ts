/**
 * Execution of the memory- and register-moving MI commands and PIPE_CONTROL's post-sync
 * operation, for the ring engines (engine.ts does the flow control: batch buffers, semaphore
 * stalls, the command budget). A command's address-space bit picks the GGTT or the context's PPGTT
 * (ppgtt.ts); PPGTT addressing in a context without one (a legacy 32-bit context) is refused.
 *
 * Field layouts: Mesa genxml gen9.xml (MI_STORE_DATA_IMM, MI_FLUSH_DW, PIPE_CONTROL,
 * MI_LOAD_REGISTER_IMM/MEM/REG, MI_STORE_REGISTER_MEM, MI_SEMAPHORE_WAIT, MI_MATH, MI_PREDICATE);
 * MI_DISPLAY_FLIP in its Skylake layout as GVT-g decodes it (cmd_parser.c
 * skl_decode_mi_display_flip, gen8_update_plane_mmio_from_mi_display_flip); the MI_MATH ALU as
 * Mesa's mi_builder.h and i915's MI_MATH_* encodings use it; CS timestamp rate: i915 intel_gt_clock_utils.c
 * (Skylake: 24 MHz crystal, CTC shift 1 → 12 MHz).
 *
 * Every function returns undefined on success or the reason the command cannot execute (the
 * engine turns that into a fault). None throws.
 */
import { displayFlipPlaneCode } from '../../shared/commands';
import { PLANE_STRIDE_1_A, PLANE_SURF_1_A } from '../../shared/regs';
import type { AddressSpace } from './gm-access';

/**
 * BAR0 MMIO as the engines see it: LRI/LRM/LRR/SRM, MI_DISPLAY_FLIP and indirect draw parameters
 * reach registers through this. Offsets are bytes from BAR0, 4-byte aligned, below 8 MiB (a
 * command's register field is bits 22:2). The GPU provides its own mmioRead/mmioWrite behind it;
 * no whitelist is applied here (that is the mediator's command scanner's job).
 */
export interface RegisterPort {
  read32(offset: number): number;
  write32(offset: number, value: number): void;
}

/** A port with no registers behind it: reads 0, drops writes. */
export const NO_REGISTERS: RegisterPort = { read32: () => 0, write32: () => undefined };

/** A display flip an engine executed (MI_DISPLAY_FLIP), as reported in ExecResult.flips. */
export interface DisplayFlip {
  /**
   * Display Plane Select, dw0 bits 12:8 (Skylake encoding, i915 MI_DISPLAY_FLIP_SKL_PLANE_*, as
   * GVT-g's skl_decode_mi_display_flip reads it): 0/1/2 = pipe A/B/C primary, 4/5/6 = pipe A/B/C
   * sprite.
   */
  plane: number;
  /** New surface GM address (dw2 bits 31:12). */
  surf: number;
  /** Pitch in bytes (dw1 bits 15:6, i.e. a multiple of 64). */
  pitch: number;
  /** Tile parameter, dw1 bits 2:0 (i915 tiling mode: 0 linear, 1 X, 2 Y). */
  tiling: number;
  /** Asynchronous flip (dw2 bits 1:0 = 1). */
  async: boolean;
  /** True when the flip was applied to plane registers; only pipe A's primary plane is modelled. */
  applied: boolean;
}

/** What the command handlers need from their engine. */
export interface MiContext {
  readonly ggtt: AddressSpace;
  /** The context's PPGTT (a 48-bit PPGTT context), or null (legacy 32-bit context: GGTT only). */
  readonly ppgtt: AddressSpace | null;
  readonly regs: RegisterPort;
  /** The engine's CS timestamp (ticks of CS_TIMESTAMP_HZ) at the command being executed. */
  timestamp(): number;
  /** Raise the engine's notify interrupt (PIPE_CONTROL / MI_FLUSH_DW Notify Enable). */
  notify(): void;
  /** Record an executed flip. */
  flip(f: DisplayFlip): void;
}

/** Skylake GT2 command streamer timestamp frequency (RING_TIMESTAMP, post-sync timestamps), Hz. */
export const CS_TIMESTAMP_HZ = 12_000_000;
/** CS timestamp ticks at emulated time `ns`. */
export const csTimestampTicks = (ns: number): number => Math.floor((Math.max(0, ns) * CS_TIMESTAMP_HZ) / 1e9);

/** MI_STORE_DATA_IMM / MI_LOAD_REGISTER_MEM / MI_STORE_REGISTER_MEM "Use Global GTT"; MI_SEMAPHORE_WAIT "Memory Type" (1 = GGTT). */
export const MI_USE_GGTT = 1 << 22;
/** MI_STORE_REGISTER_MEM Predicate Enable. */
export const MI_SRM_PREDICATE = 1 << 21;
/** Post-Sync Operation values (MI_FLUSH_DW dw0 bits 15:14, PIPE_CONTROL dw1 bits 15:14). */
export const POST_SYNC_NONE = 0;
export const POST_SYNC_WRITE_IMMEDIATE = 1;
export const POST_SYNC_WRITE_PS_DEPTH_COUNT = 2;
export const POST_SYNC_WRITE_TIMESTAMP = 3;
/** MI_FLUSH_DW: dw0 Notify Enable, Store Data Index; dw1 bit 2 Destination Address Type (1 = GGTT). */
export const MI_FLUSH_DW_NOTIFY = 1 << 8;
export const MI_FLUSH_DW_STORE_INDEX = 1 << 21;
export const MI_FLUSH_DW_USE_GTT = 1 << 2;
/** PIPE_CONTROL dw1 bits. Source: genxml PIPE_CONTROL, i915 PIPE_CONTROL_*. */
export const PIPE_CONTROL_NOTIFY_ENABLE = 1 << 8;
export const PIPE_CONTROL_STORE_DATA_INDEX = 1 << 21;
export const PIPE_CONTROL_LRI_POST_SYNC = 1 << 23;
export const PIPE_CONTROL_GLOBAL_GTT = 1 << 24;
/** MI_SEMAPHORE_WAIT dw0: Wait Mode (1 = polling, 0 = signal), Register Poll Mode; compare op bits 14:12. */
export const MI_SEMAPHORE_POLL = 1 << 15;
export const MI_SEMAPHORE_REGISTER_POLL = 1 << 16;
export const SEMAPHORE_COMPARE = {
  SAD_GREATER_THAN_SDD: 0,
  SAD_GREATER_THAN_OR_EQUAL_SDD: 1,
  SAD_LESS_THAN_SDD: 2,
  SAD_LESS_THAN_OR_EQUAL_SDD: 3,
  SAD_EQUAL_SDD: 4,
  SAD_NOT_EQUAL_SDD: 5,
} as const;
/** A register offset field (bits 22:2 of its dword). */
export const REGISTER_OFFSET_MASK = 0x7ffffc;

/** A 64-bit graphics address from its (lo, hi) dwords; the GPU uses 48 bits. */
export const addr64 = (lo: number, hi: number): number => (hi & 0xffff) * 2 ** 32 + (lo >>> 0);

const NO_PPGTT = 'PPGTT addressing in a context without a PPGTT (not a 48-bit PPGTT context)';

/** The address space a command's "Use Global GTT" style bit selects: GGTT when set, else the context's PPGTT (or a refusal). */
function space(c: MiContext, ggtt: boolean): AddressSpace | string {
  return ggtt ? c.ggtt : (c.ppgtt ?? NO_PPGTT);
}
const tooShort = (len: number, need: number): string => `${len} dwords is too short for its fields (needs ${need})`;

function writeQword(ggtt: AddressSpace, gm: number, value: number): void {
  ggtt.write32(gm, value % 2 ** 32);
  ggtt.write32(gm + 4, Math.floor(value / 2 ** 32) % 2 ** 32);
}

/** MI_STORE_DATA_IMM: store the len - 3 data dwords (one; two for the Store Qword form, DWord Length 3) at dw1-2. */
export function storeDataImm(c: MiContext, dw0: number, len: number, dw: (i: number) => number): string | undefined {
  const s = space(c, (dw0 & MI_USE_GGTT) !== 0);
  if (typeof s === 'string') return s;
  if (len < 4) return tooShort(len, 4);
  // Core ID (dw1 bit 0) selects the second slot of op_size bytes: GVT-g's
  // cmd_handler_mi_store_data_imm audits gma + op_size * core_id, so the write goes there.
  const bytes = (len - 3) * 4;
  const gm = addr64(dw(1) & ~3, dw(2)) + bytes * (dw(1) & 1);
  for (let k = 0; k < len - 3; k++) s.write32(gm + k * 4, dw(3 + k));
  return undefined;
}

/**
 * A post-sync write of `op` at address `gm` of space `s`: immediate data `data` (one or two dwords), the
 * PS depth count (always 0 here: nothing is rasterised) or the CS timestamp (both 64-bit).
 */
function postSync(c: MiContext, s: AddressSpace, op: number, gm: number, data: number[]): string | undefined {
  switch (op) {
    case POST_SYNC_WRITE_IMMEDIATE:
      data.forEach((v, k) => s.write32(gm + k * 4, v));
      return undefined;
    case POST_SYNC_WRITE_PS_DEPTH_COUNT:
      writeQword(s, gm, 0);
      return undefined;
    case POST_SYNC_WRITE_TIMESTAMP:
      writeQword(s, gm, c.timestamp());
      return undefined;
    default:
      return undefined;
  }
}

/**
 * MI_FLUSH_DW (Gen8, 5 dwords): caches are coherent in this model, so only the post-sync
 * operation (dw0 bits 15:14; 1 = write the immediate data dw3[-4] to the address in dw1-2, 3 =
 * write the 64-bit timestamp there, 2 reserved) and Notify Enable (dw0 bit 8) have effects.
 */
export function flushDw(c: MiContext, dw0: number, len: number, dw: (i: number) => number): string | undefined {
  const op = (dw0 >>> 14) & 3;
  if (op !== POST_SYNC_NONE) {
    if (op === POST_SYNC_WRITE_PS_DEPTH_COUNT) return 'post-sync operation 2 is reserved';
    if (dw0 & MI_FLUSH_DW_STORE_INDEX) return 'Store Data Index (HWSP-relative) post-sync writes are not modelled';
    const need = op === POST_SYNC_WRITE_IMMEDIATE ? 4 : 3;
    if (len < need) return tooShort(len, need);
    const s = space(c, (dw(1) & MI_FLUSH_DW_USE_GTT) !== 0);
    if (typeof s === 'string') return s;
    const data = op === POST_SYNC_WRITE_IMMEDIATE ? (len >= 5 ? [dw(3), dw(4)] : [dw(3)]) : [];
    postSync(c, s, op, addr64(dw(1) & ~7, dw(2)), data);
  }
  if (dw0 & MI_FLUSH_DW_NOTIFY) c.notify();
  return undefined;
}

/**
 * PIPE_CONTROL (Gen8, 6 dwords): flushes and invalidations are no-ops (caches are coherent, nothing
 * is rasterised); an LRI post-sync (dw1 bit 23) writes the immediate dw4 to the register in dw2;
 * otherwise the post-sync operation (dw1 bits 15:14: 1 = write immediate dw4[-5], 2 = write
 * PS_DEPTH_COUNT, 3 = write timestamp) goes to the address in dw2-3, which must be GGTT
 * (Destination Address Type, dw1 bit 24); Notify Enable (dw1 bit 8) raises the notify interrupt.
 */
export function pipeControl(c: MiContext, len: number, dw: (i: number) => number): string | undefined {
  if (len < 2) return tooShort(len, 2);
  const d1 = dw(1);
  const op = (d1 >>> 14) & 3;
  if (d1 & PIPE_CONTROL_LRI_POST_SYNC) {
    // LRI post-sync: the immediate data dw4 goes to the register in dw2 (bits 22:2).
    if (len < 5) return tooShort(len, 5);
    c.regs.write32(dw(2) & REGISTER_OFFSET_MASK, dw(4) >>> 0);
  } else if (op !== POST_SYNC_NONE) {
    if (d1 & PIPE_CONTROL_STORE_DATA_INDEX) return 'Store Data Index (HWSP-relative) post-sync writes are not modelled';
    const need = op === POST_SYNC_WRITE_IMMEDIATE ? 5 : 4;
    if (len < need) return tooShort(len, need);
    const s = space(c, (d1 & PIPE_CONTROL_GLOBAL_GTT) !== 0);
    if (typeof s === 'string') return s;
    const qword = op !== POST_SYNC_WRITE_IMMEDIATE || len >= 6;
    const data = op === POST_SYNC_WRITE_IMMEDIATE ? (qword ? [dw(4), dw(5)] : [dw(4)]) : [];
    postSync(c, s, op, addr64(dw(2) & (qword ? ~7 : ~3), dw(3)), data);
  }
  if (d1 & PIPE_CONTROL_NOTIFY_ENABLE) c.notify();
  return undefined;
}

/**
 * MI_LOAD_REGISTER_IMM: (offset, value) pairs after the header. Byte Write Disables (dw0 bits
 * 11:8, bit 8 = byte 0) keep those bytes of the register's current value.
 */
export function loadRegisterImm(c: MiContext, dw0: number, len: number, dw: (i: number) => number): string | undefined {
  if (len < 3 || (len - 1) % 2 !== 0) return `${len} dwords is not a header plus (offset, value) pairs`;
  const disables = (dw0 >>> 8) & 0xf;
  let keep = 0;
  for (let b = 0; b < 4; b++) if (disables & (1 << b)) keep |= 0xff << (b * 8);
  for (let k = 1; k + 1 < len; k += 2) {
    const offset = dw(k) & REGISTER_OFFSET_MASK;
    let value = dw(k + 1);
    if (keep) value = ((c.regs.read32(offset) & keep) | (value & ~keep)) >>> 0;
    c.regs.write32(offset, value >>> 0);
  }
  return undefined;
}

/** MI_LOAD_REGISTER_MEM: register dw1 ← the dword at GGTT address dw2-3. */
export function loadRegisterMem(c: MiContext, dw0: number, len: number, dw: (i: number) => number): string | undefined {
  const s = space(c, (dw0 & MI_USE_GGTT) !== 0);
  if (typeof s === 'string') return s;
  if (len < 4) return tooShort(len, 4);
  c.regs.write32(dw(1) & REGISTER_OFFSET_MASK, s.read32(addr64(dw(2) & ~3, dw(3))) >>> 0);
  return undefined;
}

/** MI_STORE_REGISTER_MEM: the dword at GGTT address dw2-3 ← register dw1; with Predicate Enable only when MI_PREDICATE_RESULT is set. */
export function storeRegisterMem(c: MiContext, dw0: number, len: number, dw: (i: number) => number): string | undefined {
  const s = space(c, (dw0 & MI_USE_GGTT) !== 0);
  if (typeof s === 'string') return s;
  if (len < 4) return tooShort(len, 4);
  if (dw0 & MI_SRM_PREDICATE && !predicateResult(c)) return undefined;
  s.write32(addr64(dw(2) & ~3, dw(3)), c.regs.read32(dw(1) & REGISTER_OFFSET_MASK) >>> 0);
  return undefined;
}

/** MI_LOAD_REGISTER_REG: register dw2 ← register dw1. */
export function loadRegisterReg(c: MiContext, len: number, dw: (i: number) => number): string | undefined {
  if (len < 3) return tooShort(len, 3);
  c.regs.write32(dw(2) & REGISTER_OFFSET_MASK, c.regs.read32(dw(1) & REGISTER_OFFSET_MASK) >>> 0);
  return undefined;
}

/**
 * MI_SEMAPHORE_WAIT (Gen8, 4 dwords): compares the dword at GGTT address dw2-3 (SAD) with the
 * inline data dw1 (SDD), unsigned, by dw0 bits 14:12. Returns true when the condition holds (the
 * engine continues), false when it does not (the engine stalls there, in either wait mode), or a
 * fault string.
 */
export function semaphorePasses(c: MiContext, dw0: number, len: number, dw: (i: number) => number): boolean | string {
  const s = space(c, (dw0 & MI_USE_GGTT) !== 0);
  if (typeof s === 'string') return s;
  if (dw0 & MI_SEMAPHORE_REGISTER_POLL) return 'Register Poll Mode is not modelled';
  if (len < 4) return tooShort(len, 4);
  const sad = s.read32(addr64(dw(2) & ~3, dw(3))) >>> 0;
  const sdd = dw(1) >>> 0;
  switch ((dw0 >>> 12) & 7) {
    case SEMAPHORE_COMPARE.SAD_GREATER_THAN_SDD:
      return sad > sdd;
    case SEMAPHORE_COMPARE.SAD_GREATER_THAN_OR_EQUAL_SDD:
      return sad >= sdd;
    case SEMAPHORE_COMPARE.SAD_LESS_THAN_SDD:
      return sad < sdd;
    case SEMAPHORE_COMPARE.SAD_LESS_THAN_OR_EQUAL_SDD:
      return sad <= sdd;
    case SEMAPHORE_COMPARE.SAD_EQUAL_SDD:
      return sad === sdd;
    case SEMAPHORE_COMPARE.SAD_NOT_EQUAL_SDD:
      return sad !== sdd;
    default:
      return `compare operation ${(dw0 >>> 12) & 7} is reserved`;
  }
}

/**
 * MI_DISPLAY_FLIP (Gen9 layout, 3 dwords): plane select dw0 bits 12:8, pitch dw1 bits 15:6 (64 B
 * units), tiling dw1 bits 2:0, surface dw2 bits 31:12. For pipe A's primary plane (select 0) the
 * flip is applied as GVT-g applies a Gen9 flip: PLANE_STRIDE_1_A bits 9:0 ← the pitch in 64 B units,
 * PLANE_SURF_1_A bits 31:12 ← the surface (low bits kept), through the register port. The other
 * planes (pipe B/C, sprites) are recorded with applied = false but change nothing: this GPU models
 * only pipe A's primary plane. Tiling is reported, not written to PLANE_CTL (the plane's tiling
 * is the driver's PLANE_CTL programming). The flip is immediate; no flip-done event is raised here.
 */
export function displayFlip(c: MiContext, dw0: number, len: number, dw: (i: number) => number): string | undefined {
  if (len < 3) return tooShort(len, 3);
  const d1 = dw(1);
  const d2 = dw(2);
  const flip: DisplayFlip = { plane: displayFlipPlaneCode(dw0), surf: (d2 & 0xfffff000) >>> 0, pitch: d1 & 0xffc0, tiling: d1 & 7, async: (d2 & 3) === 1, applied: false };
  if (flip.plane === 0) {
    c.regs.write32(PLANE_STRIDE_1_A, ((c.regs.read32(PLANE_STRIDE_1_A) & ~0x3ff) | (flip.pitch >>> 6)) >>> 0);
    c.regs.write32(PLANE_SURF_1_A, ((c.regs.read32(PLANE_SURF_1_A) & 0xfff) | flip.surf) >>> 0);
    flip.applied = true;
  }
  c.flip(flip);
  return undefined;
}

/** MI_PREDICATE registers (RCS, 64-bit sources). Source: i915 MI_PREDICATE_SRC0/SRC1/RESULT (0x2400, 0x2408, 0x2418). */
export const MI_PREDICATE_SRC0 = 0x2400;
export const MI_PREDICATE_SRC1 = 0x2408;
export const MI_PREDICATE_RESULT = 0x2418;

/** The predicate the render engine holds (MI_PREDICATE_RESULT bit 0). */
export const predicateResult = (c: MiContext): boolean => (c.regs.read32(MI_PREDICATE_RESULT) & 1) !== 0;

const read64 = (c: MiContext, offset: number): bigint => (BigInt(c.regs.read32(offset + 4) >>> 0) << 32n) | BigInt(c.regs.read32(offset) >>> 0);
const write64 = (c: MiContext, offset: number, v: bigint): void => {
  c.regs.write32(offset, Number(v & 0xffffffffn));
  c.regs.write32(offset + 4, Number((v >> 32n) & 0xffffffffn));
};

/**
 * MI_PREDICATE (1 dword, RCS): Compare Operation bits 1:0 (0 TRUE, 1 FALSE, 2 SRCS_EQUAL: SRC0 ==
 * SRC1 as 64-bit values; 3 DELTAS_EQUAL is not modelled and faults), Combine Operation bits 4:3
 * (SET, AND, OR, XOR of the current predicate with the loaded value), Load Operation bits 7:6
 * (0 KEEP the current predicate, 2 LOAD the comparison, 3 LOADINV its inverse). The result lands
 * in MI_PREDICATE_RESULT bit 0. Source: genxml MI_PREDICATE; i915 MI_PREDICATE_LOAD_* /
 * MI_PREDICATE_COMBINE_* / MI_PREDICATE_COMPARE_*.
 */
export function predicate(c: MiContext, dw0: number): string | undefined {
  const compare = dw0 & 3;
  if (compare === 3) return 'COMPARE_DELTAS_EQUAL is not modelled';
  const result = compare === 0 ? true : compare === 1 ? false : read64(c, MI_PREDICATE_SRC0) === read64(c, MI_PREDICATE_SRC1);
  const current = predicateResult(c);
  const load = (dw0 >>> 6) & 3;
  if (load === 1) return 'Load Operation 1 is reserved';
  const loaded = load === 0 ? current : load === 3 ? !result : result;
  const combine = (dw0 >>> 3) & 3;
  const next = combine === 0 ? loaded : combine === 1 ? current && loaded : combine === 2 ? current || loaded : current !== loaded;
  c.regs.write32(MI_PREDICATE_RESULT, next ? 1 : 0);
  return undefined;
}

/** MI_MATH ALU opcodes (instruction bits 31:20) and operands (bits 19:10, 9:0). Source: i915 MI_MATH_* (intel_gpu_commands.h), Mesa mi_builder.h. */
export const ALU = {
  NOOP: 0x000,
  LOAD: 0x080,
  LOADINV: 0x480,
  LOAD0: 0x081,
  LOAD1: 0x481,
  ADD: 0x100,
  SUB: 0x101,
  AND: 0x102,
  OR: 0x103,
  XOR: 0x104,
  STORE: 0x180,
  STOREINV: 0x580,
} as const;
export const ALU_REG = { SRCA: 0x20, SRCB: 0x21, ACCU: 0x31, ZF: 0x32, CF: 0x33 } as const;
/** One ALU instruction dword. */
export const aluInstr = (op: number, a: number, b: number): number => ((op << 20) | (a << 10) | b) >>> 0;

const MASK64 = (1n << 64n) - 1n;

/**
 * MI_MATH (header + ALU instructions): the command streamer ALU over the engine's 16 64-bit
 * general purpose registers (CS_GPR, engine base + 0x600, lo dword first) and its SRCA, SRCB,
 * ACCU, ZF and CF registers. LOAD/LOADINV copy a GPR or flag (inverted) into SRCA/SRCB,
 * LOAD0/LOAD1 load 0 / 1; ADD/SUB/AND/OR/XOR put SRCA op SRCB in ACCU and set ZF (ACCU = 0) and
 * CF (carry out of ADD, borrow of SUB); STORE/STOREINV copy ACCU/ZF/CF/SRCA/SRCB (inverted) into a
 * GPR; a flag reads as all ones when set. Only GPRs 0..15 are stored to. `gprBase` is the engine's
 * CS_GPR offset. Source: Mesa mi_builder.h (MI_ALU_* and its use of CF/ZF), i915 MI_MATH_*.
 */
export function math(c: MiContext, gprBase: number, len: number, dw: (i: number) => number): string | undefined {
  const s = { srca: 0n, srcb: 0n, accu: 0n, zf: 0n, cf: 0n };
  const flag = (b: boolean): bigint => (b ? MASK64 : 0n);
  const get = (operand: number): bigint | undefined => {
    if (operand < 16) return read64(c, gprBase + operand * 8);
    if (operand === ALU_REG.SRCA) return s.srca;
    if (operand === ALU_REG.SRCB) return s.srcb;
    if (operand === ALU_REG.ACCU) return s.accu;
    if (operand === ALU_REG.ZF) return s.zf;
    if (operand === ALU_REG.CF) return s.cf;
    return undefined;
  };
  for (let k = 1; k < len; k++) {
    const ins = dw(k) >>> 0;
    const op = ins >>> 20;
    const a = (ins >>> 10) & 0x3ff;
    const b = ins & 0x3ff;
    const bad = (): string => `ALU instruction ${k} (0x${ins.toString(16).padStart(8, '0')}) has an invalid operand`;
    switch (op) {
      case ALU.NOOP:
        break;
      case ALU.LOAD:
      case ALU.LOADINV: {
        const v = get(b);
        if (v === undefined || (a !== ALU_REG.SRCA && a !== ALU_REG.SRCB)) return bad();
        const value = op === ALU.LOADINV ? ~v & MASK64 : v;
        if (a === ALU_REG.SRCA) s.srca = value;
        else s.srcb = value;
        break;
      }
      case ALU.LOAD0:
      case ALU.LOAD1:
        if (a !== ALU_REG.SRCA && a !== ALU_REG.SRCB) return bad();
        if (a === ALU_REG.SRCA) s.srca = op === ALU.LOAD1 ? 1n : 0n;
        else s.srcb = op === ALU.LOAD1 ? 1n : 0n;
        break;
      case ALU.ADD:
      case ALU.SUB:
      case ALU.AND:
      case ALU.OR:
      case ALU.XOR: {
        let r: bigint;
        if (op === ALU.ADD) r = s.srca + s.srcb;
        else if (op === ALU.SUB) r = s.srca - s.srcb;
        else if (op === ALU.AND) r = s.srca & s.srcb;
        else if (op === ALU.OR) r = s.srca | s.srcb;
        else r = s.srca ^ s.srcb;
        s.cf = flag(op === ALU.ADD ? r > MASK64 : op === ALU.SUB ? r < 0n : false);
        s.accu = r & MASK64;
        s.zf = flag(s.accu === 0n);
        break;
      }
      case ALU.STORE:
      case ALU.STOREINV: {
        const v = get(b);
        if (v === undefined || a >= 16) return bad();
        write64(c, gprBase + a * 8, op === ALU.STOREINV ? ~v & MASK64 : v);
        break;
      }
      default:
        return `ALU instruction ${k} has unknown opcode 0x${op.toString(16)}`;
    }
  }
  return undefined;
}
