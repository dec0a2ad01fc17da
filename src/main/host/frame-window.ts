/**
 * Flow control for the browser-mode frame stream. The page acknowledges frame messages once it has
 * taken them (`{"ack":N}`, N frame messages, e.g. a whole batch; frameAckText in src/shared/rpc.ts);
 * the host keeps at most MAX_BATCHES_IN_FLIGHT batches (ticks), MAX_FRAMES_IN_FLIGHT messages and
 * MAX_BYTES_IN_FLIGHT bytes unacknowledged per client. So frames never pile up in socket buffers or
 * the page's task queues (where they would only add latency): a page that takes frames slower than
 * the guests flip gets fewer, newer ones, and memory stays bounded for a page that stops reading
 * altogether.
 */

/**
 * Unacknowledged frame messages per client before more are held back: a vblank's batch holds a few
 * rectangles per window, and the acknowledgement of a batch takes a round trip through the page's
 * event loop, so several batches must be able to be in flight.
 */
export const MAX_FRAMES_IN_FLIGHT = 64;
/**
 * Unacknowledged batches (one per host tick, FrameBatcher) per client before more are held back. The
 * window's length in time: 64 messages were 15-20 ticks, and a page that painted slower than the
 * guests flipped then showed every frame about 0.25-0.7 s late (the queue a window that size holds);
 * three ticks cover the acknowledgement's round trip at 60 Hz and hold at most 50 ms of frames.
 */
export const MAX_BATCHES_IN_FLIGHT = 3;
/** Unacknowledged frame bytes (as sent, RLE32) per client before more are held back (a bigger message still goes alone). */
export const MAX_BYTES_IN_FLIGHT = 4 * 1024 * 1024;

/** One client's unacknowledged frame messages. */
export class FrameWindow {
  /** Sizes of the messages sent and not acknowledged yet, oldest first. */
  private readonly sizes: number[] = [];
  private bytes = 0;
  /** Messages per batch not wholly acknowledged, oldest first; the last is still filling while `open`. */
  private readonly batches: number[] = [];
  private open = false;

  /** A frame message of `bytes` bytes went out (into the batch being filled). */
  sent(bytes: number): void {
    this.sizes.push(bytes);
    this.bytes += bytes;
    if (!this.open) this.batches.push(0);
    this.open = true;
    this.batches[this.batches.length - 1]!++;
  }

  /** The messages sent since the last call left as one batch. */
  batchEnd(): void {
    this.open = false;
  }

  /** The client took `count` more messages (acks beyond what was sent are ignored). */
  acked(count: number): void {
    let n = 0;
    for (; n < count && this.sizes.length > 0; n++) this.bytes -= this.sizes.shift()!;
    while (n > 0 && this.batches.length > 0) {
      const k = Math.min(n, this.batches[0]!);
      this.batches[0]! -= k;
      n -= k;
      if (this.batches[0] === 0) this.batches.shift();
    }
    if (this.batches.length === 0) this.open = false;
  }

  /** True while no more frames may be sent (a batch being filled is let through whole). */
  full(): boolean {
    const closed = this.batches.length - (this.open ? 1 : 0);
    return closed >= MAX_BATCHES_IN_FLIGHT || this.sizes.length >= MAX_FRAMES_IN_FLIGHT || this.bytes >= MAX_BYTES_IN_FLIGHT;
  }

  /** Messages in flight (for tests and diagnostics). */
  get inFlight(): number {
    return this.sizes.length;
  }
}

/** The count of an ack message (`{"ack":N}`, N a positive integer up to 10^6), or null if `text` is not one. */
export function frameAck(text: string): number | null {
  const m = /^\{"ack":([1-9]\d{0,6})\}$/.exec(text);
  const n = m ? Number(m[1]) : NaN;
  return n <= 1e6 ? n : null;
}
