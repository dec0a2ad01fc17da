/**
 * Storage for the scanner's copies of guest commands (a workload's ring copy and its shadowed
 * batch buffers): Uint32Array views carved out of shared 64 KiB chunks, so a workload costs a view
 * instead of a fresh ArrayBuffer (an off-heap allocation, zero-fill and GC bookkeeping each, which
 * profiling showed to be most of the copy-out of a ~400-byte desktop workload).
 *
 * Why not one reused buffer per vGPU and engine, as GVT-g's ring_scan_buffer (krealloc'd, see
 * cmd_parser.c shadow_workload_ring_buffer)? Upstream copies the scanned buffer into the i915
 * request's ring right after the scan; here the scanned copy waits in the vGPU's queue until the
 * scheduler dispatches it (and an ELSP pair builds two at once), so a reused buffer would be
 * overwritten by the next submission while the previous workload still holds it. Views are
 * disjoint and a chunk is never handed out twice: a chunk is dropped when full and freed by the
 * garbage collector once no workload references a view of it.
 */

/** Bytes of one chunk. */
export const SLAB_CHUNK_BYTES = 64 << 10;
/** Requests above this many dwords get a buffer of their own (bounds the space a chunk wastes). */
const OWN_BUFFER_DWORDS = SLAB_CHUNK_BYTES / 4 / 4;

export class DwordSlab {
  private chunk = new ArrayBuffer(SLAB_CHUNK_BYTES);
  /** Next free byte of `chunk`. */
  private used = 0;

  /**
   * A view of `dwords` dwords (≥ 0), zeroed, that no other call returns any part of (chunks are
   * never reused).
   */
  alloc(dwords: number): Uint32Array {
    const bytes = dwords * 4;
    if (dwords > OWN_BUFFER_DWORDS) return new Uint32Array(dwords);
    if (this.used + bytes > SLAB_CHUNK_BYTES) {
      this.chunk = new ArrayBuffer(SLAB_CHUNK_BYTES);
      this.used = 0;
    }
    const view = new Uint32Array(this.chunk, this.used, dwords);
    this.used += bytes;
    return view;
  }

  /** A slab copy of `src[0, dwords)`. */
  copyOf(src: Uint32Array, dwords: number): Uint32Array {
    const out = this.alloc(dwords);
    out.set(src.subarray(0, dwords));
    return out;
  }
}

/**
 * The slab the scanner's copies come from (one per thread: the mediator runs in the GPU thread).
 * Workload building is synchronous, so callers never interleave.
 */
export const scanCopies = new DwordSlab();
