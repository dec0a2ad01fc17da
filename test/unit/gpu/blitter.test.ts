import { describe, expect, it } from 'vitest';
import { encodePte } from '../../../src/main/gpu/ggtt';
import { Gen9Gpu } from '../../../src/main/gpu/gpu';
import { colorBlt, srcCopyBlt } from '../../../src/main/gpu/blitter';
import { decodePlaneRegs, scanoutPlane } from '../../../src/main/gpu/scanout';
import {
  BLT_RING_BASE,
  GEN8_GT_IIR0,
  PLANE_CTL_ENABLE,
  PLANE_CTL_FORMAT_XRGB_8888,
  PLANE_CTL_TILED_X,
  RING_CTL,
  RING_CTL_SIZE,
  RING_CTL_VALID,
  RING_HEAD,
  RING_START,
  RING_TAIL,
} from '../../../src/shared/regs';
import { MI_USER_INTERRUPT, ROP_PATCOPY, ROP_SRCCOPY, XY_COLOR_BLT_CMD, XY_SRC_COPY_BLT_CMD, br13 } from '../../../src/shared/commands';

/** A GPU with `pages` of RAM at host-physical 0 mapped 1:1 from GM 0. */
function gpuWithRam(pages = 64): { gpu: Gen9Gpu; ram: Uint32Array } {
  const gpu = new Gen9Gpu();
  const buf = new SharedArrayBuffer(pages * 4096);
  gpu.memory.attach(0, buf);
  for (let i = 0; i < pages; i++) gpu.ggtt.setPte(i, ...encodePte(i * 4096));
  return { gpu, ram: new Uint32Array(buf) };
}

describe('GGTT', () => {
  it('translates GM to host RAM through present PTEs and ignores non-present ones', () => {
    const { gpu, ram } = gpuWithRam(4);
    gpu.ggtt.setPte(10, ...encodePte(2 * 4096));
    ram[(2 * 4096 + 8) / 4] = 0xdeadbeef;
    expect(gpu.ggtt.read32(10 * 4096 + 8)).toBe(0xdeadbeef);
    gpu.ggtt.setPte(10, 0, 0);
    expect(gpu.ggtt.read32(10 * 4096 + 8)).toBe(0);
    expect(gpu.ggtt.write32(10 * 4096, 1)).toBe(false);
  });

  it('rejects PTE indexes outside the table', () => {
    const { gpu } = gpuWithRam(1);
    expect(() => gpu.ggtt.setPte(gpu.ggtt.entries, 1, 0)).toThrow(RangeError);
  });
});

describe('blitter', () => {
  it('XY_COLOR_BLT fills exactly the rectangle', () => {
    const { gpu, ram } = gpuWithRam();
    const pitch = 64 * 4;
    expect(colorBlt(gpu.ggtt, 0, pitch, { x1: 2, y1: 3, x2: 5, y2: 5 }, 0xff112233)).toBe(6);
    for (let y = 0; y < 8; y++)
      for (let x = 0; x < 8; x++) expect(ram[(y * pitch) / 4 + x]).toBe(x >= 2 && x < 5 && y >= 3 && y < 5 ? 0xff112233 : 0);
  });

  it('XY_SRC_COPY_BLT copies pixels, across page boundaries, and handles overlap downwards', () => {
    const { gpu, ram } = gpuWithRam();
    const pitch = 2048; // two rows per page: rows cross pages
    for (let y = 0; y < 8; y++) for (let x = 0; x < 4; x++) ram[(y * pitch) / 4 + x] = (y << 8) | x;
    srcCopyBlt(gpu.ggtt, 0, pitch, { x1: 0, y1: 2, x2: 4, y2: 8 }, 0, pitch, 0, 0);
    for (let y = 2; y < 8; y++) for (let x = 0; x < 4; x++) expect(ram[(y * pitch) / 4 + x]).toBe(((y - 2) << 8) | x);
  });

  it('executes ring commands: blits to exact pixels and raises the BCS user interrupt', () => {
    const { gpu, ram } = gpuWithRam();
    const ringGm = 16 * 4096;
    const fb = 0;
    const pitch = 256;
    const cmds = [
      XY_COLOR_BLT_CMD, br13(ROP_PATCOPY, pitch), 0, (4 << 16) | 4, fb, 0, 0xff00ff00,
      XY_SRC_COPY_BLT_CMD, br13(ROP_SRCCOPY, pitch), (10 << 16) | 10, (12 << 16) | 12, fb, 0, 0, pitch, fb, 0,
      MI_USER_INTERRUPT,
    ];
    cmds.forEach((d, i) => (ram[ringGm / 4 + i] = d));
    gpu.gt0.imr = 0;
    gpu.gt0.ier = 0xffffffff;
    gpu.mmioWrite(BLT_RING_BASE + RING_START, ringGm);
    gpu.mmioWrite(BLT_RING_BASE + RING_HEAD, 0);
    gpu.mmioWrite(BLT_RING_BASE + RING_CTL, RING_CTL_SIZE(4096) | RING_CTL_VALID);
    const res = gpu.mmioWrite(BLT_RING_BASE + RING_TAIL, cmds.length * 4, 1000)!;
    expect(res.fault).toBeUndefined();
    expect(res.commands).toBe(3);
    expect(res.pixels).toBe(16 + 4);
    expect(ram[0]).toBe(0xff00ff00);
    expect(ram[(3 * pitch) / 4 + 3]).toBe(0xff00ff00);
    expect(ram[(4 * pitch) / 4]).toBe(0);
    expect(ram[(10 * pitch) / 4 + 10]).toBe(0xff00ff00);
    expect(ram[(12 * pitch) / 4 + 12]).toBe(0);
    expect(gpu.mmioRead(BLT_RING_BASE + RING_HEAD)).toBe(cmds.length * 4);
    expect(gpu.mmioRead(GEN8_GT_IIR0)).toBe(1 << 16);
    expect(gpu.busyUntilNs.bcs).toBeGreaterThan(1000);
  });

  it('stops at an unknown command and reports the fault', () => {
    const { gpu, ram } = gpuWithRam();
    ram[0] = 0x7fffffff;
    gpu.mmioWrite(BLT_RING_BASE + RING_CTL, RING_CTL_SIZE(4096) | RING_CTL_VALID);
    const res = gpu.mmioWrite(BLT_RING_BASE + RING_TAIL, 8)!;
    expect(res.fault).toMatch(/cannot execute UNKNOWN/);
  });
});

describe('scanout', () => {
  it('decodes linear XRGB8888 to RGBA', () => {
    const { gpu, ram } = gpuWithRam();
    ram[0] = 0x00102030;
    ram[1] = 0x00a0b0c0;
    const plane = decodePlaneRegs({ ctl: PLANE_CTL_ENABLE | PLANE_CTL_FORMAT_XRGB_8888, stride: 1, size: (1 << 16) | 1, surf: 0, offset: 0 });
    if (!plane || 'error' in plane) throw new Error('plane');
    const out = new Uint8Array(2 * 2 * 4);
    scanoutPlane(gpu.ggtt, plane, out);
    expect([...out.subarray(0, 8)]).toEqual([0x10, 0x20, 0x30, 255, 0xa0, 0xb0, 0xc0, 255]);
  });

  it('decodes X-tiled surfaces (512 B x 8 row tiles)', () => {
    const { gpu, ram } = gpuWithRam();
    // 256 px wide = 1024 B = 2 tiles per row; pixel (130, 9) is tile row 1, tile 1, byte 8 in row 1 of the tile.
    const tileIndex = 1 * 2 + 1;
    ram[(tileIndex * 4096 + 1 * 512 + 8) / 4] = 0x00abcdef;
    const plane = decodePlaneRegs({ ctl: PLANE_CTL_ENABLE | PLANE_CTL_FORMAT_XRGB_8888 | PLANE_CTL_TILED_X, stride: 2, size: (15 << 16) | 255, surf: 0, offset: 0 });
    if (!plane || 'error' in plane) throw new Error('plane');
    const out = new Uint8Array(256 * 16 * 4);
    scanoutPlane(gpu.ggtt, plane, out);
    const o = (9 * 256 + 130) * 4;
    expect([...out.subarray(o, o + 4)]).toEqual([0xab, 0xcd, 0xef, 255]);
  });

  it('refuses unsupported formats and strides narrower than the width', () => {
    expect(decodePlaneRegs({ ctl: PLANE_CTL_ENABLE | (2 << 24), stride: 1, size: 0, surf: 0, offset: 0 })).toEqual({ error: expect.stringMatching(/format/) });
    expect(decodePlaneRegs({ ctl: PLANE_CTL_ENABLE | PLANE_CTL_FORMAT_XRGB_8888, stride: 1, size: 99, surf: 0, offset: 0 })).toEqual({ error: expect.stringMatching(/STRIDE/) });
    expect(decodePlaneRegs({ ctl: 0, stride: 1, size: 0, surf: 0, offset: 0 })).toBeNull();
  });
});

describe('physical execlists', () => {
  it('ELSP runs the context image ring, writes RING_HEAD back, fills the CSB and raises context switch', async () => {
    const { contextDescriptor } = await import('../../../src/shared/execlist');
    const { RING_ELSP, RING_MODE_GEN7, RING_CONTEXT_STATUS_PTR, RING_CONTEXT_STATUS_BUF_LO, maskedBitEnable, GFX_RUN_LIST_ENABLE } = await import('../../../src/shared/regs');
    const { gpu, ram } = gpuWithRam();
    const ringGm = 16 * 4096;
    const ctx = 20 * 4096;
    [XY_COLOR_BLT_CMD, br13(ROP_PATCOPY, 256), 0, (1 << 16) | 1, 0, 0, 0xff123456, MI_USER_INTERRUPT].forEach((d, i) => (ram[ringGm / 4 + i] = d));
    const st = (ctx + 4096) / 4;
    ram[st + 5] = 0; // head
    ram[st + 7] = 32; // tail
    ram[st + 9] = ringGm;
    ram[st + 11] = RING_CTL_SIZE(4096) | RING_CTL_VALID;
    gpu.gt0.imr = 0;
    gpu.gt0.ier = 0xffffffff;
    const [lo, hi] = contextDescriptor(ctx, 42);
    // Disabled run list: the submission is ignored.
    for (const dw of [0, 0, hi, lo]) expect(gpu.mmioWrite(BLT_RING_BASE + RING_ELSP, dw)).toBeUndefined();
    gpu.mmioWrite(BLT_RING_BASE + RING_MODE_GEN7, maskedBitEnable(GFX_RUN_LIST_ENABLE));
    let res;
    for (const dw of [0, 0, hi, lo]) res = gpu.mmioWrite(BLT_RING_BASE + RING_ELSP, dw) ?? res;
    expect(res).toMatchObject({ commands: 2, pixels: 1, userInterrupts: 1 });
    expect(ram[0]).toBe(0xff123456);
    expect(ram[st + 5]).toBe(32);
    expect(gpu.mmioRead(BLT_RING_BASE + RING_CONTEXT_STATUS_PTR) & 7).toBe(1);
    expect(gpu.mmioRead(BLT_RING_BASE + RING_CONTEXT_STATUS_BUF_LO(1))).toBe((1 << 4) | (1 << 3));
    expect(gpu.mmioRead(BLT_RING_BASE + RING_CONTEXT_STATUS_BUF_LO(1) + 4)).toBe(42);
    expect(gpu.mmioRead(GEN8_GT_IIR0)).toBe(((1 << 8) | 1) << 16);
  });
});
