/**
 * Gen9 (Skylake) MMIO register offsets, in bytes from BAR0 (GTTMMADR).
 * Source: i915 i915_reg.h, cross-checked against IGT tools/registers (../shared/testdata/regs/).
 * Only the registers GVT Desk models are listed; names are the hardware/i915 names.
 */

/** Engine ring register bases (legacy ring buffer). Source: i915 RENDER_RING_BASE / BLT_RING_BASE. */
export const RENDER_RING_BASE = 0x02000;
export const BLT_RING_BASE = 0x22000;

/** Ring register offsets relative to an engine base. Source: i915 RING_TAIL/RING_HEAD/RING_START/RING_CTL. */
export const RING_TAIL = 0x30;
export const RING_HEAD = 0x34;
export const RING_START = 0x38;
export const RING_CTL = 0x3c;
/** RING_HWS_PGA: GGTT address of the engine's hardware status page. Source: i915 RING_HWS_PGA (base + 0x80). */
export const RING_HWS_PGA = 0x80;
/** RING_CTL: bit 0 enables the ring; bits 20:12 hold (pages - 1). */
export const RING_CTL_VALID = 1 << 0;
export const RING_CTL_SIZE = (bytes: number): number => (bytes - 4096) & 0x1ff000;
/** Bytes of ring buffer described by a RING_CTL value. */
export const ringCtlBytes = (ctl: number): number => (ctl & 0x1ff000) + 4096;
/** RING_HEAD/RING_TAIL hold a byte offset in bits 20:2. */
export const RING_ADDR_MASK = 0x1ffffc;

/** GEN8_MASTER_IRQ: bit 31 master enable; bit 0 GT0 (RCS/BCS), bit 16 DE pipe A. Source: i915 GEN8_MASTER_IRQ. */
export const GEN8_MASTER_IRQ = 0x44200;
export const GEN8_MASTER_IRQ_CONTROL = 1 << 31;
/**
 * Master bits of the GT0 bank, which RCS (IIR bits 15:0) and BCS (bits 31:16) share: each engine's
 * half reports on its own master bit. Source: i915 GEN8_GT_RCS_IRQ / GEN8_GT_BCS_IRQ,
 * gen8_gt_irq_handler; GVT-g gen8_irq_map (GT0 bit 0 -> master 0, GT0 bit 16 -> master 1).
 */
export const GEN8_GT_RCS_IRQ = 1 << 0;
export const GEN8_GT_BCS_IRQ = 1 << 1;
export const GEN8_DE_PIPE_A_IRQ = 1 << 16;
/** Master bit of DE pipe `pipe`'s bank (A 16, B 17, C 18). Source: i915 GEN8_DE_PIPE_IRQ(pipe). */
export const GEN8_DE_PIPE_IRQ = (pipe: number): number => 1 << (16 + pipe);
export const GEN8_DE_PCH_IRQ = 1 << 23;

/** GT0 interrupt bank: ISR/IMR/IIR/IER. RCS bits 15:0, BCS bits 31:16. Source: i915 GEN8_GT_ISR(0). */
export const GEN8_GT_ISR0 = 0x44300;
export const GEN8_GT_IMR0 = 0x44304;
export const GEN8_GT_IIR0 = 0x44308;
export const GEN8_GT_IER0 = 0x4430c;
export const GEN8_RCS_IRQ_SHIFT = 0;
export const GEN8_BCS_IRQ_SHIFT = 16;
/** Per-engine interrupt bit: MI_USER_INTERRUPT completed. Source: i915 GT_RENDER_USER_INTERRUPT. */
export const GT_RENDER_USER_INTERRUPT = 1 << 0;
/** Per-engine interrupt bit: PIPE_CONTROL / MI_FLUSH_DW notify. Source: i915 GT_RENDER_PIPECTL_NOTIFY_INTERRUPT. */
export const GT_RENDER_PIPECTL_NOTIFY_INTERRUPT = 1 << 4;

/** DE pipe A interrupt bank. Source: i915 GEN8_DE_PIPE_ISR(PIPE_A). */
export const GEN8_DE_PIPE_ISR_A = 0x44400;
export const GEN8_DE_PIPE_IMR_A = 0x44404;
export const GEN8_DE_PIPE_IIR_A = 0x44408;
export const GEN8_DE_PIPE_IER_A = 0x4440c;
/** DE pipe `pipe`'s bank base (ISR; IMR/IIR/IER at +4/+8/+0xC): 0x44400 + 0x10 * pipe. Source: i915 GEN8_DE_PIPE_ISR(pipe). */
export const GEN8_DE_PIPE_ISR = (pipe: number): number => GEN8_DE_PIPE_ISR_A + 0x10 * pipe;

/** GEN8_PIPE_VBLANK: bit 0 of the DE pipe banks. Source: i915 GEN8_PIPE_VBLANK. */
export const GEN8_PIPE_VBLANK = 1 << 0;
/**
 * Skylake's flip done for plane 1 (the primary plane): bit 3 of the DE pipe banks. Broadwell's
 * GEN8_PIPE_PRIMARY_FLIP_DONE is bit 4; Gen9 numbers flip done per universal plane from bit 3.
 * Source: i915 GEN9_PIPE_PLANE1_FLIP_DONE (GEN9_PIPE_PLANE_FLIP_DONE(p) = 1 << (3 + p)); GVT-g
 * interrupt.c gen8_init_irq maps PRIMARY_A_FLIP_DONE to bit 3 on Gen9+.
 */
export const GEN9_PIPE_PLANE1_FLIP_DONE = 1 << 3;

/**
 * DE port interrupts (DP AUX channel A). On Skylake port A's hotplug is not here but on the PCH
 * (SDE_PORTA_HOTPLUG_SPT): the DE port hotplug bit is Broadwell's. Source: i915 GEN8_DE_PORT_ISR
 * 0x44440; master bit 20; GVT-g display.c emulate_monitor_status_change.
 */
export const GEN8_DE_PORT_ISR = 0x44440;
export const GEN8_DE_PORT_IMR = 0x44444;
export const GEN8_DE_PORT_IIR = 0x44448;
export const GEN8_DE_PORT_IER = 0x4444c;
export const GEN8_DE_PORT_IRQ = 1 << 20;

/** PCH south display engine interrupts (hotplug). Source: i915 SDEISR/SDEIMR/SDEIIR/SDEIER. */
export const SDEISR = 0xc4000;
export const SDEIMR = 0xc4004;
export const SDEIIR = 0xc4008;
export const SDEIER = 0xc400c;

/**
 * Skylake's three pipes and their transcoders. Source: i915 enum pipe (PIPE_A..PIPE_C),
 * INTEL_INFO(skl)->display.pipe_mask.
 */
export const PIPE_NAMES = ['A', 'B', 'C'] as const;
export type PipeName = (typeof PIPE_NAMES)[number];
export const PIPE_COUNT = PIPE_NAMES.length;
/**
 * A per-pipe register of pipe `pipe` (0 = A) given pipe A's offset: every pipe, transcoder, plane
 * and cursor register of B and C sits 0x1000 (B) or 0x2000 (C) above A's on Skylake.
 * Source: i915 _PIPE/_TRANS/_PLANE/_CURSOR2 with TRANSCODER_B_OFFSET 0x61000, TRANSCODER_C_OFFSET
 * 0x62000, _PIPEBSRC 0x6101c, _TRANSBCONF 0x71008, _PLANE_CTL_1_B 0x71180, IVB_CURSOR_B_OFFSET
 * 0x71080, IVB_CURSOR_C_OFFSET 0x72080; IGT tools/registers skl_display.txt (CUR_CTL_C 0x72080,
 * PLANE_CTL_1_C 0x72180, HTOTAL_C 0x62000 in haswell+ lists).
 */
export const pipeReg = (regA: number, pipe: number): number => regA + pipe * 0x1000;

/** Pipe A timing. Values are (total-1)<<16 | (active-1). Source: i915 HTOTAL_A .. PIPESRC_A. */
export const HTOTAL_A = 0x60000;
export const HBLANK_A = 0x60004;
export const HSYNC_A = 0x60008;
export const VTOTAL_A = 0x6000c;
export const VBLANK_A = 0x60010;
export const VSYNC_A = 0x60014;
/** PIPESRC_A: (width-1)<<16 | (height-1). */
export const PIPESRC_A = 0x6001c;
/** PIPECONF_A (TRANSCONF on Skylake): bit 31 enables the pipe. Source: i915 PIPECONF(PIPE_A) / TRANSCONF(TRANSCODER_A) 0x70008. */
export const PIPECONF_A = 0x70008;
export const PIPECONF_ENABLE = 1 << 31;

/** SKL universal plane 1 on pipe A (the primary plane). Source: i915 PLANE_CTL_1_A etc. */
export const PLANE_CTL_1_A = 0x70180;
export const PLANE_STRIDE_1_A = 0x70188;
export const PLANE_POS_1_A = 0x7018c;
export const PLANE_SIZE_1_A = 0x70190;
export const PLANE_SURF_1_A = 0x7019c;
export const PLANE_OFFSET_1_A = 0x701a4;
/** PLANE_CTL fields. Source: i915 PLANE_CTL_ENABLE, PLANE_CTL_FORMAT_*, PLANE_CTL_TILED_*. */
export const PLANE_CTL_ENABLE = 1 << 31;
export const PLANE_CTL_FORMAT_MASK = 0xf << 24;
export const PLANE_CTL_FORMAT_XRGB_8888 = 0x4 << 24;
export const PLANE_CTL_TILED_MASK = 0x7 << 10;
export const PLANE_CTL_TILED_LINEAR = 0 << 10;
export const PLANE_CTL_TILED_X = 1 << 10;

/**
 * Cursor plane of pipe A (Skylake's "CUR" plane, i9xx-style programming). Source: i915
 * intel_cursor_regs.h _CURACNTR 0x70080, _CURABASE 0x70084, _CURAPOS 0x70088 (CURCNTR/CURBASE/
 * CURPOS(PIPE_A)). CUR_BASE holds the 4 KiB aligned GM address of the image; its write arms the
 * update of all three (i9xx_update_cursor writes CURCNTR, CURPOS, then CURBASE).
 */
export const CUR_CTL_A = 0x70080;
export const CUR_BASE_A = 0x70084;
export const CUR_POS_A = 0x70088;
/** CUR_CTL mode select bits; 0 (MCURSOR_MODE_DISABLE) turns the cursor off. Source: i915 MCURSOR_MODE_MASK 0x27. */
export const MCURSOR_MODE_MASK = 0x27;
/** 64x64 32 bpp ARGB8888 cursor, 256 B per row. Source: i915 MCURSOR_MODE_64_ARGB_AX (0x20 | MCURSOR_MODE_64_32B_AX 0x07). */
export const MCURSOR_MODE_64_ARGB_AX = 0x20 | 0x07;
/**
 * CUR_POS: sign-magnitude X in bits 15:0 and Y in bits 31:16, the sign at bit 15 of each half.
 * Source: i915 CURSOR_POS_SIGN 0x8000, CURSOR_X_SHIFT 0, CURSOR_Y_SHIFT 16 (intel_cursor_position).
 */
export const CURSOR_POS_SIGN = 0x8000;
export const CURSOR_X_SHIFT = 0;
export const CURSOR_Y_SHIFT = 16;
/**
 * CUR_POS magnitude fields as GVT-g decodes them: X bits 12:0, Y bits 27:16 (Skylake's field
 * widths). Source: GVT-g fb_decoder.h _CURSOR_POS_X_MASK / _CURSOR_POS_Y_MASK; i915's newer
 * intel_cursor_regs.h CURSOR_POS_X_MASK/_Y_MASK span 14:0 and 30:16 (later platforms' widths).
 */
export const CURSOR_POS_X_MASK = 0x1fff;
export const CURSOR_POS_Y_MASK = 0xfff << CURSOR_Y_SHIFT;

/** Fence registers, 64 bits each (LO, HI). Source: i915 FENCE_REG_GEN6_LO(i) = 0x100000 + 8*i. */
export const FENCE_REG_GEN6_LO = (i: number): number => 0x100000 + i * 8;
export const FENCE_REG_GEN6_HI = (i: number): number => 0x100004 + i * 8;

/** Graphics device reset. Source: i915 GEN6_GDRST 0x941C and its domains GEN6_GRDOM_FULL / RENDER / BLT. */
export const GEN6_GDRST = 0x941c;
export const GEN6_GRDOM_FULL = 1 << 0;
export const GEN6_GRDOM_RENDER = 1 << 1;
export const GEN6_GRDOM_BLT = 1 << 3;

/** Offset of the PVINFO page in BAR0. Source: i915 VGT_PVINFO_PAGE. */
export const VGT_PVINFO_PAGE = 0x78000;
export const VGT_PVINFO_SIZE = 0x1000;

/** Gen8+ GGTT lives in the upper half of the 16 MiB BAR0: GTT window = BAR0 + 8 MiB. */
export const GTT_OFFSET = 8 << 20;
export const BAR0_SIZE = 16 << 20;

/**
 * Execlists (Gen8+), relative to an engine base. Source: i915 intel_lrc.h / intel_lrc.c:
 * RING_ELSP, RING_EXECLIST_STATUS_LO/HI, RING_CONTEXT_STATUS_BUF_LO/HI(i), RING_CONTEXT_STATUS_PTR,
 * RING_MODE_GEN7 (GFX_MODE) with GFX_RUN_LIST_ENABLE.
 */
export const RING_ELSP = 0x230;
export const RING_EXECLIST_STATUS_LO = 0x234;
export const RING_EXECLIST_STATUS_HI = 0x238;
export const RING_CONTEXT_STATUS_BUF_LO = (i: number): number => 0x370 + i * 8;
export const RING_CONTEXT_STATUS_BUF_HI = (i: number): number => 0x374 + i * 8;
export const RING_CONTEXT_STATUS_PTR = 0x3a0;
export const RING_MODE_GEN7 = 0x29c;
export const GFX_RUN_LIST_ENABLE = 1 << 15;
/** Gen8/9 context status buffer entries. */
export const GEN8_CSB_ENTRIES = 6;
/** Per-engine interrupt bit: context switch (CSB updated). Source: i915 GT_CONTEXT_SWITCH_INTERRUPT. */
export const GT_CONTEXT_SWITCH_INTERRUPT = 1 << 8;

/** Masked registers: the high 16 bits select which low bits a write changes. Source: i915 _MASKED_BIT_ENABLE. */
export const maskedBitEnable = (bit: number): number => ((bit << 16) | bit) >>> 0;
/** Source: i915 _MASKED_BIT_DISABLE. */
export const maskedBitDisable = (bit: number): number => (bit << 16) >>> 0;
/** Apply a masked-register write to the current value. */
export const applyMasked = (current: number, write: number): number => ((current & ~(write >>> 16)) | (write & (write >>> 16) & 0xffff)) >>> 0;
/** Masked render-engine registers guest commands may set (cache and sampler modes). Source: i915 i915_reg.h. */
export const CACHE_MODE_0_GEN7 = 0x7000;
export const CACHE_MODE_1 = 0x7004;
/** Blitter software control (masked: tile-Y source/destination bits). Source: i915 BCS_SWCTRL. */
export const BCS_SWCTRL = 0x22200;
