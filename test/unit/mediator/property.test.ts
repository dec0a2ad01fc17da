/**
 * Property tests: random MMIO sequences and random command streams thrown at one vGPU never make
 * the mediator throw and never change another vGPU's state. The shadow PPGTT's properties are in
 * ppgtt-property.test.ts (a file of their own, so both run in parallel).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addVm, directPort, rig } from '../helpers/system';
import { BLT_RING_BASE, GTT_OFFSET, RENDER_RING_BASE, RING_CTL, RING_CTL_SIZE, RING_CTL_VALID, RING_ELSP, RING_MODE_GEN7, RING_START, RING_TAIL, VGT_PVINFO_PAGE } from '../../../src/shared/regs';
import { MI_BATCH_BUFFER_START_GGTT, MI_LOAD_REGISTER_IMM_N, MI_NOOP, XY_COLOR_BLT_CMD, XY_SRC_COPY_BLT_CMD } from '../../../src/shared/commands';

/** Offsets worth hitting: registers the mediator handles specially, the GTT window, random ones. */
const offset = fc.oneof(
  fc.constantFrom(0x44200, 0x44300, 0x44304, 0x44308, 0x4430c, 0x44400, 0x44408, 0xc4008, 0x941c, 0x70180, 0x7019c, 0x70008, 0x100000, 0x100008, 0x1000f8),
  fc.constantFrom(BLT_RING_BASE, RENDER_RING_BASE).chain((b) => fc.constantFrom(b + RING_TAIL, b + RING_START, b + RING_CTL, b + RING_ELSP, b + RING_MODE_GEN7, b + 0x3a0, b + 0x370)),
  fc.integer({ min: 0, max: 0x3ff }).map((i) => VGT_PVINFO_PAGE + i * 4),
  fc.integer({ min: 0, max: (1 << 20) - 1 }).map((i) => GTT_OFFSET + i * 8),
  fc.integer({ min: 0, max: 0x3fffff }).map((i) => i * 4),
  fc.integer(),
);
const op = fc.oneof(
  fc.record({ kind: fc.constant('read' as const), off: offset }),
  fc.record({ kind: fc.constant('write' as const), off: offset, value: fc.integer() }),
  fc.record({ kind: fc.constant('write64' as const), off: offset, lo: fc.integer(), hi: fc.integer() }),
  fc.record({ kind: fc.constant('tick' as const), dt: fc.integer({ min: 0, max: 5e6 }) }),
);
const dword = fc.oneof(fc.integer({ min: 0, max: 0xffffffff }), fc.constantFrom(MI_NOOP, MI_BATCH_BUFFER_START_GGTT, XY_COLOR_BLT_CMD, XY_SRC_COPY_BLT_CMD, MI_LOAD_REGISTER_IMM_N(1), 0x80000000, 0x10000000));

function snapshot(r: ReturnType<typeof rig>, v: ReturnType<typeof addVm>['v'], ram: SharedArrayBuffer) {
  const ptes: number[] = [];
  for (const range of [v.alloc.lowGm, v.alloc.highGm]) for (let i = range.base / 4096; i < (range.base + range.size) / 4096; i += 97) ptes.push(...r.gpu.ggtt.getPte(i));
  return { vreg: Buffer.from(v.vreg.buffer).toString('base64'), ram: Buffer.from(new Uint8Array(ram)).toString('base64'), ptes, stats: { ...v.stats }, failsafe: v.failsafe, irq: [{ ...v.gt0 }, { ...v.dePipe[0] }] };
}

/** About 7 s alone; the whole suite on 2 loaded cores took over 30 s. */
const PROPERTY_TIMEOUT_MS = 120_000;

describe('mediator properties', () => {
  it('random MMIO from one vGPU: no exception, the other vGPU unchanged', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const r = rig();
        const a = addVm(r, 1, { ramMiB: 4 });
        const b = addVm(r, 2, { ramMiB: 4 });
        directPort(r, b.v).write64(GTT_OFFSET + (b.v.alloc.lowGm.base / 4096) * 8, 4096 + 1, 0);
        const before = snapshot(r, b.v, b.ram);
        const p = directPort(r, a.v);
        for (const o of ops) {
          if (o.kind === 'read') p.read32(o.off);
          else if (o.kind === 'write') p.write32(o.off, o.value);
          else if (o.kind === 'write64') p.write64(o.off, o.lo, o.hi);
          else r.m.tick((r.now.ns += o.dt));
        }
        expect(snapshot(r, b.v, b.ram)).toEqual(before);
      }),
      { numRuns: 100 },
    );
  }, PROPERTY_TIMEOUT_MS);

  it('random command streams from one vGPU: no exception, the other vGPU unchanged', () => {
    fc.assert(
      fc.property(fc.array(dword, { minLength: 1, maxLength: 48 }), (cmds) => {
        const r = rig();
        const a = addVm(r, 1, { ramMiB: 4 });
        const b = addVm(r, 2, { ramMiB: 4 });
        const pb = directPort(r, b.v);
        for (let i = 0; i < 4; i++) pb.write64(GTT_OFFSET + (b.v.alloc.lowGm.base / 4096 + i) * 8, (i + 1) * 4096 + 1, 0);
        new Uint32Array(b.ram).fill(0x5a5a5a5a, 1024, 5 * 1024);
        const before = snapshot(r, b.v, b.ram);
        const p = directPort(r, a.v);
        for (let i = 0; i < 4; i++) p.write64(GTT_OFFSET + (a.v.alloc.lowGm.base / 4096 + i) * 8, (i + 1) * 4096 + 1, 0);
        // Aim some addresses at the other VM: replace magic values by its GM base.
        const words = new Uint32Array(a.ram);
        cmds.forEach((d, i) => (words[1024 + i] = d === 0x10000000 ? b.v.alloc.lowGm.base : d === 0x80000000 ? a.v.alloc.lowGm.base + 4096 : d));
        p.write32(BLT_RING_BASE + RING_START, a.v.alloc.lowGm.base);
        p.write32(BLT_RING_BASE + RING_CTL, RING_CTL_SIZE(4096) | RING_CTL_VALID);
        p.write32(BLT_RING_BASE + RING_TAIL, cmds.length * 4);
        for (let t = 1; t < 5; t++) r.m.tick(t * 1e6);
        expect(snapshot(r, b.v, b.ram)).toEqual(before);
      }),
      { numRuns: 100 },
    );
  }, PROPERTY_TIMEOUT_MS);
});
