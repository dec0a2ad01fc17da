import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { xrgbToRgba } from '../../../src/main/gpu/scanout';

describe('xrgbToRgba (XRGB8888 scanout words to RGBA bytes)', () => {
  it('gives R, G, B from bits 23-16, 15-8, 7-0 and opaque alpha, for any word (the X byte ignored), rect and view offset', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 72, maxLength: 72 }),
        fc.nat(8),
        fc.nat(),
        fc.nat(),
        (width, height, words, lead, rx, ry) => {
          // The frame as a view into a larger buffer (a picture's plane or a subarray), not at offset 0.
          const backing = new Uint32Array(lead + width * height);
          const xrgb = backing.subarray(lead);
          for (let i = 0; i < xrgb.length; i++) xrgb[i] = words[i % words.length];
          const x = rx % width;
          const y = ry % height;
          const w = width - x;
          const h = height - y;
          const out = xrgbToRgba(xrgb, width, x, y, w, h);
          expect(out.length).toBe(w * h * 4);
          for (let r = 0; r < h; r++)
            for (let c = 0; c < w; c++) {
              const p = xrgb[(y + r) * width + x + c];
              const o = (r * w + c) * 4;
              expect([out[o], out[o + 1], out[o + 2], out[o + 3]]).toEqual([(p >>> 16) & 0xff, (p >>> 8) & 0xff, p & 0xff, 0xff]);
            }
        },
      ),
    );
  });
});
