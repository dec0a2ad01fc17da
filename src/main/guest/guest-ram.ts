/**
 * Guest RAM (guest-physical address 0 .. size) and the guest kernel's page allocator for graphics
 * objects. The same SharedArrayBuffer is mapped by the mediator into host-physical space, which is
 * what makes CPU writes to framebuffer pages pass through without a trap.
 */
import { PAGE_SIZE } from '../../shared/platform';

/** Pages below this are "kernel" memory; graphics objects are allocated above. */
const FIRST_OBJECT_PAGE = 256;

export class GuestRam {
  readonly bytes: Uint8Array;
  readonly words: Uint32Array;
  private nextPage = FIRST_OBJECT_PAGE;

  constructor(buffer: ArrayBufferLike) {
    this.bytes = new Uint8Array(buffer);
    this.words = new Uint32Array(buffer, 0, this.bytes.length >>> 2);
  }

  get pages(): number {
    return Math.floor(this.bytes.length / PAGE_SIZE);
  }

  /** The allocator's position, to return to with `release` (objects allocated since are freed). */
  mark(): number {
    return this.nextPage;
  }

  release(mark: number): void {
    this.nextPage = Math.max(FIRST_OBJECT_PAGE, Math.min(this.nextPage, mark));
  }

  /** Allocate `count` guest-physical pages (frame numbers). Throws RangeError when RAM is exhausted. */
  allocPages(count: number): number[] {
    if (this.nextPage + count > this.pages) throw new RangeError(`guest RAM exhausted: need ${count} pages, ${this.pages - this.nextPage} left`);
    const frames = Array.from({ length: count }, (_, i) => this.nextPage + i);
    this.nextPage += count;
    return frames;
  }
}
