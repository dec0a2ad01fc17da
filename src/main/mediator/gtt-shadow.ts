/**
 * Shadow GGTT: a guest writes PTEs holding guest-physical frames into its GTT window; the mediator
 * checks the GM page lies in the vGPU's aperture/high-GM range and translates gfn -> host frame.
 * As in GVT-g, the guest's own view (what it reads back) always keeps what it wrote, and the
 * physical PTE of a GM page the vGPU owns always changes: a frame outside the VM's RAM (GVT-g: the
 * gfn cannot be DMA-mapped) points it at the host's scratch page, a non-present entry leaves it
 * non-present on the scratch page, never at its old mapping. Writes to GM the vGPU does not own are
 * dropped (GVT-g ignores them silently; we also count and log them).
 * Source: GVT-g gtt.c (emulate_ggtt_mmio_write, intel_vgpu_emulate_ggtt_mmio_write,
 * ggtt_set_guest_entry / ggtt_set_host_entry, gvt->gtt.scratch_mfn, struct intel_gvt_partial_pte).
 */
import { GEN8_PAGE_PRESENT, PAGE_SIZE } from '../../shared/platform';
import type { Ggtt } from '../gpu/ggtt';
import { encodePte, pteFrame } from '../gpu/ggtt';
import type { Vgpu } from './vgpu';

/**
 * What a guest PTE write did: `mapped` to the VM's frame; `cleared` (not present, on the scratch
 * page); `scratch` (a present entry whose frame is outside the VM's RAM, pointed at the scratch
 * page); `held` (the first 32-bit half of an entry, kept until the other half arrives); `dropped`
 * (GM outside the vGPU: nothing changed).
 */
export type PteVerdict = 'mapped' | 'cleared' | 'scratch' | 'held' | 'dropped';

/** The physical GGTT and the host's scratch page (host-physical address of one zeroed 4 KiB page of Dom0 RAM). */
export interface ShadowGgtt {
  ggtt: Ggtt;
  scratchHpa: number;
}

/** The first half of a PTE written as two 32-bit halves: which half (0 low, 1 high) and its value. */
export interface PartialPte {
  half: 0 | 1;
  value: number;
}

function dropOutside(sg: ShadowGgtt, vgpu: Vgpu, index: number): boolean {
  const gm = index * PAGE_SIZE;
  if (Number.isInteger(index) && index >= 0 && index < sg.ggtt.entries && vgpu.ownsGm(gm, PAGE_SIZE)) return false;
  vgpu.stats.droppedPtes++;
  vgpu.note(`GGTT: dropped PTE ${index} (GM 0x${gm.toString(16)} outside the vGPU's ranges)`);
  return true;
}

/**
 * Emulate a guest's 64-bit write of PTE `index` (lo, hi as u32). The guest view becomes (lo, hi);
 * the physical PTE maps the VM's frame, or the scratch page (see the module comment). Returns what
 * happened; rejections are counted in stats.droppedPtes and noted in the vGPU's log.
 * Source: GVT-g gtt.c emulate_ggtt_mmio_write (bytes == 8).
 */
export function writeGuestPte(sg: ShadowGgtt, vgpu: Vgpu, index: number, lo: number, hi: number): PteVerdict {
  if (dropOutside(sg, vgpu, index)) return 'dropped';
  return setEntry(sg, vgpu, index, lo >>> 0, hi >>> 0);
}

/**
 * Emulate a guest's 32-bit write of one half (0: bits 31:0, 1: bits 63:32) of PTE `index`. As
 * GVT-g does for a 64-bit entry split into two 4-byte writes: the first half is held (the guest
 * view shows it with the other half 0, the physical PTE goes non-present on the scratch page); the
 * other half completes the entry, which then takes effect as a 64-bit write. The same half written
 * again only replaces the held value. Source: gtt.c emulate_ggtt_mmio_write (partial_pte_list).
 */
export function writeGuestPteHalf(sg: ShadowGgtt, vgpu: Vgpu, index: number, half: 0 | 1, value: number): PteVerdict {
  if (dropOutside(sg, vgpu, index)) return 'dropped';
  value >>>= 0;
  const entry: [number, number] = half === 0 ? [value, 0] : [0, value];
  const held = vgpu.partialPtes.get(index);
  if (held && held.half === half) {
    held.value = value;
    vgpu.guestPtes.set(index, entry);
    return 'held';
  }
  if (held) {
    vgpu.partialPtes.delete(index);
    entry[held.half] = held.value;
    return setEntry(sg, vgpu, index, entry[0], entry[1]);
  }
  vgpu.partialPtes.set(index, { half, value });
  vgpu.guestPtes.set(index, entry);
  setScratch(sg, index, false);
  return 'held';
}

/** ggtt_set_guest_entry + ggtt_set_host_entry for a whole entry. */
function setEntry(sg: ShadowGgtt, vgpu: Vgpu, index: number, lo: number, hi: number): PteVerdict {
  vgpu.guestPtes.set(index, [lo, hi]);
  if ((lo & GEN8_PAGE_PRESENT) === 0) {
    setScratch(sg, index, false);
    return 'cleared';
  }
  const gfn = pteFrame(lo, hi);
  if (gfn * PAGE_SIZE + PAGE_SIZE > vgpu.ram.size) {
    vgpu.stats.droppedPtes++;
    vgpu.note(`GGTT: PTE ${index} names guest frame 0x${gfn.toString(16)} outside the VM's ${vgpu.ram.size >>> 20} MiB RAM: pointed at the scratch page`);
    setScratch(sg, index, true);
    return 'scratch';
  }
  const [plo, phi] = encodePte(vgpu.ram.base + gfn * PAGE_SIZE);
  sg.ggtt.setPte(index, plo, phi);
  return 'mapped';
}

/** Point the physical PTE at the scratch page, present or not (ops->set_pfn(scratch_mfn), clear_present). */
function setScratch(sg: ShadowGgtt, index: number, present: boolean): void {
  const [lo, hi] = encodePte(sg.scratchHpa);
  sg.ggtt.setPte(index, present ? lo : (lo & ~GEN8_PAGE_PRESENT) >>> 0, hi);
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
  vgpu.partialPtes.clear();
}
