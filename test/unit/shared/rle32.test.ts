import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeRle32, decodeRle32Rect, encodeRle32 } from '../../../src/shared/rle32';
import { FRAME_RLE32, decodeFrame, decodeFrameCoded, encodeFrame } from '../../../src/shared/api';

/** Pixels drawn from a few colours, so runs of every length occur. */
const pixels = fc.array(fc.constantFrom(0xff000000, 0xffffffff, 0xff202830, 0x00000001), { maxLength: 400 }).map((a) => Uint32Array.from(a));

describe('RLE32 (frame pixels)', () => {
  it('round-trips any pixels, never longer than the input plus one word', () => {
    fc.assert(
      fc.property(fc.oneof(pixels, fc.uint32Array({ maxLength: 200 })), (px) => {
        const tokens = encodeRle32(px);
        expect(tokens.length).toBeLessThanOrEqual(px.length + 1);
        const out = new Uint32Array(px.length);
        decodeRle32(tokens, out);
        expect(out).toEqual(px);
      }),
    );
  });

  it('codes a flat row as one run', () => {
    expect([...encodeRle32(new Uint32Array(1920).fill(0xff202830))]).toEqual([(0x80000000 | 1920) >>> 0, 0xff202830]);
  });

  it('refuses tokens that overrun the output or the input, empty tokens and short results', () => {
    const out = new Uint32Array(4);
    expect(() => decodeRle32(Uint32Array.from([0x80000005, 1]), out)).toThrow(RangeError);
    expect(() => decodeRle32(Uint32Array.from([3, 1, 2]), out)).toThrow('run past the input');
    expect(() => decodeRle32(Uint32Array.from([0]), out)).toThrow(RangeError);
    expect(() => decodeRle32(Uint32Array.from([0x80000002]), out)).toThrow('without its pixel');
    expect(() => decodeRle32(Uint32Array.from([0x80000002, 9]), out)).toThrow('decoded 2 of 4');
  });

  it('carries a frame message: encodeFrame(…, FRAME_RLE32) decodes to the same RGBA, smaller on the wire', () => {
    const rgba = new Uint8Array(372 * 210 * 4).fill(0x30);
    rgba.set([1, 2, 3, 4], 4000);
    const f = { source: 2, width: 1920, height: 1080, x: 10, y: 20, w: 372, h: 210, seq: 7, flip: 3, vblankMs: 1.5e12 };
    const message = encodeFrame(f, rgba, FRAME_RLE32);
    expect(message.byteLength).toBeLessThan(100);
    const back = decodeFrame(message);
    expect(back).toMatchObject(f);
    expect(Buffer.from(back.rgba).equals(Buffer.from(rgba))).toBe(true);
    // A payload that lies about its pixels is refused.
    const bad = encodeFrame({ ...f, w: 1, h: 1 }, new Uint8Array(4), FRAME_RLE32);
    new DataView(bad.buffer).setUint32(24, 2, true); // w = 2: the tokens cover 1 pixel
    expect(() => decodeFrame(bad)).toThrow(RangeError);
  });

  it('decodeRle32Rect paints a rect into a larger image exactly as decoding then copying rows would, touching nothing else', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 12 }), fc.nat(10), fc.nat(5), fc.nat(5), fc.array(fc.constantFrom(0xff000000, 0xffffffff, 0x12345678), { minLength: 360, maxLength: 360 }), (w, h, extra, x, y, colours) => {
        const px = Uint32Array.from(colours.slice(0, w * h));
        const stride = w + x + extra;
        const image = new Uint32Array(stride * (y + h + 2)).fill(7);
        decodeRle32Rect(encodeRle32(px), image, stride, y * stride + x, w, h);
        const expected = new Uint32Array(image.length).fill(7);
        for (let r = 0; r < h; r++) expected.set(px.subarray(r * w, (r + 1) * w), (y + r) * stride + x);
        expect(image).toEqual(expected);
      }),
    );
  });

  it('decodeRle32Rect refuses a rect that does not fit and tokens that do not match it', () => {
    const image = new Uint32Array(16);
    expect(() => decodeRle32Rect(Uint32Array.from([0x80000004, 1]), image, 4, 13, 2, 2)).toThrow('does not fit');
    expect(() => decodeRle32Rect(Uint32Array.from([0x80000005, 1]), image, 4, 0, 2, 2)).toThrow(RangeError);
    expect(() => decodeRle32Rect(Uint32Array.from([2, 1]), image, 4, 0, 2, 2)).toThrow('run past the input');
    expect(() => decodeRle32Rect(Uint32Array.from([0x80000002, 1]), image, 4, 0, 2, 2)).toThrow('decoded 2 of 4');
  });

  it('decodeFrameCoded leaves RLE32 pixels coded and checks the header as decodeFrame does', () => {
    const rgba = new Uint8Array(8 * 2 * 4).fill(0x40);
    const message = encodeFrame({ source: 1, width: 64, height: 64, x: 3, y: 4, w: 8, h: 2, seq: 1 }, rgba, FRAME_RLE32);
    const coded = decodeFrameCoded(message);
    expect(coded).toMatchObject({ source: 1, x: 3, y: 4, w: 8, h: 2 });
    expect('rle32' in coded && [...coded.rle32]).toEqual([(0x80000000 | 16) >>> 0, 0x40404040]);
    expect(() => decodeFrameCoded(message.subarray(0, 20))).toThrow(RangeError);
  });
});
