/**
 * Gen8+/Gen9 command encodings shared by the guest driver (which emits them) and the command
 * parser / engines (which decode them). A command is a header dword followed by payload dwords.
 * Source: Mesa genxml gen9.xml (MI_*) and i915 intel_gpu_commands.h (XY_* blitter commands).
 */

/** Command Type, header bits 31:29. */
export const CMD_TYPE_MI = 0;
export const CMD_TYPE_2D = 2;
export const CMD_TYPE_3D = 3;

export const cmdType = (dw0: number): number => dw0 >>> 29;

/** MI opcodes (bits 28:23). */
export const MI = {
  NOOP: 0x00,
  USER_INTERRUPT: 0x02,
  BATCH_BUFFER_END: 0x0a,
  STORE_DATA_IMM: 0x20,
  LOAD_REGISTER_IMM: 0x22,
  FLUSH_DW: 0x26,
  BATCH_BUFFER_START: 0x31,
} as const;

/** 2D (blitter) opcodes (bits 28:22). */
export const BLT = {
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
/** MI_FLUSH_DW, Gen8+ form: 5 dwords (header, addr lo, addr hi, data lo, data hi). */
export const MI_FLUSH_DW = mi(MI.FLUSH_DW, 3);

/** Blitter header bits: write alpha and RGB channels for 32 bpp. Source: i915 BLT_WRITE_ALPHA/RGB. */
export const BLT_WRITE_ALPHA = 1 << 21;
export const BLT_WRITE_RGB = 1 << 20;
/** Gen8 lengths in dwords (64-bit addresses). */
export const XY_COLOR_BLT_LEN = 7;
export const XY_SRC_COPY_BLT_LEN = 10;
export const XY_COLOR_BLT_CMD = ((CMD_TYPE_2D << 29) | (BLT.XY_COLOR_BLT << 22) | BLT_WRITE_ALPHA | BLT_WRITE_RGB | (XY_COLOR_BLT_LEN - 2)) >>> 0;
export const XY_SRC_COPY_BLT_CMD = ((CMD_TYPE_2D << 29) | (BLT.XY_SRC_COPY_BLT << 22) | BLT_WRITE_ALPHA | BLT_WRITE_RGB | (XY_SRC_COPY_BLT_LEN - 2)) >>> 0;

/** BR13: bits 25:24 color depth (3 = 32 bpp), bits 23:16 raster operation, bits 15:0 pitch in bytes. */
export const BR13_32BPP = 3 << 24;
export const ROP_PATCOPY = 0xf0;
export const ROP_SRCCOPY = 0xcc;
export const br13 = (rop: number, pitchBytes: number): number => (BR13_32BPP | (rop << 16) | (pitchBytes & 0xffff)) >>> 0;

/**
 * Total length in dwords of the command starting with dw0, or undefined for an opcode this
 * model does not know. Source: genxml "bias" + DWord Length field (MI: bits 5:0; 2D: bits 7:0).
 */
export function commandLength(dw0: number): number | undefined {
  const type = cmdType(dw0);
  if (type === CMD_TYPE_MI) {
    const op = miOpcode(dw0);
    switch (op) {
      case MI.NOOP:
      case MI.USER_INTERRUPT:
      case MI.BATCH_BUFFER_END:
        return 1;
      case MI.STORE_DATA_IMM:
      case MI.LOAD_REGISTER_IMM:
      case MI.FLUSH_DW:
      case MI.BATCH_BUFFER_START:
        return (dw0 & 0x3f) + 2;
      default:
        return undefined;
    }
  }
  if (type === CMD_TYPE_2D) {
    const op = bltOpcode(dw0);
    if (op === BLT.XY_COLOR_BLT || op === BLT.XY_SRC_COPY_BLT) return (dw0 & 0xff) + 2;
    return undefined;
  }
  return undefined;
}

/** Name of a command header for logs and UIs ("XY_COLOR_BLT", "MI_NOOP", "UNKNOWN(0x…)"). */
export function commandName(dw0: number): string {
  const type = cmdType(dw0);
  if (type === CMD_TYPE_MI) {
    const op = miOpcode(dw0);
    const name = Object.entries(MI).find(([, v]) => v === op)?.[0];
    if (name) return `MI_${name}`;
  } else if (type === CMD_TYPE_2D) {
    const op = bltOpcode(dw0);
    const name = Object.entries(BLT).find(([, v]) => v === op)?.[0];
    if (name) return name;
  }
  return `UNKNOWN(0x${(dw0 >>> 0).toString(16).padStart(8, '0')})`;
}
