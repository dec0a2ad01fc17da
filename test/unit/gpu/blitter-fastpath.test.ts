/**
 * The blitter's row fast paths (chunked copyWithin / fill straight in guest RAM) against an
 * independent byte-by-byte model of the blit through Ggtt.resolve: every GM byte translated on its
 * own, each row read whole before it is written, unmapped pages reading zero and dropping writes.
 * The GGTTs here are deliberately awkward: host pages shuffled (never contiguous), two RAM regions
 * in different buffers, unmapped PTEs, PTEs to unbacked host memory and GM pages aliasing one host
 * page, so rows cross pages at every offset and a copy's source and destination can overlap.
 * The random trials run twice: over plain SharedArrayBuffers (copyWithin / fill) and over wasm
 * memories (the native memory.copy / SIMD fill of ram-ops.ts, as domains.ts allocates guest RAM).
 */
import { describe, expect, it } from 'vitest';
import { type BlitRect, type BlitSurface, type ChannelMask, X_TILE_BYTES, X_TILE_ROW_BYTES, X_TILE_ROWS, copySurface, fillSurface } from '../../../src/main/gpu/blitter';
import { Ggtt, encodePte } from '../../../src/main/gpu/ggtt';
import { HostMemory } from '../../../src/main/gpu/memory';
import { type WasmMemory, allocateGuestRam } from '../../../src/main/gpu/ram-ops';

const PAGE = 4096;
/** GM pages in these GGTTs (small, so rows beyond the end of GM are exercised too). */
const GM_PAGES = 96;
const RAM_A_PAGES = 48;
const RAM_B_PAGES = 40;
const RAM_B_BASE = 1 << 20;

/** Deterministic PRNG (mulberry32), so a failure reproduces. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

interface Rig {
  ggtt: Ggtt;
  a: Uint8Array;
  b: Uint8Array;
}

type PageMap = 'identity' | 'shuffled' | 'holes';
/** What backs the RAM regions: plain SharedArrayBuffers, or wasm memories (native RamOps). */
type RamKind = 'sab' | 'wasm';

/** `pages` of RAM of `kind` (a wasm memory rounds up to whole 64 KiB wasm pages). */
function ram(kind: RamKind, pages: number): { bytes: Uint8Array; memory: WasmMemory | null } {
  if (kind === 'sab') return { bytes: new Uint8Array(new SharedArrayBuffer(pages * PAGE)), memory: null };
  const r = allocateGuestRam(Math.ceil((pages * PAGE) / 65536) * 65536);
  if (!r.memory) throw new Error('no wasm memory');
  return { bytes: new Uint8Array(r.buffer), memory: r.memory };
}

/**
 * A GGTT over two RAM regions (A at host 0, B at 1 MiB, separate buffers). `identity`: GM page i →
 * host page i of A (contiguous); `shuffled`: a random permutation over both regions; `holes`:
 * shuffled, plus unmapped PTEs, PTEs to unbacked host frames and aliases of another GM page's frame.
 */
function rig(map: PageMap, rand: () => number, kind: RamKind = 'sab'): Rig {
  const memory = new HostMemory();
  const ramA = ram(kind, RAM_A_PAGES);
  const ramB = ram(kind, RAM_B_PAGES);
  const { bytes: a } = ramA;
  const { bytes: b } = ramB;
  for (const [base, r] of [[0, ramA], [RAM_B_BASE, ramB]] as const) {
    const region = memory.attach(base, r.bytes.buffer, undefined, r.memory);
    if ((region.ops !== null) !== (kind === 'wasm')) throw new Error(`${kind} RAM without the matching blit ops`);
  }
  const salt = (rand() * 2 ** 32) >>> 0;
  for (let i = 0; i < a.length; i++) a[i] = Math.imul(i ^ salt, 0x9e3779b1) >>> 24;
  for (let i = 0; i < b.length; i++) b[i] = Math.imul(i ^ ~salt, 0x85ebca6b) >>> 24;
  const ggtt = new Ggtt(GM_PAGES * PAGE, memory);
  const frames = [...Array.from({ length: RAM_A_PAGES }, (_, i) => i * PAGE), ...Array.from({ length: RAM_B_PAGES }, (_, i) => RAM_B_BASE + i * PAGE)];
  if (map !== 'identity') {
    for (let i = frames.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [frames[i], frames[j]] = [frames[j], frames[i]];
    }
  }
  for (let i = 0; i < GM_PAGES; i++) {
    if (map !== 'holes') {
      if (i < frames.length) ggtt.setPte(i, ...encodePte(frames[i]));
      continue;
    }
    const r = rand();
    if (r < 0.1) continue; // not present
    if (r < 0.15) ggtt.setPte(i, ...encodePte(64 << 20)); // present, but no RAM there
    else if (r < 0.3 && i > 0) ggtt.setPte(i, ...ggtt.getPte(Math.floor(rand() * i))); // alias
    else ggtt.setPte(i, ...encodePte(frames[i % frames.length]));
  }
  return { ggtt, a, b };
}

/** Independent X-tile / linear address of byte `x` of row `y`. Source: PRM "X-Major Tiling". */
function gmOf(s: BlitSurface, x: number, y: number): number {
  if (!s.tiled) return s.base + y * s.pitch + x;
  const tileX = Math.floor(x / X_TILE_ROW_BYTES);
  const tileY = Math.floor(y / X_TILE_ROWS);
  return s.base + (tileY * (s.pitch / X_TILE_ROW_BYTES) + tileX) * X_TILE_BYTES + (y % X_TILE_ROWS) * X_TILE_ROW_BYTES + (x % X_TILE_ROW_BYTES);
}

/** Lowest GM address a row touches (the blitter stops there at the end of GM). */
const rowStart = (s: BlitSurface, x: number, y: number): number => (s.tiled ? s.base + Math.floor(y / X_TILE_ROWS) * X_TILE_ROWS * s.pitch : s.base + y * s.pitch + x);

function peek(ggtt: Ggtt, gm: number): number {
  const r = ggtt.resolve(gm);
  return r ? r.region.bytes[r.offset] : 0;
}

function poke(ggtt: Ggtt, gm: number, v: number): void {
  const r = ggtt.resolve(gm);
  if (r) r.region.bytes[r.offset] = v;
}

const keeps = (cpp: number, mask: ChannelMask, i: number): boolean => cpp === 4 && !((i % 4 === 3 ? mask.alpha : mask.rgb));

/** The model of XY_SRC_COPY_BLT: rows in order (bottom-up when the same surface moves down), each read whole, then written. */
function modelCopy(ggtt: Ggtt, dst: BlitSurface, rect: BlitRect, src: BlitSurface, sx: number, sy: number, mask: ChannelMask, gmEnd: number): void {
  const w = (rect.x2 - rect.x1) * dst.cpp;
  const h = rect.y2 - rect.y1;
  if (w <= 0 || h <= 0) return;
  const bottomUp = src.base === dst.base && src.tiled === dst.tiled && sy < rect.y1;
  for (let i = 0; i < h; i++) {
    const r = bottomUp ? h - 1 - i : i;
    const y = rect.y1 + r;
    if (rowStart(dst, rect.x1 * dst.cpp, y) >= gmEnd) {
      if (bottomUp) continue;
      break;
    }
    const row = Array.from({ length: w }, (_, b) => peek(ggtt, gmOf(src, sx * src.cpp + b, sy + r)));
    const old = Array.from({ length: w }, (_, b) => peek(ggtt, gmOf(dst, rect.x1 * dst.cpp + b, y)));
    for (let b = 0; b < w; b++) poke(ggtt, gmOf(dst, rect.x1 * dst.cpp + b, y), keeps(dst.cpp, mask, b) ? old[b] : row[b]);
  }
}

/** The model of XY_COLOR_BLT: the colour's low cpp bytes, little-endian, in every pixel of every row. */
function modelFill(ggtt: Ggtt, dst: BlitSurface, rect: BlitRect, color: number, mask: ChannelMask, gmEnd: number): void {
  const w = (rect.x2 - rect.x1) * dst.cpp;
  for (let y = rect.y1; y < rect.y2 && w > 0; y++) {
    if (rowStart(dst, rect.x1 * dst.cpp, y) >= gmEnd) break;
    const old = Array.from({ length: w }, (_, b) => peek(ggtt, gmOf(dst, rect.x1 * dst.cpp + b, y)));
    for (let b = 0; b < w; b++) poke(ggtt, gmOf(dst, rect.x1 * dst.cpp + b, y), keeps(dst.cpp, mask, b) ? old[b] : (color >>> ((b % dst.cpp) * 8)) & 0xff);
  }
}

/** Two rigs built from the same seed: one for the blitter, one for the model. */
function twins(map: PageMap, seed: number, kind: RamKind = 'sab'): [Rig, Rig] {
  return [rig(map, rng(seed), kind), rig(map, rng(seed), kind)];
}

function expectSameRam(got: Rig, want: Rig, what: string): void {
  for (const k of ['a', 'b'] as const) {
    const g = got[k];
    const w = want[k];
    let first = -1;
    for (let i = 0; i < g.length && first < 0; i++) if (g[i] !== w[i]) first = i;
    expect(first, `${what}: RAM ${k} differs first at byte 0x${first.toString(16)}`).toBe(-1);
  }
}

const ALL: ChannelMask = { alpha: true, rgb: true };

/** A random surface somewhere in GM: linear with any base and pitch, or X-tiled (4 KiB aligned base). */
function randomSurface(rand: () => number, cpp: number, tiled: boolean): BlitSurface {
  if (tiled) return { base: Math.floor(rand() * 48) * PAGE, pitch: X_TILE_ROW_BYTES * (1 + Math.floor(rand() * 3)), tiled, cpp };
  return { base: Math.floor(rand() * 60 * PAGE) & ~(cpp - 1) & ~(rand() < 0.5 ? 0 : 3), pitch: cpp * (8 + Math.floor(rand() * 700)), tiled, cpp };
}

function randomRect(rand: () => number, s: BlitSurface): BlitRect {
  const maxW = Math.max(1, Math.floor(s.pitch / s.cpp));
  const x1 = Math.floor(rand() * maxW);
  const x2 = Math.min(maxW, x1 + 1 + Math.floor(rand() * 300));
  const y1 = Math.floor(rand() * 40);
  return { x1, y1, x2, y2: y1 + 1 + Math.floor(rand() * 24) };
}

describe('blitter row fast paths match the byte-by-byte model', () => {
  for (const kind of ['sab', 'wasm'] as const)
  for (const map of ['identity', 'shuffled', 'holes'] as const) {
    it(`XY_SRC_COPY_BLT, random surfaces, ${map} GGTT, ${kind} RAM`, () => {
      const rand = rng(7);
      for (let t = 0; t < 120; t++) {
        const seed = 1000 + t;
        const [got, want] = twins(map, seed, kind);
        const cpp = [1, 2, 4, 4][Math.floor(rand() * 4)];
        const dst = randomSurface(rand, cpp, rand() < 0.3);
        // A third of the copies stay on one surface (scrolls, moves): overlap within and across rows.
        const src = rand() < 0.33 ? { ...dst } : randomSurface(rand, cpp, rand() < 0.3);
        const rect = randomRect(rand, dst);
        const sx = Math.max(0, Math.min(Math.floor(src.pitch / cpp) - (rect.x2 - rect.x1), rect.x1 + Math.floor(rand() * 9) - 4));
        const sy = Math.max(0, rect.y1 + Math.floor(rand() * 9) - 4);
        const mask = cpp === 4 && rand() < 0.2 ? { alpha: rand() < 0.5, rgb: rand() < 0.5 } : ALL;
        const gmEnd = GM_PAGES * PAGE;
        const what = `trial ${t}: ${JSON.stringify({ dst, src, rect, sx, sy, mask })}`;
        copySurface(got.ggtt, dst, rect, src, sx, sy, mask, gmEnd);
        modelCopy(want.ggtt, dst, rect, src, sx, sy, mask, gmEnd);
        expectSameRam(got, want, what);
      }
    });

    it(`XY_COLOR_BLT, random surfaces, ${map} GGTT, ${kind} RAM`, () => {
      const rand = rng(11);
      for (let t = 0; t < 120; t++) {
        const [got, want] = twins(map, 5000 + t, kind);
        const cpp = [1, 2, 4, 4][Math.floor(rand() * 4)];
        const dst = randomSurface(rand, cpp, rand() < 0.3);
        const rect = randomRect(rand, dst);
        const color = (rand() * 2 ** 32) >>> 0;
        const mask = cpp === 4 && rand() < 0.2 ? { alpha: rand() < 0.5, rgb: rand() < 0.5 } : ALL;
        const gmEnd = GM_PAGES * PAGE;
        fillSurface(got.ggtt, dst, rect, color, mask, gmEnd);
        modelFill(want.ggtt, dst, rect, color, mask, gmEnd);
        expectSameRam(got, want, `trial ${t}: ${JSON.stringify({ dst, rect, color, mask })}`);
      }
    });
  }
});

describe('blitter fast path edges', () => {
  it('a linear row crossing a page boundary onto a non-adjacent host page is copied to both pages', () => {
    const [got, want] = twins('shuffled', 42);
    // Row 0 of the destination runs from 100 bytes before the end of GM page 3 into page 4.
    const dst: BlitSurface = { base: 4 * PAGE - 100, pitch: 8192, tiled: false, cpp: 4 };
    const src: BlitSurface = { base: 20 * PAGE - 60, pitch: 8192, tiled: false, cpp: 4 };
    const rect = { x1: 0, y1: 0, x2: 64, y2: 3 };
    copySurface(got.ggtt, dst, rect, src, 0, 0);
    modelCopy(want.ggtt, dst, rect, src, 0, 0, ALL, Infinity);
    expectSameRam(got, want, 'page-crossing row');
    const p3 = got.ggtt.pageHpa(3);
    const p4 = got.ggtt.pageHpa(4);
    expect(Math.abs(p4 - p3)).not.toBe(PAGE); // the two halves really land on separate host pages
  });

  it('a tiled source read across tile columns and tile rows, pages shuffled, lands exactly', () => {
    const [got, want] = twins('shuffled', 43);
    const src: BlitSurface = { base: 8 * PAGE, pitch: 1024, tiled: true, cpp: 4 };
    const dst: BlitSurface = { base: 30 * PAGE + 12, pitch: 3000, tiled: false, cpp: 4 };
    const rect = { x1: 3, y1: 2, x2: 3 + 200, y2: 2 + 13 };
    copySurface(got.ggtt, dst, rect, src, 70, 5);
    modelCopy(want.ggtt, dst, rect, src, 70, 5, ALL, Infinity);
    expectSameRam(got, want, 'tiled source');
  });

  it("a tiled row wider than the fast path's chunk limit (40 tiles across) takes the reference path exactly", () => {
    const [got, want] = twins('shuffled', 48);
    const src: BlitSurface = { base: 0, pitch: 40 * X_TILE_ROW_BYTES, tiled: true, cpp: 4 };
    const dst: BlitSurface = { base: 40 * PAGE, pitch: 40 * X_TILE_ROW_BYTES, tiled: true, cpp: 4 };
    const rect = { x1: 5, y1: 1, x2: 5 + 40 * 128 - 10, y2: 4 };
    copySurface(got.ggtt, dst, rect, src, 3, 2);
    modelCopy(want.ggtt, dst, rect, src, 3, 2, ALL, Infinity);
    fillSurface(got.ggtt, src, { x1: 1, y1: 5, x2: 40 * 128, y2: 7 }, 0xfedcba98);
    modelFill(want.ggtt, src, { x1: 1, y1: 5, x2: 40 * 128, y2: 7 }, 0xfedcba98, ALL, Infinity);
    expectSameRam(got, want, 'wide tiled rows');
  });

  it('a one-pixel shift right within rows that span pages still reads each row before writing it', () => {
    const [got, want] = twins('shuffled', 44);
    const s: BlitSurface = { base: 2 * PAGE + 2048, pitch: PAGE + 512, tiled: false, cpp: 4 };
    const rect = { x1: 1, y1: 0, x2: 900, y2: 6 };
    copySurface(got.ggtt, s, rect, s, 0, 0);
    modelCopy(want.ggtt, s, rect, s, 0, 0, ALL, Infinity);
    expectSameRam(got, want, 'shift right');
  });

  it('source and destination GM pages aliasing one host page behave as the model (row read first)', () => {
    const [got, want] = twins('identity', 45);
    for (const r of [got, want]) {
      r.ggtt.setPte(10, ...r.ggtt.getPte(11)); // GM page 10 and 11 are the same host page
      r.ggtt.setPte(12, ...r.ggtt.getPte(11));
    }
    const dst: BlitSurface = { base: 10 * PAGE + 4000, pitch: 16384, tiled: false, cpp: 4 };
    const src: BlitSurface = { base: 11 * PAGE + 3000, pitch: 16384, tiled: false, cpp: 4 };
    const rect = { x1: 0, y1: 0, x2: 400, y2: 1 };
    copySurface(got.ggtt, dst, rect, src, 0, 0);
    modelCopy(want.ggtt, dst, rect, src, 0, 0, ALL, Infinity);
    expectSameRam(got, want, 'aliased pages');
  });

  it('unmapped source pages read as zero and unmapped destination pages drop the write', () => {
    const [got, want] = twins('identity', 46);
    for (const r of [got, want]) {
      r.ggtt.setPte(5, 0, 0); // source rows 2-3 gone
      r.ggtt.setPte(22, 0, 0); // destination rows 4-5 gone
    }
    const src: BlitSurface = { base: 4 * PAGE, pitch: 2048, tiled: false, cpp: 4 };
    const dst: BlitSurface = { base: 20 * PAGE, pitch: 2048, tiled: false, cpp: 4 };
    const rect = { x1: 0, y1: 0, x2: 512, y2: 8 };
    copySurface(got.ggtt, dst, rect, src, 0, 0);
    modelCopy(want.ggtt, dst, rect, src, 0, 0, ALL, Infinity);
    expectSameRam(got, want, 'unmapped pages');
    expect(got.a.subarray(21 * PAGE, 22 * PAGE).every((x) => x === 0)).toBe(true); // rows 2-3: zeros
    expect(got.a.subarray(22 * PAGE, 23 * PAGE)).toEqual(rig('identity', rng(46)).a.subarray(22 * PAGE, 23 * PAGE)); // untouched
  });

  it('fills at an unaligned linear base (32 bpp pixels straddling dwords) and 16 bpp across pages', () => {
    const [got, want] = twins('shuffled', 47);
    const cases: [BlitSurface, BlitRect, number][] = [
      [{ base: 6 * PAGE + 2, pitch: 5000, tiled: false, cpp: 4 }, { x1: 1, y1: 0, x2: 1000, y2: 4 }, 0x11223344],
      [{ base: 14 * PAGE + 1, pitch: 3002, tiled: false, cpp: 2 }, { x1: 0, y1: 1, x2: 1500, y2: 5 }, 0xbeef],
      [{ base: 24 * PAGE, pitch: 2048, tiled: true, cpp: 2 }, { x1: 200, y1: 3, x2: 900, y2: 12 }, 0x1234],
      [{ base: 40 * PAGE + 3, pitch: 4999, tiled: false, cpp: 1 }, { x1: 7, y1: 0, x2: 4990, y2: 3 }, 0xa5],
    ];
    for (const [dst, rect, color] of cases) {
      fillSurface(got.ggtt, dst, rect, color);
      modelFill(want.ggtt, dst, rect, color, ALL, Infinity);
    }
    expectSameRam(got, want, 'unaligned fills');
  });
});
