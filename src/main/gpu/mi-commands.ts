/**
 * Execution of the memory- and register-moving MI commands and PIPE_CONTROL's post-sync
 * operation, for the ring engines (engine.ts does the flow control: batch buffers, semaphore
 * stalls, the command budget). A command's address-space bit picks the GGTT or the context's PPGTT
 * (ppgtt.ts); PPGTT addressing in a context without one (a legacy 32-bit context) is refused.
 *
 * Field layouts: Mesa genxml gen9.xml (MI_STORE_DATA_IMM, MI_FLUSH_DW, PIPE_CONTROL,
 * MI_LOAD_REGISTER_IMM/MEM/REG, MI_STORE_REGISTER_MEM, MI_SEMAPHORE_WAIT); MI_DISPLAY_FLIP in its
 * Gen8 layout as GVT-g decodes it (cmd_parser.c gen8_decode_mi_display_flip,
 * gen8_update_plane_mmio_from_mi_display_flip); CS timestamp rate: i915 intel_gt_clock_utils.c
 * (Skylake: 24 MHz crystal, CTC shift 1 → 12 MHz).
 *
 * Every function returns undefined on success or the reason the command cannot execute (the
 * engine turns that into a fault). None throws.
 */
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
   * Display Plane Select, dw0 bits 21:19 (Gen8 encoding, as GVT-g decodes it): 0 = pipe A
   * primary, 1 = pipe B primary, 2 = pipe A sprite, 3 = pipe B sprite, 4 = pipe C primary,
   * 5 = pipe C sprite.
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
  const gm = addr64(dw(1) & ~3, dw(2));
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
 * is rasterised); the post-sync operation (dw1 bits 15:14: 1 = write immediate dw4[-5], 2 = write
 * PS_DEPTH_COUNT, 3 = write timestamp) goes to the address in dw2-3, which must be GGTT
 * (Destination Address Type, dw1 bit 24); Notify Enable (dw1 bit 8) raises the notify interrupt.
 */
export function pipeControl(c: MiContext, len: number, dw: (i: number) => number): string | undefined {
  if (len < 2) return tooShort(len, 2);
  const d1 = dw(1);
  const op = (d1 >>> 14) & 3;
  if (op !== POST_SYNC_NONE) {
    if (d1 & PIPE_CONTROL_LRI_POST_SYNC) return 'LRI post-sync operation (write to a register) is not modelled';
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

/** MI_STORE_REGISTER_MEM: the dword at GGTT address dw2-3 ← register dw1. Predication is not modelled. */
export function storeRegisterMem(c: MiContext, dw0: number, len: number, dw: (i: number) => number): string | undefined {
  const s = space(c, (dw0 & MI_USE_GGTT) !== 0);
  if (typeof s === 'string') return s;
  if (dw0 & MI_SRM_PREDICATE) return 'predicated MI_STORE_REGISTER_MEM is not modelled (no MI_PREDICATE state)';
  if (len < 4) return tooShort(len, 4);
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
 * MI_DISPLAY_FLIP (Gen8 layout, 3 dwords): plane select dw0 bits 21:19, pitch dw1 bits 15:6 (64 B
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
  const flip: DisplayFlip = { plane: (dw0 >>> 19) & 7, surf: (d2 & 0xfffff000) >>> 0, pitch: d1 & 0xffc0, tiling: d1 & 7, async: (d2 & 3) === 1, applied: false };
  if (flip.plane === 0) {
    c.regs.write32(PLANE_STRIDE_1_A, ((c.regs.read32(PLANE_STRIDE_1_A) & ~0x3ff) | (flip.pitch >>> 6)) >>> 0);
    c.regs.write32(PLANE_SURF_1_A, ((c.regs.read32(PLANE_SURF_1_A) & 0xfff) | flip.surf) >>> 0);
    flip.applied = true;
  }
  c.flip(flip);
  return undefined;
}
