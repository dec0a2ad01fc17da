/**
 * The compositor thread's output: frame messages (FRAME_RLE32, shared/frame-message.ts) built from
 * damage whose pixels the FrameComposer already coded (Picture.rle32), so each message is its
 * header plus one copy of the tokens. The bytes are exactly what encodeFrame(header,
 * rgba, FRAME_RLE32) gives for the same pixels (a test holds the two together), so every decoder
 * of the wire format reads them unchanged.
 */
import { FRAME_HEADER_BYTES, FRAME_RLE32, frameWithPayload, writeFrameHeader, type FrameHeaderFields } from '../../shared/frame-message';
import type { FeedItem } from '../mediator/compositor-feed';

/**
 * A FRAME_RLE32 frame message with header `f` and payload `tokens` (RLE32 tokens of the rect's
 * w*h RGBA pixels, little-endian words): FRAME_HEADER_BYTES + 4 * tokens.length bytes, laid out as
 * encodeFrame lays it out, in a buffer of its own. With `inPlace`, tokens that lie
 * FRAME_HEADER_BYTES into a buffer holding nothing else (Picture.rle32's `lead`) get the header
 * written in front of them and that buffer is the message (no copy); the caller must not use those
 * tokens again. Otherwise the tokens are copied into a fresh buffer.
 */
export function codedFrameMessage(f: FrameHeaderFields, tokens: Uint32Array, inPlace = false): Uint8Array {
  if (inPlace && tokens.byteOffset === FRAME_HEADER_BYTES && tokens.buffer.byteLength === FRAME_HEADER_BYTES + tokens.byteLength && !(tokens.buffer instanceof SharedArrayBuffer)) {
    const out = new Uint8Array(tokens.buffer);
    writeFrameHeader(out, f, FRAME_RLE32, tokens.byteLength);
    return out;
  }
  // The tokens' words are the payload as they are: the wire is little-endian like every host we run on.
  return frameWithPayload(f, FRAME_RLE32, new Uint8Array(tokens.buffer, tokens.byteOffset, tokens.byteLength));
}

/**
 * The frame messages of one compose's `items`, in order: one per damage piece, the pieces of a
 * frame sharing its sequence number (the renderer counts frames, not rects); sequence numbers
 * continue from `seq` (the last one used) and the last one used is returned. Each message has a
 * buffer of its own (it is transferred): the first message of a piece is built around its tokens
 * (codedFrameMessage in place: the composer leaves room for the header), and a piece shown by two
 * sources (a physical pipe mirroring a VM gets the VM's very pieces) is still coded only once, by
 * the composer, and copied for the second.
 */
export function frameMessages(items: readonly FeedItem[], seq: number): { messages: Uint8Array[]; seq: number } {
  const messages: Uint8Array[] = [];
  const used = new Set<ArrayBufferLike>();
  for (const { source, damage, flip, vblankMs } of items) {
    seq++;
    for (const { rect, rle32 } of damage.pieces) {
      const inPlace = !used.has(rle32.buffer);
      used.add(rle32.buffer);
      messages.push(codedFrameMessage({ source, width: damage.width, height: damage.height, ...rect, seq, flip, vblankMs }, rle32, inPlace));
    }
  }
  return { messages, seq };
}
