import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  FONT_HEIGHT,
  FONT_WIDTH,
  drawText,
  drawTextRows,
  glyph,
  textWidth,
  type TextTarget,
} from '../../../src/shared/font';

const FG = 0xffe0e0e0;
const BG = 0xff102030;
const PRINTABLE: number[] = Array.from({ length: 0x7e - 0x20 + 1 }, (_, i) => 0x20 + i);

/** Set of "x,y" keys of the on-pixels of glyph(code) placed at (ox, oy) and magnified by scale. */
function glyphPixels(code: number, ox = 0, oy = 0, scale = 1): Set<string> {
  const g = glyph(code);
  const out = new Set<string>();
  for (let row = 0; row < FONT_HEIGHT; row++) {
    for (let col = 0; col < FONT_WIDTH; col++) {
      if (!(g[row] & (0x80 >> col))) continue;
      for (let dy = 0; dy < scale; dy++) {
        for (let dx = 0; dx < scale; dx++) out.add(`${ox + col * scale + dx},${oy + row * scale + dy}`);
      }
    }
  }
  return out;
}

function popcount(g: Uint8Array): number {
  let n = 0;
  for (const b of g) for (let v = b; v; v &= v - 1) n++;
  return n;
}

function hamming(a: Uint8Array, b: Uint8Array): number {
  return popcount(a.map((v, i) => v ^ b[i]));
}

/** A target that records every put (last write wins) and fails the test on any out-of-bounds put. */
class RecordingTarget implements TextTarget {
  readonly pixels = new Map<string, number>();
  puts = 0;
  constructor(
    readonly width: number,
    readonly height: number,
  ) {}
  put(x: number, y: number, argb: number): void {
    if (!Number.isInteger(x) || !Number.isInteger(y) || x < 0 || y < 0 || x >= this.width || y >= this.height) {
      throw new Error(`put out of bounds: (${x},${y}) in ${this.width}x${this.height}`);
    }
    this.puts++;
    this.pixels.set(`${x},${y}`, argb);
  }
  keysWith(argb: number): Set<string> {
    return new Set([...this.pixels].filter(([, v]) => v === argb).map(([k]) => k));
  }
}

/** Naive unclipped reference render: every pixel of every cell, keyed "x,y" -> colour. */
function reference(x: number, y: number, text: string, fg: number, bg: number | undefined, scale: number): Map<string, number> {
  const out = new Map<string, number>();
  let cx = x;
  for (const ch of text) {
    const g = glyph(ch.codePointAt(0)!);
    for (let py = 0; py < FONT_HEIGHT * scale; py++) {
      for (let px = 0; px < FONT_WIDTH * scale; px++) {
        const on = (g[Math.floor(py / scale)] & (0x80 >> Math.floor(px / scale))) !== 0;
        if (on) out.set(`${cx + px},${y + py}`, fg);
        else if (bg !== undefined) out.set(`${cx + px},${y + py}`, bg);
      }
    }
    cx += FONT_WIDTH * scale;
  }
  return out;
}

function clipped(ref: Map<string, number>, width: number, height: number): Map<string, number> {
  return new Map(
    [...ref].filter(([k]) => {
      const [x, y] = k.split(',').map(Number);
      return x >= 0 && y >= 0 && x < width && y < height;
    }),
  );
}

const textArb = fc.string({ unit: fc.integer({ min: 0x1f, max: 0x80 }).map((c) => String.fromCharCode(c)), maxLength: 6 });

describe('font glyphs', () => {
  it('has 8x16 cells', () => {
    expect(FONT_WIDTH).toBe(8);
    expect(FONT_HEIGHT).toBe(16);
    for (const c of PRINTABLE) expect(glyph(c)).toHaveLength(16);
  });

  it('space is empty and every other printable ASCII glyph has ink', () => {
    expect(popcount(glyph(0x20))).toBe(0);
    for (const c of PRINTABLE.filter((c) => c !== 0x20)) {
      expect(popcount(glyph(c)), `glyph ${JSON.stringify(String.fromCharCode(c))}`).toBeGreaterThan(0);
    }
  });

  it('glyphs are pairwise distinct, including the replacement box', () => {
    const seen = new Map<string, string>();
    for (const c of [...PRINTABLE, 0x7f]) {
      const key = Buffer.from(glyph(c)).toString('hex');
      const name = c === 0x7f ? 'replacement' : String.fromCharCode(c);
      expect(seen.get(key), `${name} duplicates ${seen.get(key)}`).toBeUndefined();
      seen.set(key, name);
    }
  });

  it('keeps easily-confused characters clearly apart', () => {
    const g = (ch: string) => glyph(ch.charCodeAt(0));
    for (const [a, b] of [['O', '0'], ['l', '1'], ['l', 'I'], ['1', 'I'], ['o', '0'], ['S', '5'], ['B', '8'], ['Z', '2'], ['|', 'l']]) {
      expect(hamming(g(a), g(b)), `${a} vs ${b}`).toBeGreaterThanOrEqual(4);
    }
  });

  it('leaves column 7 blank (inter-character gap) except for the underscore', () => {
    for (const c of PRINTABLE.filter((c) => c !== 0x5f)) {
      expect(glyph(c).every((b) => (b & 1) === 0), String.fromCharCode(c)).toBe(true);
    }
  });

  it('maps unknown codes to one visible replacement box', () => {
    const box = glyph(0x7f);
    expect(popcount(box)).toBeGreaterThan(20);
    for (const c of [-1, 0, 0x0a, 0x1f, 0x7f, 0x80, 0xff, 0x20ac, 0x1f600, 1.5, NaN, Infinity]) {
      expect(glyph(c)).toEqual(box);
    }
  });

  it('returns a copy that callers cannot use to corrupt the font', () => {
    const a = glyph(0x41);
    const before = Array.from(a);
    a.fill(0xff);
    expect(Array.from(glyph(0x41))).toEqual(before);
  });
});

describe('drawText', () => {
  it("draws exactly glyph('A') at (0,0) in an 8x16 target", () => {
    const t = new RecordingTarget(8, 16);
    expect(drawText(t, 0, 0, 'A', FG)).toBe(8);
    expect(t.keysWith(FG)).toEqual(glyphPixels(0x41));
    expect(t.pixels.size).toBe(glyphPixels(0x41).size); // transparent: nothing else touched
    expect(t.puts).toBe(t.pixels.size);
  });

  it('paints every cell pixel exactly once when a background is given', () => {
    const t = new RecordingTarget(8, 16);
    drawText(t, 0, 0, 'A', FG, BG);
    expect(t.puts).toBe(8 * 16);
    expect(t.keysWith(FG)).toEqual(glyphPixels(0x41));
    expect(t.keysWith(BG).size).toBe(8 * 16 - glyphPixels(0x41).size);
  });

  it('scale 2 turns every glyph pixel into an exact 2x2 block', () => {
    const t = new RecordingTarget(40, 40);
    expect(drawText(t, 3, 5, 'g', FG, undefined, 2)).toBe(3 + 16);
    expect(t.keysWith(FG)).toEqual(glyphPixels(0x67, 3, 5, 2));
    expect(t.pixels.size).toBe(glyphPixels(0x67).size * 4);
  });

  it('advances by textWidth and returns the x after the last glyph, even when clipped', () => {
    expect(textWidth('')).toBe(0);
    expect(textWidth('abc')).toBe(24);
    expect(textWidth('abc', 3)).toBe(72);
    expect(textWidth('\u{1f600}')).toBe(8); // one code point, one cell
    const t = new RecordingTarget(10, 10);
    expect(drawText(t, -100, 0, 'hello', FG)).toBe(-60);
    expect(drawText(t, 50, 0, 'hi', FG, BG, 2)).toBe(82);
    expect(drawText(t, 0, 0, '', FG, BG)).toBe(0);
    expect(t.puts).toBe(0);
  });

  it('rejects scales that are not integers >= 1', () => {
    const t = new RecordingTarget(8, 16);
    for (const s of [0, -1, 1.5, NaN]) {
      expect(() => drawText(t, 0, 0, 'A', FG, BG, s)).toThrow(RangeError);
      expect(() => textWidth('A', s)).toThrow(RangeError);
      expect(() => drawTextRows(new Uint32Array(128), 8, 8, 16, 0, 0, 'A', FG, BG, s)).toThrow(RangeError);
    }
  });

  it.each([
    ['left', -3, 2],
    ['right', 17, 2],
    ['top', 2, -7],
    ['bottom', 2, 13],
    ['top-left corner', -5, -9],
    ['bottom-right corner', 18, 14],
  ])('clips partial glyphs at the %s edge', (_edge, x, y) => {
    const t = new RecordingTarget(22, 20);
    drawText(t, x, y, 'W@#', FG, BG);
    const want = clipped(reference(x, y, 'W@#', FG, BG, 1), 22, 20);
    expect(want.size).toBeGreaterThan(0);
    expect(t.pixels).toEqual(want);
    expect(t.puts).toBe(want.size);
  });

  it('draws nothing for text entirely outside the target', () => {
    const t = new RecordingTarget(16, 16);
    drawText(t, -16, 0, 'ab', FG, BG);
    drawText(t, 16, 0, 'ab', FG, BG);
    drawText(t, 0, -16, 'ab', FG, BG);
    drawText(t, 0, 16, 'ab', FG, BG);
    drawText(new RecordingTarget(0, 0), 0, 0, 'ab', FG, BG);
    expect(t.puts).toBe(0);
  });

  it('never puts out of bounds and matches an unclipped reference render (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: -40, max: 40 }),
        fc.integer({ min: -40, max: 40 }),
        textArb,
        fc.option(fc.constant(BG), { nil: undefined }),
        fc.integer({ min: 1, max: 3 }),
        (w, h, x, y, text, bg, scale) => {
          const t = new RecordingTarget(w, h); // throws on any out-of-bounds put
          const end = drawText(t, x, y, text, FG, bg, scale);
          expect(end).toBe(x + textWidth(text, scale));
          const want = clipped(reference(x, y, text, FG, bg, scale), w, h);
          expect(t.pixels).toEqual(want);
          expect(t.puts).toBe(want.size); // no pixel written twice
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('drawTextRows', () => {
  it('agrees with drawText on random strings, positions, pitches and scales', () => {
    const SENTINEL = 0x12345678;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: -30, max: 45 }),
        fc.integer({ min: -30, max: 45 }),
        fc.oneof(fc.string({ maxLength: 8 }), fc.string({ unit: 'binary', maxLength: 4 })),
        fc.option(fc.integer({ min: 0, max: 0xffffffff }), { nil: undefined }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 1, max: 3 }),
        (w, h, pad, x, y, text, bg, fg, scale) => {
          const pitch = w + pad;
          const words = new Uint32Array(pitch * h).fill(SENTINEL);
          const viaTarget = new Uint32Array(pitch * h).fill(SENTINEL);
          const target: TextTarget = {
            width: w,
            height: h,
            put: (px, py, argb) => {
              viaTarget[py * pitch + px] = argb;
            },
          };
          const a = drawTextRows(words, pitch, w, h, x, y, text, fg, bg, scale);
          const b = drawText(target, x, y, text, fg, bg, scale);
          expect(a).toBe(b);
          expect(words).toEqual(viaTarget);
          // The padding columns between width and pitch are never written.
          for (let py = 0; py < h; py++) {
            for (let px = w; px < pitch; px++) expect(words[py * pitch + px]).toBe(SENTINEL);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("writes glyph('A') as XRGB words at the right offsets", () => {
    const pitch = 10;
    const words = new Uint32Array(pitch * 16);
    drawTextRows(words, pitch, 8, 16, 0, 0, 'A', 0xff00ff00);
    const on = new Set<string>();
    words.forEach((v, i) => {
      if (v === 0xff00ff00) on.add(`${i % pitch},${Math.floor(i / pitch)}`);
      else expect(v).toBe(0);
    });
    expect(on).toEqual(glyphPixels(0x41));
  });

  it('rejects geometry that does not fit the buffer', () => {
    expect(() => drawTextRows(new Uint32Array(100), 8, 10, 10, 0, 0, 'A', FG)).toThrow(RangeError);
    expect(() => drawTextRows(new Uint32Array(99), 10, 10, 10, 0, 0, 'A', FG)).toThrow(RangeError);
    expect(() => drawTextRows(new Uint32Array(98), 10, 8, 10, 0, 0, 'A', FG, BG)).not.toThrow();
  });
});
