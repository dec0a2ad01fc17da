/**
 * Frame messages: the binary damage rectangles every transport carries (IPC, WebSocket batches,
 * the CLI socket, the compositor thread's port). Apart from api.ts (which re-exports them) so the
 * paint worker, which decodes them, bundles no zod schemas. Browser-safe.
 */
import { decodeRle32, encodeRle32 } from './rle32';

/**
 * Frame message: a damage rectangle of a source's framebuffer.
 * Wire format (little-endian): u32 magic 'GVTF', source (domid or PHYSICAL_SOURCE), frame width,
 * frame height (0x0 = plane/pipe off), rect x, y, w, h, sequence, flip; f64 vblankMs; u32
 * encoding (FRAME_RAW: w*h*4 RGBA bytes follow; FRAME_RLE32: RLE32 tokens of the RGBA pixels as
 * little-endian u32, see rle32.ts), u32 payload bytes; then the payload.
 */
export interface FrameMessage {
  source: number;
  width: number;
  height: number;
  x: number;
  y: number;
  w: number;
  h: number;
  seq: number;
  /** How many new surfaces (flips) the source's plane had latched at vblank when this frame was scanned out. */
  flip: number;
  /** When that vblank was: ms since the Unix epoch (performance.timeOrigin + now() on the GPU thread). */
  vblankMs: number;
  rgba: Uint8ClampedArray;
}

export const FRAME_MAGIC = 0x46545647; // 'GVTF' little-endian
export const FRAME_HEADER_BYTES = 56;
export const FRAME_RAW = 0;
export const FRAME_RLE32 = 1;

/** The header fields encodeFrame takes (flip and vblankMs default to 0: unknown). */
export type FrameHeaderFields = Omit<FrameMessage, 'rgba' | 'flip' | 'vblankMs'> & { flip?: number; vblankMs?: number };

/**
 * Encode a frame message; rgba must hold w*h*4 bytes. encoding FRAME_RLE32 compresses the pixels
 * (what the host sends); FRAME_RAW (the default) stores them as they are.
 */
export function encodeFrame(f: FrameHeaderFields, rgba: Uint8Array, encoding: typeof FRAME_RAW | typeof FRAME_RLE32 = FRAME_RAW): Uint8Array {
  if (rgba.length !== f.w * f.h * 4) throw new RangeError(`frame message: a ${f.w}x${f.h} rect needs ${f.w * f.h * 4} bytes of RGBA, got ${rgba.length}`);
  const payload = encoding === FRAME_RLE32 ? new Uint8Array(encodeRle32(pixelWords(rgba)).buffer) : rgba;
  return frameWithPayload(f, encoding, payload);
}

/**
 * A frame message of header `f` around `payload` (already in `encoding`: w*h*4 RGBA bytes for
 * FRAME_RAW, RLE32 tokens as little-endian words for FRAME_RLE32): a fresh buffer of
 * FRAME_HEADER_BYTES + payload.length bytes. The payload is not checked against the rect.
 */
export function frameWithPayload(f: FrameHeaderFields, encoding: typeof FRAME_RAW | typeof FRAME_RLE32, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(FRAME_HEADER_BYTES + payload.length);
  writeFrameHeader(out, f, encoding, payload.length);
  out.set(payload, FRAME_HEADER_BYTES);
  return out;
}

/**
 * Write the FRAME_HEADER_BYTES header of a message with `f`, `encoding` and a payload of
 * `payloadBytes` bytes at the start of `out` (the payload follows it there, written by the caller).
 */
export function writeFrameHeader(out: Uint8Array, f: FrameHeaderFields, encoding: typeof FRAME_RAW | typeof FRAME_RLE32, payloadBytes: number): void {
  const dv = new DataView(out.buffer, out.byteOffset, FRAME_HEADER_BYTES);
  const fields = [FRAME_MAGIC, f.source, f.width, f.height, f.x, f.y, f.w, f.h, f.seq, f.flip ?? 0];
  for (let i = 0; i < fields.length; i++) dv.setUint32(i * 4, fields[i]! >>> 0, true);
  dv.setFloat64(40, f.vblankMs ?? 0, true);
  dv.setUint32(48, encoding, true);
  dv.setUint32(52, payloadBytes, true);
}

/** The bytes of the frame message starting `bytes` (header + payload), or null if no frame header starts there. */
export function frameMessageBytes(bytes: Uint8Array): number | null {
  if (bytes.length < FRAME_HEADER_BYTES) return null;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return dv.getUint32(0, true) === FRAME_MAGIC ? FRAME_HEADER_BYTES + dv.getUint32(52, true) : null;
}

/**
 * A frame message whose RLE32 pixels are still coded (decodeFrameCoded): tokens of the rect's RGBA
 * pixels as little-endian words, for decodeRle32Rect to paint straight into an image.
 */
export interface CodedFrameMessage extends Omit<FrameMessage, 'rgba'> {
  rle32: Uint32Array;
}

/**
 * Decode a frame message's header, leaving RLE32 pixels coded (raw ones are a view either way).
 * Throws RangeError as decodeFrame does, except that bad RLE32 tokens surface only when painted.
 */
export function decodeFrameCoded(buf: ArrayBuffer | Uint8Array): FrameMessage | CodedFrameMessage {
  const bytes = buf instanceof Uint8Array ? buf : new Uint8Array(buf);
  const { header, encoding, payload } = readFrameHeader(bytes);
  if (encoding === FRAME_RAW) return { ...header, rgba: new Uint8ClampedArray(payload.buffer, payload.byteOffset, payload.byteLength) };
  return { ...header, rle32: pixelWords(payload) };
}

/** Header fields, encoding and payload of a frame message, checked (see decodeFrame). */
function readFrameHeader(bytes: Uint8Array): { header: Omit<FrameMessage, 'rgba'>; encoding: number; payload: Uint8Array } {
  if (bytes.length < FRAME_HEADER_BYTES) throw new RangeError(`frame message: ${bytes.length} bytes is shorter than the header`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u = (i: number): number => dv.getUint32(i * 4, true);
  if (u(0) !== FRAME_MAGIC) throw new RangeError('frame message: bad magic');
  const [source, width, height, x, y, w, h, seq, flip, encoding, payloadBytes] = [u(1), u(2), u(3), u(4), u(5), u(6), u(7), u(8), u(9), u(12), u(13)];
  if (bytes.length !== FRAME_HEADER_BYTES + payloadBytes) throw new RangeError(`frame message: the header announces ${payloadBytes} payload bytes, got ${bytes.length - FRAME_HEADER_BYTES}`);
  if (encoding === FRAME_RAW) {
    if (payloadBytes !== w * h * 4) throw new RangeError(`frame message: ${w}x${h} rect needs ${w * h * 4} bytes, got ${payloadBytes}`);
  } else if (encoding === FRAME_RLE32) {
    if (payloadBytes % 4 !== 0) throw new RangeError(`frame message: RLE32 payload of ${payloadBytes} bytes is not whole words`);
  } else throw new RangeError(`frame message: unknown encoding ${encoding}`);
  return { header: { source, width, height, x, y, w, h, seq, flip, vblankMs: dv.getFloat64(40, true) }, encoding, payload: bytes.subarray(FRAME_HEADER_BYTES) };
}

/** Decode a frame message; throws RangeError on a short buffer, bad magic, an unknown encoding or a size mismatch. */
export function decodeFrame(buf: ArrayBuffer | Uint8Array): FrameMessage {
  const f = decodeFrameCoded(buf);
  if ('rgba' in f) return f;
  const { rle32, ...header } = f;
  const out = new Uint32Array(f.w * f.h);
  decodeRle32(rle32, out);
  return { ...header, rgba: new Uint8ClampedArray(out.buffer) };
}

/** Bytes as little-endian u32 words (a view when aligned, else a copy). */
function pixelWords(bytes: Uint8Array): Uint32Array {
  return bytes.byteOffset % 4 === 0 ? new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >>> 2) : new Uint32Array(bytes.slice().buffer);
}
