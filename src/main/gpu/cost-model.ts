/**
 * Cost model of the emulated engines: how long, in emulated nanoseconds, each command keeps its
 * engine busy. Execution itself is instantaneous; this is what `ExecResult.costNs` and the GPU's
 * `busyUntilNs` are made of, and therefore what the mediator's scheduler and statistics see.
 *
 * Nothing 3D, media or GPGPU is rasterised or run on EUs: those commands are decoded (length from
 * the genxml table) and charged here, nothing else. The figures are order-of-magnitude numbers for
 * a Skylake GT2 (24 EUs at ~1 GHz, one blitter), chosen so relative costs are plausible:
 *
 * | constant                | value   | what it stands for                                          |
 * |-------------------------|---------|-------------------------------------------------------------|
 * | COST_PER_COMMAND_NS     | 50 ns   | command streamer fetch + parse of any command               |
 * | COST_PER_PIXEL_NS       | 0.25 ns | blitter fill/copy, ~4 Gpixel/s (~16 GB/s at 32 bpp)         |
 * | STATE_COMMAND_COST_NS   | 20 ns   | a 3D/media state command beyond its parse (state upload)    |
 * | DRAW_SETUP_COST_NS      | 500 ns  | a 3DPRIMITIVE's pipeline setup, before any vertex           |
 * | COST_PER_VERTEX_NS      | 0.5 ns  | per vertex x instance (~2 Gvertex/s geometry throughput)    |
 * | DISPATCH_SETUP_COST_NS  | 500 ns  | a GPGPU_WALKER's setup                                      |
 * | COST_PER_THREAD_NS      | 1 ns    | per dispatched GPGPU hardware thread                        |
 * | MAX_COMMAND_COST_NS     | 1 s     | cap on one command, so a guest-sized count stays finite and |
 * |                         |         | a watchdog (i915 hangcheck / the mediator's) can act        |
 *
 * Sources for the indirect-parameter registers: i915 i915_reg.h GEN7_3DPRIM_* and
 * GEN7_GPGPU_DISPATCHDIM*; field positions: Mesa genxml gen9.xml (3DPRIMITIVE, GPGPU_WALKER).
 */

export const COST_PER_COMMAND_NS = 50;
export const COST_PER_PIXEL_NS = 0.25;
export const STATE_COMMAND_COST_NS = 20;
export const DRAW_SETUP_COST_NS = 500;
export const COST_PER_VERTEX_NS = 0.5;
export const DISPATCH_SETUP_COST_NS = 500;
export const COST_PER_THREAD_NS = 1;
export const MAX_COMMAND_COST_NS = 1e9;

/** 3DPRIMITIVE indirect parameters (Indirect Parameter Enable, dw0 bit 10). Source: i915 GEN7_3DPRIM_*. */
export const GEN7_3DPRIM_VERTEX_COUNT = 0x2434;
export const GEN7_3DPRIM_INSTANCE_COUNT = 0x2438;
/** GPGPU_WALKER indirect thread group counts. Source: i915 GEN7_GPGPU_DISPATCHDIMX/Y/Z. */
export const GEN7_GPGPU_DISPATCHDIMX = 0x2500;
export const GEN7_GPGPU_DISPATCHDIMY = 0x2504;
export const GEN7_GPGPU_DISPATCHDIMZ = 0x2508;

const INDIRECT_PARAMETER_ENABLE = 1 << 10;

/** Draw cost of `vertices` per instance x `instances` (unsigned 32-bit counts), capped. */
export function drawCostNs(vertices: number, instances: number): number {
  return Math.min(MAX_COMMAND_COST_NS, DRAW_SETUP_COST_NS + (vertices >>> 0) * (instances >>> 0) * COST_PER_VERTEX_NS);
}

/** Dispatch cost of `threads` GPGPU hardware threads, capped. */
export function dispatchCostNs(threads: number): number {
  return Math.min(MAX_COMMAND_COST_NS, DISPATCH_SETUP_COST_NS + threads * COST_PER_THREAD_NS);
}

/**
 * Cost (ns, beyond COST_PER_COMMAND_NS) of a type-3 render command named `name` (genxml) with
 * `len` dwords read by `dw(i)`; `readReg` reads MMIO registers for indirect parameters.
 * 3DPRIMITIVE: vertex count per instance (dw2) x instance count (dw4); GPGPU_WALKER: thread groups
 * (X dw7 x Y dw10 x Z dw12) x threads per group (dw4 width/height/depth counter maxima + 1); with
 * Indirect Parameter Enable the counts come from the GEN7_3DPRIM_* / GEN7_GPGPU_DISPATCHDIM*
 * registers. A command shorter than its count fields costs like a state command. Anything else:
 * STATE_COMMAND_COST_NS.
 */
export function renderCommandCostNs(name: string, dw0: number, len: number, dw: (i: number) => number, readReg: (offset: number) => number): number {
  const indirect = (dw0 & INDIRECT_PARAMETER_ENABLE) !== 0;
  if (name === '3DPRIMITIVE' && (indirect || len >= 5)) {
    return indirect ? drawCostNs(readReg(GEN7_3DPRIM_VERTEX_COUNT), readReg(GEN7_3DPRIM_INSTANCE_COUNT)) : drawCostNs(dw(2), dw(4));
  }
  if (name === 'GPGPU_WALKER' && len >= 13) {
    const d4 = dw(4);
    const perGroup = ((d4 & 0x3f) + 1) * (((d4 >>> 8) & 0x3f) + 1) * (((d4 >>> 16) & 0x3f) + 1);
    const [x, y, z] = indirect ? [readReg(GEN7_GPGPU_DISPATCHDIMX), readReg(GEN7_GPGPU_DISPATCHDIMY), readReg(GEN7_GPGPU_DISPATCHDIMZ)] : [dw(7), dw(10), dw(12)];
    return dispatchCostNs((x >>> 0) * (y >>> 0) * (z >>> 0) * perGroup);
  }
  return STATE_COMMAND_COST_NS;
}
