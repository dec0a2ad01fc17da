import { describe, expect, it } from 'vitest';
import { gpuWithRam } from './helpers';
import { CURSOR_64, CURSOR_64_BYTES, type DecodedCursor, compositeCursor, decodeCursorRegs } from '../../../src/main/gpu/scanout';
import { CURSOR_POS_SIGN, CURSOR_Y_SHIFT, CUR_BASE_A, CUR_CTL_A, CUR_POS_A, MCURSOR_MODE_64_ARGB_AX, MCURSOR_MODE_MASK } from '../../../src/shared/regs';

/** The cursor image lives at GM page 4 (RAM is mapped 1:1). */
const BASE = 4 * 4096;
const W = 100;
const H = 80;
const BG = 0x00102030;

/** A 100x80 XRGB frame of BG and a GPU whose RAM holds `image` (64x64) at BASE. */
function scene(image: (i: number, j: number) => number) {
  const { gpu, ram } = gpuWithRam(16);
  for (let j = 0; j < CURSOR_64; j++) for (let i = 0; i < CURSOR_64; i++) ram[BASE / 4 + j * CURSOR_64 + i] = image(i, j) >>> 0;
  return { gpu, ram, frame: new Uint32Array(W * H).fill(BG) };
}

const at = (x: number, y: number): DecodedCursor => ({ width: CURSOR_64, height: CURSOR_64, base: BASE, x, y });
/** Opaque, and different for every cursor pixel: (i, j) -> 0xff00jjii. */
const pattern = (i: number, j: number): number => 0xff000000 | (j << 8) | i;

/** Every frame pixel is the pattern where the cursor at (x, y) covers it, BG elsewhere. */
function expectPatternAt(frame: Uint32Array, x: number, y: number): void {
  for (let py = 0; py < H; py++) {
    for (let px = 0; px < W; px++) {
      const i = px - x;
      const j = py - y;
      const inside = i >= 0 && i < CURSOR_64 && j >= 0 && j < CURSOR_64;
      const want = inside ? pattern(i, j) & 0xffffff : BG;
      if (frame[py * W + px] !== want) throw new Error(`pixel (${px}, ${py}) = 0x${frame[py * W + px]!.toString(16)}, want 0x${want.toString(16)}`);
    }
  }
}

describe('decodeCursorRegs (GVT-g intel_vgpu_decode_cursor_plane)', () => {
  it('MCURSOR_MODE_DISABLE is no cursor, whatever the other CUR_CTL bits', () => {
    expect(decodeCursorRegs({ ctl: 0, base: BASE, pos: 0 })).toBeNull();
    // MCURSOR_PIPE_GAMMA_ENABLE (bit 26) and bits 3:4, outside MCURSOR_MODE_MASK 0x27.
    expect(decodeCursorRegs({ ctl: (1 << 26) | 0x18, base: BASE, pos: 0 })).toBeNull();
  });

  it('MCURSOR_MODE_64_ARGB_AX (0x27) is a 64x64 cursor at the page-aligned CUR_BASE; bits outside MCURSOR_MODE_MASK are ignored', () => {
    expect(MCURSOR_MODE_64_ARGB_AX).toBe(0x27);
    expect(MCURSOR_MODE_MASK).toBe(0x27);
    expect(decodeCursorRegs({ ctl: MCURSOR_MODE_64_ARGB_AX | (1 << 26), base: 0x12345678, pos: 0 })).toEqual({ width: 64, height: 64, base: 0x12345000, x: 0, y: 0 });
    expect(decodeCursorRegs({ ctl: 0x3f, base: 0xfffff000, pos: 0 })).toMatchObject({ base: 0xfffff000 });
  });

  it('other modes are an error naming CUR_CTL and the mode', () => {
    // 64x64 AND/XOR (MCURSOR_MODE_64_32B_AX), 128 and 256 ARGB, 64x64 2 bpp.
    for (const mode of [0x07, 0x22, 0x23, 0x04]) expect(decodeCursorRegs({ ctl: mode, base: BASE, pos: 0 })).toEqual({ error: `CUR_CTL mode 0x${mode.toString(16)} not supported (only MCURSOR_MODE_64_ARGB_AX 0x27)` });
  });

  it('CUR_POS is sign-magnitude per half (CURSOR_POS_SIGN, CURSOR_Y_SHIFT), magnitudes X 12:0 and Y 27:16', () => {
    const ctl = MCURSOR_MODE_64_ARGB_AX;
    const pos = (x: number, y: number): number => ((x < 0 ? CURSOR_POS_SIGN | -x : x) | ((y < 0 ? CURSOR_POS_SIGN | -y : y) << CURSOR_Y_SHIFT)) >>> 0;
    expect(decodeCursorRegs({ ctl, base: BASE, pos: pos(100, 200) })).toMatchObject({ x: 100, y: 200 });
    expect(decodeCursorRegs({ ctl, base: BASE, pos: pos(-5, -7) })).toMatchObject({ x: -5, y: -7 });
    expect(decodeCursorRegs({ ctl, base: BASE, pos: pos(-63, 40) })).toMatchObject({ x: -63, y: 40 });
    expect(decodeCursorRegs({ ctl, base: BASE, pos: pos(8191, -4095) })).toMatchObject({ x: 8191, y: -4095 });
    // Bits 14:13 and 30:28 are outside GVT-g's _CURSOR_POS_X_MASK / _CURSOR_POS_Y_MASK.
    expect(decodeCursorRegs({ ctl, base: BASE, pos: (0x6000 | 3) | ((0x7000 | 4) << 16) })).toMatchObject({ x: 3, y: 4 });
  });
});

describe('compositeCursor (the cursor plane over the primary: DRM_MODE_BLEND_PREMULTI, clipped to the pipe)', () => {
  it('an opaque pixel replaces the frame pixel, a 0x00000000 one leaves it', () => {
    const s = scene((i, j) => (i === 0 && j === 0 ? 0xffff0000 : 0));
    compositeCursor(s.gpu.ggtt, at(10, 20), s.frame, W, H);
    expect(s.frame[20 * W + 10]).toBe(0x00ff0000);
    expect(s.frame.filter((p) => p !== BG)).toHaveLength(1);
  });

  it('partially transparent pixels blend as out = src + dst * (255 - a) / 255 per channel (DRM_MODE_BLEND_PREMULTI)', () => {
    // 50% white premultiplied, alpha 0 with colour (additive under premultiplied blending), and
    // an invalid premultiplied value (colour above alpha) that clamps.
    const px = [0x80808080, 0x00010101, 0x10ffffff, 0x40102030];
    const s = scene((i, j) => (j === 0 && i < px.length ? px[i]! : 0));
    compositeCursor(s.gpu.ggtt, at(0, 0), s.frame, W, H);
    const blend = (src: number, dst: number): number => {
      const a = src >>> 24;
      const ch = (sh: number): number => Math.min(255, ((src >>> sh) & 0xff) + Math.round((((dst >>> sh) & 0xff) * (255 - a)) / 255));
      return (ch(16) << 16) | (ch(8) << 8) | ch(0);
    };
    expect([...s.frame.subarray(0, px.length)]).toEqual(px.map((p) => blend(p, BG)));
    expect(s.frame[0]).toBe(0x00889098);
    expect(s.frame[1]).toBe(0x00112131);
    expect(s.frame[2]).toBe(0x00ffffff);
  });

  it('is clipped at each edge and anywhere in between, negative positions included', () => {
    for (const [x, y] of [
      [10, 5], // inside
      [-10, 8], // left edge
      [20, -30], // top edge
      [W - 30, 4], // right edge
      [5, H - 9], // bottom edge
      [-63, -63], // one pixel left in the top-left corner
      [W - 1, H - 1], // one pixel in the bottom-right corner
      [-64, 0], // just off the left
      [W, 0], // just off the right
      [0, H], // just off the bottom
      [0, -64], // just off the top
    ]) {
      const s = scene(pattern);
      compositeCursor(s.gpu.ggtt, at(x!, y!), s.frame, W, H);
      expectPatternAt(s.frame, x!, y!);
    }
  });

  it('rows on unmapped GGTT pages are transparent', () => {
    const s = scene(pattern);
    // The image's second page holds rows 16..31 (256 B per row).
    s.gpu.ggtt.setPte(BASE / 4096 + 1, 0, 0);
    compositeCursor(s.gpu.ggtt, at(0, 0), s.frame, W, H);
    for (let j = 0; j < CURSOR_64; j++) {
      const row = [...s.frame.subarray(j * W, j * W + CURSOR_64)];
      expect(row, `row ${j}`).toEqual(j >= 16 && j < 32 ? row.map(() => BG) : row.map((_, i) => pattern(i, j) & 0xffffff));
    }
    expect(CURSOR_64_BYTES).toBe(16384);
  });
});

describe('Gen9Gpu cursor plane registers (i915 CURCNTR/CURBASE/CURPOS(PIPE_A))', () => {
  it('stores CUR_CTL, CUR_BASE and CUR_POS at 0x70080/0x70084/0x70088 and cursor(0) returns them', () => {
    const { gpu } = gpuWithRam(1);
    expect([CUR_CTL_A, CUR_BASE_A, CUR_POS_A]).toEqual([0x70080, 0x70084, 0x70088]);
    gpu.mmioWrite(CUR_CTL_A, MCURSOR_MODE_64_ARGB_AX);
    gpu.mmioWrite(CUR_POS_A, 0x80058007);
    gpu.mmioWrite(CUR_BASE_A, BASE);
    expect(gpu.cursor(0)).toEqual({ ctl: 0x27, base: BASE, pos: 0x80058007 });
    expect([gpu.mmioRead(CUR_CTL_A), gpu.mmioRead(CUR_BASE_A), gpu.mmioRead(CUR_POS_A)]).toEqual([0x27, BASE, 0x80058007]);
  });
});
