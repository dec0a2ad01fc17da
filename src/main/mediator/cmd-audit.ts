/**
 * The command scanner's policy as one table, the shape of GVT-g cmd_parser.c's cmd_info: one entry
 * per command key (miKey / bltKey / key3d, the keys the engine's executor table in
 * gpu/mi-dispatch.ts uses too) with its length rule, which genxml register and address fields are
 * audited, the command's audit handler and its post-handler (F_POST_HANDLE: what the scanner does
 * once the command passed — shadow a batch buffer, emulate a flip). Address and register fields are
 * named by their genxml names and resolved against the decoded specs (src/shared/commands.ts)
 * when the table is built: their dword and bit positions come from genxml, not from the handlers.
 *
 * Policy (GVT-g's, where we differ it says so): accepted as they are (no handler) — MI_NOOP,
 * MI_ARB_CHECK, MI_ARB_ON_OFF, MI_USER_INTERRUPT, MI_MATH, MI_PREDICATE (RCS; not its
 * COMPARE_DELTAS_EQUAL form, which the engine does not model), MI_LOAD_SCAN_LINES_INCL;
 * audited — MI_STORE_DATA_IMM, MI_FLUSH_DW and PIPE_CONTROL (post-sync writes, Store Data Index
 * relocated into the HWSP), LRI/LRM/SRM/LRR (cmd_reg_handler), MI_BATCH_BUFFER_START/END,
 * MI_DISPLAY_FLIP (emulated: removed from the copy and applied to the vGPU's virtual plane), the
 * XY_* blits (their surfaces' extents); refused as GVT-g's unexpected_cmd does — MI_SEMAPHORE_WAIT,
 * MI_STORE_DATA_INDEX, MI_CONDITIONAL_BATCH_BUFFER_END, MI_REPORT_PERF_COUNT, MI_CLFLUSH,
 * MI_COPY_MEM_MEM (MI_OP_2E), and MI_UPDATE_GTT (not in genxml: decoded as unknown). GVT-g accepts
 * a few MI commands this engine does not execute (MI_ATOMIC, MI_SET_PREDICATE, MI_WAIT_FOR_EVENT,
 * MI_SUSPEND_FLUSH, MI_REPORT_HEAD, MI_URB_*, MI_RS_*, MI_SEMAPHORE_SIGNAL, MI_TOPOLOGY_FILTER,
 * MI_SET_APPID, MI_LOAD_URB_MEM, MI_STORE_URB_MEM): they stay refused here rather than fault the
 * physical engine. Commands without an entry: MI and 2D are refused; type-3 (3D/media) commands
 * are accepted — their addresses are PPGTT or state-base relative, which this emulator neither
 * models nor executes (they are charged by a cost model, not drawn).
 */
import {
  type AddressField,
  BLT,
  BLT_DST_TILED,
  BLT_SRC_TILED,
  CMD_TYPE_3D,
  COMMAND_SPECS,
  type CommandSpec,
  MI,
  MI_BATCH_PPGTT,
  MI_BATCH_SECOND_LEVEL,
  PIPE_CONTROL_KEY,
  SKL_FLIP_PLANES,
  bltKey,
  displayFlipPlaneCode,
  miKey,
} from '../../shared/commands';
import { rectPixels } from '../gpu/blitter';
import type { EngineId } from '../gpu/engine';

/** Ring = level 0, first-level batch = 1, second-level batch = 2 (the Gen9 hardware limit). */
export const MAX_BATCH_LEVEL = 2;

/**
 * One command being audited, as the scanner hands it to a handler. Handlers return the problem
 * (a reason, without the command's name: the scanner prefixes it) or undefined when it may run.
 */
export interface AuditCmd {
  readonly engine: EngineId;
  readonly dw0: number;
  /** Length in dwords, header included (already checked to be in the buffer). */
  readonly len: number;
  /** 0 = ring, 1 = first-level batch, 2 = second-level batch. */
  readonly level: number;
  /** The context has a (shadowed) PPGTT, so PPGTT-addressed accesses are allowed. */
  readonly ppgtt: boolean;
  /** Dword k of the command (0 = header). */
  dw(k: number): number;
  /** The GM address in genxml field `f` (bits below f.lo cleared), rounded down to `align` bytes. */
  address(f: AddressField, align?: number): number;
  /** [addr, addr + bytes) is the vGPU's graphics memory. */
  owns(addr: number, bytes: number): boolean;
  /** Range check: undefined when [addr, addr + bytes) is the vGPU's graphics memory, else the problem naming `what`. */
  gm(addr: number, bytes: number, what: string): string | undefined;
  /** cmd_reg_handler: undefined when the command may access MMIO register `offset`. */
  reg(offset: number, what: string): string | undefined;
  /** Address-space bit `bit` of dw0 says GGTT, or the context has a PPGTT. */
  ggtt(bit: number, what: string): string | undefined;
  /**
   * A Store Data Index post-sync write (cmd_address_audit index_mode, then patch_value): checks
   * `offset` against the HWSP and rewrites the copy (dwords addrDword, addrDword + 1, indexDword).
   */
  storeIndex(offset: number, addrDword: number, indexDword: number, indexWord: number): string | undefined;
  /** Post-handle: shadow the batch buffer at `target` (scanned later) and patch this command to it. */
  callBatch(target: number, ppgtt: boolean, second: boolean): string | undefined;
  /** Post-handle: the rest of this buffer is not executed (MI_BATCH_BUFFER_END, a chained jump). */
  endBuffer(): void;
  /** Post-handle: emulate a display flip (recorded, and the command NOOPed out of the copy). */
  emulateFlip(plane: number, surf: number, pitch: number): void;
}

/** genxml fields of one command by name (the first field of that name). */
export type Fields = Readonly<Record<string, AddressField>>;
type Handler = (c: AuditCmd, f: Fields) => string | undefined;

/** A table entry as written below. */
interface AuditRule {
  /** The GVT-g cmd_parser.c handler of this command, or null for a cmd_info entry without one. */
  readonly upstream: string | null;
  /** Refused: true for "privileged or not allowed from a guest" (unexpected_cmd), or the reason. */
  readonly refuse?: true | string;
  /** F_LEN_VAR_FIXED length in dwords, or the [min, max] range. */
  readonly length?: number | readonly [number, number];
  /** genxml register fields checked by cmd_reg_handler, with the label a refusal names. */
  readonly registers?: Readonly<Record<string, string>>;
  /** genxml address fields the handler reads (checked to exist when the table is built). */
  readonly uses?: readonly string[];
  /** Accesses made whenever the command runs: genxml field, bytes from its address, label. */
  readonly gm?: readonly { readonly field: string; readonly bytes: number; readonly what: string }[];
  readonly audit?: Handler;
  /** F_POST_HANDLE: runs after every check passed. */
  readonly post?: Handler;
}

/** A resolved entry: fields looked up in the command's genxml spec. */
export interface CommandAudit {
  readonly upstream: string | null;
  /** The refusal reason, when the command is refused outright. */
  readonly refuse: string | undefined;
  readonly minLength: number;
  readonly maxLength: number;
  readonly registers: readonly { readonly field: AddressField; readonly what: string }[];
  readonly gm: readonly { readonly field: AddressField; readonly bytes: number; readonly what: string }[];
  readonly fields: Fields;
  readonly audit: Handler | undefined;
  readonly post: Handler | undefined;
}

/** Store Data Index bit: MI_FLUSH_DW dw0 bit 21, PIPE_CONTROL dw1 bit 21. */
const STORE_DATA_INDEX = 1 << 21;
/** MI_STORE_DATA_IMM Store Qword, dw0 bit 21. */
const STORE_QWORD = 1 << 21;
/** PIPE_CONTROL dw1: LRI Post-Sync Operation (bit 23), Destination Address Type GGTT (bit 24). */
const PIPE_CONTROL_MMIO_WRITE = 1 << 23;
const PIPE_CONTROL_GLOBAL_GTT = 1 << 24;
/** MI_FLUSH_DW dw1 bit 2: Destination Address Type GGTT. */
const FLUSH_DW_GLOBAL_GTT = 1 << 2;
/** Registers PIPE_CONTROL's post-sync 2 (PS_DEPTH_COUNT) and 3 (TIMESTAMP) read: GVT-g checks them with cmd_reg_handler. */
const PS_DEPTH_COUNT = 0x2350;
const RCS_TIMESTAMP = 0x2358;
/** MI_PREDICATE Compare Operation 3 (genxml COMPARE_DELTAS_EQUAL). */
const PREDICATE_COMPARE_DELTAS_EQUAL = 3;
/** cmd_handler_lri: at most 127 dwords (GVT-g's MAX_VALID_LEN). */
const LRI_MAX_LENGTH = 127;
/** Post-sync writes are QWord writes at a QWord-aligned address (the engine's flushDw / pipeControl). */
const QWORD = 8;

const exactly = (len: number, valid: number): string | undefined => (len === valid ? undefined : `length ${len} dwords is not valid (must be ${valid})`);

/** A post-sync write's address (MI_FLUSH_DW / PIPE_CONTROL): PPGTT or GGTT, or an indexed write into the HWSP. */
function postSyncWrite(c: AuditCmd, addr: number, global: boolean, indexed: boolean, index: () => string | undefined): string | undefined {
  if (!global) {
    // PPGTT address: GVT-g audits only GGTT post-sync writes (the shadow PPGTT confines the rest).
    if (!c.ppgtt) return 'post-sync write uses PPGTT addressing in a context without a PPGTT';
    if (indexed) return 'Store Data Index with PPGTT addressing is not executed by this GPU model';
    return c.gm(addr, 8, 'post-sync write');
  }
  if (indexed) return index();
  return c.gm(addr, 8, 'post-sync write');
}

// XY_* surface extent, the bytes a blit of w×h pixels at (x1, y1) touches (32 bpp; X-tiled: whole
// tile rows): its first byte and its length, as two functions so the hot path builds no tuple.
const extentStart = (base: number, pitch: number, x1: number, y1: number, tiled: boolean): number => (tiled ? base + Math.floor(y1 / 8) * 8 * pitch : base + y1 * pitch + x1 * 4);
const extentBytes = (pitch: number, w: number, y1: number, h: number, tiled: boolean): number => (tiled ? (Math.ceil((y1 + h) / 8) - Math.floor(y1 / 8)) * 8 * pitch : (h - 1) * pitch + w * 4);

/** XY_COLOR_BLT / XY_SRC_COPY_BLT: 32 bpp, and every pixel the rectangle covers inside the vGPU's GM. */
const blit =
  (withSource: boolean): Handler =>
  (c, f) => {
    const d1 = c.dw(1);
    const depth = (d1 >>> 24) & 3;
    if (depth !== 3) return `color depth ${depth} is not 32 bpp`;
    const rect = { x1: c.dw(2) & 0xffff, y1: c.dw(2) >>> 16, x2: c.dw(3) & 0xffff, y2: c.dw(3) >>> 16 };
    if (rectPixels(rect) === 0) return undefined;
    const dstTiled = (c.dw0 & BLT_DST_TILED) !== 0;
    const dstPitch = (d1 & 0xffff) * (dstTiled ? 4 : 1);
    if (dstPitch < rect.x2 * 4) return `pitch ${dstPitch} B is narrower than x2=${rect.x2}`;
    const w = rect.x2 - rect.x1;
    const h = rect.y2 - rect.y1;
    const a = extentStart(c.address(f['Destination Base Address']), dstPitch, rect.x1, rect.y1, dstTiled);
    const n = extentBytes(dstPitch, w, rect.y1, h, dstTiled);
    if (!withSource) return c.gm(a, n, 'destination');
    const srcTiled = (c.dw0 & BLT_SRC_TILED) !== 0;
    const srcPitch = (c.dw(7) & 0xffff) * (srcTiled ? 4 : 1);
    const sy1 = c.dw(6) >>> 16;
    const sa = extentStart(c.address(f['Source Base Address']), srcPitch, c.dw(6) & 0xffff, sy1, srcTiled);
    return c.gm(a, n, 'destination') ?? c.gm(sa, extentBytes(srcPitch, w, sy1, h, srcTiled), 'source');
  };

/** The table: command key → rule. */
const RULES: ReadonlyMap<number, AuditRule> = new Map<number, AuditRule>([
  [miKey(MI.NOOP), { upstream: null }],
  [miKey(MI.ARB_CHECK), { upstream: null }],
  [miKey(MI.ARB_ON_OFF), { upstream: null }],
  // Upstream records the interrupt for the vGPU; here the engine raises it when it executes the command.
  [miKey(MI.USER_INTERRUPT), { upstream: 'cmd_handler_mi_user_interrupt' }],
  [miKey(MI.MATH), { upstream: null }],
  // GVT-g: F_LEN_CONST 2 (commands.ts LENGTH_OVERRIDES), R_RCS | R_BCS.
  [miKey(MI.LOAD_SCAN_LINES_INCL), { upstream: null }],
  [
    miKey(MI.PREDICATE),
    {
      upstream: null,
      // Predicate from SRC0/SRC1; the compare-deltas form (MI_PREDICATE_DATA history) is not modelled.
      audit: (c) => ((c.dw0 & 3) === PREDICATE_COMPARE_DELTAS_EQUAL ? 'MI_PREDICATE COMPARE_DELTAS_EQUAL is not executed by this GPU model' : undefined),
    },
  ],
  [
    miKey(MI.BATCH_BUFFER_END),
    {
      upstream: 'cmd_handler_mi_batch_buffer_end',
      post: (c) => {
        // In the ring it is a no-op; it ends a batch buffer (and returns from a second-level one).
        if (c.level > 0) c.endBuffer();
        return undefined;
      },
    },
  ],
  [
    miKey(MI.BATCH_BUFFER_START),
    {
      upstream: 'cmd_handler_mi_batch_buffer_start',
      uses: ['Batch Buffer Start Address'],
      audit: (c, f) => {
        // Nothing starts from a second-level batch, and a second-level batch is only called from a first-level one.
        if (c.level === MAX_BATCH_LEVEL) return 'not allowed in a second-level batch buffer';
        if ((c.dw0 & MI_BATCH_SECOND_LEVEL) !== 0 && c.level === 0) return 'jumping to a second-level batch buffer from the ring is not allowed';
        if ((c.dw0 & MI_BATCH_PPGTT) !== 0 && !c.ppgtt) return 'PPGTT batch buffer in a context without a PPGTT';
        const target = c.address(f['Batch Buffer Start Address']);
        return c.owns(target, 4) ? undefined : `batch buffer GM 0x${target.toString(16)} is outside the vGPU's graphics memory`;
      },
      // perform_bb_shadow: the batch is copied as it is scanned; this command is patched to the copy.
      post: (c, f) => {
        const second = (c.dw0 & MI_BATCH_SECOND_LEVEL) !== 0;
        const problem = c.callBatch(c.address(f['Batch Buffer Start Address']), (c.dw0 & MI_BATCH_PPGTT) !== 0, second);
        // A chained (first-level) jump never returns: the rest of this batch is not executed.
        if (!problem && c.level > 0 && !second) c.endBuffer();
        return problem;
      },
    },
  ],
  [
    miKey(MI.STORE_DATA_IMM),
    {
      upstream: 'cmd_handler_mi_store_data_imm',
      uses: ['Address'],
      // 4 dwords, 5 with Store Qword; core_id (dw1 bit 0) selects the second slot.
      audit: (c, f) => {
        const bad = c.ggtt(22, 'store') ?? exactly(c.len, (c.dw0 & STORE_QWORD) !== 0 ? 5 : 4);
        if (bad) return bad;
        const bytes = (c.len - 3) * 4;
        return c.gm(c.address(f.Address) + bytes * (c.dw(1) & 1), bytes, 'store');
      },
    },
  ],
  [
    miKey(MI.FLUSH_DW),
    {
      upstream: 'cmd_handler_mi_flush_dw',
      length: [4, 5],
      uses: ['Address'],
      // A GGTT post-sync write is audited, an indexed one relocated into the HWSP.
      audit: (c, f) => {
        if (((c.dw0 >>> 14) & 3) === 0) return undefined;
        const addr = c.address(f.Address, QWORD);
        return postSyncWrite(c, addr, (c.dw(1) & FLUSH_DW_GLOBAL_GTT) !== 0, (c.dw0 & STORE_DATA_INDEX) !== 0, () => c.storeIndex(addr, 1, 0, c.dw0));
      },
    },
  ],
  [miKey(MI.LOAD_REGISTER_IMM), { upstream: 'cmd_handler_lri', length: [3, LRI_MAX_LENGTH], registers: { 'Register Offset': 'LRI to' } }],
  [
    miKey(MI.LOAD_REGISTER_MEM),
    { upstream: 'cmd_handler_lrm', length: 4, registers: { 'Register Address': 'LRM to' }, audit: (c) => c.ggtt(22, 'load'), gm: [{ field: 'Memory Address', bytes: 4, what: 'load' }] },
  ],
  [
    miKey(MI.STORE_REGISTER_MEM),
    { upstream: 'cmd_handler_srm', length: 4, registers: { 'Register Address': 'SRM from' }, audit: (c) => c.ggtt(22, 'store'), gm: [{ field: 'Memory Address', bytes: 4, what: 'store' }] },
  ],
  [miKey(MI.LOAD_REGISTER_REG), { upstream: 'cmd_handler_lrr', length: 3, registers: { 'Source Register Address': 'LRR from', 'Destination Register Address': 'LRR to' } }],
  [
    miKey(MI.DISPLAY_FLIP),
    {
      upstream: 'cmd_handler_mi_display_flip',
      uses: ['Display Buffer Base Address'],
      // 3 dwords, 4 for a stereo 3D flip (dw2 bits 1:0 = 2); skl_decode_mi_display_flip.
      audit: (c) => {
        const bad = exactly(c.len, (c.dw(2) & 3) === 2 ? 4 : 3);
        if (bad) return bad;
        const code = displayFlipPlaneCode(c.dw0);
        const target = SKL_FLIP_PLANES.get(code);
        if (!target) return `unknown plane code ${code}`;
        if (code !== 0) return `only pipe A's primary plane is virtualised (plane code ${code} is pipe ${target.pipe}'s ${target.plane})`;
        return undefined;
      },
      gm: [{ field: 'Display Buffer Base Address', bytes: 4096, what: 'flip surface' }],
      // Emulated, never executed: the physical plane belongs to whoever is in the foreground.
      post: (c, f) => {
        c.emulateFlip(displayFlipPlaneCode(c.dw0), c.address(f['Display Buffer Base Address']), c.dw(1) & 0xffc0);
        return undefined;
      },
    },
  ],
  [miKey(MI.ATOMIC), { upstream: 'cmd_handler_mi_op_2f', refuse: 'MI_ATOMIC is not executed by this GPU model' }],
  [miKey(MI.SEMAPHORE_WAIT), { upstream: 'cmd_handler_mi_semaphore_wait', refuse: true }],
  [miKey(MI.STORE_DATA_INDEX), { upstream: 'cmd_handler_mi_store_data_index', refuse: true }],
  [miKey(MI.CONDITIONAL_BATCH_BUFFER_END), { upstream: 'cmd_handler_mi_conditional_batch_buffer_end', refuse: true }],
  [miKey(MI.REPORT_PERF_COUNT), { upstream: 'cmd_handler_mi_report_perf_count', refuse: true }],
  [miKey(MI.CLFLUSH), { upstream: 'cmd_handler_mi_clflush', refuse: true }],
  [miKey(MI.COPY_MEM_MEM), { upstream: 'cmd_handler_mi_op_2e', refuse: true }],
  [
    bltKey(BLT.XY_SETUP_BLT),
    {
      upstream: null,
      gm: [
        { field: 'Destination Base Address', bytes: 4, what: 'setup destination' },
        { field: 'Pattern Base Address', bytes: 4, what: 'pattern' },
      ],
    },
  ],
  [bltKey(BLT.XY_COLOR_BLT), { upstream: null, uses: ['Destination Base Address'], audit: blit(false) }],
  [bltKey(BLT.XY_SRC_COPY_BLT), { upstream: null, uses: ['Destination Base Address', 'Source Base Address'], audit: blit(true) }],
  [
    PIPE_CONTROL_KEY,
    {
      upstream: 'cmd_handler_pipe_control',
      uses: ['Address'],
      // An LRI post-sync writes the register in dw2; post-sync 2 and 3 read PS_DEPTH_COUNT /
      // TIMESTAMP; an immediate write is audited, an indexed one relocated into the HWSP.
      audit: (c, f) => {
        const d1 = c.dw(1);
        if (d1 & PIPE_CONTROL_MMIO_WRITE) return c.reg(c.dw(2) & 0x7ffffc, 'LRI post-sync to');
        const postSync = (d1 >>> 14) & 3;
        if (postSync === 0) return undefined;
        const source = postSync === 2 ? c.reg(PS_DEPTH_COUNT, 'post-sync from') : postSync === 3 ? c.reg(RCS_TIMESTAMP, 'post-sync from') : undefined;
        if (source) return source;
        const addr = c.address(f.Address, QWORD);
        // Where we are stricter than GVT-g: it audits the address of an immediate write only; a
        // PS_DEPTH_COUNT or timestamp write lands at the same address and is audited too.
        return postSyncWrite(c, addr, (d1 & PIPE_CONTROL_GLOBAL_GTT) !== 0, postSync === 1 && (d1 & STORE_DATA_INDEX) !== 0, () => c.storeIndex(addr, 2, 1, d1));
      },
    },
  ],
]);

const specsByKey = (key: number): CommandSpec[] => COMMAND_SPECS.filter((s) => s.key === key);

function resolve(key: number, rule: AuditRule): CommandAudit {
  const specs = specsByKey(key);
  if (specs.length !== 1) throw new Error(`audit table: key 0x${key.toString(16)} names ${specs.length} decoded commands (want 1)`);
  const spec = specs[0];
  const fields: Record<string, AddressField> = {};
  for (const a of spec.addressFields) fields[a.name] ??= a;
  const field = (name: string, kind: AddressField['kind']): AddressField => {
    const f = fields[name];
    if (!f || f.kind !== kind) throw new Error(`audit table: ${spec.name} has no genxml ${kind} field "${name}"`);
    return f;
  };
  for (const name of rule.uses ?? []) field(name, 'address');
  const [minLength, maxLength] = typeof rule.length === 'number' ? [rule.length, rule.length] : (rule.length ?? [0, Infinity]);
  return {
    upstream: rule.upstream,
    refuse: rule.refuse === true ? `${spec.name} is privileged or not allowed from a guest` : rule.refuse,
    minLength,
    maxLength,
    // Every genxml field of that name (LRI repeats its Register Offset every 2 dwords).
    registers: Object.entries(rule.registers ?? {}).flatMap(([name, what]) => (field(name, 'register'), spec.addressFields.filter((a) => a.name === name).map((a) => ({ field: a, what })))),
    gm: (rule.gm ?? []).map((g) => ({ field: field(g.field, 'address'), bytes: g.bytes, what: g.what })),
    fields,
    audit: rule.audit,
    post: rule.post,
  };
}

/** Command key → resolved audit entry, built once. */
export const COMMAND_AUDITS: ReadonlyMap<number, CommandAudit> = new Map([...RULES].map(([key, rule]) => [key, resolve(key, rule)]));

/** What a command without an entry gets: accepted (type 3), else refused as privileged. */
const ACCEPT: CommandAudit = { upstream: null, refuse: undefined, minLength: 0, maxLength: Infinity, registers: [], gm: [], fields: {}, audit: undefined, post: undefined };
const BY_SPEC: ReadonlyMap<CommandSpec, CommandAudit> = new Map(
  COMMAND_SPECS.map((spec) => [spec, COMMAND_AUDITS.get(spec.key) ?? (spec.type === CMD_TYPE_3D ? ACCEPT : { ...ACCEPT, refuse: `${spec.name} is privileged or not allowed from a guest` })]),
);

/** The audit entry of a decoded command (one of COMMAND_SPECS): its table entry, or the default for its Command Type. */
export function commandAudit(spec: CommandSpec): CommandAudit {
  return BY_SPEC.get(spec)!;
}
