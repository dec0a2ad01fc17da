/**
 * Messages between the page and its paint worker (src/renderer/workers/frame-paint.worker.ts), and
 * how frame messages travel there: the damage rects one task received (a whole WebSocket batch) go
 * as one message, their pixel payloads (RLE32 words or raw RGBA) packed into one ArrayBuffer that is
 * transferred, not copied, with a small header per rect. The worker's first message is 'ready'.
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
  /** The worker's module ran: canvases may be transferred to it (frame-painter.ts waits for this). */
  | { kind: 'ready' }
  | { kind: 'taken' }
  | ({ kind: 'painted' } & Painted)
  | { kind: 'error'; message: string };

/** Pack frame messages for one 'frames' message: payloads copied into one buffer (each 4-byte aligned, as RLE32 words need). */
export function packFrames(frames: readonly (FrameMessage | CodedFrameMessage)[]): { frames: PackedFrame[]; payload: ArrayBuffer } {
  const views = frames.map((f) => ('rgba' in f ? new Uint8Array(f.rgba.buffer, f.rgba.byteOffset, f.rgba.byteLength) : new Uint8Array(f.rle32.buffer, f.rle32.byteOffset, f.rle32.byteLength)));
  const total = views.reduce((n, v) => n + Math.ceil(v.byteLength / 4) * 4, 0);
  const payload = new ArrayBuffer(total);
  const out = new Uint8Array(payload);
  let offset = 0;
  const packed = frames.map((f, i): PackedFrame => {
    const v = views[i]!;
    out.set(v, offset);
    const { source, width, height, x, y, w, h, seq, flip, vblankMs } = f;
    const p: PackedFrame = { source, width, height, x, y, w, h, seq, flip, vblankMs, coding: 'rgba' in f ? 'rgba' : 'rle32', offset, bytes: v.byteLength };
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
