/**
 * Command scanner: decodes every command a guest submits — in its ring and in every batch buffer
 * the ring calls — and audits it before anything can reach the physical engine. Lengths and
 * engines come from the genxml table; every GM address a command touches must lie inside the
 * submitting vGPU's ranges; register accesses from commands (LRI/LRM/LRR/SRM) only to the
 * F_CMD_ACCESS whitelist; privileged or unknown commands are rejected; batch buffers are copied
 * (shadowed) as they are scanned, with a bounded nesting depth and size, so the engine only ever
 * executes scanned copies. MI_DISPLAY_FLIP is emulated: removed from the copy and applied to the
 * vGPU's virtual plane. Source: GVT-g cmd_parser.c (cmd_info, audit handlers, perform_bb_shadow,
 * cmd_handler_mi_display_flip).
 *
 * The policy is GVT-g's cmd_info table with its handlers: accepted as they are (no handler) —
 * MI_NOOP, MI_ARB_CHECK, MI_ARB_ON_OFF, MI_USER_INTERRUPT, MI_BATCH_BUFFER_END, MI_MATH,
 * MI_PREDICATE (RCS), MI_LOAD_SCAN_LINES_INCL; audited — MI_STORE_DATA_IMM, MI_FLUSH_DW and
 * PIPE_CONTROL (post-sync writes, Store Data Index relocated into the HWSP), LRI/LRM/SRM/LRR
 * (cmd_reg_handler), MI_BATCH_BUFFER_START
 * (cmd_handler_mi_batch_buffer_start), MI_DISPLAY_FLIP; refused as GVT-g's unexpected_cmd does —
 * MI_SEMAPHORE_WAIT, MI_STORE_DATA_INDEX, MI_CONDITIONAL_BATCH_BUFFER_END, MI_REPORT_PERF_COUNT,
 * MI_CLFLUSH, MI_UPDATE_GTT, MI_COPY_MEM_MEM (MI_OP_2E). GVT-g accepts a few MI commands this
 * engine does not execute (MI_ATOMIC, MI_SET_PREDICATE, MI_WAIT_FOR_EVENT, MI_SUSPEND_FLUSH, MI_REPORT_HEAD,
 * MI_URB_*, MI_RS_*, MI_SEMAPHORE_SIGNAL, MI_TOPOLOGY_FILTER, MI_SET_APPID, MI_LOAD_URB_MEM,
 * MI_STORE_URB_MEM): they stay refused here rather than fault the physical engine.
 */
import { BLT_DST_TILED, BLT_SRC_TILED, ENGINE, MI, MI_BATCH_PPGTT, MI_BATCH_SECOND_LEVEL, MI_NOOP, BLT, CMD_TYPE_2D, CMD_TYPE_3D, CMD_TYPE_MI, SKL_FLIP_PLANES, bltOpcode, cmdType, commandName, decodeHeader, displayFlipPlaneCode, miOpcode } from '../../shared/commands';
import type { EngineId } from '../gpu/engine';
import { addr64 } from '../gpu/engine';
import { rectPixels } from '../gpu/blitter';
import { MMIO_SPACE_BYTES } from '../gpu/gpu';
import { cmdAccessAllowed } from './mmio-table';
import type { Vgpu } from './vgpu';

/** Most dwords of batch buffer one workload may call (what the host's shadow batch area holds). */
export const MAX_BATCH_DWORDS = (1 << 20) / 4;
/** Ring = level 0, first-level batch = 1, second-level batch = 2 (the Gen9 hardware limit). */
export const MAX_BATCH_LEVEL = 2;
/** Most distinct batch buffers one workload may call or chain to. */
export const MAX_BATCH_SEGMENTS = 64;

/** A display flip found in the stream, emulated on the virtual plane when the workload completes. */
export interface FlipRequest {
  /** Skylake plane select code, dw0 bits 12:8 (0 = pipe A primary, the only one virtualised). */
  plane: number;
  /** New surface GM address and pitch in bytes. */
  surf: number;
  pitch: number;
}

export interface ScannedWorkload {
  commands: number;
  /** Segment 0 is the ring copy; the others are shadowed batch buffers. */
  segments: Uint32Array[];
  /** MI_BATCH_BUFFER_START at dword `at` of `segment` must be patched to point at `target`. */
  patches: { segment: number; at: number; target: number }[];
  flips: FlipRequest[];
}

export type ScanResult = ({ ok: true } & ScannedWorkload) | { ok: false; reason: string; segment: number; offset: number };

/** Reads a guest dword at a GM address through the GGTT (undefined when not mapped). */
export type GmReader = (gm: number) => number | undefined;

class Reject extends Error {
  constructor(
    readonly reason: string,
    readonly segment: number,
    readonly offset: number,
  ) {
    super(reason);
  }
}

const ENGINE_BIT: Record<EngineId, number> = { rcs: ENGINE.RENDER, bcs: ENGINE.BLITTER };
const PIPE_CONTROL_KEY = 0x7a00; // type 3, subtype 3, opcode 2, subopcode 0 (bits 31:16)

/**
 * Scan a workload: the ring copy `ring` (dwords, starting on a command) and every batch it calls.
 * `ppgtt` reads through the context's shadow PPGTT (a 48-bit PPGTT context; null for a legacy
 * one): PPGTT batch buffers are read and shadowed through it, and PPGTT-addressed accesses are
 * allowed (still range-checked like GGTT ones, see audit).
 */
export function scanWorkload(v: Vgpu, engine: EngineId, ring: Uint32Array, read: GmReader, ppgtt: GmReader | null = null): ScanResult {
  const out: ScannedWorkload = { commands: 0, segments: [ring], patches: [], flips: [] };
  const byAddress = new Map<number, number>();
  let batchDwords = 0;
  /** Work list of (segment, level); batch segments are filled as they are scanned. */
  const todo: { segment: number; level: number; gm: number; viaPpgtt: boolean }[] = [{ segment: 0, level: 0, gm: -1, viaPpgtt: false }];
  try {
    while (todo.length > 0) {
      const { segment, level, gm, viaPpgtt } = todo.shift()!;
      const fetch = viaPpgtt && ppgtt ? ppgtt : read;
      const grow: number[] = [];
      let i = 0;
      for (;;) {
        // The ring copy is fixed; a batch is copied from guest memory a command at a time.
        const dw = (k: number): number => {
          if (segment === 0) {
            if (i + k >= ring.length) throw new Reject(`command at dword ${i} runs past the ring tail`, segment, i * 4);
            return ring[i + k];
          }
          while (grow.length <= i + k) {
            const value = fetch(gm + grow.length * 4);
            if (value === undefined || !v.ownsGm(gm + grow.length * 4, 4)) throw new Reject(`batch buffer at GM 0x${gm.toString(16)} runs into memory outside the vGPU's graphics memory`, segment, grow.length * 4);
            if (++batchDwords > MAX_BATCH_DWORDS) throw new Reject(`batch buffers exceed ${MAX_BATCH_DWORDS * 4} B (unterminated batch?)`, segment, grow.length * 4);
            grow.push(value);
          }
          return grow[i + k];
        };
        if (segment === 0 && i >= ring.length) break;
        const dw0 = dw(0);
        const info = decodeHeader(dw0, ENGINE_BIT[engine]);
        if (!info) throw new Reject(`unknown command ${commandName(dw0)}`, segment, i * 4);
        if ((info.engines & ENGINE_BIT[engine]) === 0) throw new Reject(`${info.name} is not valid on ${engine}`, segment, i * 4);
        dw(info.length - 1); // the whole command must be there
        const patch = (k: number, value: number): void => {
          if (segment === 0) ring[i + k] = value >>> 0;
          else grow[i + k] = value >>> 0;
        };
        const problem = audit(v, engine, info.name, dw0, info.length, dw, patch, ppgtt !== null);
        if (problem) throw new Reject(`${info.name}: ${problem}`, segment, i * 4);
        out.commands++;
        const type = cmdType(dw0);
        if (type === CMD_TYPE_MI && miOpcode(dw0) === MI.DISPLAY_FLIP) {
          out.flips.push({ plane: displayFlipPlaneCode(dw0), surf: (dw(2) & 0xfffff000) >>> 0, pitch: dw(1) & 0xffc0 });
          // Emulated, never executed: the physical plane belongs to whoever is in the foreground.
          for (let k = 0; k < info.length; k++) {
            if (segment === 0) ring[i + k] = MI_NOOP;
            else grow[i + k] = MI_NOOP;
          }
        }
        if (type === CMD_TYPE_MI && miOpcode(dw0) === MI.BATCH_BUFFER_START) {
          const second = (dw0 & MI_BATCH_SECOND_LEVEL) !== 0;
          // cmd_handler_mi_batch_buffer_start: nothing starts from a second-level batch, and a
          // second-level batch is only called from a first-level one.
          if (level === MAX_BATCH_LEVEL) throw new Reject('MI_BATCH_BUFFER_START in a second-level batch buffer', segment, i * 4);
          if (second && level === 0) throw new Reject('MI_BATCH_BUFFER_START: jumping to a second-level batch buffer from the ring is not allowed', segment, i * 4);
          const batchPpgtt = (dw0 & MI_BATCH_PPGTT) !== 0;
          if (batchPpgtt && !ppgtt) throw new Reject('MI_BATCH_BUFFER_START: PPGTT batch buffer in a context without a PPGTT', segment, i * 4);
          const target = addr64(dw(1) & ~3, dw(2));
          const next = second ? level + 1 : Math.max(level, 1);
          if (!v.ownsGm(target, 4)) throw new Reject(`MI_BATCH_BUFFER_START: batch buffer GM 0x${target.toString(16)} is outside the vGPU's graphics memory`, segment, i * 4);
          const key = batchPpgtt ? -1 - target : target; // one GM address may name two batches (GGTT and PPGTT)
          let t = byAddress.get(key);
          if (t === undefined) {
            if (out.segments.length > MAX_BATCH_SEGMENTS) throw new Reject(`more than ${MAX_BATCH_SEGMENTS} batch buffers in one workload`, segment, i * 4);
            t = out.segments.length;
            out.segments.push(new Uint32Array(0));
            byAddress.set(key, t);
            todo.push({ segment: t, level: next, gm: target, viaPpgtt: batchPpgtt });
          }
          out.patches.push({ segment, at: i, target: t });
          // A chained (first-level) jump never returns: the rest of this batch is not executed.
          if (level > 0 && !second) {
            i += info.length;
            break;
          }
        }
        i += info.length;
        if (segment !== 0 && type === CMD_TYPE_MI && miOpcode(dw0) === MI.BATCH_BUFFER_END) break;
      }
      if (segment !== 0) out.segments[segment] = Uint32Array.from(grow.slice(0, i));
    }
  } catch (e) {
    if (e instanceof Reject) return { ok: false, reason: e.reason, segment: e.segment, offset: e.offset };
    throw e;
  }
  return { ok: true, ...out };
}

/** GVT-g cmd_info F_LEN_VAR_FIXED: commands whose length must be exactly this (cmd_parser_exec). */
const VALID_LENGTH: Readonly<Partial<Record<number, number>>> = {
  [MI.STORE_REGISTER_MEM]: 4,
  [MI.LOAD_REGISTER_MEM]: 4,
  [MI.LOAD_REGISTER_REG]: 3,
};
/** cmd_handler_lri: at most 127 dwords (GVT-g's MAX_VALID_LEN). */
const LRI_MAX_LENGTH = 127;
/** Store Data Index bit: MI_FLUSH_DW dw0 bit 21, PIPE_CONTROL dw1 bit 21. */
const STORE_DATA_INDEX = 1 << 21;
/** PIPE_CONTROL dw1: LRI Post-Sync Operation (bit 23), Destination Address Type GGTT (bit 24). */
const PIPE_CONTROL_MMIO_WRITE = 1 << 23;
const PIPE_CONTROL_GLOBAL_GTT = 1 << 24;
/** Registers PIPE_CONTROL's post-sync 2 (PS_DEPTH_COUNT) and 3 (TIMESTAMP) read: GVT-g checks them with cmd_reg_handler. */
const PS_DEPTH_COUNT = 0x2350;
const RCS_TIMESTAMP = 0x2358;
/** MI_PREDICATE Compare Operation 3 (genxml COMPARE_DELTAS_EQUAL). */
const PREDICATE_COMPARE_DELTAS_EQUAL = 3;
/** A hardware status page is one 4 KiB page; Store Data Index offsets are within it (cmd_address_audit index_mode). */
const HWSP_BYTES = 4096;

/**
 * Audit one command; returns the problem, or undefined when it may run. `patch(k, value)` rewrites
 * dword k of the shadow copy (Store Data Index relocation, as GVT-g's patch_value); ppgtt: the
 * context has a (shadowed) PPGTT, so PPGTT-addressed accesses are allowed.
 */
function audit(v: Vgpu, engine: EngineId, name: string, dw0: number, len: number, dw: (i: number) => number, patch: (k: number, value: number) => void, ppgtt: boolean): string | undefined {
  const gm = (addr: number, bytes: number, what: string): string | undefined =>
    v.ownsGm(addr, bytes) ? undefined : `${what} GM 0x${addr.toString(16)}+${bytes} is outside the vGPU's graphics memory`;
  // cmd_reg_handler: inside the MMIO space and F_CMD_ACCESS. Its narrower branches (FORCE_NONPRIV
  // values only by LRI and from a whitelist, the shadowed BB registers, DERRMR/FORCEWAKE_MT
  // redirected to PVINFO, MOCS) act on registers this table does not mark F_CMD_ACCESS, so
  // they are refused here by the whitelist itself.
  const reg = (offset: number, what: string): string | undefined =>
    offset + 4 > MMIO_SPACE_BYTES
      ? `${what} register 0x${(offset >>> 0).toString(16)} is outside the MMIO range`
      : cmdAccessAllowed(offset)
        ? undefined
        : `${what} register 0x${(offset >>> 0).toString(16)} is not accessible from commands`;
  // PPGTT-addressed accesses go through the shadow PPGTT (only the VM's own RAM); the GM range check after it still applies.
  const ggtt = (bit: number, what: string): string | undefined => ((dw0 & (1 << bit)) !== 0 || ppgtt ? undefined : `${what} uses PPGTT addressing in a context without a PPGTT`);
  const length = (valid: number): string | undefined => (len === valid ? undefined : `length ${len} dwords is not valid (must be ${valid})`);
  /**
   * A Store Data Index post-sync write (GVT-g: cmd_address_audit with index_mode, then patch_value):
   * the offset must lie inside the hardware status page, and the copy is rewritten to the HWSP's
   * own GGTT address (the guest's RING_HWS_PGA, hws_pga_write) with the index bit cleared.
   */
  const storeIndex = (offset: number, addrDword: number, indexDword: number, indexWord: number): string | undefined => {
    if (offset >= HWSP_BYTES) return `Store Data Index offset 0x${offset.toString(16)} is outside the hardware status page`;
    const hws = v.hwsPga[engine] & 0xfffff000; // as hws_pga_write stored it
    if (hws === 0 || !v.ownsGm(hws, HWSP_BYTES)) return `Store Data Index: the ${engine} hardware status page (RING_HWS_PGA 0x${hws.toString(16)}) is not in the vGPU's graphics memory`;
    // Where we differ from GVT-g: its patch_value writes hws_pga + offset over MI_FLUSH_DW's dw1 and
    // so drops bit 2 (Use Global GTT) with the rest of bits 2:0; they are kept here, or the write
    // would go through the PPGTT (PIPE_CONTROL keeps its GGTT bit in dw1 and has 0 there).
    patch(addrDword, (hws + offset) | (dw(addrDword) & 7));
    patch(addrDword + 1, 0);
    patch(indexDword, indexWord & ~STORE_DATA_INDEX);
    return undefined;
  };
  const type = cmdType(dw0);
  if (type === CMD_TYPE_MI) {
    const op = miOpcode(dw0);
    const fixed = VALID_LENGTH[op];
    if (fixed !== undefined && len !== fixed) return length(fixed);
    switch (op) {
      case MI.NOOP:
      case MI.USER_INTERRUPT:
      case MI.ARB_CHECK:
      case MI.ARB_ON_OFF:
      case MI.MATH:
      case MI.LOAD_SCAN_LINES_INCL:
      case MI.BATCH_BUFFER_END:
      case MI.BATCH_BUFFER_START: // audited by the caller (it needs the batch level)
        return undefined;
      case MI.STORE_DATA_IMM: {
        // cmd_handler_mi_store_data_imm: 4 dwords, 5 with Store Qword (bit 21); core_id (dw1 bit 0) selects the second slot.
        const bad = ggtt(22, 'store') ?? length((dw0 & (1 << 21)) !== 0 ? 5 : 4);
        if (bad) return bad;
        const bytes = (len - 3) * 4;
        return gm(addr64(dw(1) & ~3, dw(2)) + bytes * (dw(1) & 1), bytes, 'store');
      }
      case MI.ATOMIC:
        // GVT-g accepts it (cmd_handler_mi_op_2f audits the address); this engine does not execute
        // atomics (their operands come from inline data or the GPRs, with return-data and post-sync
        // forms), so it stays refused rather than fault the physical engine.
        return 'MI_ATOMIC is not executed by this GPU model';
      case MI.PREDICATE:
        // Predicate from SRC0/SRC1; the compare-deltas form (MI_PREDICATE_DATA history) is not modelled.
        return (dw0 & 3) === PREDICATE_COMPARE_DELTAS_EQUAL ? 'MI_PREDICATE COMPARE_DELTAS_EQUAL is not executed by this GPU model' : undefined;
      case MI.FLUSH_DW: {
        // cmd_handler_mi_flush_dw: 4 or 5 dwords; a GGTT post-sync write is audited, an indexed one relocated into the HWSP.
        if (len !== 4 && len !== 5) return `length ${len} dwords is not valid (must be 4 or 5)`;
        if (((dw0 >>> 14) & 3) === 0) return undefined;
        const addr = addr64(dw(1) & ~7, dw(2));
        if ((dw(1) & (1 << 2)) === 0) {
          // PPGTT address: GVT-g audits only GGTT post-sync writes (the shadow PPGTT confines the rest).
          if (!ppgtt) return 'post-sync write uses PPGTT addressing in a context without a PPGTT';
          if (dw0 & STORE_DATA_INDEX) return 'Store Data Index with PPGTT addressing is not executed by this GPU model';
          return gm(addr, 8, 'post-sync write');
        }
        if (dw0 & STORE_DATA_INDEX) return storeIndex(addr, 1, 0, dw0);
        return gm(addr, 8, 'post-sync write');
      }
      case MI.LOAD_REGISTER_IMM:
        if (len < 3 || len > LRI_MAX_LENGTH) return `length ${len} dwords is not valid (3 to ${LRI_MAX_LENGTH})`;
        for (let k = 1; k < len; k += 2) {
          const p = reg(dw(k) & 0x7ffffc, 'LRI to');
          if (p) return p;
        }
        return undefined;
      case MI.LOAD_REGISTER_MEM:
        return reg(dw(1) & 0x7ffffc, 'LRM to') ?? ggtt(22, 'load') ?? gm(addr64(dw(2) & ~3, dw(3)), 4, 'load');
      case MI.STORE_REGISTER_MEM:
        return reg(dw(1) & 0x7ffffc, 'SRM from') ?? ggtt(22, 'store') ?? gm(addr64(dw(2) & ~3, dw(3)), 4, 'store');
      case MI.LOAD_REGISTER_REG:
        return reg(dw(1) & 0x7ffffc, 'LRR from') ?? reg(dw(2) & 0x7ffffc, 'LRR to');
      case MI.DISPLAY_FLIP: {
        // cmd_handler_mi_display_flip: 3 dwords, 4 for a stereo 3D flip (dw2 bits 1:0 = 2); skl_decode_mi_display_flip.
        const bad = length((dw(2) & 3) === 2 ? 4 : 3);
        if (bad) return bad;
        const code = displayFlipPlaneCode(dw0);
        const target = SKL_FLIP_PLANES.get(code);
        if (!target) return `unknown plane code ${code}`;
        if (code !== 0) return `only pipe A's primary plane is virtualised (plane code ${code} is pipe ${target.pipe}'s ${target.plane})`;
        return gm(dw(2) & 0xfffff000, 4096, 'flip surface');
      }
      default:
        return `${name} is privileged or not allowed from a guest`;
    }
  }
  if (type === CMD_TYPE_2D) {
    const op = bltOpcode(dw0);
    if (op === BLT.XY_SETUP_BLT) return gm(addr64(dw(4), dw(5)), 4, 'setup destination') ?? gm(addr64(dw(8), dw(9)), 4, 'pattern');
    const depth = (dw(1) >>> 24) & 3;
    if (depth !== 3) return `color depth ${depth} is not 32 bpp`;
    const rect = { x1: dw(2) & 0xffff, y1: dw(2) >>> 16, x2: dw(3) & 0xffff, y2: dw(3) >>> 16 };
    if (rectPixels(rect) === 0) return undefined;
    const dstTiled = (dw0 & BLT_DST_TILED) !== 0;
    const dstPitch = (dw(1) & 0xffff) * (dstTiled ? 4 : 1);
    if (dstPitch < rect.x2 * 4) return `pitch ${dstPitch} B is narrower than x2=${rect.x2}`;
    const extent = (base: number, pitch: number, x1: number, y1: number, w: number, h: number, tiled: boolean): [number, number] =>
      tiled ? [base + Math.floor(y1 / 8) * 8 * pitch, (Math.ceil((y1 + h) / 8) - Math.floor(y1 / 8)) * 8 * pitch] : [base + y1 * pitch + x1 * 4, (h - 1) * pitch + w * 4];
    const w = rect.x2 - rect.x1;
    const h = rect.y2 - rect.y1;
    const [a, n] = extent(addr64(dw(4), dw(5)), dstPitch, rect.x1, rect.y1, w, h, dstTiled);
    if (op === BLT.XY_COLOR_BLT) return gm(a, n, 'destination');
    if (op === BLT.XY_SRC_COPY_BLT) {
      const srcTiled = (dw0 & BLT_SRC_TILED) !== 0;
      const srcPitch = (dw(7) & 0xffff) * (srcTiled ? 4 : 1);
      const [sa, sn] = extent(addr64(dw(8), dw(9)), srcPitch, dw(6) & 0xffff, dw(6) >>> 16, w, h, srcTiled);
      return gm(a, n, 'destination') ?? gm(sa, sn, 'source');
    }
    return `${name} is not allowed from a guest`;
  }
  if (type === CMD_TYPE_3D && dw0 >>> 16 === PIPE_CONTROL_KEY) {
    // cmd_handler_pipe_control: an LRI post-sync writes the register in dw2; post-sync 2 and 3 read
    // PS_DEPTH_COUNT / TIMESTAMP; an immediate write is audited, an indexed one relocated into the HWSP.
    const d1 = dw(1);
    if (d1 & PIPE_CONTROL_MMIO_WRITE) return reg(dw(2) & 0x7ffffc, 'LRI post-sync to');
    const postSync = (d1 >>> 14) & 3;
    if (postSync === 0) return undefined;
    const source = postSync === 2 ? reg(PS_DEPTH_COUNT, 'post-sync from') : postSync === 3 ? reg(RCS_TIMESTAMP, 'post-sync from') : undefined;
    if (source) return source;
    const addr = addr64(dw(2) & ~7, dw(3));
    if ((d1 & PIPE_CONTROL_GLOBAL_GTT) === 0) {
      if (!ppgtt) return 'post-sync write uses PPGTT addressing in a context without a PPGTT';
      if (postSync === 1 && d1 & STORE_DATA_INDEX) return 'Store Data Index with PPGTT addressing is not executed by this GPU model';
      return gm(addr, 8, 'post-sync write');
    }
    if (postSync === 1 && d1 & STORE_DATA_INDEX) return storeIndex(addr, 2, 1, d1);
    // Where we are stricter than GVT-g: it audits the address of an immediate write only; a
    // PS_DEPTH_COUNT or timestamp write lands at the same address and is audited too.
    return gm(addr, 8, 'post-sync write');
  }
  // Other 3D / media state and drawing commands: their addresses are PPGTT or state-base relative,
  // which this emulator neither models nor executes (they are charged by a cost model, not drawn).
  return undefined;
}
