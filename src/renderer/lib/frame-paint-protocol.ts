/**
 * Messages between the page and its paint worker (src/renderer/workers/frame-paint.worker.ts), and
 * how frame messages travel there: the damage rects one task received (a whole WebSocket batch) go
 * as one message, their pixel payloads (RLE32 words or raw RGBA) in one ArrayBuffer that is
 * transferred, not copied (the WebSocket message's own buffer where they all lie in it), with a
 * small header per rect. The worker's first message is 'ready'.
 */
import type { CodedFrameMessage, FrameMessage } from '../../shared/api';
import type { Painted } from './canvas-painter';

/** One damage rect's header; its payload is bytes [offset, offset + bytes) of the batch's buffer. */
export interface PackedFrame extends Omit<FrameMessage, 'rgba'> {
  coding: 'rgba' | 'rle32';
  offset: number;
  bytes: number;
}

export type ToWorker =
  | { kind: 'frames'; frames: PackedFrame[]; payload: ArrayBuffer }
  | { kind: 'attach'; source: number; canvas: OffscreenCanvas }
  | { kind: 'size'; source: number; width: number }
  | { kind: 'detach'; source: number }
  | { kind: 'forget'; source: number };

export type FromWorker =
  /**
   * The worker's module ran: canvases may be transferred to it (frame-painter.ts waits for this).
   * `downscale`: how it shrinks frames for small windows, the WebAssembly SIMD kernel or (where that
   * cannot run, e.g. a CSP without 'wasm-unsafe-eval') the slower JS (area-downscale-wasm.ts).
   */
  | { kind: 'ready'; downscale: 'simd' | 'js' }
  /** The next `batches` 'frames' messages were taken and painted: the newly flipped frames shown. */
  | { kind: 'taken'; batches: number; painted: Painted[] }
  /** A newly flipped frame painted outside a batch (a canvas attached or resized). */
  | ({ kind: 'painted' } & Painted)
  | { kind: 'error'; message: string };

/**
 * Pack frame messages for one 'frames' message. When every payload is a view of one ArrayBuffer
 * (the frames of one WebSocket batch, as decodeFrameCoded leaves them), that buffer itself is the
 * payload: transferred as is, nothing copied on the page's main thread, and the frames' views are
 * detached afterwards (the page reads no pixels once the painter has them). Otherwise the payloads
 * are copied into one new buffer (each 4-byte aligned, as RLE32 words need).
 */
export function packFrames(frames: readonly (FrameMessage | CodedFrameMessage)[]): { frames: PackedFrame[]; payload: ArrayBuffer } {
  const views = frames.map((f) => ('rgba' in f ? new Uint8Array(f.rgba.buffer, f.rgba.byteOffset, f.rgba.byteLength) : new Uint8Array(f.rle32.buffer, f.rle32.byteOffset, f.rle32.byteLength)));
  const header = (f: FrameMessage | CodedFrameMessage, offset: number, bytes: number): PackedFrame => {
    const { source, width, height, x, y, w, h, seq, flip, vblankMs } = f;
    return { source, width, height, x, y, w, h, seq, flip, vblankMs, coding: 'rgba' in f ? 'rgba' : 'rle32', offset, bytes };
  };
  const shared = views[0]?.buffer;
  if (shared instanceof ArrayBuffer && views.every((v) => v.buffer === shared && v.byteOffset % 4 === 0)) {
    return { frames: frames.map((f, i) => header(f, views[i]!.byteOffset, views[i]!.byteLength)), payload: shared };
  }
  const total = views.reduce((n, v) => n + Math.ceil(v.byteLength / 4) * 4, 0);
  const payload = new ArrayBuffer(total);
  const out = new Uint8Array(payload);
  let offset = 0;
  const packed = frames.map((f, i): PackedFrame => {
    const v = views[i]!;
    out.set(v, offset);
    const p = header(f, offset, v.byteLength);
    offset += Math.ceil(v.byteLength / 4) * 4;
    return p;
  });
  return { frames: packed, payload };
}

/** The frame messages of a packed batch, as views into `payload`; throws RangeError on a header that does not fit it. */
export function unpackFrames(frames: readonly PackedFrame[], payload: ArrayBuffer): (FrameMessage | CodedFrameMessage)[] {
  return frames.map((p) => {
    const { coding, offset, bytes, ...header } = p;
    if (offset < 0 || offset % 4 !== 0 || bytes < 0 || offset + bytes > payload.byteLength) throw new RangeError(`paint worker: rect of source ${p.source} at bytes ${offset}+${bytes} outside a ${payload.byteLength}-byte batch`);
    if (coding === 'rgba') return { ...header, rgba: new Uint8ClampedArray(payload, offset, bytes) };
    if (bytes % 4 !== 0) throw new RangeError(`paint worker: RLE32 rect of source ${p.source} is ${bytes} bytes, not whole words`);
    return { ...header, rle32: new Uint32Array(payload, offset, bytes / 4) };
  });
}
