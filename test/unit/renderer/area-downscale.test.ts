/**
 * The area-average downscaler behind a window shown smaller than its frame (area-downscale.ts):
 * exact averages for known pixels, covering spans at rect edges, odd scale factors, and the
 * property CanvasPainter relies on: painting the shown pixels covering each damage rect, damage
 * after damage, gives the same picture as downscaling the whole final frame.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { coveringSpan, downscaleRect, makeAxis } from '../../../src/renderer/lib/area-downscale';

/**
 * The reference: every shown pixel straight from the definition, each frame pixel weighted by the
 * area of it inside the shown pixel's footprint (in units of 1/(toX*toY) frame pixel), rounded half up.
 */
function reference(src: Uint8ClampedArray, fw: number, fh: number, tw: number, th: number): Uint8ClampedArray {
  const out = new Uint8ClampedArray(tw * th * 4);
  const overlap = (i: number, j: number, from: number, to: number): number => Math.max(0, Math.min((i + 1) * from, (j + 1) * to) - Math.max(i * from, j * to));
  for (let dy = 0; dy < th; dy++)
    for (let dx = 0; dx < tw; dx++)
      for (let c = 0; c < 4; c++) {
        let sum = 0;
        for (let y = 0; y < fh; y++) {
          const wy = overlap(dy, y, fh, th);
          if (wy === 0) continue;
          for (let x = 0; x < fw; x++) sum += wy * overlap(dx, x, fw, tw) * src[(y * fw + x) * 4 + c]!;
        }
        out[(dy * tw + dx) * 4 + c] = Math.floor(sum / (fw * fh) + 0.5);
      }
  return out;
}

/** The whole frame downscaled by downscaleRect in one rect. */
function whole(src: Uint8ClampedArray, fw: number, fh: number, tw: number, th: number): Uint8ClampedArray {
  const out = new Uint8ClampedArray(tw * th * 4);
  downscaleRect(src, makeAxis(fw, tw), makeAxis(fh, th), 0, 0, tw, th, out, tw);
  return out;
}

const frame = (w: number, h: number, bytes: number[]): Uint8ClampedArray => Uint8ClampedArray.from({ length: w * h * 4 }, (_, i) => bytes[i % bytes.length]!);

describe('area-average downscale (area-downscale.ts)', () => {
  it('halves 4x2 to 2x1 by averaging each 2x2 block exactly', () => {
    // Pixels (x, y): red = 10 * x + 100 * y, green 0..255 extremes, blue constant, alpha 255.
    const src = new Uint8ClampedArray(4 * 2 * 4);
    for (let y = 0; y < 2; y++) for (let x = 0; x < 4; x++) src.set([10 * x + 100 * y, (x + y) % 2 ? 255 : 0, 77, 255], (y * 4 + x) * 4);
    expect([...whole(src, 4, 2, 2, 1)]).toEqual([
      // (0 + 10 + 100 + 110) / 4 = 55; green two 255s of four = 127.5 → 128 (half up)
      55, 128, 77, 255,
      // (20 + 30 + 120 + 130) / 4 = 75
      75, 128, 77, 255,
    ]);
  });

  it('weights frame pixels by the area covered at an odd factor (3 → 2: the middle pixel split in half)', () => {
    // One row of three grey levels 0, 90, 200: shown pixel 0 covers 1 + 1/2, pixel 1 covers 1/2 + 1.
    const src = new Uint8ClampedArray([0, 0, 0, 255, 90, 90, 90, 255, 200, 200, 200, 255]);
    const out = whole(src, 3, 1, 2, 1);
    // (0 * 2 + 90 * 1) / 3 = 30; (90 * 1 + 200 * 2) / 3 = 163.33 → 163
    expect([...out]).toEqual([30, 30, 30, 255, 163, 163, 163, 255]);
  });

  it('keeps a flat colour flat and 1:1 unchanged', () => {
    const flat = frame(7, 5, [12, 34, 56, 255]);
    expect([...whole(flat, 7, 5, 3, 2)]).toEqual([...frame(3, 2, [12, 34, 56, 255])]);
    const noise = Uint8ClampedArray.from({ length: 5 * 3 * 4 }, (_, i) => (i * 37) % 256);
    expect([...whole(noise, 5, 3, 5, 3)]).toEqual([...noise]);
  });

  it('a 1-pixel line at a third of the size is kept as a third of its contrast, not dropped', () => {
    // A white frame with one black column at x = 4 (the middle of shown pixel 1 at 9 → 3).
    const src = frame(9, 3, [255, 255, 255, 255]);
    for (let y = 0; y < 3; y++) src.set([0, 0, 0, 255], (y * 9 + 4) * 4);
    expect([...whole(src, 9, 3, 3, 1)].filter((_, i) => i % 4 === 0)).toEqual([255, 170, 255]);
  });

  it('weights along each axis sum to the frame size; taps stay within the frame', () => {
    for (const [from, to] of [
      [1920, 637],
      [1080, 358],
      [7, 3],
      [5, 5],
      [1200, 1],
    ] as const) {
      const a = makeAxis(from, to);
      for (let i = 0; i < to; i++) {
        let sum = 0;
        for (let k = 0; k < a.taps[i]!; k++) sum += a.weights[i * a.stride + k]!;
        expect(sum).toBe(from);
        expect(a.first[i]! + a.taps[i]!).toBeLessThanOrEqual(from);
      }
    }
  });

  it('the covering span of a frame rect is exactly the shown pixels whose footprint meets it (rect edges)', () => {
    const a = makeAxis(1920, 637);
    expect(coveringSpan(a, 0, 1920)).toEqual([0, 637]);
    expect(coveringSpan(a, 0, 1)).toEqual([0, 1]);
    expect(coveringSpan(a, 1919, 1)).toEqual([636, 637]);
    expect(coveringSpan(a, 5, 0)).toEqual([0, 0]);
    // 9 → 3: frame pixels 3..5 are shown pixel 1 alone; 2..3 straddle shown pixels 0 and 1.
    const b = makeAxis(9, 3);
    expect(coveringSpan(b, 3, 3)).toEqual([1, 2]);
    expect(coveringSpan(b, 2, 2)).toEqual([0, 2]);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 300 }), fc.nat(299), fc.nat(300), (from, toRaw, xRaw, wRaw) => {
        const to = Math.min(from, toRaw);
        const x = xRaw % from;
        const w = Math.min(wRaw, from - x);
        const [lo, hi] = coveringSpan({ from, to }, x, w);
        for (let i = 0; i < to; i++) {
          const meets = w > 0 && i * from < (x + w) * to && x * to < (i + 1) * from;
          expect(i >= lo && i < hi).toBe(meets);
        }
      }),
    );
  });

  it('rejects growing, an empty size and a rect outside the shown size, with what and why', () => {
    expect(() => makeAxis(3, 4)).toThrow(/cannot shrink 3 pixels to 4/);
    expect(() => makeAxis(3, 0)).toThrow(RangeError);
    const out = new Uint8ClampedArray(16);
    expect(() => downscaleRect(new Uint8ClampedArray(9 * 4), makeAxis(3, 2), makeAxis(3, 2), 1, 0, 2, 1, out, 2)).toThrow(/rect 1,0 2x1 outside 2x2/);
  });

  it('matches the reference definition for random frames and sizes, whole and in sub-rects', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 23 }),
        fc.integer({ min: 1, max: 17 }),
        fc.integer({ min: 1, max: 23 }),
        fc.integer({ min: 1, max: 17 }),
        fc.integer(),
        (fw, fh, twRaw, thRaw, seed) => {
          const tw = Math.min(fw, twRaw);
          const th = Math.min(fh, thRaw);
          const src = Uint8ClampedArray.from({ length: fw * fh * 4 }, (_, i) => (Math.imul(i + 1, 2654435761) ^ seed) >>> 24);
          const ref = reference(src, fw, fh, tw, th);
          expect([...whole(src, fw, fh, tw, th)]).toEqual([...ref]);
          // One sub-rect written into a padded buffer: its pixels are the reference's, in place.
          const dx = seed & 1 ? 0 : Math.floor(tw / 2);
          const dy = seed & 2 ? 0 : Math.floor(th / 2);
          const dw = tw - dx;
          const dh = th - dy;
          const stride = dw + 3;
          const out = new Uint8ClampedArray(stride * dh * 4);
          downscaleRect(src, makeAxis(fw, tw), makeAxis(fh, th), dx, dy, dw, dh, out, stride);
          for (let y = 0; y < dh; y++) expect([...out.subarray(y * stride * 4, (y * stride + dw) * 4)]).toEqual([...ref.subarray(((dy + y) * tw + dx) * 4, ((dy + y) * tw + dx + dw) * 4)]);
        },
      ),
    );
  });
});
