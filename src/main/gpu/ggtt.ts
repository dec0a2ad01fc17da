/**
 * The physical global GTT: one 64-bit PTE per 4 KiB page of graphics memory (GM).
 * Gen8 PTE: bit 0 present, bits 38:12 host-physical page address. Source: i915 gen8_ggtt_pte_encode.
 */
import { GPU_LOG, markDirty } from '../../shared/dirty-log';
import { GEN8_PAGE_PRESENT, PAGE_SHIFT, PAGE_SIZE } from '../../shared/platform';
import type { HostMemory, RamRegion } from './memory';

const ADDR_MASK_LO = 0xfffff000;
const ADDR_MASK_HI = 0x7f; // bits 38:32

export class Ggtt {
  /** PTEs as (lo, hi) dword pairs, in shared memory so a scanout reader on another thread sees them. */
  readonly ptes: Uint32Array;
  readonly entries: number;

  /**
   * totalGmBytes: GM size, a multiple of 4 KiB. ptesBuffer: an existing table (entries * 8 bytes)
   * to view, e.g. the GPU thread's GGTT seen from the compositor thread; a new one when omitted.
   * Throws RangeError when ptesBuffer has the wrong size.
   */
  constructor(
    totalGmBytes: number,
    private readonly memory: HostMemory,
    ptesBuffer?: SharedArrayBuffer,
  ) {
    this.entries = totalGmBytes / PAGE_SIZE;
    const buffer = ptesBuffer ?? new SharedArrayBuffer(this.entries * 8);
    if (buffer.byteLength !== this.entries * 8) throw new RangeError(`GGTT buffer of ${buffer.byteLength} B for ${this.entries} entries`);
    this.ptes = new Uint32Array(buffer);
  }

  /** Write PTE `index` (0-based GM page). Throws RangeError outside the table. */
  setPte(index: number, lo: number, hi: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.entries) throw new RangeError(`GGTT index ${index} outside 0..${this.entries - 1}`);
    this.ptes[index * 2] = lo;
    this.ptes[index * 2 + 1] = hi;
  }

  getPte(index: number): [number, number] {
    return [this.ptes[index * 2], this.ptes[index * 2 + 1]];
  }

  /** Host-physical address of a GM page's frame, or -1 when the PTE is not present. */
  pageHpa(index: number): number {
    if (index < 0 || index >= this.entries) return -1;
    const lo = this.ptes[index * 2];
    if ((lo & GEN8_PAGE_PRESENT) === 0) return -1;
    return (this.ptes[index * 2 + 1] & ADDR_MASK_HI) * 2 ** 32 + ((lo & ADDR_MASK_LO) >>> 0);
  }

  /** pageHpa / PAGE_SIZE, or -1 (AddressSpace.pageFrame): integer work on the PTE, at most 27 bits. */
  pageFrame(index: number): number {
    if (index < 0 || index >= this.entries) return -1;
    const lo = this.ptes[index * 2];
    if ((lo & GEN8_PAGE_PRESENT) === 0) return -1;
    return (this.ptes[index * 2 + 1] & ADDR_MASK_HI) * 2 ** (32 - PAGE_SHIFT) + (lo >>> PAGE_SHIFT);
  }

  /** The RAM regions the table may point into (e.g. to read their dirty page logs). */
  ramRegions(): readonly RamRegion[] {
    return this.memory.list();
  }

  /** The RAM region holding host-physical address `hpa`, if any (for translations cached by the caller). */
  regionOf(hpa: number): RamRegion | undefined {
    return this.memory.regionOf(hpa);
  }

  /**
   * Resolve GM address `gm` to RAM: the region and byte offset within it, or undefined when the
   * page is not mapped or not backed. Valid up to the end of that 4 KiB page.
   */
  resolve(gm: number): { region: RamRegion; offset: number } | undefined {
    const hpa = this.pageHpa(Math.floor(gm / PAGE_SIZE));
    if (hpa < 0) return undefined;
    const region = this.memory.regionOf(hpa);
    if (!region) return undefined;
    return { region, offset: hpa - region.base + (gm % PAGE_SIZE) };
  }

  /** Read a dword at GM address `gm` (4-byte aligned); unmapped reads return 0 as on hardware. */
  read32(gm: number): number {
    const r = this.resolve(gm);
    return r ? r.region.words[r.offset >>> 2] : 0;
  }

  /**
   * Write a dword at GM address `gm`; unmapped writes are dropped. Returns false when dropped.
   * Logged in the RAM's dirty page log (GPU half) like every other GPU-thread write (writeGm, the
   * blitter): MI_STORE_DATA_IMM, SRM, the HWSP's CSB mirror and aperture writes land here, and the
   * compositor and the PPGTT shadow must see them without waiting for their full compare.
   */
  write32(gm: number, value: number): boolean {
    const r = this.resolve(gm);
    if (!r) return false;
    r.region.words[r.offset >>> 2] = value;
    if (r.region.dirty) markDirty(r.region.dirty, GPU_LOG, r.offset, 4);
    return true;
  }
}

/** Encode a present Gen8 PTE for host-physical page address `hpa`. */
export function encodePte(hpa: number): [number, number] {
  return [((hpa % 2 ** 32) & ADDR_MASK_LO) | GEN8_PAGE_PRESENT, Math.floor(hpa / 2 ** 32) & ADDR_MASK_HI];
}

/** Page frame number carried by a PTE (lo, hi), ignoring the present bit. */
export function pteFrame(lo: number, hi: number): number {
  return ((hi & ADDR_MASK_HI) * 2 ** 32 + ((lo & ADDR_MASK_LO) >>> 0)) / 2 ** PAGE_SHIFT;
}
