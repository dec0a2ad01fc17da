/**
 * The WebAssembly SIMD area downscale (area-downscale-wasm.ts, kernel wasm/area-box.wat): byte for
 * byte the JS downscaleRect (itself checked against the definition in area-downscale.test.ts) for
 * random frames, sizes, rectangles and row strides, with padding around each rectangle untouched;
 * the kernel really runs here (Node has WebAssembly SIMD, as Chromium does); its memory grows for a
 * big rectangle after small ones. (That its bytes are what wabt assembles from the .wat:
 * test/unit/lint/wasm-build.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { downscaleRect, makeAxis } from '../../../src/renderer/lib/area-downscale';
import { downscaleRectFast, simdDownscaleAvailable } from '../../../src/renderer/lib/area-downscale-wasm';

const noise = (n: number, seed: number): Uint8ClampedArray => Uint8ClampedArray.from({ length: n }, (_, i) => (Math.imul(i + 1, 2654435761) ^ seed) >>> 24);

const same = (a: Uint8ClampedArray, b: Uint8ClampedArray): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

/** Both versions on the same rectangle, each into its own padded buffer (filled with 7 first). */
function both(src: Uint8ClampedArray, fw: number, fh: number, tw: number, th: number, dx: number, dy: number, dw: number, dh: number, stride: number) {
  const [ax, ay] = [makeAxis(fw, tw), makeAxis(fh, th)];
  const js = new Uint8ClampedArray(stride * (dh + 1) * 4).fill(7);
  const simd = new Uint8ClampedArray(stride * (dh + 1) * 4).fill(7);
  downscaleRect(src, ax, ay, dx, dy, dw, dh, js, stride);
  downscaleRectFast(src, ax, ay, dx, dy, dw, dh, simd, stride);
  return { js, simd };
}

describe('downscaleRectFast (WebAssembly SIMD)', () => {
  it('runs the kernel here, not the JS fallback', () => {
    expect(simdDownscaleAvailable()).toBe(true);
  });

  it('gives the JS version\'s bytes for random frames, sizes, rectangles and strides; the padding stays as it was', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 70 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 70 }),
        fc.integer({ min: 1, max: 40 }),
        fc.nat(),
        fc.nat(),
        fc.nat({ max: 5 }),
        fc.integer(),
        (fw, fh, twRaw, thRaw, xPick, yPick, pad, seed) => {
          const tw = Math.min(fw, twRaw);
          const th = Math.min(fh, thRaw);
          const dx = xPick % tw;
          const dy = yPick % th;
          const dw = 1 + ((xPick >> 8) % (tw - dx));
          const dh = 1 + ((yPick >> 8) % (th - dy));
          const { js, simd } = both(noise(fw * fh * 4, seed), fw, fh, tw, th, dx, dy, dw, dh, dw + pad);
          expect(same(simd, js)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a 1920x1080 frame shown at 669 px (the frame-delivery windows): whole and in a damage rectangle, then small again after its memory grew', () => {
    const src = noise(1920 * 1080 * 4, 5);
    const whole = both(src, 1920, 1080, 669, 376, 0, 0, 669, 376, 669);
    expect(same(whole.simd, whole.js)).toBe(true);
    const rect = both(src, 1920, 1080, 669, 376, 101, 57, 113, 80, 128);
    expect(same(rect.simd, rect.js)).toBe(true);
    const small = both(noise(9 * 7 * 4, 1), 9, 7, 4, 3, 1, 1, 3, 2, 3);
    expect(same(small.simd, small.js)).toBe(true);
  });

  it('opaque white stays opaque white and black stays black (sums at the top of the range)', () => {
    const white = new Uint8ClampedArray(1920 * 1080 * 4).fill(255);
    const out = new Uint8ClampedArray(640 * 360 * 4);
    downscaleRectFast(white, makeAxis(1920, 640), makeAxis(1080, 360), 0, 0, 640, 360, out, 640);
    expect(out.every((b) => b === 255)).toBe(true);
    downscaleRectFast(new Uint8ClampedArray(1920 * 1080 * 4), makeAxis(1920, 640), makeAxis(1080, 360), 0, 0, 640, 360, out, 640);
    expect(out.every((b) => b === 0)).toBe(true);
  });

  it('throws RangeError on a rectangle outside the shown size, as the JS version does', () => {
    const out = new Uint8ClampedArray(16);
    expect(() => downscaleRectFast(new Uint8ClampedArray(9 * 4), makeAxis(3, 2), makeAxis(3, 2), 1, 0, 2, 1, out, 2)).toThrow(RangeError);
  });
});
