/**
 * Host-physical memory as the emulated GPU sees it: the VMs' RAM regions (Dom0 included) at
 * fixed host-physical bases. Addresses are byte offsets (plain numbers, up to 2^53).
 * Source: ARCHITECTURE.md "Memory model".
 */
import { dirtyLogBytes } from '../../shared/dirty-log';
import { PAGE_SIZE } from '../../shared/platform';
import { type RamOps, type WasmMemory, ramOps } from './ram-ops';

export interface RamRegion {
  /** Host-physical base, bytes, 4 KiB aligned. */
  base: number;
  bytes: Uint8Array;
  /** Same memory as 32-bit words (byteOffset 0, little-endian host). */
  words: Uint32Array;
  /** The region's dirty page log (see shared/dirty-log.ts), or null when nothing logs writes to it. */
  dirty: Uint32Array | null;
  /** Native copy / fill within `bytes` when the RAM is a wasm memory (see ram-ops.ts), else null. */
  ops: RamOps | null;
}

export class HostMemory {
  private regions: RamRegion[] = [];

  /**
   * Map a RAM buffer at host-physical `base`, with its dirty page log when it has one; throws
   * RangeError if unaligned or overlapping, or if the log is too small for the buffer's pages.
   * `wasm`: the WasmMemory `buffer` belongs to (allocateGuestRam), for native blits; a
   * memory of another size is ignored.
   */
  attach(base: number, buffer: ArrayBufferLike, dirty?: ArrayBufferLike, wasm?: WasmMemory | null): RamRegion {
    if (base % PAGE_SIZE !== 0) throw new RangeError(`RAM base 0x${base.toString(16)} is not page aligned`);
    const bytes = new Uint8Array(buffer);
    const end = base + bytes.length;
    for (const r of this.regions) {
      if (base < r.base + r.bytes.length && r.base < end) throw new RangeError(`RAM at 0x${base.toString(16)} overlaps 0x${r.base.toString(16)}`);
    }
    if (dirty && dirty.byteLength < dirtyLogBytes(bytes.length)) throw new RangeError(`dirty log of ${dirty.byteLength} B for ${bytes.length} B of RAM`);
    const ops = wasm && wasm.buffer.byteLength === bytes.length ? ramOps(wasm) : null;
    const region = { base, bytes, words: new Uint32Array(buffer, 0, bytes.length >>> 2), dirty: dirty ? new Uint32Array(dirty) : null, ops };
    this.regions.push(region);
    return region;
  }

  /** The mapped regions, in attach order (to share them with another thread's HostMemory). */
  list(): readonly RamRegion[] {
    return this.regions;
  }

  detach(base: number): void {
    this.regions = this.regions.filter((r) => r.base !== base);
  }

  /** The region holding host-physical address `hpa`, or undefined (an unbacked address). */
  regionOf(hpa: number): RamRegion | undefined {
    for (const r of this.regions) if (hpa >= r.base && hpa < r.base + r.bytes.length) return r;
    return undefined;
  }

  /** True when the whole 4 KiB page at `hpa` is backed by RAM. */
  isBacked(hpa: number): boolean {
    const r = this.regionOf(hpa);
    return r !== undefined && hpa + PAGE_SIZE <= r.base + r.bytes.length;
  }
}
