import { describe, expect, it } from 'vitest';
import { COST_PER_COMMAND_NS, MAX_COMMANDS_PER_KICK, RingEngine, type RegisterPort } from '../../../src/main/gpu/engine';
import { ENGINE_BASE } from '../../../src/main/gpu/gpu';
import { GT_RENDER_PIPECTL_NOTIFY_INTERRUPT } from '../../../src/shared/regs';
import { GEN6_GRDOM_BLT, GEN6_GRDOM_FULL, GEN6_GRDOM_RENDER } from '../../../src/shared/regs';
import { Ggtt, encodePte } from '../../../src/main/gpu/ggtt';
import { HostMemory } from '../../../src/main/gpu/memory';
import { SEMAPHORE_COMPARE } from '../../../src/main/gpu/mi-commands';
import { contextDescriptor } from '../../../src/shared/execlist';
import {
  BLT_RING_BASE,
  GEN6_GDRST,
  GEN8_GT_IIR0,
  GFX_RUN_LIST_ENABLE,
  PLANE_STRIDE_1_A,
  PLANE_SURF_1_A,
  RENDER_RING_BASE,
  RING_CTL_SIZE,
  RING_CTL_VALID,
  RING_ELSP,
  RING_HEAD,
  RING_MODE_GEN7,
  RING_TAIL,
  maskedBitEnable,
} from '../../../src/shared/regs';
import {
  BATCH_A,
  BATCH_B,
  BATCH_C,
  BB_PPGTT,
  BB_SECOND,
  BB_START,
  DISPLAY_FLIP,
  FLUSH_DW,
  FLUSH_DW_GGTT,
  LRI,
  LRM,
  LRR,
  MI_ARB_CHECK,
  MI_ARB_ON_OFF,
  MI_BATCH_BUFFER_END,
  MI_NOOP,
  MI_USER_INTERRUPT,
  PIPE_CONTROL,
  PC_GLOBAL_GTT,
  PC_NOTIFY,
  RING_GM,
  SCRATCH,
  SDI,
  SDI_PPGTT,
  SDI_QWORD,
  SEMAPHORE_WAIT,
  SRM,
  gpuWithRam,
  pcPostSync,
  put,
  ringHead,
  runRing,
} from './helpers';

const S = SCRATCH;

describe('MI commands', () => {
  it('NOOP, ARB_CHECK, ARB_ON_OFF and a ring-level BB_END are no-ops that still count and cost', () => {
    const { gpu, ram } = gpuWithRam();
    const res = runRing(gpu, ram, 'rcs', [MI_NOOP, MI_ARB_CHECK, MI_ARB_ON_OFF, MI_BATCH_BUFFER_END]);
    expect(res).toMatchObject({ commands: 4, costNs: 4 * COST_PER_COMMAND_NS, stalled: false, hung: false, notifyInterrupts: 0, flips: [] });
    expect(res.fault).toBeUndefined();
    expect(ringHead(gpu, 'rcs')).toBe(16);
  });

  it('MI_STORE_DATA_IMM stores one dword, and two in its Store Qword form (DWord Length 3)', () => {
    const { gpu, ram } = gpuWithRam();
    const res = runRing(gpu, ram, 'bcs', [SDI, S + 8, 0, 0xcafef00d, SDI_QWORD, S + 16, 0, 0x11111111, 0x22222222]);
    expect(res.fault).toBeUndefined();
    expect(res.commands).toBe(2);
    expect([ram[S / 4 + 2], ram[S / 4 + 3], ram[S / 4 + 4], ram[S / 4 + 5]]).toEqual([0xcafef00d, 0, 0x11111111, 0x22222222]);
  });

  it('MI_STORE_DATA_IMM with Core ID set stores in the second slot, where cmd_handler_mi_store_data_imm audits it', () => {
    const { gpu, ram } = gpuWithRam();
    const res = runRing(gpu, ram, 'bcs', [SDI, S + 8 + 1, 0, 0xcafef00d, SDI_QWORD, S + 16 + 1, 0, 0x11111111, 0x22222222]);
    expect(res.fault).toBeUndefined();
    expect([ram[S / 4 + 2], ram[S / 4 + 3]]).toEqual([0, 0xcafef00d]);
    expect([ram[S / 4 + 4], ram[S / 4 + 5], ram[S / 4 + 6], ram[S / 4 + 7]]).toEqual([0, 0, 0x11111111, 0x22222222]);
  });

  it('an MI command without an executor in MI_EXECUTORS faults where it stands: MI_SET_PREDICATE, MI_ATOMIC, MI_STORE_DATA_INDEX', () => {
    for (const [name, cmd] of [
      ['MI_SET_PREDICATE', [0x01 << 23]],
      ['MI_ATOMIC', [((0x2f << 23) | (1 << 22) | 1) >>> 0, S, 0]],
      ['MI_STORE_DATA_INDEX', [(0x21 << 23) | 1, 0x40, 7]],
    ] as const) {
      const { gpu, ram } = gpuWithRam();
      const res = runRing(gpu, ram, 'rcs', [MI_NOOP, ...cmd]);
      expect(res.fault).toBe(`rcs: ${name}: is not supported by this engine model at head 0x4`);
      expect(res.commands).toBe(1);
      expect(ringHead(gpu, 'rcs')).toBe(4);
    }
  });

  it('a PPGTT-addressed store in a context without a PPGTT faults with head left at it', () => {
    const { gpu, ram } = gpuWithRam();
    const res = runRing(gpu, ram, 'rcs', [MI_NOOP, SDI_PPGTT, S, 0, 1]);
    expect(res.fault).toMatch(/^rcs: MI_STORE_DATA_IMM: PPGTT addressing in a context without a PPGTT.* at head 0x4$/);
    expect(res.commands).toBe(1);
    expect(ringHead(gpu, 'rcs')).toBe(4);
    expect(ram[S / 4]).toBe(0);
  });

  it('MI_FLUSH_DW post-sync writes immediate data or the CS timestamp, and Notify raises the BCS notify interrupt', () => {
    const { gpu, ram } = gpuWithRam();
    const res = runRing(
      gpu,
      ram,
      'bcs',
      [
        MI_NOOP,
        MI_NOOP,
        MI_NOOP,
        FLUSH_DW(1), S | FLUSH_DW_GGTT, 0, 0xdeadbeef, 0x12345678,
        FLUSH_DW(3, true), (S + 8) | FLUSH_DW_GGTT, 0, 0, 0,
        FLUSH_DW(0), 0, 0, 0, 0, // no post-sync: the (PPGTT) address is irrelevant
      ],
      10_000_000,
    );
    expect(res.fault).toBeUndefined();
    expect(res.notifyInterrupts).toBe(1);
    expect([ram[S / 4], ram[S / 4 + 1]]).toEqual([0xdeadbeef, 0x12345678]);
    // 10 ms + 4 commands x 50 ns at 12 MHz.
    expect(ram[S / 4 + 2]).toBe(Math.floor(((10_000_000 + 4 * COST_PER_COMMAND_NS) * 12) / 1000));
    expect(ram[S / 4 + 2]).toBe(120002);
    expect(ram[S / 4 + 3]).toBe(0);
    expect(gpu.mmioRead(GEN8_GT_IIR0)).toBe(GT_RENDER_PIPECTL_NOTIFY_INTERRUPT << 16);
  });

  it('MI_FLUSH_DW with a PPGTT post-sync address faults; it is not a render-engine command', () => {
    const { gpu, ram } = gpuWithRam();
    expect(runRing(gpu, ram, 'bcs', [FLUSH_DW(1), S, 0, 1, 2]).fault).toMatch(/MI_FLUSH_DW: PPGTT addressing in a context without a PPGTT/);
    expect(runRing(gpu, ram, 'rcs', [FLUSH_DW(0), 0, 0, 0, 0]).fault).toMatch(/MI_FLUSH_DW: not valid on rcs/);
  });
});

describe('register port: LRI / LRM / LRR / SRM', () => {
  /** A RingEngine alone, with a Map as its registers. */
  function engineWithMap(): { engine: RingEngine; regs: Map<number, number>; ram: Uint32Array } {
    const memory = new HostMemory();
    const buf = new SharedArrayBuffer(64 * 4096);
    memory.attach(0, buf);
    const ggtt = new Ggtt(1 << 24, memory);
    for (let i = 0; i < 64; i++) ggtt.setPte(i, ...encodePte(i * 4096));
    const regs = new Map<number, number>();
    const port: RegisterPort = { read32: (o) => regs.get(o) ?? 0, write32: (o, v) => void regs.set(o, v >>> 0) };
    return { engine: new RingEngine('rcs', ggtt, { regs: port }), regs, ram: new Uint32Array(buf) };
  }

  it('round-trips values exactly through the injected port', () => {
    const { engine, regs, ram } = engineWithMap();
    ram[S / 4] = 0x0badf00d;
    put(ram, RING_GM, [
      LRI(2), 0x7000, 0x11223344, 0x7004 | 0x3 /* low bits ignored */, 0x55667788,
      LRR, 0x7000, 0x7008,
      SRM, 0x7004, S + 4, 0,
      LRM, 0x700c, S, 0,
      SRM, 0x700c, S + 8, 0,
    ]);
    Object.assign(engine.ring, { start: RING_GM, head: 0, tail: 20 * 4, ctl: RING_CTL_SIZE(4096) | RING_CTL_VALID });
    const res = engine.run();
    expect(res.fault).toBeUndefined();
    expect(res.commands).toBe(5);
    expect([...regs.entries()].sort((a, b) => a[0] - b[0])).toEqual([
      [0x7000, 0x11223344],
      [0x7004, 0x55667788],
      [0x7008, 0x11223344],
      [0x700c, 0x0badf00d],
    ]);
    expect([ram[S / 4 + 1], ram[S / 4 + 2]]).toEqual([0x55667788, 0x0badf00d]);
  });

  it('LRI honours Byte Write Disables (bit 8 = byte 0)', () => {
    const { engine, regs, ram } = engineWithMap();
    regs.set(0x7000, 0xaabbccdd);
    put(ram, RING_GM, [LRI(1) | (0b0101 << 8), 0x7000, 0x11223344]);
    Object.assign(engine.ring, { start: RING_GM, head: 0, tail: 12, ctl: RING_CTL_SIZE(4096) | RING_CTL_VALID });
    expect(engine.run().fault).toBeUndefined();
    expect(regs.get(0x7000)).toBe(0x11bb33dd);
  });

  it('PPGTT LRM / SRM fault in a context without a PPGTT', () => {
    const { gpu, ram } = gpuWithRam();
    expect(runRing(gpu, ram, 'rcs', [LRM & ~(1 << 22), 0x7000, S, 0]).fault).toMatch(/MI_LOAD_REGISTER_MEM: PPGTT addressing in a context without a PPGTT/);
    expect(runRing(gpu, ram, 'rcs', [SRM & ~(1 << 22), 0x7000, S, 0]).fault).toMatch(/MI_STORE_REGISTER_MEM: PPGTT addressing in a context without a PPGTT/);
  });

  it('reaches the GPU MMIO: LRI kicks another engine, but writes to its own ring registers are dropped', () => {
    const { gpu, ram } = gpuWithRam();
    // BCS ring at BATCH_C with one SDI, programmed but not kicked.
    put(ram, BATCH_C, [SDI, S, 0, 0x5eed]);
    gpu.mmioWrite(BLT_RING_BASE + 0x38, BATCH_C);
    gpu.mmioWrite(BLT_RING_BASE + 0x3c, RING_CTL_SIZE(4096) | RING_CTL_VALID);
    const res = runRing(gpu, ram, 'rcs', [LRI(2), BLT_RING_BASE + RING_TAIL, 16, RENDER_RING_BASE + RING_HEAD, 0x800, SRM, 0x7000, S + 4, 0]);
    expect(res.fault).toBeUndefined();
    expect(ram[S / 4]).toBe(0x5eed);
    expect(gpu.engines.bcs.idle).toBe(true);
    expect(ringHead(gpu, 'rcs')).toBe(9 * 4); // not 0x800
    expect(gpu.busyUntilNs.bcs).toBeGreaterThan(0);
  });

  it('register offsets beyond the modelled MMIO space read 0 and swallow writes', () => {
    const { gpu, ram } = gpuWithRam();
    ram[S / 4] = 7;
    const res = runRing(gpu, ram, 'rcs', [LRI(1), 0x7ffffc, 1, SRM, 0x7ffffc, S, 0]);
    expect(res.fault).toBeUndefined();
    expect(ram[S / 4]).toBe(0);
  });
});

describe('MI_SEMAPHORE_WAIT', () => {
  it('evaluates each compare operation unsigned, SAD (memory) against SDD (inline)', () => {
    const cases: [number, number, number, boolean][] = [
      [SEMAPHORE_COMPARE.SAD_GREATER_THAN_SDD, 5, 4, true],
      [SEMAPHORE_COMPARE.SAD_GREATER_THAN_SDD, 4, 4, false],
      [SEMAPHORE_COMPARE.SAD_GREATER_THAN_OR_EQUAL_SDD, 4, 4, true],
      [SEMAPHORE_COMPARE.SAD_LESS_THAN_SDD, 3, 4, true],
      [SEMAPHORE_COMPARE.SAD_LESS_THAN_SDD, 0xffffffff, 4, false],
      [SEMAPHORE_COMPARE.SAD_LESS_THAN_OR_EQUAL_SDD, 4, 4, true],
      [SEMAPHORE_COMPARE.SAD_EQUAL_SDD, 4, 4, true],
      [SEMAPHORE_COMPARE.SAD_EQUAL_SDD, 4, 5, false],
      [SEMAPHORE_COMPARE.SAD_NOT_EQUAL_SDD, 4, 5, true],
      [SEMAPHORE_COMPARE.SAD_NOT_EQUAL_SDD, 5, 5, false],
    ];
    for (const [op, sad, sdd, passes] of cases) {
      const { gpu, ram } = gpuWithRam();
      ram[S / 4] = sad;
      const res = runRing(gpu, ram, 'rcs', [SEMAPHORE_WAIT(op), sdd, S, 0]);
      expect(res.fault).toBeUndefined();
      expect(res.stalled, `op ${op}: ${sad} vs ${sdd}`).toBe(!passes);
    }
  });

  it('stalls with head at the wait, then resumes once memory changes (resume() or a tail write)', () => {
    const { gpu, ram } = gpuWithRam();
    const cmds = [SDI, S + 4, 0, 1, SEMAPHORE_WAIT(SEMAPHORE_COMPARE.SAD_EQUAL_SDD), 42, S, 0, SDI, S + 8, 0, 2, MI_USER_INTERRUPT];
    let res = runRing(gpu, ram, 'rcs', cmds);
    expect(res).toMatchObject({ commands: 1, stalled: true, hung: false, userInterrupts: 0 });
    expect(res.fault).toBeUndefined();
    expect(ringHead(gpu, 'rcs')).toBe(16);
    expect(gpu.engines.rcs.idle).toBe(false);
    expect(gpu.engines.rcs.stalled).toBe(true);
    // Still false: a second kick stalls again without re-running anything.
    expect(gpu.resume('rcs')).toMatchObject({ commands: 0, stalled: true });
    ram[S / 4] = 42;
    res = gpu.resume('rcs');
    expect(res).toMatchObject({ commands: 3, stalled: false, userInterrupts: 1 });
    expect(ram[S / 4 + 2]).toBe(2);
    expect(gpu.engines.rcs.idle).toBe(true);
    expect(gpu.engines.rcs.stalled).toBe(false);

    // The same through a RING_TAIL write (same tail).
    const { gpu: g2, ram: r2 } = gpuWithRam();
    expect(runRing(g2, r2, 'bcs', cmds).stalled).toBe(true);
    r2[S / 4] = 42;
    expect(g2.mmioWrite(BLT_RING_BASE + RING_TAIL, cmds.length * 4)).toMatchObject({ commands: 3, stalled: false });
  });

  it('stalls inside a batch and resumes inside it', () => {
    const { gpu, ram } = gpuWithRam();
    put(ram, BATCH_A, [SEMAPHORE_WAIT(SEMAPHORE_COMPARE.SAD_NOT_EQUAL_SDD), 0, S, 0, SDI, S + 4, 0, 9, MI_BATCH_BUFFER_END]);
    let res = runRing(gpu, ram, 'rcs', [BB_START, BATCH_A, 0, SDI, S + 8, 0, 10]);
    expect(res).toMatchObject({ commands: 1, stalled: true });
    expect(ringHead(gpu, 'rcs')).toBe(12); // past the ring's BB_START, as on hardware
    expect(gpu.engines.rcs.batchDepth).toBe(1);
    expect(gpu.engines.rcs.batchAddress).toBe(BATCH_A);
    ram[S / 4] = 1;
    res = gpu.resume('rcs');
    expect(res).toMatchObject({ commands: 4, stalled: false });
    expect([ram[S / 4 + 1], ram[S / 4 + 2]]).toEqual([9, 10]);
    expect(gpu.engines.rcs.idle).toBe(true);
  });
});

describe('batch buffers', () => {
  it('ring → first level; a second-level call returns to its caller; a chain never returns', () => {
    const { gpu, ram } = gpuWithRam();
    const sdi = (slot: number, v: number): number[] => [SDI, S + slot * 4, 0, v];
    put(ram, BATCH_A, [...sdi(0, 1), BB_START | BB_SECOND, BATCH_B, 0, ...sdi(2, 3), BB_START, BATCH_C, 0, ...sdi(5, 99), MI_BATCH_BUFFER_END]);
    put(ram, BATCH_B, [...sdi(1, 2), MI_BATCH_BUFFER_END, ...sdi(6, 99)]);
    put(ram, BATCH_C, [...sdi(3, 4), MI_BATCH_BUFFER_END, ...sdi(7, 99)]);
    const res = runRing(gpu, ram, 'rcs', [MI_BATCH_BUFFER_END, BB_START, BATCH_A, 0, ...sdi(4, 5), MI_USER_INTERRUPT]);
    expect(res.fault).toBeUndefined();
    expect([...ram.subarray(S / 4, S / 4 + 8)]).toEqual([1, 2, 3, 4, 5, 0, 0, 0]);
    // ring: BB_END, BB_START, SDI, USER_INTERRUPT; A: SDI, BB_START(2nd), SDI, BB_START(chain); B: SDI, BB_END; C: SDI, BB_END.
    expect(res.commands).toBe(12);
    expect(res.userInterrupts).toBe(1);
    expect(gpu.engines.rcs.idle).toBe(true);
    expect(ringHead(gpu, 'rcs')).toBe(9 * 4);
  });

  it('chaining inside a second-level batch still returns to the first level', () => {
    const { gpu, ram } = gpuWithRam();
    put(ram, BATCH_A, [BB_START | BB_SECOND, BATCH_B, 0, SDI, S, 0, 1, MI_BATCH_BUFFER_END]);
    put(ram, BATCH_B, [BB_START, BATCH_C, 0]);
    put(ram, BATCH_C, [SDI, S + 4, 0, 2, MI_BATCH_BUFFER_END]);
    const res = runRing(gpu, ram, 'bcs', [BB_START, BATCH_A, 0]);
    expect(res.fault).toBeUndefined();
    expect([ram[S / 4], ram[S / 4 + 1]]).toEqual([1, 2]);
  });

  it('a call from a second-level batch (third level) faults there', () => {
    const { gpu, ram } = gpuWithRam();
    put(ram, BATCH_A, [BB_START | BB_SECOND, BATCH_B, 0, MI_BATCH_BUFFER_END]);
    put(ram, BATCH_B, [MI_NOOP, BB_START | BB_SECOND, BATCH_C, 0, MI_BATCH_BUFFER_END]);
    put(ram, BATCH_C, [SDI, S, 0, 1, MI_BATCH_BUFFER_END]);
    const res = runRing(gpu, ram, 'rcs', [BB_START, BATCH_A, 0]);
    expect(res.fault).toBe(`rcs: MI_BATCH_BUFFER_START: batch nesting deeper than second level (called from a level-2 batch) at batch GM 0x${(BATCH_B + 4).toString(16)} (level 2)`);
    expect(res.commands).toBe(3);
    expect(ram[S / 4]).toBe(0);
  });

  it('a PPGTT batch faults', () => {
    const { gpu, ram } = gpuWithRam();
    expect(runRing(gpu, ram, 'rcs', [BB_START | BB_PPGTT, BATCH_A, 0]).fault).toMatch(/MI_BATCH_BUFFER_START: PPGTT batch buffer in a context without a PPGTT/);
  });

  it('a batch that jumps to itself runs out of the budget: hung, not a fault, and continues on the next kick', () => {
    const { gpu, ram } = gpuWithRam();
    put(ram, BATCH_A, [MI_NOOP, BB_START, BATCH_A, 0]);
    const res = runRing(gpu, ram, 'rcs', [BB_START, BATCH_A, 0, MI_USER_INTERRUPT]);
    expect(res.fault).toBeUndefined();
    expect(res).toMatchObject({ hung: true, stalled: false, commands: MAX_COMMANDS_PER_KICK, costNs: MAX_COMMANDS_PER_KICK * COST_PER_COMMAND_NS });
    expect(gpu.engines.rcs.idle).toBe(false);
    expect(gpu.engines.rcs.batchDepth).toBe(1);
    expect(gpu.resume('rcs')).toMatchObject({ hung: true, commands: MAX_COMMANDS_PER_KICK });
  });

  it('reprogramming the ring drops a batch left in flight', () => {
    const { gpu, ram } = gpuWithRam();
    put(ram, BATCH_A, [MI_NOOP, BB_START, BATCH_A, 0]);
    expect(runRing(gpu, ram, 'rcs', [BB_START, BATCH_A, 0]).hung).toBe(true);
    // A new workload at head 0: the old batch does not come back.
    const res = runRing(gpu, ram, 'rcs', [SDI, S, 0, 3]);
    expect(res).toMatchObject({ commands: 1, hung: false });
    expect(ram[S / 4]).toBe(3);
  });
});

describe('ring bounds', () => {
  it('faults on a tail outside the ring and on a command running past the tail', () => {
    const { gpu, ram } = gpuWithRam();
    runRing(gpu, ram, 'rcs', []);
    expect(gpu.mmioWrite(RENDER_RING_BASE + RING_TAIL, 8192)!.fault).toBe('rcs: RING_TAIL 0x2000 is outside the 4096-byte ring');
    const res = runRing(gpu, ram, 'rcs', [SDI, S, 0]);
    expect(res.fault).toMatch(/MI_STORE_DATA_IMM \(4 dwords\) at head 0x0 runs past RING_TAIL 0xc/);
  });

  it('wraps at the end of the ring', () => {
    const { gpu, ram } = gpuWithRam();
    put(ram, RING_GM + 4096 - 8, [SDI, S]);
    put(ram, RING_GM, [0, 77]);
    const base = ENGINE_BASE.rcs;
    gpu.mmioWrite(base + 0x38, RING_GM);
    gpu.mmioWrite(base + 0x3c, RING_CTL_SIZE(4096) | RING_CTL_VALID);
    gpu.mmioWrite(base + RING_HEAD, 4096 - 8);
    expect(gpu.mmioWrite(base + RING_TAIL, 8)).toMatchObject({ commands: 1 });
    expect(ram[S / 4]).toBe(77);
  });
});

describe('MI_DISPLAY_FLIP', () => {
  it('updates pipe A primary PLANE_SURF (low bits kept) and PLANE_STRIDE, and reports the flip', () => {
    const { gpu, ram } = gpuWithRam();
    gpu.mmioWrite(PLANE_SURF_1_A, 0x00100004);
    gpu.mmioWrite(PLANE_STRIDE_1_A, 0x12345000);
    const res = runRing(gpu, ram, 'bcs', [DISPLAY_FLIP(0), 8192 | 1, 0x00400000]);
    expect(res.fault).toBeUndefined();
    expect(gpu.mmioRead(PLANE_SURF_1_A)).toBe(0x00400004);
    expect(gpu.mmioRead(PLANE_STRIDE_1_A)).toBe(0x12345000 | (8192 / 64));
    expect(gpu.plane(0)).toMatchObject({ surf: 0x00400004, stride: 0x12345000 | 128 });
    expect(res.flips).toEqual([{ plane: 0, surf: 0x00400000, pitch: 8192, tiling: 1, async: false, applied: true }]);
  });

  it('records a flip of an unmodelled plane (Skylake plane code 1 = pipe B primary, bits 12:8 as skl_decode_mi_display_flip reads them) without touching pipe A', () => {
    const { gpu, ram } = gpuWithRam();
    gpu.mmioWrite(PLANE_SURF_1_A, 0x00100000);
    const res = runRing(gpu, ram, 'rcs', [DISPLAY_FLIP(1), 4096, 0x00800000 | 1]);
    expect(res.fault).toBeUndefined();
    expect(gpu.mmioRead(PLANE_SURF_1_A)).toBe(0x00100000);
    expect(res.flips).toEqual([{ plane: 1, surf: 0x00800000, pitch: 4096, tiling: 0, async: true, applied: false }]);
  });
});

describe('GEN6_GDRST engine reset', () => {
  /** RCS stalled at a semaphore, BCS hung in a self-jumping batch. */
  function stuck(): ReturnType<typeof gpuWithRam> {
    const g = gpuWithRam();
    put(g.ram, BATCH_A, [BB_START, BATCH_A, 0]);
    expect(runRing(g.gpu, g.ram, 'rcs', [SEMAPHORE_WAIT(SEMAPHORE_COMPARE.SAD_EQUAL_SDD), 1, S, 0, MI_NOOP]).stalled).toBe(true);
    // A second ring for BCS (RING_GM is taken by RCS).
    put(g.ram, BATCH_C, [BB_START, BATCH_A, 0, MI_NOOP]);
    g.gpu.mmioWrite(BLT_RING_BASE + 0x38, BATCH_C);
    g.gpu.mmioWrite(BLT_RING_BASE + 0x3c, RING_CTL_SIZE(4096) | RING_CTL_VALID);
    expect(g.gpu.mmioWrite(BLT_RING_BASE + RING_TAIL, 16, 1000)!.hung).toBe(true);
    return g;
  }

  it('resets only the selected engine: idle, head = tail, batch dropped; the bits read back 0', () => {
    const { gpu } = stuck();
    expect(gpu.busyUntilNs.bcs).toBeGreaterThan(1_000_000);
    expect(gpu.mmioWrite(GEN6_GDRST, GEN6_GRDOM_BLT, 2000)).toEqual({ commands: 0, pixels: 0, costNs: 0, userInterrupts: 0, notifyInterrupts: 0, stalled: false, hung: false, flips: [], reset: ['bcs'] });
    expect(gpu.mmioRead(GEN6_GDRST)).toBe(0);
    expect(gpu.engines.bcs.idle).toBe(true);
    expect(gpu.engines.bcs.batchDepth).toBe(0);
    expect(ringHead(gpu, 'bcs')).toBe(16);
    expect(gpu.busyUntilNs.bcs).toBe(2000);
    expect(gpu.mmioWrite(BLT_RING_BASE + RING_TAIL, 16)).toMatchObject({ commands: 0, hung: false });
    // RCS untouched: still stalled at its semaphore.
    expect(gpu.engines.rcs.idle).toBe(false);
    expect(ringHead(gpu, 'rcs')).toBe(0);
    expect(gpu.resume('rcs').stalled).toBe(true);
  });

  it('render domain resets RCS only; full reset resets both; unrelated bits reset nothing', () => {
    let { gpu } = stuck();
    expect(gpu.mmioWrite(GEN6_GDRST, 1 << 2)).toBeUndefined(); // media: not modelled
    expect(gpu.mmioWrite(GEN6_GDRST, GEN6_GRDOM_RENDER)!.reset).toEqual(['rcs']);
    expect(gpu.engines.rcs.idle).toBe(true);
    expect(ringHead(gpu, 'rcs')).toBe(20);
    expect(gpu.engines.bcs.idle).toBe(false);
    ({ gpu } = stuck());
    expect(gpu.mmioWrite(GEN6_GDRST, GEN6_GRDOM_FULL)!.reset).toEqual(['rcs', 'bcs']);
    expect(gpu.engines.rcs.idle && gpu.engines.bcs.idle).toBe(true);
  });

  it('a reset from the engine itself (LRI to GDRST) stops it at once', () => {
    const { gpu, ram } = gpuWithRam();
    const res = runRing(gpu, ram, 'rcs', [LRI(1), GEN6_GDRST, GEN6_GRDOM_RENDER, SDI, S, 0, 5]);
    expect(res.commands).toBe(1);
    expect(ram[S / 4]).toBe(0);
    expect(gpu.engines.rcs.idle).toBe(true);
    expect(ringHead(gpu, 'rcs')).toBe(28);
  });
});

describe('execlist submissions carry the new result fields', () => {
  it('notify interrupts, stalls and flips survive the ELSP path', () => {
    const { gpu, ram } = gpuWithRam();
    const ctx = 40 * 4096;
    put(ram, RING_GM, [PIPE_CONTROL, pcPostSync(1) | PC_GLOBAL_GTT | PC_NOTIFY, S, 0, 7, 0, DISPLAY_FLIP(0), 4096, 0x200000, SEMAPHORE_WAIT(SEMAPHORE_COMPARE.SAD_EQUAL_SDD), 1, S + 8, 0]);
    const st = (ctx + 4096) / 4;
    ram[st + 5] = 0;
    ram[st + 7] = 13 * 4;
    ram[st + 9] = RING_GM;
    ram[st + 11] = RING_CTL_SIZE(4096) | RING_CTL_VALID;
    gpu.mmioWrite(RENDER_RING_BASE + RING_MODE_GEN7, maskedBitEnable(GFX_RUN_LIST_ENABLE));
    const [lo, hi] = contextDescriptor(ctx, 7);
    let res;
    for (const dw of [0, 0, hi, lo]) res = gpu.mmioWrite(RENDER_RING_BASE + RING_ELSP, dw) ?? res;
    expect(res).toMatchObject({ commands: 2, notifyInterrupts: 1, stalled: true, hung: false });
    expect(res!.flips).toHaveLength(1);
    expect(ram[S / 4]).toBe(7);
    expect(ram[st + 5]).toBe(9 * 4);
    expect(gpu.mmioRead(GEN8_GT_IIR0) & GT_RENDER_PIPECTL_NOTIFY_INTERRUPT).toBe(GT_RENDER_PIPECTL_NOTIFY_INTERRUPT);
  });
});

describe('robustness', () => {
  it('never throws or runs past the budget on random rings and batches', () => {
    let seed = 12345;
    const rnd = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed;
    };
    // Bias toward real opcodes so execution gets past the first dword.
    const heads = [0, MI_USER_INTERRUPT, SDI, BB_START, BB_START | BB_SECOND, MI_BATCH_BUFFER_END, LRI(1), SRM, LRM, LRR, SEMAPHORE_WAIT(0), PIPE_CONTROL, FLUSH_DW(3), DISPLAY_FLIP(0), 0x7b000005];
    for (let round = 0; round < 60; round++) {
      const { gpu, ram } = gpuWithRam();
      const gen = (): number => {
        const r = rnd();
        if (r % 3 === 0) return heads[(r >>> 8) % heads.length];
        if (r % 3 === 1) return (BATCH_A + ((r >>> 4) % 3) * 4096 + ((r >>> 12) % 64) * 4) >>> 0; // plausible batch / store addresses
        return rnd();
      };
      for (let i = 0; i < 1024; i++) ram[RING_GM / 4 + i] = gen();
      for (let i = 0; i < 3 * 1024; i++) ram[BATCH_A / 4 + i] = gen();
      for (const engine of ['rcs', 'bcs'] as const) {
        let res;
        expect(() => (res = runRing(gpu, ram, engine, [...ram.subarray(RING_GM / 4, RING_GM / 4 + 200)]))).not.toThrow();
        expect(res!.commands).toBeLessThanOrEqual(MAX_COMMANDS_PER_KICK);
        expect(() => gpu.resume(engine)).not.toThrow();
      }
    }
  });
});
