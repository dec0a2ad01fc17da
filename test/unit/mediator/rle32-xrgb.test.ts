import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { xrgbToRgba } from '../../../src/main/gpu/scanout';
import { encodeRle32Xrgb } from '../../../src/main/mediator/rle32-xrgb';
import { encodeRle32 } from '../../../src/shared/rle32';

/** A picture of `stride` x `rows` XRGB words from a few colours (runs of every length, across rows too), X bytes random. */
const picture = fc
  .record({ stride: fc.integer({ min: 1, max: 24 }), rows: fc.integer({ min: 1, max: 12 }) })
  .chain(({ stride, rows }) =>
    fc.record({
      stride: fc.constant(stride),
      rows: fc.constant(rows),
      px: fc.array(fc.tuple(fc.constantFrom(0x000000, 0xffffff, 0x202830, 0x00ff00, 0xfe0001), fc.integer({ min: 0, max: 255 })), { minLength: stride * rows, maxLength: stride * rows }).map((a) => Uint32Array.from(a.map(([rgb, x]) => ((x << 24) | rgb) >>> 0))),
      any: fc.uint32Array({ minLength: stride * rows, maxLength: stride * rows }),
    }),
  );

describe('RLE32 straight from XRGB (rle32-xrgb.ts)', () => {
  it('gives word for word the tokens encodeRle32 gives for the RGBA of any rectangle of any picture', () => {
    fc.assert(
      fc.property(picture, fc.boolean(), fc.nat(), fc.nat(), fc.nat(), fc.nat(), ({ stride, rows, px, any }, random, a, b, c, d) => {
        const src = random ? any : px;
        const x = a % stride;
        const y = b % rows;
        const w = 1 + (c % (stride - x));
        const h = 1 + (d % (rows - y));
        const rgba = xrgbToRgba(src, stride, x, y, w, h);
        expect([...encodeRle32Xrgb(src, stride, x, y, w, h)]).toEqual([...encodeRle32(new Uint32Array(rgba.buffer))]);
      }),
      { numRuns: 500 },
    );
  });

  it('reads a band of the rectangle\'s rows from band.rows (the cursor\'s rows): the tokens of the picture with those rows replaced', () => {
    fc.assert(
      fc.property(picture, picture, fc.nat(), fc.nat(), fc.nat(), fc.nat(), fc.nat(), fc.nat(), ({ stride, rows, px }, other, a, b, c, d, e, f) => {
        const x = a % stride;
        const y = b % rows;
        const w = 1 + (c % (stride - x));
        const h = 1 + (d % (rows - y));
        const by = y + (e % h);
        const bh = 1 + (f % (y + h - by));
        // The band's rows: the other picture's words (wrapped), w per row, at an offset in their buffer.
        const backing = new Uint32Array(3 + w * bh);
        for (let i = 0; i < w * bh; i++) backing[3 + i] = other.px[i % other.px.length]!;
        const band = backing.subarray(3);
        const replaced = px.slice();
        for (let r = 0; r < bh; r++) replaced.set(band.subarray(r * w, (r + 1) * w), (by + r) * stride + x);
        const rgba = xrgbToRgba(replaced, stride, x, y, w, h);
        expect([...encodeRle32Xrgb(px, stride, x, y, w, h, { y: by, rows: band })]).toEqual([...encodeRle32(new Uint32Array(rgba.buffer))]);
      }),
      { numRuns: 500 },
    );
  });

  it('codes a flat 1920x1080 frame as one run whatever its X bytes, and reads a view at its own offset', () => {
    const words = new Uint32Array(8 + 1920 * 1080).fill(0x00202830);
    for (let i = 0; i < words.length; i += 7) words[i] = 0xab202830;
    const frame = words.subarray(8);
    expect([...encodeRle32Xrgb(frame, 1920, 0, 0, 1920, 1080)]).toEqual([(0x80000000 | (1920 * 1080)) >>> 0, 0xff302820]);
    // With room for a frame header before the tokens: the same tokens, at that offset of a buffer of their own.
    const led = encodeRle32Xrgb(frame, 1920, 0, 0, 1920, 1080, undefined, 56);
    expect([led.byteOffset, led.buffer.byteLength, ...led]).toEqual([56, 64, (0x80000000 | (1920 * 1080)) >>> 0, 0xff302820]);
    words[8 + 1920 + 5] = 0x00010203;
    expect([...encodeRle32Xrgb(frame, 1920, 4, 1, 3, 1)]).toEqual([3, 0xff302820, 0xff030201, 0xff302820]);
  });
});
