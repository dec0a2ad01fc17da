/**
 * The emulated physical GPU's fixed geometry (Skylake GT2 defaults) and GVT-g's host reservation.
 * Sizes in bytes unless the name says MiB. Source: GVT-g (gvt.h / aperture_gm.c defaults):
 * host keeps 128 MiB low GM, 384 MiB high GM and 4 fences.
 */
export const MiB = 1 << 20;
export const GiB = 1 << 30;
export const PAGE_SIZE = 4096;
export const PAGE_SHIFT = 12;

export interface GpuGeometry {
  /** Aperture (low GM, CPU-visible through BAR2) in bytes. */
  apertureBytes: number;
  /** Total graphics memory (low + high GM) in bytes; GGTT has one 8-byte PTE per 4 KiB page. */
  totalGmBytes: number;
  /** Number of fence registers. */
  fences: number;
}

export const SKL_GT2_DEFAULT: GpuGeometry = { apertureBytes: 512 * MiB, totalGmBytes: 4 * GiB, fences: 32 };

export interface HostReservation {
  lowGmBytes: number;
  highGmBytes: number;
  fences: number;
}

export const GVTG_HOST_RESERVATION: HostReservation = { lowGmBytes: 128 * MiB, highGmBytes: 384 * MiB, fences: 4 };

/** GVT-g allows at most this many live vGPUs on one physical GPU. Source: GVT_MAX_VGPU. */
export const GVT_MAX_VGPU = 7;

/** Gen8 GGTT PTE: bit 0 present; bits 38:12 the 4 KiB-aligned host-physical address. Source: gen8_pte_encode. */
export const GEN8_PAGE_PRESENT = 1;
/** PPGTT PDE page-size bit: the PDE maps a 2 MiB page (address bits 47:21). Source: i915 GEN8_PDE_PS_2M (BIT(7)). */
export const GEN8_PDE_PS_2M = 1 << 7;
/** Bytes of a 2 MiB PPGTT page. Source: i915 I915_GTT_PAGE_SIZE_2M. */
export const PAGE_SIZE_2M = 2 ** 21;
