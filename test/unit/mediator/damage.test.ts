import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { type SpanEqual, type SurfaceRows, jsSpanEqual, packedRows, syncRows } from '../../../src/main/mediator/damage';
import { nativeSpanEqual } from '../../../src/main/host/native-compare';

const frame = (w: number, h: number, f: (x: number, y: number) => number): Uint32Array => {
  const px = new Uint32Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) px[y * w + x] = f(x, y);
  return px;
};

/** The same frame offered a row at a time only, each row copied (as rows that straddle pages are). */
const rowByRow = (px: Uint32Array, w: number): SurfaceRows => ({ row: (y) => ({ words: px.slice(y * w, (y + 1) * w), at: 0 }), rows: () => null });

describe('syncRows (vnc_refresh_server_surface-style compare in place)', () => {
  it('finds nothing in an equal frame, then the changed bands, and leaves dst equal to src', () => {
    const dst = frame(8, 6, () => 1);
    expect(syncRows(packedRows(frame(8, 6, () => 1), 8), dst, 8, 6)).toEqual([]);
    const src = frame(8, 6, (x, y) => ((x === 2 && y === 1) || (x === 5 && y === 3) ? 7 : 1));
    // Rows 1 and 3 changed, row 2 did not: two bands.
    expect(syncRows(packedRows(src, 8), dst, 8, 6)).toEqual([
      { x: 2, y: 1, w: 1, h: 1 },
      { x: 5, y: 3, w: 1, h: 1 },
    ]);
    expect(dst).toEqual(src);
  });

  it('merges bands across the smallest gaps beyond the limit', () => {
    const a = frame(5, 20, () => 0);
    const b = frame(5, 20, (x, y) => ([0, 2, 10, 19].includes(y) && x === y % 5 ? 1 : 0));
    // Bands at rows 0, 2, 10, 19; gaps 2, 8, 9: rows 0-2 merge first, then 0-10.
    expect(syncRows(packedRows(b, 5), a, 5, 20, jsSpanEqual, 2)).toEqual([
      { x: 0, y: 0, w: 3, h: 11 },
      { x: 4, y: 19, w: 1, h: 1 },
    ]);
  });

  it('narrows a row to its changed columns, with one comparison call per row when its equal ends are short (walked, not halved)', () => {
    const w = 250;
    const a = frame(w, 2, () => 5);
    const b = frame(w, 2, (x, y) => (y === 1 && (x === 70 || x === 229) ? 6 : 5));
    let calls = 0;
    const counting: SpanEqual = (...args) => (calls++, nativeSpanEqual(...args));
    // Rows compared one by one (no block compare): one call for the unchanged row, one for the changed one.
    expect(syncRows(rowByRow(b, w), a, w, 2, counting)).toEqual([{ x: 70, y: 1, w: 160, h: 1 }]);
    expect(calls).toBe(2);
    expect(a).toEqual(b);
  });

  it('skips the long equal ends of a wide changed row 256 words per comparison, then walks to the exact columns', () => {
    const w = 2000;
    const a = frame(w, 1, () => 0xff336699);
    const b = frame(w, 1, (x) => (x === 700 || x === 1229 ? 0xff000000 : 0xff336699));
    let calls = 0;
    const counting: SpanEqual = (...args) => (calls++, nativeSpanEqual(...args));
    expect(syncRows(rowByRow(b, w), a, w, 1, counting)).toEqual([{ x: 700, y: 0, w: 530, h: 1 }]);
    // The row; from the left [0,256) and [256,512) equal, [512,768) not; from the right
    // [1744,2000), [1488,1744) and [1232,1488) equal, [976,1232) not.
    expect(calls).toBe(1 + 3 + 4);
    expect(a).toEqual(b);
  });

  it('finds the exact changed columns of wide rows (strided and walked ends) like a brute-force scan', () => {
    fc.assert(
      fc.property(fc.integer({ min: 250, max: 1400 }), fc.integer({ min: 1, max: 3 }), fc.array(fc.nat(), { maxLength: 6 }), fc.constantFrom(jsSpanEqual, nativeSpanEqual), (w, h, flips, equal) => {
        const a = new Uint32Array(w * h).fill(0xff102030);
        const b = a.slice();
        for (const f of flips) b[f % (w * h)] ^= 0x10203;
        const want: { x: number; y: number; w: number; h: number }[] = [];
        for (let y = 0; y < h; y++) {
          let lo = -1;
          let hi = -1;
          for (let x = 0; x < w; x++) {
            if (a[y * w + x] === b[y * w + x]) continue;
            if (lo < 0) lo = x;
            hi = x;
          }
          if (lo < 0) continue;
          const prev = want[want.length - 1];
          if (prev && prev.y + prev.h === y) {
            const x1 = Math.max(prev.x + prev.w, hi + 1);
            prev.x = Math.min(prev.x, lo);
            prev.w = x1 - prev.x;
            prev.h++;
          } else want.push({ x: lo, y, w: hi - lo + 1, h: 1 });
        }
        expect(syncRows(rowByRow(b, w), a, w, h, equal)).toEqual(want);
        expect(a).toEqual(b);
      }),
    );
  });

  it('finds the ends of a change at the very first and last columns, and of a single changed word', () => {
    const w = 97;
    for (const cols of [[0], [w - 1], [0, w - 1], [40]]) {
      const a = frame(w, 1, () => 0xffffffff);
      const b = frame(w, 1, (x) => (cols.includes(x) ? 0x80000000 : 0xffffffff));
      const lo = Math.min(...cols);
      expect(syncRows(packedRows(b, w), a, w, 1, jsSpanEqual)).toEqual([{ x: lo, y: 0, w: Math.max(...cols) - lo + 1, h: 1 }]);
      expect(a).toEqual(b);
    }
  });

  it('covers every changed pixel within the rect limit and leaves dst equal to src, whatever the row access and comparison', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 150 }),
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        fc.constantFrom(jsSpanEqual, nativeSpanEqual),
        fc.boolean(),
        (w, h, flips, equal, blocks) => {
          const a = new Uint32Array(w * h);
          const b = a.slice();
          for (const f of flips) b[f % (w * h)] ^= 0x10203;
          const before = a.slice();
          const rects = syncRows(blocks ? packedRows(b, w) : rowByRow(b, w), a, w, h, equal, 3);
          expect(rects.length).toBeLessThanOrEqual(3);
          const covered = (i: number): boolean => rects.some((r) => i % w >= r.x && i % w < r.x + r.w && Math.floor(i / w) >= r.y && Math.floor(i / w) < r.y + r.h);
          for (let i = 0; i < w * h; i++) if (before[i] !== b[i]) expect(covered(i)).toBe(true);
          for (const r of rects) expect(r.x + r.w <= w && r.y + r.h <= h && r.w > 0 && r.h > 0).toBe(true);
          expect(a).toEqual(b);
        },
      ),
    );
  });
});

describe('nativeSpanEqual', () => {
  it('compares spans at different offsets of different (shared) buffers like the JS loop', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 64 }), fc.nat(), fc.nat(), fc.nat(), (xs, i, j, k) => {
        const a = new Uint32Array(new SharedArrayBuffer(4 * (xs.length + 4)), 4).subarray(1);
        a.set(xs);
        const b = Uint32Array.from(xs);
        const n = k % (xs.length + 1);
        const aAt = i % (xs.length - n + 1);
        const bAt = j % (xs.length - n + 1);
        expect(nativeSpanEqual(a, aAt, b, bAt, n)).toBe(jsSpanEqual(a, aAt, b, bAt, n));
      }),
    );
  });
});

describe('syncRows against memory that changes while it compares (live guest RAM)', () => {
  it('never yields an empty or inverted rect when the source turns equal between the comparisons', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 300 }), fc.nat(299), fc.nat(20), (w, at, calls) => {
        const dst = new Uint32Array(w);
        const src = dst.slice();
        src[at % w] = 1;
        let n = 0;
        // After `calls` comparisons the "guest" writes the old value back: the row turns equal.
        const racing: SpanEqual = (a, aAt, b, bAt, len) => {
          if (++n === calls) src[at % w] = 0;
          return jsSpanEqual(a, aAt, b, bAt, len);
        };
        const rects = syncRows(packedRows(src, w), dst, w, 1, racing);
        for (const r of rects) expect(r.w > 0 && r.h > 0 && r.x + r.w <= w).toBe(true);
      }),
    );
  });
});
