/**
 * Execlist context descriptors, the logical ring context image and context status buffer (CSB)
 * encodings for Gen8/Gen9. Source: i915 intel_lrc.c / intel_lrc.h (GEN8_CTX_*, CTX_* register
 * state offsets, GEN8_CTX_STATUS_*), LRC_PPHWSP_PN = 0, LRC_STATE_PN = 1.
 */

/** Context descriptor (64 bits: lo, hi). LRCA in bits 31:12 of lo, context ID in hi. */
export const GEN8_CTX_VALID = 1 << 0;
export const GEN8_CTX_ADDRESSING_MODE_SHIFT = 3;
export const INTEL_LEGACY_32B_CONTEXT = 1;
/** 48-bit addressing with a 4-level PPGTT whose PML4 is in the image's PDP0 slot. Source: i915 INTEL_LEGACY_64B_CONTEXT, gen8_ctx_descriptor. */
export const INTEL_LEGACY_64B_CONTEXT = 3;
/** A descriptor's addressing mode (bits 4:3). */
export const addressingMode = (descLo: number): number => (descLo >>> GEN8_CTX_ADDRESSING_MODE_SHIFT) & 3;
export const GEN8_CTX_PRIVILEGE = 1 << 8;
export const lrcaOf = (descLo: number): number => (descLo & 0xfffff000) >>> 0;

/**
 * The CSB mirrored in an engine's hardware status page (dword indexes): six (status, context ID)
 * pairs from I915_HWS_CSB_BUF0_INDEX, the last write pointer at I915_HWS_CSB_WRITE_INDEX (Gen9;
 * Gen11 moved it to 0x2f). Source: i915 intel_engine.h.
 */
export const I915_HWS_CSB_BUF0_INDEX = 0x10;
export const I915_HWS_CSB_WRITE_INDEX = 0x1f;

/** The context image: page 0 is the per-process HWSP, page 1 the register state. */
export const LRC_PPHWSP_PN = 0;
export const LRC_STATE_PN = 1;
/** Dword indexes in the register state: each is an (MMIO offset, value) pair of an LRI list. */
export const CTX_LRI_HEADER_0 = 0x01;
export const CTX_RING_HEAD = 0x04;
export const CTX_RING_TAIL = 0x06;
export const CTX_RING_BUFFER_START = 0x08;
export const CTX_RING_BUFFER_CONTROL = 0x0a;
/** Second LRI list: the PDP registers (upper then lower dword, PDP3 first); a 48-bit PPGTT context keeps its PML4 in PDP0. Source: i915 intel_lrc_reg.h, ASSIGN_CTX_PML4. */
export const CTX_LRI_HEADER_1 = 0x21;
export const CTX_PDP3_UDW = 0x24;
export const CTX_PDP0_UDW = 0x30;
export const CTX_PDP0_LDW = 0x32;
/** GEN8_RING_PDP_UDW / GEN8_RING_PDP_LDW(engine base, n): engine base + 0x270 + 8n (+ 4 for the upper dword). */
export const RING_PDP_LDW = (n: number): number => 0x270 + 8 * n;
export const RING_PDP_UDW = (n: number): number => 0x270 + 8 * n + 4;
/** Dwords of register state a context image must hold for the fields above. */

/** CSB status dword bits (the upper dword is the context ID). Source: i915 GEN8_CTX_STATUS_*, GVT-g execlist.h. */
export const GEN8_CTX_STATUS_IDLE_ACTIVE = 1 << 0;
export const GEN8_CTX_STATUS_PREEMPTED = 1 << 1;
export const GEN8_CTX_STATUS_ELEMENT_SWITCH = 1 << 2;
export const GEN8_CTX_STATUS_ACTIVE_IDLE = 1 << 3;
export const GEN8_CTX_STATUS_COMPLETE = 1 << 4;
export const GEN8_CTX_STATUS_LITE_RESTORE = 1 << 15;

/**
 * A descriptor for a privileged context at `lrca`: legacy 32-bit addressing (GGTT only here) or,
 * with `mode` INTEL_LEGACY_64B_CONTEXT, a 48-bit PPGTT context. Source: i915 gen8_ctx_descriptor.
 */
export function contextDescriptor(lrca: number, ctxId: number, mode = INTEL_LEGACY_32B_CONTEXT): [number, number] {
  return [(lrca | GEN8_CTX_VALID | ((mode & 3) << GEN8_CTX_ADDRESSING_MODE_SHIFT) | GEN8_CTX_PRIVILEGE) >>> 0, ctxId >>> 0];
}
