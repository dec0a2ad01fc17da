/**
 * Flow control for the browser-mode frame stream. The page acknowledges frame messages once it has
 * taken them (`{"ack":N}`, N frame messages, e.g. a whole batch; frameAckText in src/shared/rpc.ts);
 * the host keeps at most
 * MAX_FRAMES_IN_FLIGHT messages and MAX_BYTES_IN_FLIGHT bytes unacknowledged per client. So frames
 * never pile up in socket buffers (where they would only add latency): a page that takes frames
 * slower than the guests flip gets fewer, newer ones, and memory stays bounded for a page that
 * stops reading altogether.
 */

/**
 * Unacknowledged frame messages per client before more are held back: a vblank's batch holds a few
 * rectangles per window, and the acknowledgement of a batch takes a round trip through the page's
 * event loop, so several batches must be able to be in flight.
 */
export const MAX_FRAMES_IN_FLIGHT = 64;
/** Unacknowledged frame bytes (as sent, RLE32) per client before more are held back (a bigger message still goes alone). */
export const MAX_BYTES_IN_FLIGHT = 4 * 1024 * 1024;

/** One client's unacknowledged frame messages. */
export class FrameWindow {
  /** Sizes of the messages sent and not acknowledged yet, oldest first. */
  private readonly sizes: number[] = [];
  private bytes = 0;

  /** A frame message of `bytes` bytes went out. */
  sent(bytes: number): void {
    this.sizes.push(bytes);
    this.bytes += bytes;
  }

  /** The client took `count` more messages (acks beyond what was sent are ignored). */
  acked(count: number): void {
    for (let i = 0; i < count && this.sizes.length > 0; i++) this.bytes -= this.sizes.shift()!;
  }

  /** True while no more frames may be sent. */
  full(): boolean {
    return this.sizes.length >= MAX_FRAMES_IN_FLIGHT || this.bytes >= MAX_BYTES_IN_FLIGHT;
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
