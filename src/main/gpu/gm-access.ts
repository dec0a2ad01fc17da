/**
 * Byte-span access to graphics memory through the GGTT, page by page, for engines and scanout.
 * Unmapped pages read as zero and swallow writes (as a real GPU reading a scratch page would).
 */
import { PAGE_SIZE } from '../../shared/platform';
import type { Ggtt } from './ggtt';

/** Copy `length` bytes starting at GM address `gm` into `out` at `outOffset`. */
export function readGm(ggtt: Ggtt, gm: number, length: number, out: Uint8Array, outOffset = 0): void {
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

/** Copy `length` bytes from `src` (at `srcOffset`) to GM address `gm`. */
export function writeGm(ggtt: Ggtt, gm: number, src: Uint8Array, srcOffset: number, length: number): void {
  let done = 0;
  while (done < length) {
    const addr = gm + done;
    const chunk = Math.min(length - done, PAGE_SIZE - (addr % PAGE_SIZE));
    const r = ggtt.resolve(addr);
    if (r) r.region.bytes.set(src.subarray(srcOffset + done, srcOffset + done + chunk), r.offset);
    done += chunk;
  }
}

/** Fill `length` bytes at GM address `gm` with the 32-bit little-endian `value` (gm 4-byte aligned). */
export function fillGm32(ggtt: Ggtt, gm: number, length: number, value: number): void {
  let done = 0;
  while (done < length) {
    const addr = gm + done;
    const chunk = Math.min(length - done, PAGE_SIZE - (addr % PAGE_SIZE));
    const r = ggtt.resolve(addr);
    if (r) r.region.words.fill(value, r.offset >>> 2, (r.offset + chunk) >>> 2);
    done += chunk;
  }
}
