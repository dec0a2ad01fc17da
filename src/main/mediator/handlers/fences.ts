/**
 * Fence registers in the MMIO table: the guest's fence i (of the vGPU's fenceCount) is the physical
 * fence fenceBase + i; an access to a fence the vGPU does not own is refused, and a fence range
 * outside the vGPU's GM never reaches the physical register. Fences past the GPU's own count are
 * plain vreg. Source: GVT-g handlers.c (fence_mmio_read, fence_mmio_write,
 * sanitize_fence_mmio_access, MMIO_DH(FENCE_REG_GEN6_LO/HI)), aperture_gm.c (intel_vgpu_write_fence).
 */
import { FENCE_REG_GEN6_HI, FENCE_REG_GEN6_LO } from '../../../shared/regs';
import { decodeFence } from '../../../shared/fence';
import type { Gvt } from '../gvt';
import { type MmioTable, defaultMmioRead, defaultMmioWrite } from '../mmio-info';
import type { Vgpu } from '../vgpu';

/** The guest fence number of a fence register, or undefined past the GPU's fence count. */
function fenceIndex(gvt: Gvt, offset: number): number | undefined {
  const i = (offset - FENCE_REG_GEN6_LO(0)) >>> 3;
  return i < gvt.gpu.geometry.fences ? i : undefined;
}

/**
 * sanitize_fence_mmio_access: true when the vGPU owns fence `i`. An access to a fence it does not
 * own is refused (a read returns 0, a write is dropped) and logged; if the guest has not read its
 * PVINFO page yet, it is a driver that does not know GVT-g, and the vGPU enters failsafe
 * (GVT_FAILSAFE_UNSUPPORTED_GUEST).
 */
function fenceOwned(gvt: Gvt, v: Vgpu, i: number): boolean {
  if (i < v.alloc.fenceCount) return true;
  v.note(`fence: access oob fence reg ${i}/${v.alloc.fenceCount}`);
  if (!v.pvNotified) gvt.enterFailsafe(v, `fence ${i} accessed before PVINFO was read: the guest driver does not support GVT-g`);
  return false;
}

/** fence_mmio_read. */
function fenceMmioRead(gvt: Gvt, v: Vgpu, offset: number): number {
  const i = fenceIndex(gvt, offset);
  return i !== undefined && !fenceOwned(gvt, v, i) ? 0 : defaultMmioRead(v, offset);
}

/** fence_mmio_write: refused before anything is stored when out of range; else stored and applied to the physical fence (intel_vgpu_write_fence). */
function fenceMmioWrite(gvt: Gvt, v: Vgpu, offset: number, value: number): void {
  const i = fenceIndex(gvt, offset);
  if (i !== undefined && !fenceOwned(gvt, v, i)) return;
  defaultMmioWrite(v, offset, value, undefined);
  if (i === undefined) return;
  const fence = decodeFence(v.vreg[FENCE_REG_GEN6_LO(i) >>> 2], v.vreg[(FENCE_REG_GEN6_LO(i) + 4) >>> 2]);
  const physLo = FENCE_REG_GEN6_LO(v.alloc.fenceBase + i);
  if (fence && !v.ownsGm(fence.start, fence.end - fence.start)) {
    v.note(`fence ${i}: range 0x${fence.start.toString(16)}-0x${fence.end.toString(16)} outside the vGPU's GM, not applied`);
    gvt.gpu.mmioWrite(physLo, 0);
    return;
  }
  gvt.gpu.mmioWrite(physLo + (offset - FENCE_REG_GEN6_LO(i)), v.vreg[offset >>> 2]);
}

/** Fence registers Gen9 has (i915 I915_MAX_NUM_FENCES); a GPU configured with fewer leaves the rest plain vreg. */
const GEN9_FENCE_REGS = 32;

/** The fence registers (part of intel_gvt_setup_mmio_info). */
export function registerFenceMmio(t: MmioTable): void {
  for (let i = 0; i < GEN9_FENCE_REGS; i++) {
    t.add({ offset: FENCE_REG_GEN6_LO(i), name: `FENCE_REG_GEN6_LO(${i})`, read: fenceMmioRead, write: fenceMmioWrite });
    t.add({ offset: FENCE_REG_GEN6_HI(i), name: `FENCE_REG_GEN6_HI(${i})`, read: fenceMmioRead, write: fenceMmioWrite });
  }
}
