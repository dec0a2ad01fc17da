/**
 * HWSP emulation (VGT_CAPS_HWSP_EMULATION): every entry the virtual execlist writes into a vGPU's
 * context status buffer is also written into the guest's hardware status page for that engine —
 * the entry's two dwords at I915_HWS_CSB_BUF0_INDEX + 2 * write pointer and the write pointer at
 * I915_HWS_CSB_WRITE_INDEX — as Gen8+ hardware mirrors its CSB, so a guest i915 can read the CSB
 * from memory (execlists->csb_status / csb_write). Source: GVT-g execlist.c emulate_csb_update
 * (intel_vgpu_gma_to_gpa of vgpu->hws_pga[engine], then intel_gvt_hypervisor_write_gpa).
 */
import { I915_HWS_CSB_BUF0_INDEX, I915_HWS_CSB_WRITE_INDEX } from '../../shared/execlist';
import { PAGE_SIZE } from '../../shared/platform';
import type { EngineId } from '../gpu/engine';
import type { Ggtt } from '../gpu/ggtt';
import type { VirtualCsb } from './virtual-execlist';
import type { Vgpu } from './vgpu';

/**
 * Mirror the entry `csb` just wrote (at its write pointer) into `v`'s HWSP for `engine`. Nothing is
 * written unless hws_pga names a page of the vGPU's own GM (upstream: intel_vgpu_gma_to_gpa returns
 * INTEL_GVT_INVALID_ADDR for 0 or any address outside it). The writes go through the GGTT, whose
 * entries for the vGPU's GM are the shadows of its own PTEs, so they land in the VM's RAM (or the
 * scratch page) and nowhere else. Ours: the low 12 bits of hws_pga are ignored, as the register's
 * address field is bits 31:12 (upstream adds them to the guest-physical address).
 */
export function emulateHwspCsbUpdate(ggtt: Ggtt, v: Vgpu, engine: EngineId, csb: VirtualCsb): void {
  const hws = v.hwsPga[engine] & 0xfffff000;
  if (!v.ownsGm(hws, PAGE_SIZE)) return;
  const slot = csb.writePtr;
  ggtt.write32(hws + (I915_HWS_CSB_BUF0_INDEX + slot * 2) * 4, csb.entries[slot * 2]);
  ggtt.write32(hws + (I915_HWS_CSB_BUF0_INDEX + slot * 2 + 1) * 4, csb.entries[slot * 2 + 1]);
  ggtt.write32(hws + I915_HWS_CSB_WRITE_INDEX * 4, slot);
}
