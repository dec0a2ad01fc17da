/**
 * Command scanner: decodes every command a guest submits — in its ring and in every batch buffer
 * the ring calls — and audits it before anything can reach the physical engine. Each command goes
 * decode (genxml length and engines, src/shared/commands.ts) → its entry in the audit table
 * (cmd-audit.ts, keyed by command like GVT-g's cmd_info) → length rule → the genxml register
 * fields against the F_CMD_ACCESS whitelist (cmd_reg_handler) → the command's audit handler → the
 * GM range checks of the genxml address fields it always accesses → its post-handler. Every GM
 * address a command touches must lie inside the submitting vGPU's ranges; privileged or unknown
 * commands are rejected; batch buffers are copied (shadowed) as they are scanned, with a bounded
 * nesting depth and size, so the engine only ever executes scanned copies. MI_DISPLAY_FLIP is
 * emulated: removed from the copy and applied to the vGPU's virtual plane. The policy, command by
 * command, is in cmd-audit.ts. Source: GVT-g cmd_parser.c (cmd_info, cmd_parser_exec, audit
 * handlers, perform_bb_shadow, cmd_handler_mi_display_flip).
 *
 * The walk allocates nothing of its own per command (cmd_parser_exec keeps its state in one
 * parser_exec_state too): the header is decoded into the Scan's fields, a dword comes from the
 * buffer being scanned without a call into guest memory, and a batch buffer is read a 4 KiB page
 * at a time (one translation and one ownership check per page, as ip_gma_set sets ip_va per page).
 */
import { type AddressField, type CommandSpec, ENGINE, MI_NOOP, commandName, commandSpec, specLength } from '../../shared/commands';
import { PAGE_SIZE } from '../../shared/platform';
import type { EngineId } from '../gpu/engine';
import { addr64 } from '../gpu/engine';
import { MMIO_SPACE_BYTES } from '../gpu/gpu';
import { type AuditCmd, commandAudit } from './cmd-audit';
import { scanCopies } from './dword-slab';
import { cmdAccessAllowed } from './mmio-table';
import type { Vgpu } from './vgpu';

export { MAX_BATCH_LEVEL } from './cmd-audit';

/** Most dwords of batch buffer one workload may call (what the host's shadow batch area holds). */
export const MAX_BATCH_DWORDS = (1 << 20) / 4;
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

/**
 * Reads a guest dword at a GM address through the GGTT (undefined when not mapped). Called in
 * address order within a batch buffer, so a reader may keep the last page's translation (see
 * workload-build.ts gmReader); it is used for one scan only.
 */
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
/** Store Data Index bit: MI_FLUSH_DW dw0 bit 21, PIPE_CONTROL dw1 bit 21. */
const STORE_DATA_INDEX = 1 << 21;
/** A hardware status page is one 4 KiB page; Store Data Index offsets are within it (cmd_address_audit index_mode). */
const HWSP_BYTES = 4096;

/** Value of a genxml field that fits one dword: bits lo..hi of dword `k`'s value `d`. */
const bitsOf = (d: number, lo: number, hi: number): number => (hi >= 31 ? (d >>> lo) << lo : ((d >>> lo) & ((1 << (hi - lo + 1)) - 1)) << lo) >>> 0;

/**
 * Where a batch buffer is copied while it is scanned (its length is known only at its end), then
 * copied once into the slab. Grow-only, up to MAX_BATCH_DWORDS (1 MiB, kept for the thread's
 * life); scans are synchronous, so one runs at a time.
 */
let batchScratch = new Uint32Array(4096);

/**
 * The scan of one workload: walks each buffer (ring, then the batches it calls), a command at a
 * time, and is the AuditCmd the table's handlers see for the current command.
 */
class Scan implements AuditCmd {
  readonly out: ScannedWorkload;
  /** Batch buffers already shadowed, by GM address (see callBatch); made at the first batch. */
  private byAddress: Map<number, number> | null = null;
  private readonly todo: { segment: number; level: number; gm: number; viaPpgtt: boolean }[] = [{ segment: 0, level: 0, gm: -1, viaPpgtt: false }];
  private batchDwords = 0;
  // The buffer being scanned: dwords [0, avail) of `buf` hold it so far (all of the ring copy; a
  // batch is copied from guest memory into the scratch as the scan reaches it).
  private segment = 0;
  level = 0;
  private buf: Uint32Array;
  private avail: number;
  private gmBase = -1;
  private fetch: GmReader;
  /** GM page (4 KiB aligned) wholly inside the vGPU's graphics memory, or -1: a batch dword there needs no ownsGm of its own. */
  private ownedPage = -1;
  private ended = false;
  // The command being audited: it starts at dword `i` of the buffer.
  private i = 0;
  dw0 = 0;
  len = 0;
  readonly ppgtt: boolean;

  constructor(
    private readonly v: Vgpu,
    readonly engine: EngineId,
    private readonly ring: Uint32Array,
    private readonly read: GmReader,
    private readonly ppgttRead: GmReader | null,
  ) {
    this.out = { commands: 0, segments: [ring], patches: [], flips: [] };
    this.buf = ring;
    this.avail = ring.length;
    this.fetch = read;
    this.ppgtt = ppgttRead !== null;
  }

  run(): void {
    const engineBit = ENGINE_BIT[this.engine];
    while (this.todo.length > 0) {
      const { segment, level, gm, viaPpgtt } = this.todo.shift()!;
      this.segment = segment;
      this.level = level;
      this.gmBase = gm;
      this.fetch = viaPpgtt && this.ppgttRead ? this.ppgttRead : this.read;
      this.buf = segment === 0 ? this.ring : batchScratch;
      this.avail = segment === 0 ? this.ring.length : 0;
      this.ended = false;
      this.i = 0;
      while (!this.ended && !(segment === 0 && this.i >= this.ring.length)) {
        // cmd_parser_exec: decode the header (commandSpec / specLength, as decodeHeader does, into locals).
        const dw0 = this.dw(0);
        const spec = commandSpec(dw0, engineBit);
        if (!spec) throw this.reject(`unknown command ${commandName(dw0)}`);
        if ((spec.engines & engineBit) === 0) throw this.reject(`${spec.name} is not valid on ${this.engine}`);
        const len = specLength(spec, dw0);
        this.dw(len - 1); // the whole command must be there
        this.dw0 = dw0;
        this.len = len;
        const problem = this.audit(spec);
        if (problem) throw this.reject(`${spec.name}: ${problem}`);
        this.out.commands++;
        this.i += len;
      }
      if (segment !== 0) this.out.segments[segment] = scanCopies.copyOf(this.buf, this.i);
    }
  }

  /** cmd_parser_exec for one command: its table entry's length rule, registers, handler, GM accesses, post-handler. */
  private audit(spec: CommandSpec): string | undefined {
    const a = commandAudit(spec);
    if (a.refuse !== undefined) return a.refuse;
    const len = this.len;
    if (len < a.minLength || len > a.maxLength) {
      return `length ${len} dwords is not valid (${a.minLength === a.maxLength ? `must be ${a.minLength}` : a.maxLength - a.minLength === 1 ? `must be ${a.minLength} or ${a.maxLength}` : `${a.minLength} to ${a.maxLength}`})`;
    }
    for (const r of a.registers) {
      const f = r.field;
      for (let k = f.dword, n = 0; k < len && (f.count === undefined || n < f.count); k += f.stride ?? len, n++) {
        const p = this.reg(bitsOf(this.dw(k), f.lo, f.hi), r.what);
        if (p) return p;
      }
    }
    const problem = a.audit?.(this, a.fields);
    if (problem) return problem;
    for (const g of a.gm) {
      const p = this.gm(this.address(g.field), g.bytes, g.what);
      if (p) return p;
    }
    return a.post?.(this, a.fields);
  }

  private reject(reason: string): Reject {
    return new Reject(reason, this.segment, this.i * 4);
  }

  dw(k: number): number {
    const j = this.i + k;
    return j < this.avail ? this.buf[j] : this.more(j);
  }

  /**
   * Dword `j` of the buffer, beyond what it holds so far: past the ring copy's end (refused), or
   * copied on from the guest's batch buffer up to it, each dword checked to be mapped and the
   * vGPU's, and counted against MAX_BATCH_DWORDS.
   */
  private more(j: number): number {
    if (this.segment === 0) throw new Reject(`command at dword ${this.i} runs past the ring tail`, 0, this.i * 4);
    while (this.avail <= j) {
      const n = this.avail;
      const at = this.gmBase + n * 4;
      const value = this.fetch(at);
      if (value === undefined || !this.owns4(at)) throw new Reject(`batch buffer at GM 0x${this.gmBase.toString(16)} runs into memory outside the vGPU's graphics memory`, this.segment, n * 4);
      if (++this.batchDwords > MAX_BATCH_DWORDS) throw new Reject(`batch buffers exceed ${MAX_BATCH_DWORDS * 4} B (unterminated batch?)`, this.segment, n * 4);
      if (n === this.buf.length) {
        // n < MAX_BATCH_DWORDS here (checked just above), so the scratch does grow.
        batchScratch = new Uint32Array(Math.min(n * 2, MAX_BATCH_DWORDS));
        batchScratch.set(this.buf);
        this.buf = batchScratch;
      }
      this.buf[n] = value;
      this.avail = n + 1;
    }
    return this.buf[j];
  }

  /** v.ownsGm(at, 4), without asking again for every dword of a page already found wholly inside the vGPU's GM. */
  private owns4(at: number): boolean {
    const off = at % PAGE_SIZE;
    if (off > PAGE_SIZE - 4) return this.v.ownsGm(at, 4);
    const page = at - off;
    if (page === this.ownedPage) return true;
    if (this.v.ownsGm(page, PAGE_SIZE)) {
      this.ownedPage = page;
      return true;
    }
    return this.v.ownsGm(at, 4);
  }

  /** Rewrite dword k of the current command in the copy (as GVT-g's patch_value). */
  private patch(k: number, value: number): void {
    this.buf[this.i + k] = value >>> 0;
  }

  address(f: AddressField, align = 1): number {
    const lo = this.dw(f.dword);
    // Addresses wider than a dword: GM is 48-bit (the upper dword's bits 15:0).
    const a = f.hi > 31 ? addr64(bitsOf(lo, f.lo, 31), this.dw(f.dword + 1)) : bitsOf(lo, f.lo, f.hi);
    return align > 1 ? a - (a % align) : a;
  }

  owns(addr: number, bytes: number): boolean {
    return this.v.ownsGm(addr, bytes);
  }

  gm(addr: number, bytes: number, what: string): string | undefined {
    return this.v.ownsGm(addr, bytes) ? undefined : `${what} GM 0x${addr.toString(16)}+${bytes} is outside the vGPU's graphics memory`;
  }

  // cmd_reg_handler: inside the MMIO space and F_CMD_ACCESS. Its narrower branches (FORCE_NONPRIV
  // values only by LRI and from a whitelist, the shadowed BB registers, DERRMR/FORCEWAKE_MT
  // redirected to PVINFO, MOCS) act on registers this table does not mark F_CMD_ACCESS, so
  // they are refused here by the whitelist itself.
  reg(offset: number, what: string): string | undefined {
    if (offset + 4 > MMIO_SPACE_BYTES) return `${what} register 0x${(offset >>> 0).toString(16)} is outside the MMIO range`;
    return cmdAccessAllowed(offset) ? undefined : `${what} register 0x${(offset >>> 0).toString(16)} is not accessible from commands`;
  }

  // PPGTT-addressed accesses go through the shadow PPGTT (only the VM's own RAM); the GM range check after it still applies.
  ggtt(bit: number, what: string): string | undefined {
    return (this.dw0 & (1 << bit)) !== 0 || this.ppgtt ? undefined : `${what} uses PPGTT addressing in a context without a PPGTT`;
  }

  /**
   * A Store Data Index post-sync write (GVT-g: cmd_address_audit with index_mode, then patch_value):
   * the offset must lie inside the hardware status page, and the copy is rewritten to the HWSP's
   * own GGTT address (the guest's RING_HWS_PGA, hws_pga_write) with the index bit cleared.
   */
  storeIndex(offset: number, addrDword: number, indexDword: number, indexWord: number): string | undefined {
    if (offset >= HWSP_BYTES) return `Store Data Index offset 0x${offset.toString(16)} is outside the hardware status page`;
    const hws = this.v.hwsPga[this.engine] & 0xfffff000; // as hws_pga_write stored it
    if (hws === 0 || !this.v.ownsGm(hws, HWSP_BYTES)) return `Store Data Index: the ${this.engine} hardware status page (RING_HWS_PGA 0x${hws.toString(16)}) is not in the vGPU's graphics memory`;
    // Where we differ from GVT-g: its patch_value writes hws_pga + offset over MI_FLUSH_DW's dw1 and
    // so drops bit 2 (Use Global GTT) with the rest of bits 2:0; they are kept here, or the write
    // would go through the PPGTT (PIPE_CONTROL keeps its GGTT bit in dw1 and has 0 there).
    this.patch(addrDword, (hws + offset) | (this.dw(addrDword) & 7));
    this.patch(addrDword + 1, 0);
    this.patch(indexDword, indexWord & ~STORE_DATA_INDEX);
    return undefined;
  }

  callBatch(target: number, ppgtt: boolean, second: boolean): string | undefined {
    const out = this.out;
    const key = ppgtt ? -1 - target : target; // one GM address may name two batches (GGTT and PPGTT)
    const byAddress = (this.byAddress ??= new Map());
    let t = byAddress.get(key);
    if (t === undefined) {
      if (out.segments.length > MAX_BATCH_SEGMENTS) return `more than ${MAX_BATCH_SEGMENTS} batch buffers in one workload`;
      t = out.segments.length;
      out.segments.push(EMPTY);
      byAddress.set(key, t);
      this.todo.push({ segment: t, level: second ? this.level + 1 : Math.max(this.level, 1), gm: target, viaPpgtt: ppgtt });
    }
    out.patches.push({ segment: this.segment, at: this.i, target: t });
    return undefined;
  }

  endBuffer(): void {
    this.ended = true;
  }

  emulateFlip(plane: number, surf: number, pitch: number): void {
    this.out.flips.push({ plane, surf, pitch });
    for (let k = 0; k < this.len; k++) this.patch(k, MI_NOOP);
  }
}

/** Placeholder of a batch segment until its scan copies it (a scan that fails returns no segments). */
const EMPTY = new Uint32Array(0);

/**
 * Scan a workload: the ring copy `ring` (dwords, starting on a command) and every batch it calls.
 * `ppgtt` reads through the context's shadow PPGTT (a 48-bit PPGTT context; null for a legacy
 * one): PPGTT batch buffers are read and shadowed through it, and PPGTT-addressed accesses are
 * allowed (still range-checked like GGTT ones, see cmd-audit.ts). The scan patches `ring` in place
 * (Store Data Index, emulated flips); the batch copies come from the scanner's slab (dword-slab.ts).
 */
export function scanWorkload(v: Vgpu, engine: EngineId, ring: Uint32Array, read: GmReader, ppgtt: GmReader | null = null): ScanResult {
  const scan = new Scan(v, engine, ring, read, ppgtt);
  try {
    scan.run();
  } catch (e) {
    if (e instanceof Reject) return { ok: false, reason: e.reason, segment: e.segment, offset: e.offset };
    throw e;
  }
  const o = scan.out;
  return { ok: true, commands: o.commands, segments: o.segments, patches: o.patches, flips: o.flips };
}
