/**
 * Command scanner: decodes every command a guest submits and audits it before it can reach the
 * physical engine. Lengths must be known and fit before the tail; every GM address a command
 * touches must lie inside the submitting vGPU's ranges; commands this version does not allow
 * from a guest ring are rejected. Source: GVT-g cmd_parser.c (cmd_info table, audit hooks).
 */
import {
  BLT,
  CMD_TYPE_2D,
  CMD_TYPE_MI,
  MI,
  bltOpcode,
  cmdType,
  commandLength,
  commandName,
  miOpcode,
} from '../../shared/commands';
import type { EngineId } from '../gpu/engine';
import { addr64 } from '../gpu/engine';
import { rectPixels } from '../gpu/blitter';
import type { Vgpu } from './vgpu';

export type ScanResult = { ok: true; commands: number } | { ok: false; reason: string; offset: number };

/** Read a dword of the ring at byte offset `off` (ring-relative, wrapped by the caller's size). */
export type RingReader = (off: number) => number;

/** Scan ring bytes [head, tail) of a ring of `size` bytes on `engine` for `vgpu`. */
export function scanRing(vgpu: Vgpu, engine: EngineId, read: RingReader, size: number, head: number, tail: number): ScanResult {
  let off = head;
  let commands = 0;
  const remaining = (): number => (tail - off + size) % size;
  while (off !== tail) {
    const dw0 = read(off);
    const len = commandLength(dw0);
    if (len === undefined) return { ok: false, reason: `unknown command ${commandName(dw0)}`, offset: off };
    if (len * 4 > remaining()) return { ok: false, reason: `${commandName(dw0)} needs ${len} dwords but only ${remaining() / 4} precede the tail`, offset: off };
    const dw = (i: number): number => read((off + i * 4) % size);
    const problem = auditCommand(vgpu, engine, dw0, len, dw);
    if (problem) return { ok: false, reason: `${commandName(dw0)}: ${problem}`, offset: off };
    commands++;
    off = (off + len * 4) % size;
  }
  return { ok: true, commands };
}

function auditCommand(vgpu: Vgpu, engine: EngineId, dw0: number, len: number, dw: (i: number) => number): string | undefined {
  const gm = (addr: number, bytes: number, what: string): string | undefined =>
    vgpu.ownsGm(addr, bytes) ? undefined : `${what} GM 0x${addr.toString(16)}+${bytes} is outside the vGPU's graphics memory`;
  const type = cmdType(dw0);
  if (type === CMD_TYPE_MI) {
    switch (miOpcode(dw0)) {
      case MI.NOOP:
      case MI.USER_INTERRUPT:
      case MI.BATCH_BUFFER_END:
        return undefined;
      case MI.STORE_DATA_IMM:
        if (len !== 4) return `length ${len} is not the 4-dword GGTT form`;
        if ((dw0 & (1 << 22)) === 0) return 'PPGTT addressing is not available to this vGPU';
        return gm(addr64(dw(1), dw(2)), 4, 'store');
      case MI.FLUSH_DW:
        if (len !== 5) return `length ${len} is not the Gen8 5-dword form`;
        if (((dw0 >>> 14) & 3) !== 0) return gm(addr64(dw(1) & ~7, dw(2)), 8, 'post-sync write');
        return undefined;
      default:
        return 'not allowed from a guest ring in this version';
    }
  }
  if (type === CMD_TYPE_2D) {
    if (engine !== 'bcs') return 'blitter commands run only on the BCS ring';
    const op = bltOpcode(dw0);
    const depth = (dw(1) >>> 24) & 3;
    if (depth !== 3) return `color depth ${depth} is not 32 bpp`;
    const pitch = dw(1) & 0xffff;
    const rect = { x1: dw(2) & 0xffff, y1: dw(2) >>> 16, x2: dw(3) & 0xffff, y2: dw(3) >>> 16 };
    if (rectPixels(rect) === 0) return undefined;
    if (pitch < rect.x2 * 4) return `pitch ${pitch} B is narrower than x2=${rect.x2}`;
    const span = (base: number, p: number, x1: number, y1: number, w: number, h: number): [number, number] => [base + y1 * p + x1 * 4, (h - 1) * p + w * 4];
    const w = rect.x2 - rect.x1;
    const h = rect.y2 - rect.y1;
    if (op === BLT.XY_COLOR_BLT) {
      if (len !== 7) return `length ${len} is not the Gen8 7-dword form`;
      const [a, n] = span(addr64(dw(4), dw(5)), pitch, rect.x1, rect.y1, w, h);
      return gm(a, n, 'destination');
    }
    if (op === BLT.XY_SRC_COPY_BLT) {
      if (len !== 10) return `length ${len} is not the Gen8 10-dword form`;
      const [a, n] = span(addr64(dw(4), dw(5)), pitch, rect.x1, rect.y1, w, h);
      const srcPitch = dw(7) & 0xffff;
      const [sa, sn] = span(addr64(dw(8), dw(9)), srcPitch, dw(6) & 0xffff, dw(6) >>> 16, w, h);
      return gm(a, n, 'destination') ?? gm(sa, sn, 'source');
    }
  }
  return 'not allowed from a guest ring in this version';
}
