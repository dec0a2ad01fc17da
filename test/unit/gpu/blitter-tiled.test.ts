import { describe, expect, it } from 'vitest';
import { fillSurface, surfaceAddress } from '../../../src/main/gpu/blitter';
import { decodePlaneRegs, readPlaneXrgb } from '../../../src/main/gpu/scanout';
import { BLT_WRITE_ALPHA, BLT_WRITE_RGB, ROP_PATCOPY, ROP_SRCCOPY, XY_COLOR_BLT_CMD, XY_SRC_COPY_BLT_CMD, br13 } from '../../../src/shared/commands';
import { PLANE_CTL_ENABLE, PLANE_CTL_FORMAT_XRGB_8888, PLANE_CTL_TILED_X } from '../../../src/shared/regs';
import { gpuWithRam, runRing } from './helpers';

const DST_TILED = 1 << 11;
const SRC_TILED = 1 << 15;
const xy = (x: number, y: number): number => ((y << 16) | x) >>> 0;

/** Independent X-tile address of 32 bpp pixel (x, y) in a surface `tilesPerRow` tiles wide (512 B x 8 rows per 4 KiB tile). */
const xTiled = (base: number, tilesPerRow: number, x: number, y: number): number =>
  base + (Math.floor(y / 8) * tilesPerRow + Math.floor((x * 4) / 512)) * 4096 + (y % 8) * 512 + ((x * 4) % 512);

// A 256 x 16 XRGB surface: 1024 B per row = 2 tiles across, 2 tile rows → 4 tiles.
const W = 256;
const H = 16;
const TILED = 0;
const LINEAR = 8 * 4096;
const LINEAR2 = 48 * 4096;

describe('X-tiled blits (Gen8 blitter: tiled pitch in dwords)', () => {
  it('XY_COLOR_BLT into an X-tiled destination hits exactly the tiled addresses of the rectangle', () => {
    const { gpu, ram } = gpuWithRam();
    const rect = { x1: 120, y1: 5, x2: 140, y2: 11 }; // crosses the tile column at x = 128 and the tile row at y = 8
    const res = runRing(gpu, ram, 'bcs', [XY_COLOR_BLT_CMD | DST_TILED, br13(ROP_PATCOPY, 1024 / 4), xy(rect.x1, rect.y1), xy(rect.x2, rect.y2), TILED, 0, 0xff4080c0]);
    expect(res.fault).toBeUndefined();
    expect(res.pixels).toBe(20 * 6);
    const filled = new Set<number>();
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) if (x >= rect.x1 && x < rect.x2 && y >= rect.y1 && y < rect.y2) filled.add(xTiled(TILED, 2, x, y) / 4);
    for (let i = 0; i < (W * H * 4) / 4; i++) expect(ram[i], `dword ${i}`).toBe(filled.has(i) ? 0xff4080c0 : 0);
    expect(filled.size).toBe(120);
  });

  it('tiled → linear copy is exact and matches what the display engine scans out of the tiled surface', () => {
    const { gpu, ram } = gpuWithRam();
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) ram[xTiled(TILED, 2, x, y) / 4] = ((y << 16) | x | 0xff000000) >>> 0;
    const res = runRing(gpu, ram, 'bcs', [XY_SRC_COPY_BLT_CMD | SRC_TILED, br13(ROP_SRCCOPY, W * 4), xy(0, 0), xy(W, H), LINEAR, 0, xy(0, 0), (W * 4) / 4, TILED, 0]);
    expect(res.fault).toBeUndefined();
    expect(res.pixels).toBe(W * H);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) expect(ram[LINEAR / 4 + y * W + x]).toBe(((y << 16) | x | 0xff000000) >>> 0);
    const plane = decodePlaneRegs({ ctl: PLANE_CTL_ENABLE | PLANE_CTL_FORMAT_XRGB_8888 | PLANE_CTL_TILED_X, stride: 2, size: ((H - 1) << 16) | (W - 1), surf: TILED, offset: 0 });
    if (!plane || 'error' in plane) throw new Error('plane');
    const scanned = new Uint32Array(W * H);
    readPlaneXrgb(gpu.ggtt, plane, scanned);
    expect([...scanned]).toEqual([...ram.subarray(LINEAR / 4, LINEAR / 4 + W * H)]);
  });

  it('linear → tiled → linear sub-rectangle copies round-trip exactly', () => {
    const { gpu, ram } = gpuWithRam();
    for (let i = 0; i < W * H; i++) ram[LINEAR / 4 + i] = (0x80000000 | (i * 2654435761)) >>> 0;
    const res = runRing(gpu, ram, 'bcs', [
      // linear (100..200, 3..14) → tiled at (20, 1)
      XY_SRC_COPY_BLT_CMD | DST_TILED, br13(ROP_SRCCOPY, 1024 / 4), xy(20, 1), xy(120, 12), TILED, 0, xy(100, 3), W * 4, LINEAR, 0,
      // tiled (20, 1) → linear2 at (100, 3)
      XY_SRC_COPY_BLT_CMD | SRC_TILED, br13(ROP_SRCCOPY, W * 4), xy(100, 3), xy(200, 14), LINEAR2, 0, xy(20, 1), 1024 / 4, TILED, 0,
    ]);
    expect(res.fault).toBeUndefined();
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const inside = x >= 100 && x < 200 && y >= 3 && y < 14;
        expect(ram[LINEAR2 / 4 + y * W + x]).toBe(inside ? ram[LINEAR / 4 + y * W + x] : 0);
      }
    expect(ram[xTiled(TILED, 2, 20, 1) / 4]).toBe(ram[LINEAR / 4 + 3 * W + 100]);
    expect(ram[xTiled(TILED, 2, 119, 11) / 4]).toBe(ram[LINEAR / 4 + 13 * W + 199]);
    expect(ram[xTiled(TILED, 2, 120, 11) / 4]).toBe(0);
  });

  it('surfaceAddress agrees with the tile layout', () => {
    const s = { base: 0x10000, pitch: 2048, tiled: true, cpp: 4 };
    expect(surfaceAddress(s, 0, 0)).toBe(0x10000);
    expect(surfaceAddress(s, 511, 7)).toBe(0x10000 + 7 * 512 + 511);
    expect(surfaceAddress(s, 512, 0)).toBe(0x10000 + 4096);
    expect(surfaceAddress(s, 0, 8)).toBe(0x10000 + 4 * 4096);
    expect(surfaceAddress({ ...s, tiled: false }, 12, 3)).toBe(0x10000 + 3 * 2048 + 12);
  });
});

describe('blit formats and masks', () => {
  it('32 bpp byte mask: alpha only or RGB only keep the other channels', () => {
    const { gpu, ram } = gpuWithRam();
    ram.fill(0x11223344, 0, 4);
    const alphaOnly = (XY_COLOR_BLT_CMD & ~(BLT_WRITE_RGB | BLT_WRITE_ALPHA)) | BLT_WRITE_ALPHA;
    const rgbOnly = (XY_COLOR_BLT_CMD & ~(BLT_WRITE_RGB | BLT_WRITE_ALPHA)) | BLT_WRITE_RGB;
    const res = runRing(gpu, ram, 'bcs', [alphaOnly, br13(ROP_PATCOPY, 64), xy(0, 0), xy(2, 1), 0, 0, 0xaabbccdd, rgbOnly, br13(ROP_PATCOPY, 64), xy(1, 0), xy(3, 1), 0, 0, 0x00556677]);
    expect(res.fault).toBeUndefined();
    expect([...ram.subarray(0, 4)]).toEqual([0xaa223344, 0xaa556677, 0x11556677, 0x11223344]);
  });

  it('16 bpp (BR13 depth 1) fills 2-byte pixels', () => {
    const { gpu, ram } = gpuWithRam();
    const bytes = new Uint8Array(ram.buffer);
    const br = ((1 << 24) | (ROP_PATCOPY << 16) | 64) >>> 0;
    expect(runRing(gpu, ram, 'bcs', [XY_COLOR_BLT_CMD, br, xy(1, 1), xy(4, 2), 0, 0, 0xf800]).fault).toBeUndefined();
    expect([...bytes.subarray(64, 64 + 10)]).toEqual([0, 0, 0x00, 0xf8, 0x00, 0xf8, 0x00, 0xf8, 0, 0]);
    expect(bytes.subarray(0, 64).every((b) => b === 0)).toBe(true);
  });

  it('a destination pitch narrower than the rectangle faults instead of overlapping rows', () => {
    const { gpu, ram } = gpuWithRam();
    expect(runRing(gpu, ram, 'bcs', [XY_COLOR_BLT_CMD, br13(ROP_PATCOPY, 16), xy(0, 0), xy(8, 4), 0, 0, 1]).fault).toMatch(/XY_COLOR_BLT: destination pitch 16 B is narrower than x2=8/);
  });

  it('rows beyond the end of graphics memory are skipped, still charged', () => {
    const { gpu } = gpuWithRam(1);
    const end = gpu.ggtt.entries * 4096;
    expect(fillSurface(gpu.ggtt, { base: end - 64, pitch: 1 << 20, tiled: false, cpp: 4 }, { x1: 0, y1: 0, x2: 4, y2: 1000 }, 1, undefined, end)).toBe(4000);
  });
});

describe('XY_SETUP_BLT', () => {
  it('is executed as state only', () => {
    const { gpu, ram } = gpuWithRam();
    const SETUP = ((2 << 29) | (0x01 << 22) | DST_TILED | 8) >>> 0;
    const res = runRing(gpu, ram, 'bcs', [SETUP, br13(ROP_PATCOPY, 256), xy(1, 2), xy(30, 40), 0x5000, 0, 0xff000000, 0xffffffff, 0x9000, 0]);
    expect(res).toMatchObject({ commands: 1, pixels: 0 });
    expect(res.fault).toBeUndefined();
    expect(gpu.engines.bcs.blitterSetup).toEqual({ br13: br13(ROP_PATCOPY, 256), clip: { x1: 1, y1: 2, x2: 30, y2: 40 }, dstBase: 0x5000, dstTiled: true, background: 0xff000000, foreground: 0xffffffff, patternBase: 0x9000 });
    expect(ram.subarray(0x5000 / 4, 0x5000 / 4 + 1024).every((d) => d === 0)).toBe(true);
    gpu.engines.bcs.reset();
    expect(gpu.engines.bcs.blitterSetup).toBeUndefined();
  });
});
