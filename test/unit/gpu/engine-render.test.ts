import { describe, expect, it } from 'vitest';
import { COST_PER_VERTEX_NS, DRAW_SETUP_COST_NS, GEN7_3DPRIM_INSTANCE_COUNT, GEN7_3DPRIM_VERTEX_COUNT, MAX_COMMAND_COST_NS, STATE_COMMAND_COST_NS, drawCostNs } from '../../../src/main/gpu/cost-model';
import { COST_PER_COMMAND_NS } from '../../../src/main/gpu/engine';
import { GT_RENDER_PIPECTL_NOTIFY_INTERRUPT } from '../../../src/shared/regs';
import { GEN8_GT_IIR0 } from '../../../src/shared/regs';
import { LRI, PC_GLOBAL_GTT, PC_NOTIFY, PIPELINE_SELECT, PIPE_CONTROL, PRIMITIVE_3D, PRIM_INDIRECT, SCRATCH as S, gpuWithRam, pcPostSync, runRing } from './helpers';

/** 3DPRIMITIVE: topology 4 (TRILIST), `vertices` per instance, `instances`. */
const draw = (vertices: number, instances: number): number[] => [PRIMITIVE_3D, 4, vertices, 0, instances, 0, 0];

describe('PIPE_CONTROL', () => {
  it('writes immediate data (qword) to a GGTT address and raises the RCS notify interrupt', () => {
    const { gpu, ram } = gpuWithRam();
    const res = runRing(gpu, ram, 'rcs', [PIPE_CONTROL, pcPostSync(1) | PC_GLOBAL_GTT | PC_NOTIFY, S + 8, 0, 0x600d, 0xbeef]);
    expect(res.fault).toBeUndefined();
    expect(res).toMatchObject({ commands: 1, notifyInterrupts: 1 });
    expect([ram[S / 4 + 2], ram[S / 4 + 3]]).toEqual([0x600d, 0xbeef]);
    expect(gpu.mmioRead(GEN8_GT_IIR0)).toBe(GT_RENDER_PIPECTL_NOTIFY_INTERRUPT);
  });

  it('writes the CS timestamp (12 MHz) and PS_DEPTH_COUNT (0: nothing is rasterised)', () => {
    const { gpu, ram } = gpuWithRam();
    ram.fill(0xffffffff, S / 4, S / 4 + 4);
    const res = runRing(gpu, ram, 'rcs', [PIPELINE_SELECT, PIPE_CONTROL, pcPostSync(3) | PC_GLOBAL_GTT, S, 0, 0, 0, PIPE_CONTROL, pcPostSync(2) | PC_GLOBAL_GTT, S + 8, 0, 0, 0], 1_000_000_000);
    expect(res.fault).toBeUndefined();
    expect(res.notifyInterrupts).toBe(0);
    // 1 s + PIPELINE_SELECT's parse and state cost = 1 000 000 070 ns → 12 000 000 ticks (+0.84).
    expect((1_000_000_000 + COST_PER_COMMAND_NS + STATE_COMMAND_COST_NS) * 0.012).toBeCloseTo(12_000_000.84);
    expect([ram[S / 4], ram[S / 4 + 1]]).toEqual([12_000_000, 0]);
    expect([ram[S / 4 + 2], ram[S / 4 + 3]]).toEqual([0, 0]);
    expect(gpu.mmioRead(GEN8_GT_IIR0)).toBe(0);
  });

  it('faults on a PPGTT destination only when there is a post-sync write', () => {
    const { gpu, ram } = gpuWithRam();
    expect(runRing(gpu, ram, 'rcs', [PIPE_CONTROL, 1 << 12 /* CS stall-ish flush bits */, 0, 0, 0, 0]).fault).toBeUndefined();
    const res = runRing(gpu, ram, 'rcs', [PIPE_CONTROL, pcPostSync(1), S, 0, 1, 0]);
    expect(res.fault).toMatch(/^rcs: PIPE_CONTROL: PPGTT addressing in a context without a PPGTT/);
    expect(ram[S / 4]).toBe(0);
  });

  it('is a render-only command: on the blitter it faults', () => {
    const { gpu, ram } = gpuWithRam();
    expect(runRing(gpu, ram, 'bcs', [PIPE_CONTROL, 0, 0, 0, 0, 0]).fault).toBe('bcs: PIPE_CONTROL: not valid on bcs at head 0x0');
    expect(runRing(gpu, ram, 'bcs', draw(3, 1)).fault).toBe('bcs: 3DPRIMITIVE: not valid on bcs at head 0x0');
  });
});

describe('cost model for 3D commands (decoded and charged, not rasterised)', () => {
  it('3DPRIMITIVE cost scales with vertex count x instance count', () => {
    const cost = (v: number, i: number): number => {
      const { gpu, ram } = gpuWithRam();
      const res = runRing(gpu, ram, 'rcs', draw(v, i));
      expect(res.fault).toBeUndefined();
      expect(res.commands).toBe(1);
      return res.costNs;
    };
    expect(cost(3, 1)).toBe(COST_PER_COMMAND_NS + DRAW_SETUP_COST_NS + 3 * COST_PER_VERTEX_NS);
    expect(cost(3000, 1) - cost(1000, 1)).toBe(2000 * COST_PER_VERTEX_NS);
    expect(cost(1000, 4) - cost(1000, 1)).toBe(3000 * COST_PER_VERTEX_NS);
    expect(cost(0, 10)).toBe(COST_PER_COMMAND_NS + DRAW_SETUP_COST_NS);
    // A guest-sized count stays finite: capped.
    expect(cost(0xffffffff, 0xffffffff)).toBe(COST_PER_COMMAND_NS + MAX_COMMAND_COST_NS);
  });

  it('takes indirect counts from the 3DPRIM registers (loaded with LRI)', () => {
    const { gpu, ram } = gpuWithRam();
    const res = runRing(gpu, ram, 'rcs', [LRI(2), GEN7_3DPRIM_VERTEX_COUNT, 600, GEN7_3DPRIM_INSTANCE_COUNT, 2, ...draw(0, 0).map((d, i) => (i === 0 ? d | PRIM_INDIRECT : d))]);
    expect(res.fault).toBeUndefined();
    expect(res.costNs).toBe(2 * COST_PER_COMMAND_NS + drawCostNs(600, 2));
  });

  it('other state commands cost a small fixed amount', () => {
    const { gpu, ram } = gpuWithRam();
    const res = runRing(gpu, ram, 'rcs', [PIPELINE_SELECT, PIPELINE_SELECT]);
    expect(res.costNs).toBe(2 * (COST_PER_COMMAND_NS + STATE_COMMAND_COST_NS));
    expect(gpu.busyUntilNs.rcs).toBe(res.costNs);
  });

  it('a video-engine command is refused on the render engine', () => {
    const { gpu, ram } = gpuWithRam();
    // MFX_WAIT (type 3, subtype 1, opcode 0, subopcode 0; video only).
    expect(runRing(gpu, ram, 'rcs', [0x68000000]).fault).toMatch(/MFX_WAIT: not valid on rcs/);
  });
});
