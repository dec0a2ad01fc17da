/**
 * Shadow GGTT: a guest writes PTEs holding guest-physical frames into its GTT window; the mediator
 * checks the GM page lies in the vGPU's aperture/high-GM range and the frame lies in the VM's RAM,
 * translates gfn -> host frame and writes the physical PTE. Anything else is dropped and counted.
 * Source: GVT-g gtt.c (emulate_ggtt_mmio_write, intel_gvt_ggtt_validate_range).
 */
import { GEN8_PAGE_PRESENT, PAGE_SIZE } from '../../shared/platform';
import type { Ggtt } from '../gpu/ggtt';
import { encodePte, pteFrame } from '../gpu/ggtt';
import type { Vgpu } from './vgpu';

export type PteVerdict = 'mapped' | 'cleared' | 'dropped';

/**
 * Emulate a guest's 64-bit write of PTE `index`. Returns what happened; a dropped entry leaves the
 * physical PTE untouched and is noted in the vGPU's log.
 */
export function writeGuestPte(ggtt: Ggtt, vgpu: Vgpu, index: number, lo: number, hi: number): PteVerdict {
  const gm = index * PAGE_SIZE;
  if (!Number.isInteger(index) || index < 0 || index >= ggtt.entries || !vgpu.ownsGm(gm, PAGE_SIZE)) {
    vgpu.stats.droppedPtes++;
    vgpu.note(`GGTT: dropped PTE ${index} (GM 0x${gm.toString(16)} outside the vGPU's ranges)`);
    return 'dropped';
  }
  if ((lo & GEN8_PAGE_PRESENT) === 0) {
    vgpu.guestPtes.set(index, [lo >>> 0, hi >>> 0]);
    ggtt.setPte(index, 0, 0);
    return 'cleared';
  }
  const gfn = pteFrame(lo, hi);
  if (gfn * PAGE_SIZE + PAGE_SIZE > vgpu.ram.size) {
    vgpu.stats.droppedPtes++;
    vgpu.note(`GGTT: dropped PTE ${index} (guest frame 0x${gfn.toString(16)} outside the VM's ${vgpu.ram.size >>> 20} MiB RAM)`);
    return 'dropped';
  }
  vgpu.guestPtes.set(index, [lo >>> 0, hi >>> 0]);
  const [plo, phi] = encodePte(vgpu.ram.base + gfn * PAGE_SIZE);
  ggtt.setPte(index, plo, phi);
  return 'mapped';
}

/** A guest read of its GTT window returns what it wrote (the guest view), never host frames. */
export function readGuestPte(vgpu: Vgpu, index: number): [number, number] {
  return vgpu.guestPtes.get(index) ?? [0, 0];
}

/** Clear every physical PTE of a vGPU's ranges (on destroy) so no stale mapping survives. */
export function clearVgpuPtes(ggtt: Ggtt, vgpu: Vgpu): void {
  for (const r of [vgpu.alloc.lowGm, vgpu.alloc.highGm]) {
    for (let i = r.base / PAGE_SIZE; i < (r.base + r.size) / PAGE_SIZE; i++) ggtt.setPte(i, 0, 0);
  }
  vgpu.guestPtes.clear();
}
