/**
 * PV GGTT binding: one CTB command maps a whole object (a range of GM pages) instead of one trapped
 * 64-bit PTE write per page. Each entry still goes through the same shadow-GGTT check as a trapped
 * write (GM page inside the vGPU, frame inside its RAM, translated gfn -> host frame), so PV adds
 * no new way to reach foreign memory. Source: "drm/i915/gvt: GVTg support ggtt pv operations"
 * (intel_vgpu_pv_ggtt_bind) and the guest's intel_vgpu_pv_vma_action (struct intel_vgpu_pv_vma:
 * dma_addrs is the PTE itself for one page, else the GPA of a u64 PTE list).
 */
import { PAGE_SIZE } from '../../shared/platform';
import { PV_EFAULT, PV_EINVAL, PV_STATUS_OK, PV_VMA } from '../../shared/pvinfo';
import { type ShadowGgtt, writeGuestPte } from './gtt-shadow';
import type { VgpuPv } from './pv';
import type { Vgpu } from './vgpu';

export interface PvResult {
  status: number;
  /** Why the command was refused (for the vGPU log), when it was. */
  reason?: string;
}

/**
 * PV_CMD_BIND_GGTT with pv_vma `data` (PV_VMA.dwords dwords). The whole range [start, start +
 * size pages) must be the vGPU's own GM and the PTE list inside its RAM, else nothing is written
 * (PV_EINVAL). Entries the shadow GGTT refuses (a frame outside the VM's RAM: scratch page) are
 * counted as for trapped writes and make the status PV_EFAULT; the others are mapped.
 */
export function pvGgttBind(sg: ShadowGgtt, v: Vgpu, pv: VgpuPv, data: Uint32Array): PvResult {
  if (data.length < PV_VMA.dwords) return { status: PV_EINVAL, reason: `GGTT bind with ${data.length} dwords of pv_vma, expected ${PV_VMA.dwords}` };
  const pages = data[PV_VMA.size];
  const start = data[PV_VMA.startHi] * 2 ** 32 + data[PV_VMA.startLo];
  if (pages < 1 || start % PAGE_SIZE || !v.ownsGm(start, pages * PAGE_SIZE)) {
    return { status: PV_EINVAL, reason: `GGTT bind of ${pages} pages at GM 0x${start.toString(16)} outside the vGPU's ranges` };
  }
  const list = data[PV_VMA.dmaHi] * 2 ** 32 + data[PV_VMA.dmaLo];
  if (pages > 1 && (list % 8 || !pv.ramHolds(list, pages * 8))) {
    return { status: PV_EINVAL, reason: `GGTT bind PTE list at GPA 0x${list.toString(16)} (${pages} entries) outside the VM's RAM` };
  }
  const first = start / PAGE_SIZE;
  let dropped = 0;
  for (let i = 0; i < pages; i++) {
    const lo = pages === 1 ? data[PV_VMA.dmaLo] : pv.ram[list / 4 + i * 2];
    const hi = pages === 1 ? data[PV_VMA.dmaHi] : pv.ram[list / 4 + i * 2 + 1];
    // A frame outside the VM's RAM is pointed at the scratch page (see gtt-shadow.ts) and counted.
    const verdict = writeGuestPte(sg, v, first + i, lo, hi);
    if (verdict === 'dropped' || verdict === 'scratch') dropped++;
  }
  return dropped ? { status: PV_EFAULT, reason: `GGTT bind: ${dropped} of ${pages} entries dropped` } : { status: PV_STATUS_OK };
}
