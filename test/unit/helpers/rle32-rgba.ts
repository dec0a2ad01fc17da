import { decodeRle32 } from '../../../src/shared/rle32';

/** The RGBA bytes (w*h*4) that RLE32 `tokens` of a w x h rect decode to, as a window paints them. */
export function rgbaOfRle32(tokens: Uint32Array, w: number, h: number): Uint8Array {
  const px = new Uint32Array(w * h);
  decodeRle32(tokens, px);
  return new Uint8Array(px.buffer);
}
