import { describe, expect, it } from 'vitest';
import { WINDOW_MIN } from '../../../src/shared/api';
import { CASCADE_STEP, TILE_GAP, cascade, newWindowSlot, clampRect, defaultSize, fitInside, integerScale, shownCssSize, tile, type Rect, type Size } from '../../../src/renderer/lib/window-layout';

const CHROME = { w: 2, h: 80 };
/** The compositor area at a 1280x720 viewport (sidebar, dashboard, console taken off) and at 1920x1080. */
const SMALL: Size = { w: 720, h: 450 };
const LARGE: Size = { w: 1360, h: 810 };

const inside = (r: Rect, a: Size): boolean => r.x >= 0 && r.y >= 0 && r.x + r.w <= a.w && r.y + r.h <= a.h;
const overlaps = (a: Rect, b: Rect): boolean => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

describe('tile', () => {
  for (const area of [SMALL, LARGE]) {
    for (let n = 1; n <= 7; n++) {
      it(`${n} window(s) in ${area.w}x${area.h}: inside the area, no overlap, gaps only`, () => {
        const rects = tile(n, area, CHROME);
        expect(rects).toHaveLength(n);
        for (const r of rects) expect(inside(r, area), JSON.stringify(r)).toBe(true);
        for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) expect(overlaps(rects[i]!, rects[j]!)).toBe(false);
        // Every row is filled edge to edge: the rects cover the area but for the gaps (and rounding).
        const covered = rects.reduce((s, r) => s + r.w * r.h, 0);
        expect(covered / (area.w * area.h)).toBeGreaterThan(0.85);
      });
    }
  }

  it('one window fills the area less the gap', () => {
    expect(tile(1, SMALL, CHROME)).toEqual([{ x: TILE_GAP, y: TILE_GAP, w: SMALL.w - 2 * TILE_GAP, h: SMALL.h - 2 * TILE_GAP }]);
  });

  it('two windows in a wide, short area sit side by side; in a tall one they stack', () => {
    const wide = tile(2, SMALL, CHROME);
    expect(wide[0]!.y).toBe(wide[1]!.y);
    expect(wide[1]!.x).toBeGreaterThan(wide[0]!.x);
    const tall = tile(2, { w: 600, h: 1200 }, CHROME);
    expect(tall[0]!.x).toBe(tall[1]!.x);
    expect(tall[1]!.y).toBeGreaterThan(tall[0]!.y);
  });

  it('three windows on a grid of two rows: the last row\'s window spans the width', () => {
    const r = tile(3, { w: 1000, h: 1000 }, CHROME);
    expect(r[0]!.y).toBe(r[1]!.y);
    expect(r[2]!.y).toBeGreaterThan(r[0]!.y);
    expect(r[2]!.w).toBe(1000 - 2 * TILE_GAP);
  });

  it('zero windows is no rects; a tiny area still gives usable windows (they overlap rather than vanish)', () => {
    expect(tile(0, SMALL, CHROME)).toEqual([]);
    for (const r of tile(7, { w: 300, h: 200 }, CHROME)) {
      expect(inside(r, { w: 300, h: 200 })).toBe(true);
      expect(r.w).toBeGreaterThanOrEqual(WINDOW_MIN.w);
      expect(r.h).toBeGreaterThanOrEqual(WINDOW_MIN.h);
    }
  });
});

describe('cascade and default placement', () => {
  it('cascades one title bar apart, all of one size, inside the area', () => {
    for (const area of [SMALL, LARGE]) {
      const rects = cascade(5, area, CHROME);
      rects.forEach((r, i) => {
        expect(r.x).toBe(TILE_GAP + i * CASCADE_STEP);
        expect(r.y).toBe(TILE_GAP + i * CASCADE_STEP);
        expect({ w: r.w, h: r.h }).toEqual({ w: rects[0]!.w, h: rects[0]!.h });
        expect(inside(r, area), `${JSON.stringify(r)} in ${JSON.stringify(area)}`).toBe(true);
      });
    }
  });

  it('starts over at the corner when the next step would leave the area', () => {
    const rects = cascade(30, SMALL, CHROME);
    for (const r of rects) expect(inside(r, SMALL)).toBe(true);
    expect(rects.some((r, i) => i > 0 && r.x === TILE_GAP)).toBe(true);
  });

  it('a new window fits its guest mode scaled down into two thirds of the width, never up', () => {
    const s = defaultSize({ w: 1024, h: 768 }, SMALL, CHROME);
    expect(2 * s.w + 3 * TILE_GAP).toBeLessThanOrEqual(SMALL.w);
    expect(s.h).toBeLessThanOrEqual(SMALL.h);
    // The screen part keeps the mode's aspect (4:3), within a pixel of rounding.
    expect(Math.abs((s.w - CHROME.w) / (s.h - CHROME.h) - 4 / 3)).toBeLessThan(0.02);
    // A small mode in a big area is shown at its size, not blown up.
    expect(defaultSize({ w: 640, h: 480 }, { w: 3000, h: 2000 }, CHROME)).toEqual({ w: 642, h: 560 });
  });
});

describe('newWindowSlot', () => {
  const size = { w: 300, h: 200 };
  it('the first window goes top-left; the next beside the open ones while it fits', () => {
    expect(newWindowSlot([], size, SMALL)).toEqual({ x: TILE_GAP, y: TILE_GAP });
    expect(newWindowSlot([{ x: 6, y: 6, ...size }], size, SMALL)).toEqual({ x: 312, y: TILE_GAP });
  });
  it('cascades when there is no room beside them', () => {
    const open = [{ x: 6, y: 6, ...size }, { x: 312, y: 6, ...size }];
    expect(newWindowSlot(open, size, SMALL)).toEqual({ x: TILE_GAP + 2 * CASCADE_STEP, y: TILE_GAP + 2 * CASCADE_STEP });
  });
});

describe('clampRect', () => {
  it('moves a window back inside the area', () => {
    expect(clampRect({ x: 900, y: 500, w: 400, h: 300 }, SMALL)).toEqual({ x: 320, y: 150, w: 400, h: 300 });
    expect(clampRect({ x: 0, y: 0, w: 400, h: 300 }, SMALL)).toEqual({ x: 0, y: 0, w: 400, h: 300 });
  });
  it('shrinks a window larger than the area to the area', () => {
    expect(clampRect({ x: 50, y: 50, w: 2000, h: 2000 }, SMALL)).toEqual({ x: 0, y: 0, w: SMALL.w, h: SMALL.h });
  });
  it('never below the minimum size unless the area itself is smaller', () => {
    expect(clampRect({ x: 0, y: 0, w: 10, h: 10 }, SMALL)).toEqual({ x: 0, y: 0, w: WINDOW_MIN.w, h: WINDOW_MIN.h });
    expect(clampRect({ x: 0, y: 0, w: 500, h: 500 }, { w: 100, h: 80 })).toEqual({ x: 0, y: 0, w: 100, h: 80 });
  });
  it('leaves geometry alone while the area is unmeasured', () => {
    expect(clampRect({ x: 5000, y: 5, w: 400, h: 300 }, { w: 0, h: 0 })).toEqual({ x: 5000, y: 5, w: 400, h: 300 });
  });
});

describe('scale modes', () => {
  const frame = { w: 640, h: 480 };
  it('integer scale is the largest whole factor that fits, at least 1', () => {
    expect(integerScale(frame, { w: 1300, h: 1000 }, 1)).toBe(2);
    expect(integerScale(frame, { w: 1920, h: 1440 }, 1)).toBe(3);
    expect(integerScale(frame, { w: 1919, h: 1440 }, 1)).toBe(2);
    expect(integerScale(frame, { w: 300, h: 200 }, 1)).toBe(1);
    // Device pixels: a 2x display doubles the room.
    expect(integerScale(frame, { w: 650, h: 500 }, 2)).toBe(2);
    expect(integerScale({ w: 0, h: 0 }, { w: 650, h: 500 }, 1)).toBe(1);
  });
  it('fit fills the box one way, keeping the aspect, up or down', () => {
    expect(shownCssSize('fit', frame, { w: 1000, h: 600 }, 1)).toEqual({ w: 800, h: 600 });
    expect(shownCssSize('fit', frame, { w: 320, h: 600 }, 1)).toEqual({ w: 320, h: 240 });
    expect(fitInside(frame, { w: 1000, h: 600 }, false)).toEqual(frame);
  });
  it('1:1 is one guest pixel per device pixel, whatever the box', () => {
    expect(shownCssSize('1:1', frame, { w: 100, h: 100 }, 1)).toEqual(frame);
    expect(shownCssSize('1:1', frame, { w: 100, h: 100 }, 2)).toEqual({ w: 320, h: 240 });
  });
  it('integer uses the whole factor', () => {
    expect(shownCssSize('integer', frame, { w: 1300, h: 1000 }, 1)).toEqual({ w: 1280, h: 960 });
    expect(shownCssSize('integer', frame, { w: 300, h: 200 }, 1)).toEqual(frame);
  });
});
