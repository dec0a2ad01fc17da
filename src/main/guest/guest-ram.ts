/**
 * Guest RAM (guest-physical address 0 .. size) and the guest kernel's page allocator for graphics
 * objects. The same SharedArrayBuffer is mapped by the mediator into host-physical space, which is
 * what makes CPU writes to framebuffer pages pass through without a trap.
 */
import { CPU_LOG, markDirty } from '../../shared/dirty-log';
import { PAGE_SIZE } from '../../shared/platform';

/** Pages below this are "kernel" memory; graphics objects are allocated above. */
const FIRST_OBJECT_PAGE = 256;

export class GuestRam {
  readonly bytes: Uint8Array;
  readonly words: Uint32Array;
  private nextPage = FIRST_OBJECT_PAGE;

  private readonly dirty: Uint32Array | null;

  /** dirty: the RAM's dirty page log (shared/dirty-log.ts), shared with the host; none: writes are not logged. */
  constructor(buffer: ArrayBufferLike, dirty?: ArrayBufferLike) {
    this.bytes = new Uint8Array(buffer);
    this.words = new Uint32Array(buffer, 0, this.bytes.length >>> 2);
    this.dirty = dirty ? new Uint32Array(dirty) : null;
  }

  /**
   * Log a CPU write to guest-physical bytes [gpa, gpa + bytes), made after the write: the dirty
   * bits the host's EPT would set, which the compositor reads to compare only touched pages.
   */
  logWrite(gpa: number, bytes: number): void {
    if (this.dirty) markDirty(this.dirty, CPU_LOG, gpa, bytes);
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
