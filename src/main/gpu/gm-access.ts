/**
 * Byte-span access to graphics memory through an address space — the GGTT or a context's PPGTT —
 * page by page, for engines and scanout. Unmapped GGTT pages read as zero and swallow writes (as a
 * real GPU reading a scratch page would); a PPGTT miss does the same and records a page fault.
 */
import { GPU_LOG, markDirty } from '../../shared/dirty-log';
import { PAGE_SIZE } from '../../shared/platform';
import type { RamRegion } from './memory';

/**
 * A graphics address space the engines translate through: the GGTT (ggtt.ts) or a context's
 * PPGTT (ppgtt.ts). `entries` is its size in 4 KiB pages; `pageHpa` gives a page's host-physical
 * address or -1 when it is not mapped.
 */
export interface AddressSpace {
  readonly entries: number;
  pageHpa(index: number): number;
  /**
   * pageHpa / PAGE_SIZE: the page's host-physical frame number, or -1 when it is not mapped. A
   * small integer (VM RAM lies at 8 GiB and above, where byte addresses exceed V8's small-integer
   * range, so an address returned from a call that is not inlined is boxed as a heap number:
   * thousands per blitted frame). Translation loops use this one.
   */
  pageFrame(index: number): number;
  regionOf(hpa: number): RamRegion | undefined;
  resolve(gm: number): { region: RamRegion; offset: number } | undefined;
  read32(gm: number): number;
  write32(gm: number, value: number): boolean;
}

/** Copy `length` bytes starting at GM address `gm` into `out` at `outOffset`. */
export function readGm(ggtt: AddressSpace, gm: number, length: number, out: Uint8Array, outOffset = 0): void {
  let done = 0;
  while (done < length) {
    const addr = gm + done;
    const chunk = Math.min(length - done, PAGE_SIZE - (addr % PAGE_SIZE));
    const r = ggtt.resolve(addr);
    if (r) out.set(r.region.bytes.subarray(r.offset, r.offset + chunk), outOffset + done);
    else out.fill(0, outOffset + done, outOffset + done + chunk);
    done += chunk;
  }
}

/** Copy `length` bytes from `src` (at `srcOffset`) to GM address `gm`, logged in the RAM's dirty page log (GPU half). */
export function writeGm(ggtt: AddressSpace, gm: number, src: Uint8Array, srcOffset: number, length: number): void {
  let done = 0;
  while (done < length) {
    const addr = gm + done;
    const chunk = Math.min(length - done, PAGE_SIZE - (addr % PAGE_SIZE));
    const r = ggtt.resolve(addr);
    if (r) {
      r.region.bytes.set(src.subarray(srcOffset + done, srcOffset + done + chunk), r.offset);
      if (r.region.dirty) markDirty(r.region.dirty, GPU_LOG, r.offset, chunk);
    }
    done += chunk;
  }
}

/**
 * GM → host translation for the blitter's inner loops, without allocating: `at(gm)` looks up the
 * page's PTE (as Ggtt.resolve does) and leaves the result in the cursor's fields, valid up to the
 * end of that 4 KiB page. It remembers the last page and the last RAM region, since a blit row
 * walks pages in order and rows of one surface mostly fall in the same few pages.
 *
 * Only for use within one synchronous operation: the GGTT must not change between calls (make a
 * new cursor per blit command).
 */
export class GmCursor {
  /** The RAM region the page lies in, or null when the PTE is not present or the frame is not backed. */
  region: RamRegion | null = null;
  /** Byte offset of `gm` in region.bytes. */
  offset = 0;
  /** True when the whole 4 KiB page is inside the region (false also when region is null). */
  wholePage = false;

  private page = -1;
  /** region.bytes offset of the cached page's first byte. */
  private pageOffset = 0;
  private lastRegion: RamRegion | null = null;

  constructor(private readonly ggtt: AddressSpace) {}

  /** Translate GM address `gm` (bytes, ≥ 0) into region / offset / wholePage. */
  at(gm: number): void {
    const page = Math.floor(gm / PAGE_SIZE);
    if (page !== this.page) this.load(page);
    this.offset = this.pageOffset + (gm - page * PAGE_SIZE);
  }

  private load(page: number): void {
    this.page = page;
    const frame = this.ggtt.pageFrame(page);
    const hpa = frame * PAGE_SIZE;
    let r: RamRegion | null = null;
    if (frame >= 0) {
      const last = this.lastRegion;
      r = last !== null && hpa >= last.base && hpa < last.base + last.bytes.length ? last : (this.ggtt.regionOf(hpa) ?? null);
    }
    this.region = r;
    if (r === null) {
      this.pageOffset = 0;
      this.wholePage = false;
      return;
    }
    this.lastRegion = r;
    this.pageOffset = hpa - r.base;
    this.wholePage = this.pageOffset + PAGE_SIZE <= r.bytes.length;
  }
}
