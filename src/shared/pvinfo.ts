import { BLT_RING_BASE, GEN8_DE_PIPE_IIR_A, GEN8_DE_PORT_IIR, GEN8_GT_IIR0, GEN8_MASTER_IRQ, RING_HEAD, SDEIIR } from './regs';

/**
 * PVINFO page (struct vgt_if) byte offsets from VGT_PVINFO_PAGE (0x78000).
 * Source: i915 i915_pvinfo.h (VGT_MAGIC, VGT_VERSION_MAJOR/MINOR, struct vgt_if).
 */
export const VGT_MAGIC_LO = 0x76544776; // low dword of 0x4776544776544776
export const VGT_MAGIC_HI = 0x47765447; // high dword
export const VGT_VERSION_MAJOR = 1;
export const VGT_VERSION_MINOR = 0;

export const PVINFO = {
  magic: 0x00, // u64
  version_major: 0x08, // u16
  version_minor: 0x0a, // u16
  vgt_id: 0x0c,
  vgt_caps: 0x10,
  mappable_gmadr_base: 0x40,
  mappable_gmadr_size: 0x44,
  nonmappable_gmadr_base: 0x48,
  nonmappable_gmadr_size: 0x4c,
  fence_num: 0x50,
  display_ready: 0x804,
  rsv5: 0x808, // u32 rsv5[4]: 0x808..0x814
  g2v_notify: 0x818,
  cursor_x_hot: 0x830,
  cursor_y_hot: 0x834,
  pdp0_lo: 0x838, // 4 x {lo, hi}
  execlist_context_descriptor_lo: 0x858,
  execlist_context_descriptor_hi: 0x85c,
  // Appended by the PV series (struct is __packed, see below): GVT's pv_caps offer, then the
  // subset the guest negotiated; and the u64 guest-physical address of the shared page.
  pv_caps: 0x860,
  shared_page_gpa: 0x864,
} as const;

/** Bytes of vgt_if.rsv5 (four u32 at PVINFO.rsv5). */
export const PVINFO_RSV5_BYTES = 16;

/** vgt_if.display_ready values. Source: VGT_DRV_DISPLAY_NOT_READY / VGT_DRV_DISPLAY_READY. */
export const VGT_DRV_DISPLAY_NOT_READY = 0;
export const VGT_DRV_DISPLAY_READY = 1;

/**
 * Offsets a guest may write (the "bottom half page" response area): the cases GVT-g's
 * pvinfo_mmio_write accepts, plus pv_caps and shared_page_gpa from the PV series. A write to rsv5
 * puts the vGPU in failsafe; a write anywhere else is logged and ignored.
 */
export const PVINFO_GUEST_WRITABLE: readonly number[] = [
  PVINFO.display_ready,
  PVINFO.g2v_notify,
  PVINFO.cursor_x_hot,
  PVINFO.cursor_y_hot,
  ...Array.from({ length: 8 }, (_, i) => PVINFO.pdp0_lo + 4 * i),
  PVINFO.execlist_context_descriptor_lo,
  PVINFO.execlist_context_descriptor_hi,
  PVINFO.pv_caps,
  PVINFO.shared_page_gpa,
  PVINFO.shared_page_gpa + 4,
];

// ---- GVT-g paravirtual (PV) extensions ----
//
// Source: Xiaolin Zhang's i915/GVT-g PV series on intel-gvt-dev / intel-gfx: 2019 "[PATCH v4/v5 n/8]"
// ("drm/i915: vgpu shared memory setup for pv optimization", "drm/i915: vgpu context submission pv
// optimization") and its 2020 successor "[PATCH v1/v2 nn/12] enhanced i915 vgpu with PV feature
// support" ("drm/i915: introduced vgpu pv capability", "drm/i915: vgpu shared memory setup for pv
// support", "drm/i915: vgpu pv command buffer transport protocol", "drm/i915: vgpu ggtt page table
// pv support", "drm/i915/gvt: GVTg handle guest shared_page setup", "drm/i915/gvt: GVTg support
// pv workload submssion"). Where the versions differ, or a detail was not found, the choice is
// ours and says so.

/** vgt_if.vgt_caps bits. Source: i915_pvinfo.h; VGT_CAPS_PV from "drm/i915: introduced vgpu pv capability". */
export const VGT_CAPS_FULL_PPGTT = 1 << 2;
export const VGT_CAPS_HWSP_EMULATION = 1 << 3;
export const VGT_CAPS_HUGE_GTT = 1 << 4;
export const VGT_CAPS_PV = 1 << 5;

/**
 * enum vgt_g2v_type: values written to vgt_if.g2v_notify. Upstream starts at 2; the 2020 series
 * appends SHARED_PAGE_REGISTER (8, called VGT_G2V_SHARED_PAGE_SETUP in 2019) and PV_SEND_TRIGGER
 * (9, "pv command buffer transport protocol"). PV_SUBMISSION is the 2019 v4/v5 notification
 * (renamed from VGT_G2V_ELSP_SUBMIT); there it followed SHARED_PAGE_SETUP, which is 9 in the 2020
 * numbering, so we give it 10 (our choice). The 2020 series rang the doorbell by writing
 * PV_CMD_SUBMIT_WORKLOAD into ELSP instead; we keep the 2019 g2v notification.
 */
export const VGT_G2V = {
  PPGTT_L3_PAGE_TABLE_CREATE: 2,
  PPGTT_L3_PAGE_TABLE_DESTROY: 3,
  PPGTT_L4_PAGE_TABLE_CREATE: 4,
  PPGTT_L4_PAGE_TABLE_DESTROY: 5,
  EXECLIST_CONTEXT_CREATE: 6,
  EXECLIST_CONTEXT_DESTROY: 7,
  SHARED_PAGE_REGISTER: 8,
  PV_SEND_TRIGGER: 9,
  PV_SUBMISSION: 10,
} as const;

/**
 * pv_caps bits (enum intel_vgpu_pv_caps / pv_caps in i915_vgpu.h: PV_PPGTT BIT(0), PV_GGTT BIT(1),
 * PV_SUBMISSION BIT(2)). PV_MMIO is ours: GVT keeps the values of a few interrupt/progress
 * registers in the shared page and the guest reads them from RAM, after AcrnGT's PVMMIO
 * (i915.enable_pvmmio, PVMMIO_MASTER_IRQ "batch IRQ related registers"), which had no pv_caps bit.
 */
export const PV_PPGTT = 1 << 0;
export const PV_GGTT = 1 << 1;
export const PV_SUBMISSION = 1 << 2;
export const PV_MMIO = 1 << 16;

/** Shared page version GVT writes at offset 0 (u16 major, u16 minor). Source: i915_vgpu.h PV_MAJOR 0 / PV_MINOR 1 (2020 v2). */
export const PV_MAJOR = 0;
export const PV_MINOR = 1;

/**
 * Byte offsets in the 4 KiB shared page. version at 0, the CTB descriptor at PAGE_SIZE/256 and its
 * command ring at PAGE_SIZE/2 (size PAGE_SIZE/2) as in "vgpu pv command buffer transport protocol";
 * per-engine submission slots at PAGE_SIZE/8 as PV_ELSP_OFF in the later i915_vgpu.h. Upstream's
 * slot is a packed 33-byte struct pv_submission {u64 descs[2]; u64 ctx_gpa[2]; bool submitted};
 * we give each slot 64 bytes and a u32 `submitted` so every field is dword-aligned (our choice).
 * The PVMMIO area at 0x100 is ours.
 */
export const PV_PAGE = {
  version: 0x000,
  ctbDesc: 0x010,
  pvmmio: 0x100,
  elsp: 0x200,
  elspStride: 0x40,
  ctbCmds: 0x800,
  ctbSize: 0x800,
} as const;

/** Fields of a submission slot (bytes from its start): descs[0] lo/hi, descs[1] lo/hi, ctx_gpa[2], submitted. */
export const PV_SLOT = { desc0: 0x00, desc1: 0x08, ctxGpa: 0x10, submitted: 0x20 } as const;

/** Submission slot index per engine: i915's enum intel_engine_id (RCS0 0, BCS0 1), as pv_elsp[engine->id]. */
export const PV_ENGINE_INDEX = { rcs: 0, bcs: 1 } as const;

/** struct vgpu_pv_ct_buffer_desc (bytes from PV_PAGE.ctbDesc): addr/size of the ring in the page, head (GVT), tail (guest), fence and status (GVT). */
export const PV_CTB_DESC = { addr: 0x00, size: 0x04, head: 0x08, tail: 0x0c, fence: 0x10, status: 0x14 } as const;

/** CTB message header (DW0): length in dwords in bits 4:0 (action + data), write-fence flag bit 8, action in 31:16. */
export const PV_CT_MSG_LEN_MASK = 0x1f;
export const PV_CT_MSG_WRITE_FENCE_TO_DESC = 1 << 8;
export const PV_CT_MSG_ACTION_SHIFT = 16;

/** enum intel_vgpu_pv_cmd (2020 v2 "vgpu ppgtt/ggtt page table pv support"). */
export const PV_CMD_BIND_GGTT = 3;
export const PV_CMD_UNBIND_GGTT = 4;

/** struct intel_vgpu_pv_vma as dwords: size (pages), flags, start (u64 GM address), dma_addrs (u64: the PTE itself for one page, else the GPA of a u64 PTE list), pml4 (u64). */
export const PV_VMA = { size: 0, flags: 1, startLo: 2, startHi: 3, dmaLo: 4, dmaHi: 5, pml4Lo: 6, pml4Hi: 7, dwords: 8 } as const;

/** CTB status values GVT writes back: 0 or a negative errno as u32 (Linux numbers). */
export const PV_STATUS_OK = 0;
export const PV_EINVAL = -22 >>> 0;
export const PV_EFAULT = -14 >>> 0;
export const PV_ENODATA = -61 >>> 0;
export const PV_EPROTO = -71 >>> 0;

/**
 * PVMMIO registers, in slot order at PV_PAGE.pvmmio (one dword each): what the guest reads at every
 * interrupt (master, then the IIRs of the banks it flags) and the legacy ring's head it polls for
 * progress. GVT rewrites a slot whenever the value a trapped read would return changes; writes
 * (acks) still trap. The set is ours; AcrnGT's PVMMIO_MASTER_IRQ covered the same interrupt path.
 */
export const PVMMIO_REGS: readonly number[] = [GEN8_MASTER_IRQ, GEN8_GT_IIR0, GEN8_DE_PIPE_IIR_A, SDEIIR, GEN8_DE_PORT_IIR, BLT_RING_BASE + RING_HEAD];
