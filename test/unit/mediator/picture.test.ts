import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Ggtt, encodePte } from '../../../src/main/gpu/ggtt';
import { HostMemory } from '../../../src/main/gpu/memory';
import { CURSOR_64, type DecodedCursor, type DecodedPlane, compositeCursor, readPlaneXrgb, xrgbToRgba } from '../../../src/main/gpu/scanout';
import { type SpanEqual, jsSpanEqual } from '../../../src/main/mediator/damage';
import { BlockWrites } from '../../../src/main/mediator/block-writes';
import { FULL_EVERY, Picture } from '../../../src/main/mediator/picture';
import { nativeSpanEqual } from '../../../src/main/host/native-compare';
import { CPU_LOG, GPU_LOG, dirtyLogBytes, markDirty } from '../../../src/shared/dirty-log';
import { rgbaOfRle32 } from '../helpers/rle32-rgba';

const PAGE = 4096;
const GM_PAGES = 96;
const RAM_PAGES = 128;

/** Two RAM regions (with dirty page logs) and a GGTT whose pages the test maps at will (shuffled, split, unmapped). */
function setup() {
  const memory = new HostMemory();
  const ram = (): [SharedArrayBuffer, SharedArrayBuffer] => [new SharedArrayBuffer((RAM_PAGES / 2) * PAGE), new SharedArrayBuffer(dirtyLogBytes((RAM_PAGES / 2) * PAGE))];
  const low = memory.attach(0, ...ram());
  const high = memory.attach(1 << 20, ...ram());
  const ggtt = new Ggtt(GM_PAGES * PAGE, memory);
  const hpaOf = (frame: number): number => (frame < RAM_PAGES / 2 ? frame * PAGE : (1 << 20) + (frame - RAM_PAGES / 2) * PAGE);
  return { memory, ggtt, low, high, hpaOf };
}

/** What a full decode shows: readPlaneXrgb + the cursor blended, as RGBA. */
function fullDecode(ggtt: Ggtt, plane: DecodedPlane, cursor: DecodedCursor | null): Uint8Array {
  const px = new Uint32Array(plane.width * plane.height);
  readPlaneXrgb(ggtt, plane, px);
  if (cursor) compositeCursor(ggtt, cursor, px, plane.width, plane.height);
  return xrgbToRgba(px, plane.width, 0, 0, plane.width, plane.height);
}

/** The window's copy: patched with every damage piece, as FrameCanvas does. */
function patch(screen: Uint8Array, width: number, pic: Picture, rects: { x: number; y: number; w: number; h: number }[]): void {
  for (const r of rects) {
    const rgba = rgbaOfRle32(pic.rle32(r), r.w, r.h);
    for (let y = 0; y < r.h; y++) screen.set(rgba.subarray(y * r.w * 4, (y + 1) * r.w * 4), ((r.y + y) * width + r.x) * 4);
  }
}

describe('Picture (compare in place through the GGTT)', () => {
  it('after random writes, remaps, unmapped pages and cursor moves, the patched window equals a full decode', () => {
    fc.assert(
      fc.property(
        fc.record({
          width: fc.integer({ min: 1, max: 200 }),
          height: fc.integer({ min: 1, max: 60 }),
          extraPitch: fc.constantFrom(0, 0, 64, 448),
          tiling: fc.constantFrom<'linear' | 'x'>('linear', 'linear', 'x'),
          frames: fc.array(fc.nat(RAM_PAGES - 1), { minLength: GM_PAGES, maxLength: GM_PAGES }),
          steps: fc.array(
            fc.oneof(
              fc.record({ kind: fc.constant('write' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 3000 }), v: fc.nat() }),
              fc.record({ kind: fc.constant('remap' as const), page: fc.nat(GM_PAGES - 1), frame: fc.integer({ min: -1, max: RAM_PAGES - 1 }) }),
              fc.record({ kind: fc.constant('cursor' as const), x: fc.integer({ min: -70, max: 210 }), y: fc.integer({ min: -70, max: 70 }), on: fc.boolean() }),
            ),
            { maxLength: 12 },
          ),
          equal: fc.constantFrom(jsSpanEqual, nativeSpanEqual),
        }),
        ({ width, height, extraPitch, tiling, frames, steps, equal }) => {
          const { ggtt, memory, hpaOf } = setup();
          // Mostly contiguous pages (a framebuffer object), with the random frames mixed in.
          frames.forEach((f, i) => ggtt.setPte(i, ...encodePte(hpaOf(i % 3 === 0 ? f : i))));
          const pitch = tiling === 'x' ? Math.ceil((width * 4) / 512) * 512 : Math.ceil((width * 4) / 64) * 64 + extraPitch;
          const rows = tiling === 'x' ? Math.ceil(height / 8) * 8 : height;
          if (pitch * rows > (GM_PAGES - 4) * PAGE) return;
          const plane: DecodedPlane = { width, height, surf: 0, pitch, tiling };
          // The cursor image lives in the last 4 GM pages.
          const cursorBase = (GM_PAGES - 4) * PAGE;
          let cursor: DecodedCursor | null = null;
          const pic = new Picture();
          const screen = new Uint8Array(width * height * 4);
          patch(screen, width, pic, pic.update(ggtt, plane, cursor, equal));
          expect(Buffer.from(screen).equals(fullDecode(ggtt, plane, cursor))).toBe(true);
          for (const s of steps) {
            if (s.kind === 'write') {
              const r = memory.list()[s.at % 2]!;
              const from = s.at % r.words.length;
              r.words.fill(s.v, from, Math.min(r.words.length, from + s.n));
            } else if (s.kind === 'remap') {
              if (s.frame < 0) ggtt.setPte(s.page, 0, 0);
              else ggtt.setPte(s.page, ...encodePte(hpaOf(s.frame)));
            } else cursor = s.on ? { width: CURSOR_64, height: CURSOR_64, base: cursorBase, x: s.x, y: s.y } : null;
            patch(screen, width, pic, pic.update(ggtt, plane, cursor, equal));
            expect(Buffer.from(screen).equals(fullDecode(ggtt, plane, cursor))).toBe(true);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('damages the whole frame first and on a size change (0x0 for no signal), and nothing when unchanged', () => {
    const { ggtt, low } = setup();
    for (let i = 0; i < GM_PAGES; i++) ggtt.setPte(i, ...encodePte(i * PAGE));
    const plane: DecodedPlane = { width: 64, height: 16, surf: 0, pitch: 256, tiling: 'linear' };
    const pic = new Picture();
    expect(pic.update(ggtt, plane, null)).toEqual([{ x: 0, y: 0, w: 64, h: 16 }]);
    expect(pic.update(ggtt, plane, null)).toEqual([]);
    low.words[3 * 64 + 10] = 0xabcdef;
    expect(pic.update(ggtt, plane, null)).toEqual([{ x: 10, y: 3, w: 1, h: 1 }]);
    expect(pic.update(ggtt, null, null)).toEqual([{ x: 0, y: 0, w: 0, h: 0 }]);
    expect(pic.update(ggtt, { ...plane, height: 8 }, null)).toEqual([{ x: 0, y: 0, w: 64, h: 8 }]);
  });

  it('a cursor move damages its old and new squares only, clipped to the frame', () => {
    const { ggtt, low } = setup();
    for (let i = 0; i < GM_PAGES; i++) ggtt.setPte(i, ...encodePte(i * PAGE));
    const cursorBase = 80 * PAGE;
    low.words.fill(0xff000000, cursorBase / 4, cursorBase / 4 + 64 * 64);
    const plane: DecodedPlane = { width: 200, height: 100, surf: 0, pitch: 800, tiling: 'linear' };
    const pic = new Picture();
    pic.update(ggtt, plane, { width: 64, height: 64, base: cursorBase, x: 10, y: 10 });
    expect(pic.update(ggtt, plane, { width: 64, height: 64, base: cursorBase, x: 10, y: 10 })).toEqual([]);
    expect(pic.update(ggtt, plane, { width: 64, height: 64, base: cursorBase, x: 170, y: -20 })).toEqual([
      { x: 10, y: 10, w: 64, h: 64 },
      { x: 170, y: 0, w: 30, h: 44 },
    ]);
  });

  it('guided by the dirty page logs, a double-buffered surface stays exact through logged writes, flips, remaps and cursor moves', () => {
    fc.assert(
      fc.property(
        fc.record({
          width: fc.integer({ min: 1, max: 200 }),
          height: fc.integer({ min: 1, max: 40 }),
          extraPitch: fc.constantFrom(0, 0, 64, 448),
          steps: fc.array(
            fc.oneof(
              fc.record({ kind: fc.constant('write' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 3000 }), v: fc.nat() }),
              fc.constant({ kind: 'flip' as const }),
              fc.record({ kind: fc.constant('remap' as const), page: fc.nat(GM_PAGES - 1), frame: fc.integer({ min: -1, max: RAM_PAGES - 1 }) }),
              fc.record({ kind: fc.constant('cursor' as const), x: fc.integer({ min: -70, max: 210 }), y: fc.integer({ min: -70, max: 70 }), on: fc.boolean() }),
            ),
            { maxLength: 40 },
          ),
          equal: fc.constantFrom(jsSpanEqual, nativeSpanEqual),
        }),
        ({ width, height, extraPitch, steps, equal }) => {
          const { ggtt, memory, hpaOf } = setup();
          for (let i = 0; i < GM_PAGES; i++) ggtt.setPte(i, ...encodePte(hpaOf(i)));
          const pitch = Math.ceil((width * 4) / 64) * 64 + extraPitch;
          const pages = Math.ceil((pitch * height) / PAGE);
          if (2 * pages > GM_PAGES - 4) return;
          // Two buffers, as a double-buffered desktop has, then the cursor image.
          const surfaces = [0, pages * PAGE];
          let front = 0;
          const plane = (): DecodedPlane => ({ width, height, surf: surfaces[front]!, pitch, tiling: 'linear' });
          let cursor: DecodedCursor | null = null;
          const writes = new BlockWrites();
          const pic = new Picture();
          const screen = new Uint8Array(width * height * 4);
          const step = (): void => {
            writes.harvest(memory.list());
            patch(screen, width, pic, pic.update(ggtt, plane(), cursor, equal, writes));
            expect(Buffer.from(screen).equals(fullDecode(ggtt, plane(), cursor))).toBe(true);
          };
          step();
          for (const s of steps) {
            if (s.kind === 'write') {
              // A logged write: the pixels, then the dirty bits (as the blitter and the guest do).
              const r = memory.list()[s.at % 2]!;
              const from = s.at % r.words.length;
              const to = Math.min(r.words.length, from + s.n);
              r.words.fill(s.v, from, to);
              markDirty(r.dirty!, s.at % 3 === 0 ? CPU_LOG : GPU_LOG, from * 4, (to - from) * 4);
            } else if (s.kind === 'flip') front ^= 1;
            else if (s.kind === 'remap') {
              if (s.frame < 0) ggtt.setPte(s.page, 0, 0);
              else ggtt.setPte(s.page, ...encodePte(hpaOf(s.frame)));
            } else cursor = s.on ? { width: CURSOR_64, height: CURSOR_64, base: (GM_PAGES - 4) * PAGE, x: s.x, y: s.y } : null;
            step();
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('compares only the logged blocks of a surface synced before, and still catches an unlogged write within FULL_EVERY syncs', () => {
    const { ggtt, memory, low } = setup();
    for (let i = 0; i < GM_PAGES; i++) ggtt.setPte(i, ...encodePte(i * PAGE));
    // 1024 px rows: one page, four 1 KiB log blocks per row.
    const plane: DecodedPlane = { width: 1024, height: 40, surf: 0, pitch: 4096, tiling: 'linear' };
    let compared = 0;
    const counting: SpanEqual = (a, aAt, b, bAt, n) => ((compared += n), jsSpanEqual(a, aAt, b, bAt, n));
    const writes = new BlockWrites();
    const pic = new Picture();
    const sync = () => {
      writes.harvest(memory.list());
      compared = 0;
      return pic.update(ggtt, plane, null, counting, writes);
    };
    sync();
    expect(sync()).toEqual([]);
    expect(compared).toBe(0); // nothing logged: nothing read
    low.words[7 * 1024 + 100] = 0x123456;
    markDirty(low.dirty!, CPU_LOG, 7 * PAGE, 4);
    expect(sync()).toEqual([{ x: 100, y: 7, w: 1, h: 1 }]);
    expect(compared).toBeLessThanOrEqual(3 * 256); // one block of one row (compared, then halved from both ends), not the 40 rows
    // A write nobody logs (a hostile guest's): invisible to the guided syncs, caught by the periodic full one.
    low.words[30 * 1024 + 5] = 0xabcdef;
    const seen: number[] = [];
    for (let i = 0; i < FULL_EVERY && seen.length === 0; i++) if (sync().length > 0) seen.push(i);
    expect(seen).toHaveLength(1);
    expect(pic.plane[30 * 1024 + 5]).toBe(0xabcdef);
  });

  it('guided by the logs (block-guide.ts), finds the very rects that comparing every row finds: planes with a PLANE_OFFSET, padded pitches, two buffers, windows side by side', () => {
    fc.assert(
      fc.property(
        fc.record({
          width: fc.integer({ min: 1, max: 700 }),
          height: fc.integer({ min: 1, max: 30 }),
          extraPitch: fc.constantFrom(0, 0, 64, 448),
          lead: fc.constantFrom(0, 0, 64, 1088, 4032),
          steps: fc.array(
            fc.oneof(
              // A blit of a w x h rectangle at (x, y) in the back or front buffer, then its dirty bits.
              fc.record({ kind: fc.constant('blit' as const), back: fc.boolean(), x: fc.nat(699), y: fc.nat(29), w: fc.integer({ min: 1, max: 300 }), h: fc.integer({ min: 1, max: 12 }), v: fc.constantFrom(1, 2, 3) }),
              fc.constant({ kind: 'flip' as const }),
              fc.record({ kind: fc.constant('remap' as const), page: fc.nat(GM_PAGES - 1), frame: fc.integer({ min: -1, max: RAM_PAGES - 1 }) }),
            ),
            { maxLength: 30 },
          ),
        }),
        ({ width, height, extraPitch, lead, steps }) => {
          const { ggtt, memory, hpaOf } = setup();
          for (let i = 0; i < GM_PAGES; i++) ggtt.setPte(i, ...encodePte(hpaOf(i)));
          const pitch = Math.ceil((width * 4) / 64) * 64 + extraPitch;
          const pages = Math.ceil((lead + pitch * height) / PAGE);
          if (2 * pages > GM_PAGES) return;
          const surfaces = [lead, pages * PAGE + lead];
          let front = 0;
          const plane = (): DecodedPlane => ({ width, height, surf: surfaces[front]!, pitch, tiling: 'linear' });
          const writes = new BlockWrites();
          const guided = new Picture();
          const whole = new Picture();
          const step = (): void => {
            writes.harvest(memory.list());
            const rects = guided.update(ggtt, plane(), null, nativeSpanEqual, writes);
            expect(rects).toEqual(whole.update(ggtt, plane(), null, nativeSpanEqual));
            expect(guided.plane).toEqual(whole.plane);
          };
          step();
          for (const s of steps) {
            if (s.kind === 'blit') {
              const gm = surfaces[s.back ? front ^ 1 : front]!;
              for (let y = s.y; y < Math.min(height, s.y + s.h); y++) {
                for (let x = s.x; x < Math.min(width, s.x + s.w); x++) {
                  const at = ggtt.resolve(gm + y * pitch + x * 4);
                  if (!at) continue;
                  at.region.words[at.offset / 4] = s.v;
                  markDirty(at.region.dirty!, GPU_LOG, at.offset, 4);
                }
              }
            } else if (s.kind === 'flip') front ^= 1;
            else if (s.frame < 0) ggtt.setPte(s.page, 0, 0);
            else ggtt.setPte(s.page, ...encodePte(hpaOf(s.frame)));
            step();
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
