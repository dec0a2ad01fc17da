/**
 * A ring-buffer command streamer (RCS or BCS): executes the commands between RING_HEAD and
 * RING_TAIL of the ring at RING_START, reading through the GGTT. Execution is instantaneous in
 * emulated time; the returned cost (ns) is what the engine would have been busy for.
 * Source: PRM "Ring Buffer" (head/tail in bytes, wrap at RING_CTL size); Gen8 command formats.
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
import { RING_ADDR_MASK, RING_CTL_VALID, ringCtlBytes } from '../../shared/regs';
import { colorBlt, srcCopyBlt } from './blitter';
import type { Ggtt } from './ggtt';

export type EngineId = 'rcs' | 'bcs';

export interface RingRegs {
  start: number;
  ctl: number;
  head: number;
  tail: number;
}

export interface ExecResult {
  commands: number;
  pixels: number;
  /** Emulated busy time, ns. */
  costNs: number;
  userInterrupts: number;
  /** Set when the engine stopped on a command it cannot execute (the engine hangs there). */
  fault?: string;
}

/** Cost model, ns: a fixed per-command parse cost plus per-pixel blit bandwidth (~4 Gpixel/s). */
export const COST_PER_COMMAND_NS = 50;
export const COST_PER_PIXEL_NS = 0.25;
/** Bound on commands one kick may run, so a corrupt ring cannot spin forever. */
export const MAX_COMMANDS_PER_KICK = 1 << 16;

export class RingEngine {
  readonly ring: RingRegs = { start: 0, ctl: 0, head: 0, tail: 0 };

  constructor(
    readonly id: EngineId,
    private readonly ggtt: Ggtt,
  ) {}

  get idle(): boolean {
    return (this.ring.ctl & RING_CTL_VALID) === 0 || (this.ring.head & RING_ADDR_MASK) === (this.ring.tail & RING_ADDR_MASK);
  }

  /** Run until head reaches tail (or a fault). Head is advanced past every executed command. */
  run(): ExecResult {
    const res: ExecResult = { commands: 0, pixels: 0, costNs: 0, userInterrupts: 0 };
    if ((this.ring.ctl & RING_CTL_VALID) === 0) return res;
    const size = ringCtlBytes(this.ring.ctl);
    const tail = this.ring.tail & RING_ADDR_MASK;
    let head = this.ring.head & RING_ADDR_MASK;
    const dw = (i: number): number => this.ggtt.read32(this.ring.start + ((head + i * 4) % size));
    while (head !== tail && res.commands < MAX_COMMANDS_PER_KICK) {
      const dw0 = dw(0);
      const len = commandLength(dw0);
      if (len === undefined) {
        res.fault = `${this.id}: cannot execute ${commandName(dw0)} at head 0x${head.toString(16)}`;
        break;
      }
      const fault = this.execute(dw0, dw, res);
      if (fault) {
        res.fault = `${this.id}: ${fault} at head 0x${head.toString(16)}`;
        break;
      }
      res.commands++;
      head = (head + len * 4) % size;
    }
    this.ring.head = (this.ring.head & ~RING_ADDR_MASK) | head;
    res.costNs += res.commands * COST_PER_COMMAND_NS + res.pixels * COST_PER_PIXEL_NS;
    return res;
  }

  private execute(dw0: number, dw: (i: number) => number, res: ExecResult): string | undefined {
    const type = cmdType(dw0);
    if (type === CMD_TYPE_MI) {
      switch (miOpcode(dw0)) {
        case MI.NOOP:
        case MI.BATCH_BUFFER_END:
        case MI.FLUSH_DW:
          return undefined;
        case MI.USER_INTERRUPT:
          res.userInterrupts++;
          return undefined;
        case MI.STORE_DATA_IMM:
          this.ggtt.write32(addr64(dw(1), dw(2)), dw(3));
          return undefined;
        default:
          return `${commandName(dw0)} is not supported by this engine model`;
      }
    }
    if (type === CMD_TYPE_2D && this.id === 'bcs') {
      const br13v = dw(1);
      const pitch = br13v & 0xffff;
      const rect = { x1: dw(2) & 0xffff, y1: dw(2) >>> 16, x2: dw(3) & 0xffff, y2: dw(3) >>> 16 };
      switch (bltOpcode(dw0)) {
        case BLT.XY_COLOR_BLT:
          res.pixels += colorBlt(this.ggtt, addr64(dw(4), dw(5)), pitch, rect, dw(6));
          return undefined;
        case BLT.XY_SRC_COPY_BLT:
          res.pixels += srcCopyBlt(this.ggtt, addr64(dw(4), dw(5)), pitch, rect, addr64(dw(8), dw(9)), dw(7) & 0xffff, dw(6) & 0xffff, dw(6) >>> 16);
          return undefined;
      }
    }
    return `${commandName(dw0)} is not supported on ${this.id}`;
  }
}

/** A 64-bit graphics address from its (lo, hi) dwords; the GPU uses 48 bits. */
export const addr64 = (lo: number, hi: number): number => (hi & 0xffff) * 2 ** 32 + (lo >>> 0);
