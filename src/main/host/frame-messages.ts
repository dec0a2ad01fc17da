/**
 * The compositor thread's output: frame messages (FRAME_RLE32, shared/frame-message.ts) built from
 * damage whose pixels the FrameComposer already coded (Picture.rle32), so each message is its
 * header plus one copy of the tokens. The bytes are exactly what encodeFrame(header,
 * rgba, FRAME_RLE32) gives for the same pixels (a test holds the two together), so every decoder
 * of the wire format reads them unchanged.
 */
import { FRAME_RLE32, frameWithPayload, type FrameHeaderFields } from '../../shared/frame-message';
import type { FeedItem } from '../mediator/compositor-feed';

/**
 * A FRAME_RLE32 frame message with header `f` and payload `tokens` (RLE32 tokens of the rect's
 * w*h RGBA pixels, little-endian words): a fresh buffer of FRAME_HEADER_BYTES + 4 * tokens.length
 * bytes, laid out as encodeFrame lays it out.
 */
export function codedFrameMessage(f: FrameHeaderFields, tokens: Uint32Array): Uint8Array {
  // The tokens' words are the payload as they are: the wire is little-endian like every host we run on.
  return frameWithPayload(f, FRAME_RLE32, new Uint8Array(tokens.buffer, tokens.byteOffset, tokens.byteLength));
}

/**
 * The frame messages of one compose's `items`, in order: one per damage piece, the pieces of a
 * frame sharing its sequence number (the renderer counts frames, not rects); sequence numbers
 * continue from `seq` (the last one used) and the last one used is returned. Each message has a
 * buffer of its own (it is transferred): a piece shown by two sources (a physical pipe mirroring
 * a VM gets the VM's very pieces) is still coded only once, by the composer.
 */
export function frameMessages(items: readonly FeedItem[], seq: number): { messages: Uint8Array[]; seq: number } {
  const messages: Uint8Array[] = [];
  for (const { source, damage, flip, vblankMs } of items) {
    seq++;
    for (const { rect, rle32 } of damage.pieces) messages.push(codedFrameMessage({ source, width: damage.width, height: damage.height, ...rect, seq, flip, vblankMs }, rle32));
  }
  return { messages, seq };
}
