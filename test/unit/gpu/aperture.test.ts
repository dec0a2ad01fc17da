import { describe, expect, it } from 'vitest';
import { encodePte } from '../../../src/main/gpu/ggtt';
import { Gen9Gpu } from '../../../src/main/gpu/gpu';
import { apertureToGm } from '../../../src/main/gpu/aperture';
import { decodeFence, encodeFence } from '../../../src/shared/fence';
import { FENCE_REG_GEN6_HI, FENCE_REG_GEN6_LO } from '../../../src/shared/regs';

function gpuWithRam(pages = 64) {
  const gpu = new Gen9Gpu();
  const buf = new SharedArrayBuffer(pages * 4096);
  gpu.memory.attach(0, buf);
  for (let i = 0; i < pages; i++) gpu.ggtt.setPte(i, ...encodePte(i * 4096));
  return { gpu, ram: new Uint32Array(buf) };
}

describe('fences and the aperture', () => {
  it('encodes and decodes fences as i915 writes them', () => {
    const f = { start: 0x10000, end: 0x30000, pitch: 2048, tiling: 'y' as const };
    const [lo, hi] = encodeFence(f);
    expect(lo).toBe(0x10000 | 2 | 1);
    expect(hi).toBe(0x2f000 | 15);
    expect(decodeFence(lo, hi)).toEqual(f);
    expect(decodeFence(lo & ~1, hi)).toBeNull();
  });

  it('an X fence gives the CPU a linear view of an X-tiled surface', () => {
    const { gpu, ram } = gpuWithRam();
    const [lo, hi] = encodeFence({ start: 0x8000, end: 0x8000 + 4 * 4096, pitch: 1024, tiling: 'x' });
    gpu.mmioWrite(FENCE_REG_GEN6_HI(3), hi);
    gpu.mmioWrite(FENCE_REG_GEN6_LO(3), lo);
    // Linear (row 9, byte 516): tile row 1, tile column 1 -> tile 3; row 1 in tile, byte 4.
    gpu.apertureWrite32(0x8000 + 9 * 1024 + 516, 0xabcd);
    expect(ram[(0x8000 + 3 * 4096 + 1 * 512 + 4) / 4]).toBe(0xabcd);
    expect(gpu.apertureRead32(0x8000 + 9 * 1024 + 516)).toBe(0xabcd);
    // Outside the fence: linear.
    gpu.apertureWrite32(0x4000, 7);
    expect(ram[0x4000 / 4]).toBe(7);
  });

  it('a Y fence detiles 16-byte columns of 32 rows', () => {
    const regs = new Uint32Array(0x200000 / 4);
    const [lo, hi] = encodeFence({ start: 0, end: 8 * 4096, pitch: 256, tiling: 'y' });
    regs[FENCE_REG_GEN6_LO(0) / 4] = lo;
    regs[FENCE_REG_GEN6_HI(0) / 4] = hi;
    // Row 33, byte 20 of the row: tile row 1, tile column 0 -> tile 2; column 1 (512 B), row 1 (16 B), byte 4.
    expect(apertureToGm(regs, 32, 33 * 256 + 20)).toBe(2 * 4096 + 512 + 16 + 4);
  });

  it('refuses offsets outside the aperture', () => {
    const { gpu } = gpuWithRam(1);
    expect(() => gpu.apertureRead32(512 << 20)).toThrow(RangeError);
  });
});
