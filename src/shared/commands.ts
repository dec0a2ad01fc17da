/**
 * Gen8+/Gen9 command encodings shared by the guest driver (which emits them) and the command
 * parser / engines (which decode them). A command is a header dword (dw0) followed by payload
 * dwords. Sources: Mesa genxml gen9.xml for every MI and 3D/media/GPGPU/video command (the
 * generated table in ./gen9-commands.ts), i915 intel_gpu_commands.h and Mesa i965 intel_blit.c
 * for the XY_* blitter commands (genxml has no Gen9 blitter).
 */
import { GEN9_INSTRUCTIONS, type Gen9Engine, type Gen9Instruction } from './gen9-commands';

/** Command Type, header bits 31:29. */
export const CMD_TYPE_MI = 0;
export const CMD_TYPE_2D = 2;
export const CMD_TYPE_3D = 3;

export const cmdType = (dw0: number): number => dw0 >>> 29;

/** MI opcodes (bits 28:23). */
export const MI = {
  NOOP: 0x00,
  SET_PREDICATE: 0x01,
  USER_INTERRUPT: 0x02,
  ARB_CHECK: 0x05,
  ARB_ON_OFF: 0x08,
  BATCH_BUFFER_END: 0x0a,
  PREDICATE: 0x0c,
  LOAD_SCAN_LINES_INCL: 0x12,
  DISPLAY_FLIP: 0x14,
  SET_CONTEXT: 0x18,
  MATH: 0x1a,
  SEMAPHORE_WAIT: 0x1c,
  STORE_DATA_IMM: 0x20,
  STORE_DATA_INDEX: 0x21,
  LOAD_REGISTER_IMM: 0x22,
  /** Privileged: writes GGTT entries. Not in genxml's Gen9 list; i915 MI_UPDATE_GTT. */
  UPDATE_GTT: 0x23,
  STORE_REGISTER_MEM: 0x24,
  FLUSH_DW: 0x26,
  CLFLUSH: 0x27,
  REPORT_PERF_COUNT: 0x28,
  LOAD_REGISTER_MEM: 0x29,
  LOAD_REGISTER_REG: 0x2a,
  /** MI_COPY_MEM_MEM (GVT-g MI_OP_2E). */
  COPY_MEM_MEM: 0x2e,
  ATOMIC: 0x2f,
  BATCH_BUFFER_START: 0x31,
  CONDITIONAL_BATCH_BUFFER_END: 0x36,
} as const;

/** MI_BATCH_BUFFER_START (Gen8, 3 dwords): bit 22 second-level batch, bit 8 PPGTT address space. */
export const MI_BATCH_BUFFER_START_GGTT = ((MI.BATCH_BUFFER_START << 23) | 1) >>> 0;
export const MI_BATCH_SECOND_LEVEL = 1 << 22;
export const MI_BATCH_PPGTT = 1 << 8;
/** MI_LOAD_REGISTER_IMM for `n` (offset, value) pairs. Source: i915 MI_LOAD_REGISTER_IMM(x). */
export const MI_LOAD_REGISTER_IMM_N = (n: number): number => ((MI.LOAD_REGISTER_IMM << 23) | (2 * n - 1)) >>> 0;

/** 2D (blitter) opcodes (bits 28:22). Source: i915 intel_gpu_commands.h. */
export const BLT = {
  XY_SETUP_BLT: 0x01,
  XY_COLOR_BLT: 0x50,
  XY_SRC_COPY_BLT: 0x53,
} as const;

export const miOpcode = (dw0: number): number => (dw0 >>> 23) & 0x3f;
export const bltOpcode = (dw0: number): number => (dw0 >>> 22) & 0x7f;

const mi = (op: number, dwordLength = 0): number => ((op << 23) | dwordLength) >>> 0;

export const MI_NOOP = mi(MI.NOOP);
export const MI_USER_INTERRUPT = mi(MI.USER_INTERRUPT);
export const MI_BATCH_BUFFER_END = mi(MI.BATCH_BUFFER_END);
/** MI_STORE_DATA_IMM with "Use Global GTT" (bit 22): 4 dwords (header, addr lo, addr hi, data). */
export const MI_STORE_DATA_IMM_GGTT = (mi(MI.STORE_DATA_IMM, 2) | (1 << 22)) >>> 0;
/**
 * MI_DISPLAY_FLIP to pipe A's primary plane (Skylake plane select, bits 12:8, = 0:
 * MI_DISPLAY_FLIP_SKL_PLANE_1_A): 3 dwords (header, pitch in bytes | tiling bits 2:0, surface GM
 * address). Source: i915 intel_gpu_commands.h MI_DISPLAY_FLIP_I915 / MI_DISPLAY_FLIP_SKL_PLANE_*;
 * GVT-g cmd_parser.c skl_decode_mi_display_flip.
 */
export const MI_DISPLAY_FLIP_PLANE_A = mi(MI.DISPLAY_FLIP, 1);
/** MI_DISPLAY_FLIP plane select code, dw0 bits 12:8 (Gen9). */
export const displayFlipPlaneCode = (dw0: number): number => (dw0 >>> 8) & 0x1f;
/**
 * Gen9 plane select codes → pipe and plane (i915 MI_DISPLAY_FLIP_SKL_PLANE_1_A..2_C; GVT-g
 * skl_decode_mi_display_flip accepts these six, any other code is -EBADRQC).
 */
export const SKL_FLIP_PLANES: ReadonlyMap<number, { pipe: 'A' | 'B' | 'C'; plane: 'primary' | 'sprite' }> = new Map([
  [0, { pipe: 'A', plane: 'primary' }],
  [1, { pipe: 'B', plane: 'primary' }],
  [2, { pipe: 'C', plane: 'primary' }],
  [4, { pipe: 'A', plane: 'sprite' }],
  [5, { pipe: 'B', plane: 'sprite' }],
  [6, { pipe: 'C', plane: 'sprite' }],
] as const);
/** MI_FLUSH_DW, Gen8+ form: 5 dwords (header, addr lo, addr hi, data lo, data hi). */
export const MI_FLUSH_DW = mi(MI.FLUSH_DW, 3);

/** Blitter header bits: write alpha and RGB channels for 32 bpp. Source: i915 BLT_WRITE_ALPHA/RGB. */
export const BLT_WRITE_ALPHA = 1 << 21;
export const BLT_WRITE_RGB = 1 << 20;
/** XY_SRC_COPY_BLT header bits: source / destination X-tiled (their pitch is then in dwords). */
export const BLT_SRC_TILED = 1 << 15;
export const BLT_DST_TILED = 1 << 11;
/** Gen8 lengths in dwords (64-bit addresses). */
export const XY_COLOR_BLT_LEN = 7;
export const XY_SRC_COPY_BLT_LEN = 10;
/** Gen8+ XY_SETUP_BLT: BR00, BR13, clip rect (2), destination base (2), bg, fg, pattern base (2). Source: Mesa i965 intel_blit.c. */
export const XY_SETUP_BLT_LEN = 10;
export const XY_COLOR_BLT_CMD = ((CMD_TYPE_2D << 29) | (BLT.XY_COLOR_BLT << 22) | BLT_WRITE_ALPHA | BLT_WRITE_RGB | (XY_COLOR_BLT_LEN - 2)) >>> 0;
export const XY_SRC_COPY_BLT_CMD = ((CMD_TYPE_2D << 29) | (BLT.XY_SRC_COPY_BLT << 22) | BLT_WRITE_ALPHA | BLT_WRITE_RGB | (XY_SRC_COPY_BLT_LEN - 2)) >>> 0;

/** BR13: bits 25:24 color depth (3 = 32 bpp), bits 23:16 raster operation, bits 15:0 pitch in bytes. */
export const BR13_32BPP = 3 << 24;
export const ROP_PATCOPY = 0xf0;
export const ROP_SRCCOPY = 0xcc;
export const br13 = (rop: number, pitchBytes: number): number => (BR13_32BPP | (rop << 16) | (pitchBytes & 0xffff)) >>> 0;


// ---------------------------------------------------------------------------------------------
// Header decoding: every genxml Gen9 MI / type-3 instruction plus the i915 blitter commands.

/** Engine bits of CommandSpec.engines, and the `engine` argument of the decoders. */
export const ENGINE = { RENDER: 1, BLITTER: 2, VIDEO: 4 } as const;
/** All engines (genxml instructions without an `engine` attribute: the MI commands). */
export const ENGINE_ALL = ENGINE.RENDER | ENGINE.BLITTER | ENGINE.VIDEO;

/**
 * A field of a command that holds a graphics address, an offset from a base, or an MMIO register
 * offset — what the scanner must audit. Bits are counted within the command's dwords: the field's
 * lowest bit is bit `lo` of dword `dword` (0 = header), its highest is bit `hi` counted from the
 * same dword (`hi` > 31 when it continues into the next dwords, e.g. dword 1 bits 2..47 is a
 * 48-bit address whose upper 16 bits are bits 0..15 of dword 2).
 */
export interface AddressField {
  /** genxml field name; struct members as "Field.Member" (e.g. "Constant Body.Buffer"). */
  readonly name: string;
  /** 'address': graphics address (GGTT or PPGTT); 'offset': offset from a base address the
   * command does not carry (state base, indirect object base, URB); 'register': MMIO offset. */
  readonly kind: 'address' | 'offset' | 'register';
  readonly dword: number;
  readonly lo: number;
  readonly hi: number;
  /** Present when the field repeats: again every `stride` dwords, `count` times in all, or
   * (no `count`) for as long as the command's length allows. */
  readonly stride?: number;
  readonly count?: number;
}

/** Static description of one command opcode. */
export interface CommandSpec {
  /** genxml instruction name ("MI_STORE_DATA_IMM", "3DSTATE_VERTEX_BUFFERS") or i915's for XY_*. */
  readonly name: string;
  /** Command Type, header bits 31:29 (CMD_TYPE_MI, CMD_TYPE_2D or CMD_TYPE_3D). */
  readonly type: number;
  /** Packed opcode key, as opcodeKey(dw0) returns for this command's headers. */
  readonly key: number;
  /** Length in dwords = (dw0 & lengthMask) + bias; lengthMask 0 means the fixed nominalLength. */
  readonly bias: number;
  readonly lengthMask: number;
  /** The command's usual length in dwords (genxml `length`, Gen8 layout for XY_*); undefined
   * when the length varies. Always set when lengthMask is 0. */
  readonly nominalLength: number | undefined;
  /** Engines that accept the command: a mask of ENGINE bits. */
  readonly engines: number;
  readonly addressFields: readonly AddressField[];
  readonly source: 'genxml' | 'i915';
}

/** One decoded header: the spec's facts plus the length this particular dw0 encodes. */
export interface CommandInfo {
  readonly name: string;
  readonly type: number;
  /** Total length in dwords, header included. */
  readonly length: number;
  /** Mask of ENGINE bits the command may run on. */
  readonly engines: number;
  readonly addressFields: readonly AddressField[];
  readonly spec: CommandSpec;
}

/**
 * Packed opcode key of a header: MI → bits 31:23, 2D → bits 31:22, 3D/media (type 3) → bits
 * 31:16 (type, subtype/pipeline, opcode, sub-opcode). The Command Type bits keep the three
 * ranges apart. Undefined for Command Types with no commands here (1, 4–7).
 */
export function opcodeKey(dw0: number): number | undefined {
  switch (dw0 >>> 29) {
    case CMD_TYPE_MI:
      return dw0 >>> 23;
    case CMD_TYPE_2D:
      return dw0 >>> 22;
    case CMD_TYPE_3D:
      return dw0 >>> 16;
    default:
      return undefined;
  }
}

/**
 * Command keys: opcodeKey() of a command's header, built from its opcode fields. They are the
 * upstream encodings (GVT-g cmd_parser.c OP_MI_*, OP_2D(x), OP_3D_MEDIA(sub_type, opcode,
 * sub_opcode)) and index both the mediator's audit table and the engine's executor table, so one
 * constant names a command on both sides.
 */
export const miKey = (op: number): number => op;
export const bltKey = (op: number): number => (CMD_TYPE_2D << 7) | op;
export const key3d = (subType: number, op: number, subOp: number): number => (CMD_TYPE_3D << 13) | (subType << 11) | (op << 8) | subOp;
/** PIPE_CONTROL: type 3, subtype 3, opcode 2, sub-opcode 0 (genxml). */
export const PIPE_CONTROL_KEY = key3d(3, 2, 0);

const ENGINE_BITS: Record<string, number> = { render: ENGINE.RENDER, blitter: ENGINE.BLITTER, video: ENGINE.VIDEO };

const engineMask = (engine: Gen9Engine): number =>
  engine === 'all' ? ENGINE_ALL : engine.split('|').reduce((m, e) => m | (ENGINE_BITS[e] ?? 0), 0);

/**
 * Engine corrections to genxml. gen9.xml marks MI_FLUSH_DW engine="video" only, but it is the
 * flush of every non-render ring: i915 emits it on BCS, VCS and VECS (gen8_emit_flush_xcs), and
 * the guest driver here emits it on BCS.
 */
const ENGINE_OVERRIDES: Readonly<Record<string, number>> = {
  MI_FLUSH_DW: ENGINE.BLITTER | ENGINE.VIDEO,
  // GVT-g cmd_info: MI_PREDICATE is R_RCS (genxml lists no engine), MI_LOAD_SCAN_LINES_INCL R_RCS | R_BCS.
  MI_PREDICATE: ENGINE.RENDER,
  MI_LOAD_SCAN_LINES_INCL: ENGINE.RENDER | ENGINE.BLITTER,
};

/**
 * Fixed lengths where GVT-g's cmd_info and genxml disagree: GVT-g reads MI_LOAD_SCAN_LINES_INCL as
 * F_LEN_CONST 2 dwords, whatever its DWord Length field says (genxml: bits 5:0 + 2).
 */
const LENGTH_OVERRIDES: Readonly<Record<string, number>> = { MI_LOAD_SCAN_LINES_INCL: 2 };

function fromGenxml(row: Gen9Instruction): CommandSpec {
  const dw0 =
    row.type === CMD_TYPE_MI
      ? row.op << 23
      : (CMD_TYPE_3D << 29) | ((row.sub ?? 0) << 27) | (row.op << 24) | ((row.subop ?? 0) << 16);
  return {
    name: row.name,
    type: row.type,
    key: opcodeKey(dw0 >>> 0)!,
    bias: row.bias,
    lengthMask: row.lenEnd === undefined || LENGTH_OVERRIDES[row.name] !== undefined ? 0 : (2 << row.lenEnd) - 1,
    nominalLength: LENGTH_OVERRIDES[row.name] ?? row.length,
    engines: ENGINE_OVERRIDES[row.name] ?? engineMask(row.engine),
    addressFields: row.addr.map(([name, dword, lo, hi, kind, stride, count]) => ({
      name,
      kind,
      dword,
      lo,
      hi,
      ...(stride === undefined ? {} : { stride }),
      ...(count === undefined ? {} : { count }),
    })),
    source: 'genxml',
  };
}

/** XY_* blitter command (i915): DWord Length is bits 7:0, bias 2, BCS only; 64-bit addresses. */
const blt = (name: string, op: number, nominalLength: number, addr: ReadonlyArray<readonly [string, number]>): CommandSpec => ({
  name,
  type: CMD_TYPE_2D,
  key: (CMD_TYPE_2D << 7) | op,
  bias: 2,
  lengthMask: 0xff,
  nominalLength,
  engines: ENGINE.BLITTER,
  addressFields: addr.map(([n, dword]) => ({ name: n, kind: 'address' as const, dword, lo: 0, hi: 63 })),
  source: 'i915',
});

/**
 * Every command this model can decode: the genxml Gen9 instructions (gen9.xml order) followed by
 * the XY_* blitter commands. XY_MONO_SRC_COPY_BLT (0x54) and the other XY_* are left out: no
 * Gen8+ layout source was at hand, and the scanner must not audit fields at guessed positions.
 */
export const COMMAND_SPECS: readonly CommandSpec[] = [
  ...GEN9_INSTRUCTIONS.map(fromGenxml),
  blt('XY_SETUP_BLT', BLT.XY_SETUP_BLT, XY_SETUP_BLT_LEN, [['Destination Base Address', 4], ['Pattern Base Address', 8]]),
  blt('XY_COLOR_BLT', BLT.XY_COLOR_BLT, XY_COLOR_BLT_LEN, [['Destination Base Address', 4]]),
  blt('XY_SRC_COPY_BLT', BLT.XY_SRC_COPY_BLT, XY_SRC_COPY_BLT_LEN, [['Destination Base Address', 4], ['Source Base Address', 8]]),
];

const lowestBit = (mask: number): number => mask & -mask;

/**
 * Opcode key → specs sharing it. Gen9 reuses eight type-3 keys between a render-engine media
 * command and a video-engine MFX command (MEDIA_VFE_STATE / MFX_PIPE_MODE_SELECT share 0x7000,
 * …); each list is ordered by lowest engine bit, then name, so the render command comes first.
 */
const INDEX: ReadonlyMap<number, readonly CommandSpec[]> = (() => {
  const m = new Map<number, CommandSpec[]>();
  for (const s of COMMAND_SPECS) {
    const list = m.get(s.key);
    if (list) list.push(s);
    else m.set(s.key, [s]);
  }
  for (const list of m.values()) {
    list.sort((a, b) => lowestBit(a.engines) - lowestBit(b.engines) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
  return m;
})();

/** All specs whose opcode matches dw0 (usually one; two for the media/MFX aliases; none if unknown). */
export function commandCandidates(dw0: number): readonly CommandSpec[] {
  const key = opcodeKey(dw0 >>> 0);
  return (key === undefined ? undefined : INDEX.get(key)) ?? [];
}

/**
 * The spec for dw0: for an opcode shared by several commands, the first one accepting `engine`
 * (an ENGINE bit) if given and any does, else the first (render-engine) one.
 */
export function commandSpec(dw0: number, engine?: number): CommandSpec | undefined {
  const list = commandCandidates(dw0);
  if (list.length > 1 && engine !== undefined) return list.find((s) => (s.engines & engine) !== 0) ?? list[0];
  return list[0];
}

/** Total length in dwords (header included) that header `dw0` encodes for a command of spec `s` (what decodeHeader reports). */
export const specLength = (s: CommandSpec, dw0: number): number =>
  s.lengthMask === 0 ? s.nominalLength! : (dw0 & s.lengthMask) + s.bias;

/**
 * Decode a command header in O(1): name, Command Type, total length in dwords (from the DWord
 * Length field, or the fixed length), engine mask and address fields. `engine` (an ENGINE bit)
 * only picks between commands sharing an opcode (see commandSpec); it does not reject a command
 * the engine cannot run — check `engines` for that. Undefined for an unknown opcode.
 */
export function decodeHeader(dw0: number, engine?: number): CommandInfo | undefined {
  const spec = commandSpec(dw0, engine);
  if (!spec) return undefined;
  return { name: spec.name, type: spec.type, length: specLength(spec, dw0 >>> 0), engines: spec.engines, addressFields: spec.addressFields, spec };
}

/**
 * Total length in dwords of the command starting with dw0, or undefined for an opcode this
 * model does not know. Source: genxml "bias" + DWord Length field (bits 5:0 … 15:0 depending
 * on the command), fixed length when it has none; 2D: bits 7:0 + 2 (i915 / GVT-g cmd_parser).
 */
export function commandLength(dw0: number, engine?: number): number | undefined {
  const spec = commandSpec(dw0, engine);
  return spec && specLength(spec, dw0 >>> 0);
}

/** Name of a command header for logs and UIs ("XY_COLOR_BLT", "MI_NOOP", "UNKNOWN(0x…)"). */
export function commandName(dw0: number, engine?: number): string {
  return commandSpec(dw0, engine)?.name ?? `UNKNOWN(0x${(dw0 >>> 0).toString(16).padStart(8, '0')})`;
}
