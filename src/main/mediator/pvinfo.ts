/**
 * PVINFO page emulation: what a guest driver reads at 0x78000 to find out it runs on a vGPU and
 * which slice of GM and fences it owns (the ballooning info). Source: i915_pvinfo.h, GVT-g
 * vgpu.c populate_pvinfo_page (with VGT_CAPS_PV and pv_caps from the PV series, see pv.ts).
 */
import { PVINFO, VGT_CAPS_FULL_PPGTT, VGT_CAPS_HUGE_GTT, VGT_CAPS_HWSP_EMULATION, VGT_MAGIC_HI, VGT_MAGIC_LO, VGT_VERSION_MAJOR, VGT_VERSION_MINOR } from '../../shared/pvinfo';
import type { Vgpu } from './vgpu';

/**
 * Read the dword at byte offset `rel` of the vGPU's PVINFO page. Any read tells GVT-g the guest
 * driver knows the vGPU (pvinfo_mmio_read sets vgpu->pv_notified).
 */
export function pvinfoRead(v: Vgpu, rel: number): number {
  v.pvNotified = true;
  switch (rel) {
    case PVINFO.magic:
      return VGT_MAGIC_LO;
    case PVINFO.magic + 4:
      return VGT_MAGIC_HI;
    case PVINFO.version_major: // version_major (u16) | version_minor (u16) << 16
      return (VGT_VERSION_MAJOR | (VGT_VERSION_MINOR << 16)) >>> 0;
    case PVINFO.vgt_id:
      return v.id;
    // populate_pvinfo_page: FULL_PPGTT | HWSP_EMULATION | HUGE_GTT (FULL_PPGTT only when this vGPU
    // shadows PPGTTs), plus VGT_CAPS_PV from the PV series. HUGE_GTT is advertised as upstream
    // does, but the shadow walks 4 KiB pages only (a PS bit is not honoured).
    case PVINFO.vgt_caps:
      return ((v.ppgtt ? VGT_CAPS_FULL_PPGTT : 0) | VGT_CAPS_HWSP_EMULATION | VGT_CAPS_HUGE_GTT | v.pv.vgtCaps) >>> 0;
    case PVINFO.pv_caps:
      return v.pv.caps;
    case PVINFO.mappable_gmadr_base:
      return v.alloc.lowGm.base;
    case PVINFO.mappable_gmadr_size:
      return v.alloc.lowGm.size;
    case PVINFO.nonmappable_gmadr_base:
      return v.alloc.highGm.base;
    case PVINFO.nonmappable_gmadr_size:
      return v.alloc.highGm.size;
    case PVINFO.fence_num:
      return v.alloc.fenceCount;
    // No hot spot until the guest sets one. Source: GVT-g populate_pvinfo_page (UINT_MAX).
    case PVINFO.cursor_x_hot:
    case PVINFO.cursor_y_hot:
      return v.pvinfoWritten.get(rel) ?? 0xffffffff;
    default:
      return v.pvinfoWritten.get(rel) ?? 0;
  }
}
