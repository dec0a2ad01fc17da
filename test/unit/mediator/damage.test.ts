import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DamageTracker, changedRects, jsRangeEqual } from '../../../src/main/mediator/damage';
import { nativeRangeEqual as bufferEqual } from '../../../src/main/host/native-compare';

const frame = (w: number, h: number, f: (x: number, y: number) => number): Uint32Array => {
  const px = new Uint32Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) px[y * w + x] = f(x, y);
  return px;
};

describe('DamageTracker', () => {
  it('sends the whole first frame, nothing for an unchanged one, then the changed band as RGBA', () => {
    const t = new DamageTracker();
    expect(t.update(1, 8, 6, frame(8, 6, () => 1)).pieces.map((p) => p.rect)).toEqual([{ x: 0, y: 0, w: 8, h: 6 }]);
    expect(t.update(1, 8, 6, frame(8, 6, () => 1)).pieces).toEqual([]);
    const d = t.update(1, 8, 6, frame(8, 6, (x, y) => ((x === 2 && y === 1) || (x === 5 && y === 3) ? 7 : 1)));
    // Rows 1 and 3 changed, row 2 did not: two bands.
    expect(d.pieces.map((p) => p.rect)).toEqual([
      { x: 2, y: 1, w: 1, h: 1 },
      { x: 5, y: 3, w: 1, h: 1 },
    ]);
    // XRGB 0x000007 becomes RGBA (0, 0, 7, 255).
    expect([...d.pieces[0].rgba]).toEqual([0, 0, 7, 255]);
  });

  it('a size change or a forgotten source damages the whole frame', () => {
    const t = new DamageTracker();
    t.update(1, 4, 4, frame(4, 4, () => 0));
    expect(t.update(1, 2, 2, frame(2, 2, () => 0)).pieces.map((p) => p.rect)).toEqual([{ x: 0, y: 0, w: 2, h: 2 }]);
    t.forget(1);
    expect(t.update(1, 2, 2, frame(2, 2, () => 0)).pieces).toHaveLength(1);
  });
});

describe('changedRects', () => {
  it('merges bands across the smallest gaps beyond the limit', () => {
    const a = frame(5, 20, () => 0);
    const b = frame(5, 20, (x, y) => ([0, 2, 10, 19].includes(y) && x === y % 5 ? 1 : 0));
    // Bands at rows 0, 2, 10, 19; gaps 2, 8, 9: rows 0-2 merge first, then 0-10.
    expect(changedRects(a, b, 5, 20, 2)).toEqual([
      { x: 0, y: 0, w: 3, h: 11 },
      { x: 4, y: 19, w: 1, h: 1 },
    ]);
  });

  it('covers exactly the changed pixels (odd and even widths, 16-row blocks), within the rect limit, with either comparison', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 40 }), fc.array(fc.nat(), { maxLength: 20 }), fc.constantFrom(jsRangeEqual, bufferEqual), (w, h, flips, equal) => {
        const a = new Uint32Array(w * h);
        const b = a.slice();
        for (const f of flips) b[f % (w * h)] ^= 0x10203;
        const rects = changedRects(a, b, w, h, 3, equal);
        expect(rects.length).toBeLessThanOrEqual(3);
        const covered = (i: number): boolean => rects.some((r) => i % w >= r.x && i % w < r.x + r.w && Math.floor(i / w) >= r.y && Math.floor(i / w) < r.y + r.h);
        for (let i = 0; i < w * h; i++) if (a[i] !== b[i]) expect(covered(i)).toBe(true);
        for (const r of rects) expect(r.x + r.w <= w && r.y + r.h <= h && r.w > 0 && r.h > 0).toBe(true);
      }),
    );
  });
});
