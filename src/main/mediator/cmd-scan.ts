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
 */
import { BLT_DST_TILED, BLT_SRC_TILED, ENGINE, MI, MI_BATCH_PPGTT, MI_BATCH_SECOND_LEVEL, MI_NOOP, BLT, CMD_TYPE_2D, CMD_TYPE_3D, CMD_TYPE_MI, bltOpcode, cmdType, commandName, decodeHeader, miOpcode } from '../../shared/commands';
import type { EngineId } from '../gpu/engine';
import { addr64 } from '../gpu/engine';
import { rectPixels } from '../gpu/blitter';
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
        const problem = audit(v, info.name, dw0, info.length, dw, ppgtt !== null);
        if (problem) throw new Reject(`${info.name}: ${problem}`, segment, i * 4);
        out.commands++;
        const type = cmdType(dw0);
        if (type === CMD_TYPE_MI && miOpcode(dw0) === MI.DISPLAY_FLIP) {
          out.flips.push({ plane: (dw0 >>> 19) & 7, surf: dw(2) & 0xfffff000, pitch: dw(1) & 0xfff8 });
          // Emulated, never executed: the physical plane belongs to whoever is in the foreground.
          for (let k = 0; k < info.length; k++) {
            if (segment === 0) ring[i + k] = MI_NOOP;
            else grow[i + k] = MI_NOOP;
          }
        }
        if (type === CMD_TYPE_MI && miOpcode(dw0) === MI.BATCH_BUFFER_START) {
          const batchPpgtt = (dw0 & MI_BATCH_PPGTT) !== 0;
          if (batchPpgtt && !ppgtt) throw new Reject('MI_BATCH_BUFFER_START: PPGTT batch buffer in a context without a PPGTT', segment, i * 4);
          const target = addr64(dw(1) & ~3, dw(2));
          const second = (dw0 & MI_BATCH_SECOND_LEVEL) !== 0;
          const next = level === 0 ? 1 : second ? level + 1 : level;
          if (next > MAX_BATCH_LEVEL) throw new Reject(`MI_BATCH_BUFFER_START: batch nesting deeper than ${MAX_BATCH_LEVEL} levels`, segment, i * 4);
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

/** Audit one command; returns the problem, or undefined when it may run. */
function audit(v: Vgpu, name: string, dw0: number, len: number, dw: (i: number) => number, ppgtt: boolean): string | undefined {
  const gm = (addr: number, bytes: number, what: string): string | undefined =>
    v.ownsGm(addr, bytes) ? undefined : `${what} GM 0x${addr.toString(16)}+${bytes} is outside the vGPU's graphics memory`;
  const reg = (offset: number, what: string): string | undefined =>
    cmdAccessAllowed(offset) ? undefined : `${what} register 0x${(offset >>> 0).toString(16)} is not accessible from commands`;
  // PPGTT-addressed accesses go through the shadow PPGTT (only the VM's own RAM); the GM range check after it still applies.
  const ggtt = (bit: number, what: string): string | undefined => ((dw0 & (1 << bit)) !== 0 || ppgtt ? undefined : `${what} uses PPGTT addressing in a context without a PPGTT`);
  const type = cmdType(dw0);
  if (type === CMD_TYPE_MI) {
    switch (miOpcode(dw0)) {
      case MI.NOOP:
      case MI.USER_INTERRUPT:
      case MI.ARB_CHECK:
      case MI.BATCH_BUFFER_END:
      case MI.BATCH_BUFFER_START: // audited by the caller (it needs the batch level)
        return undefined;
      case MI.STORE_DATA_IMM:
        return ggtt(22, 'store') ?? gm(addr64(dw(1) & ~3, dw(2)), (len - 3) * 4, 'store');
      case MI.FLUSH_DW:
        if (((dw0 >>> 14) & 3) === 0) return undefined;
        if ((dw(1) & (1 << 2)) === 0 && !ppgtt) return 'post-sync write uses PPGTT addressing in a context without a PPGTT';
        return gm(addr64(dw(1) & ~7, dw(2)), 8, 'post-sync write');
      case MI.LOAD_REGISTER_IMM:
        for (let k = 1; k + 1 < len; k += 2) {
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
      case MI.SEMAPHORE_WAIT:
        return ggtt(22, 'semaphore') ?? gm(addr64(dw(2) & ~3, dw(3)), 4, 'semaphore');
      case MI.DISPLAY_FLIP:
        if (((dw0 >>> 19) & 7) !== 0) return 'only display plane A is virtualised';
        return gm(dw(2) & 0xfffff000, 4096, 'flip surface');
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
    const postSync = (dw(1) >>> 14) & 3;
    if (postSync === 0) return undefined;
    if ((dw(1) & (1 << 24)) === 0 && !ppgtt) return 'post-sync write uses PPGTT addressing in a context without a PPGTT';
    return gm(addr64(dw(2) & ~7, dw(3)), 8, 'post-sync write');
  }
  // Other 3D / media state and drawing commands: their addresses are PPGTT or state-base relative,
  // which this emulator neither models nor executes (they are charged by a cost model, not drawn).
  return undefined;
}
