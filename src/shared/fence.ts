/**
 * Fence register encoding (Gen6+, 64 bits as LO/HI dwords): LO bits 31:12 start, bit 1 Y tiling,
 * bit 0 valid; HI bits 31:12 end page (inclusive), bits 11:0 pitch in 128-byte units minus one.
 * Source: i915 i915_gem_fence_reg.c (i965_write_fence_reg, GEN6_FENCE_PITCH_SHIFT 32,
 * I965_FENCE_TILING_Y_SHIFT 1).
 */
export interface Fence {
  start: number;
  /** Exclusive end (bytes of GM). */
  end: number;
  pitch: number;
  tiling: 'x' | 'y';
}

/** Decode fence register pair (lo, hi); null when not valid. */
export function decodeFence(lo: number, hi: number): Fence | null {
  if ((lo & 1) === 0) return null;
  return { start: (lo & 0xfffff000) >>> 0, end: ((hi & 0xfffff000) >>> 0) + 4096, pitch: ((hi & 0xfff) + 1) * 128, tiling: lo & 2 ? 'y' : 'x' };
}

/** Encode a fence over [start, end) with `pitch` bytes per row (a multiple of 128). */
export function encodeFence(f: Fence): [number, number] {
  return [(f.start | (f.tiling === 'y' ? 2 : 0) | 1) >>> 0, ((f.end - 4096) | (f.pitch / 128 - 1)) >>> 0];
}

