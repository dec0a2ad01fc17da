/**
 * Frame batches: the browser-mode WebSocket carries the frame messages of one host tick (usually
 * every damage rectangle of every window at one vblank) as ONE binary message. Headless Chromium
 * takes a WebSocket message at a fixed cost plus a cost per byte (the frame-delivery benchmark
 * measured about 450 messages/s and 15 MB/s here); the messages' own RLE32 encoding keeps the
 * bytes small, batching keeps the count at one per vblank.
 *
 * Wire format (little-endian): u32 magic 'GVTB', u32 count of frame messages; then the frame
 * messages concatenated (each self-delimiting: see encodeFrame in api.ts). Browser-safe.
 */
import { frameMessageBytes } from './frame-message';

export const BATCH_MAGIC = 0x42545647; // 'GVTB' little-endian
export const BATCH_HEADER_BYTES = 8;

/** True if `bytes` starts like a frame batch (not a plain frame message). */
export function isFrameBatch(bytes: Uint8Array): boolean {
  return bytes.byteLength >= BATCH_HEADER_BYTES && new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true) === BATCH_MAGIC;
}

/** How many frame messages a batch holds (by its header), or 1 for a plain frame message or anything else. */
export function framesIn(bytes: Uint8Array): number {
  return isFrameBatch(bytes) ? new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true) : 1;
}

/** One batch of these frame messages. */
export function encodeBatch(messages: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(BATCH_HEADER_BYTES + messages.reduce((n, m) => n + m.byteLength, 0));
  const dv = new DataView(out.buffer);
  dv.setUint32(0, BATCH_MAGIC, true);
  dv.setUint32(4, messages.length, true);
  let at = BATCH_HEADER_BYTES;
  for (const m of messages) {
    out.set(m, at);
    at += m.byteLength;
  }
  return out;
}

/**
 * The frame messages of a batch (views, no copies). Throws RangeError on a bad header, a message
 * that runs past the end, or a count that does not match.
 */
export function splitBatch(bytes: Uint8Array): Uint8Array[] {
  if (!isFrameBatch(bytes)) throw new RangeError('frame batch: bad magic or short header');
  const count = framesIn(bytes);
  const out: Uint8Array[] = [];
  let at = BATCH_HEADER_BYTES;
  while (at < bytes.byteLength) {
    const size = frameMessageBytes(bytes.subarray(at));
    if (size === null) throw new RangeError(`frame batch: no frame message at byte ${at}`);
    if (at + size > bytes.byteLength) throw new RangeError(`frame batch: the message at byte ${at} (${size} bytes) runs past the end`);
    out.push(bytes.subarray(at, at + size));
    at += size;
  }
  if (out.length !== count) throw new RangeError(`frame batch: ${out.length} messages, the header says ${count}`);
  return out;
}
