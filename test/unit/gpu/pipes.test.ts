import { describe, expect, it } from 'vitest';
import { Gen9Gpu } from '../../../src/main/gpu/gpu';
import {
  CUR_BASE_A,
  CUR_CTL_A,
  CUR_POS_A,
  GEN8_DE_PIPE_IRQ,
  GEN8_DE_PIPE_ISR,
  GEN8_MASTER_IRQ,
  GEN8_MASTER_IRQ_CONTROL,
  GEN8_PIPE_VBLANK,
  HTOTAL_A,
  PIPECONF_A,
  PIPECONF_ENABLE,
  PIPESRC_A,
  PLANE_CTL_1_A,
  PLANE_OFFSET_1_A,
  PLANE_SIZE_1_A,
  PLANE_STRIDE_1_A,
  PLANE_SURF_1_A,
  pipeReg,
} from '../../../src/shared/regs';

describe('Skylake pipes A, B, C in the emulated GPU', () => {
  it('every pipe\'s registers sit at i915\'s offsets (_PIPE/_TRANS/_PLANE, IVB_CURSOR_*_OFFSET; IGT skl_display.txt, gen8_interrupt.txt)', () => {
    expect([0, 1, 2].map((p) => pipeReg(PLANE_CTL_1_A, p))).toEqual([0x70180, 0x71180, 0x72180]);
    expect([0, 1, 2].map((p) => pipeReg(PLANE_SURF_1_A, p))).toEqual([0x7019c, 0x7119c, 0x7219c]);
    expect([0, 1, 2].map((p) => pipeReg(CUR_CTL_A, p))).toEqual([0x70080, 0x71080, 0x72080]);
    expect([0, 1, 2].map((p) => pipeReg(CUR_POS_A, p))).toEqual([0x70088, 0x71088, 0x72088]);
    expect([0, 1, 2].map((p) => pipeReg(HTOTAL_A, p))).toEqual([0x60000, 0x61000, 0x62000]);
    expect([0, 1, 2].map((p) => pipeReg(PIPESRC_A, p))).toEqual([0x6001c, 0x6101c, 0x6201c]);
    expect([0, 1, 2].map((p) => pipeReg(PIPECONF_A, p))).toEqual([0x70008, 0x71008, 0x72008]);
    expect([0, 1, 2].map(GEN8_DE_PIPE_ISR)).toEqual([0x44400, 0x44410, 0x44420]);
    expect([0, 1, 2].map(GEN8_DE_PIPE_IRQ)).toEqual([1 << 16, 1 << 17, 1 << 18]);
  });

  it('each pipe scans out its own primary and cursor plane and reports its own enable', () => {
    const gpu = new Gen9Gpu();
    for (const pipe of [0, 1, 2]) {
      gpu.mmioWrite(pipeReg(PLANE_CTL_1_A, pipe), 0x84000000 + pipe);
      gpu.mmioWrite(pipeReg(PLANE_STRIDE_1_A, pipe), 20 + pipe);
      gpu.mmioWrite(pipeReg(PLANE_SIZE_1_A, pipe), 0x01df027f + pipe);
      gpu.mmioWrite(pipeReg(PLANE_SURF_1_A, pipe), 0x100000 * (pipe + 1));
      gpu.mmioWrite(pipeReg(PLANE_OFFSET_1_A, pipe), pipe);
      gpu.mmioWrite(pipeReg(CUR_CTL_A, pipe), 0x27);
      gpu.mmioWrite(pipeReg(CUR_BASE_A, pipe), 0x200000 * (pipe + 1));
      gpu.mmioWrite(pipeReg(CUR_POS_A, pipe), pipe);
    }
    gpu.mmioWrite(pipeReg(PIPECONF_A, 1), PIPECONF_ENABLE);
    for (const pipe of [0, 1, 2]) {
      expect(gpu.plane(pipe)).toEqual({ ctl: 0x84000000 + pipe, stride: 20 + pipe, size: 0x01df027f + pipe, surf: 0x100000 * (pipe + 1), offset: pipe });
      expect(gpu.cursor(pipe)).toEqual({ ctl: 0x27, base: 0x200000 * (pipe + 1), pos: pipe });
    }
    expect([0, 1, 2].map((p) => gpu.pipeEnabled(p))).toEqual([false, true, false]);
  });

  it('vblank latches in each enabled pipe\'s own DE pipe bank and reaches the master on that pipe\'s bit (gen8_de_irq_handler)', () => {
    const gpu = new Gen9Gpu();
    for (const pipe of [0, 1, 2]) {
      gpu.mmioWrite(GEN8_DE_PIPE_ISR(pipe) + 4, ~GEN8_PIPE_VBLANK >>> 0); // IMR
      gpu.mmioWrite(GEN8_DE_PIPE_ISR(pipe) + 0xc, GEN8_PIPE_VBLANK); // IER
    }
    gpu.mmioWrite(GEN8_MASTER_IRQ, GEN8_MASTER_IRQ_CONTROL);
    gpu.mmioWrite(pipeReg(PIPECONF_A, 1), PIPECONF_ENABLE);
    gpu.mmioWrite(pipeReg(PIPECONF_A, 2), PIPECONF_ENABLE);
    gpu.vblank();
    expect([0, 1, 2].map((p) => gpu.mmioRead(GEN8_DE_PIPE_ISR(p) + 8))).toEqual([0, 1, 1]);
    expect(gpu.mmioRead(GEN8_MASTER_IRQ)).toBe((GEN8_MASTER_IRQ_CONTROL | GEN8_DE_PIPE_IRQ(1) | GEN8_DE_PIPE_IRQ(2)) >>> 0);
    gpu.mmioWrite(GEN8_DE_PIPE_ISR(1) + 8, GEN8_PIPE_VBLANK); // ack B
    expect(gpu.mmioRead(GEN8_MASTER_IRQ)).toBe((GEN8_MASTER_IRQ_CONTROL | GEN8_DE_PIPE_IRQ(2)) >>> 0);
    expect(gpu.mmioRead(GEN8_DE_PIPE_ISR(2) + 4)).toBe(~GEN8_PIPE_VBLANK >>> 0);
  });
});

describe('PLANE_OFFSET (skl_program_plane: y << 16 | x)', () => {
  const plane = { ctl: 0x84000000, stride: (3200 * 4) / 64, size: (1023 << 16) | 1279, surf: 0x100000, offset: 1920 };
  it('moves a linear plane\'s first pixel to (x, y) of its surface', async () => {
    const { decodePlaneRegs } = await import('../../../src/main/gpu/scanout');
    expect(decodePlaneRegs(plane)).toMatchObject({ width: 1280, height: 1024, surf: 0x100000 + 1920 * 4, pitch: 12800 });
    expect(decodePlaneRegs({ ...plane, offset: (2 << 16) | 4 })).toMatchObject({ surf: 0x100000 + 2 * 12800 + 16 });
  });
  it('refuses an offset on an X-tiled plane and one that runs past the stride', async () => {
    const { decodePlaneRegs } = await import('../../../src/main/gpu/scanout');
    expect(decodePlaneRegs({ ...plane, ctl: plane.ctl | (1 << 10), stride: 25 })).toEqual({ error: 'PLANE_OFFSET 1920,0 on an X-tiled plane is not supported' });
    expect(decodePlaneRegs({ ...plane, offset: 2000 })).toEqual({ error: 'PLANE_OFFSET x 2000 + 1280 px runs past PLANE_STRIDE 12800 B' });
  });
});
