/**
 * The MI commands GVT-g's cmd_parser.c lets guests use and this engine now executes: MI_MATH (the
 * command streamer ALU), MI_PREDICATE with predicated MI_BATCH_BUFFER_START and
 * MI_STORE_REGISTER_MEM, PIPE_CONTROL's LRI post-sync, MI_LOAD_SCAN_LINES_INCL.
 */
import { describe, expect, it } from 'vitest';
import { ALU, ALU_REG, MI_PREDICATE_RESULT, MI_PREDICATE_SRC0, MI_PREDICATE_SRC1, aluInstr } from '../../../src/main/gpu/mi-commands';
import { BATCH_A, BB_START, MI_BATCH_BUFFER_END, MI_USER_INTERRUPT, PIPE_CONTROL, SCRATCH, SRM, gpuWithRam, put, runRing } from './helpers';

const RCS_GPR = 0x2600;
const BCS_GPR = 0x22600;
const MI_MATH = (n: number): number => ((0x1a << 23) | (n - 1)) >>> 0;
const MI_PREDICATE = (load: number, combine: number, compare: number): number => ((0x0c << 23) | (load << 6) | (combine << 3) | compare) >>> 0;
const BB_PREDICATED = 1 << 15;
const gpr = (base: number, n: number) => base + n * 8;

describe('MI_MATH (CS ALU over the GPRs; Mesa mi_builder.h, i915 MI_MATH_*)', () => {
  it('adds and subtracts 64-bit GPRs with carry/borrow and zero flags, and stores inverted values', () => {
    const { gpu, ram } = gpuWithRam();
    const set64 = (off: number, v: bigint) => {
      gpu.mmioWrite(off, Number(v & 0xffffffffn));
      gpu.mmioWrite(off + 4, Number(v >> 32n));
    };
    const get64 = (off: number) => (BigInt(gpu.mmioRead(off + 4) >>> 0) << 32n) | BigInt(gpu.mmioRead(off) >>> 0);
    set64(gpr(BCS_GPR, 0), 0xffffffff_fffffffen);
    set64(gpr(BCS_GPR, 1), 3n);
    const prog = [
      aluInstr(ALU.LOAD, ALU_REG.SRCA, 0),
      aluInstr(ALU.LOAD, ALU_REG.SRCB, 1),
      aluInstr(ALU.ADD, 0, 0),
      aluInstr(ALU.STORE, 2, ALU_REG.ACCU),
      aluInstr(ALU.STORE, 3, ALU_REG.CF),
      aluInstr(ALU.SUB, 0, 0),
      aluInstr(ALU.STORE, 4, ALU_REG.ACCU),
      aluInstr(ALU.LOAD0, ALU_REG.SRCA, 0),
      aluInstr(ALU.LOAD0, ALU_REG.SRCB, 0),
      aluInstr(ALU.XOR, 0, 0),
      aluInstr(ALU.STORE, 5, ALU_REG.ZF),
      aluInstr(ALU.STOREINV, 6, ALU_REG.ZF),
    ];
    const res = runRing(gpu, ram, 'bcs', [MI_MATH(prog.length + 1), ...prog, 0]);
    expect(res.fault).toBeUndefined();
    expect(get64(gpr(BCS_GPR, 2))).toBe(1n); // wrapped
    expect(get64(gpr(BCS_GPR, 3))).toBe(0xffffffff_ffffffffn); // carry out
    expect(get64(gpr(BCS_GPR, 4))).toBe(0xffffffff_fffffffbn);
    expect(get64(gpr(BCS_GPR, 5))).toBe(0xffffffff_ffffffffn);
    expect(get64(gpr(BCS_GPR, 6))).toBe(0n);
    // The render engine's ALU works on the render GPRs.
    expect(get64(gpr(RCS_GPR, 2))).toBe(0n);
  });

  it('faults on an unknown ALU opcode or a store to a non-GPR operand', () => {
    const { gpu, ram } = gpuWithRam();
    expect(runRing(gpu, ram, 'bcs', [MI_MATH(2), 0x7770_0000, 0]).fault).toMatch(/unknown opcode 0x777/);
    expect(runRing(gpu, ram, 'bcs', [MI_MATH(2), aluInstr(ALU.STORE, ALU_REG.ACCU, 0), 0]).fault).toMatch(/invalid operand/);
  });
});

describe('MI_PREDICATE and predicated commands', () => {
  it('SRCS_EQUAL loads MI_PREDICATE_RESULT; a predicated batch runs only when it is set, a predicated SRM stores only then', () => {
    const { gpu, ram } = gpuWithRam();
    gpu.mmioWrite(MI_PREDICATE_SRC0, 5);
    gpu.mmioWrite(MI_PREDICATE_SRC1, 6);
    put(ram, BATCH_A, [MI_USER_INTERRUPT, MI_BATCH_BUFFER_END]);
    // LOAD, SET, SRCS_EQUAL: 5 != 6 → false; the predicated batch is skipped, the SRM does not store.
    ram[SCRATCH / 4] = 0xaaaa;
    let res = runRing(gpu, ram, 'rcs', [MI_PREDICATE(2, 0, 2), BB_START | BB_PREDICATED, BATCH_A, 0, (SRM | (1 << 21)) >>> 0, 0x2600, SCRATCH, 0]);
    expect(res.fault).toBeUndefined();
    expect(gpu.mmioRead(MI_PREDICATE_RESULT)).toBe(0);
    expect(res.userInterrupts).toBe(0);
    expect(ram[SCRATCH / 4]).toBe(0xaaaa);
    // LOADINV: now true; the batch runs and the SRM stores.
    gpu.mmioWrite(0x2600, 0x1234);
    res = runRing(gpu, ram, 'rcs', [MI_PREDICATE(3, 0, 2), BB_START | BB_PREDICATED, BATCH_A, 0, (SRM | (1 << 21)) >>> 0, 0x2600, SCRATCH, 0]);
    expect(gpu.mmioRead(MI_PREDICATE_RESULT)).toBe(1);
    expect(res.userInterrupts).toBe(1);
    expect(ram[SCRATCH / 4]).toBe(0x1234);
    // Combine AND with COMPARE_FALSE: false again; KEEP + XOR with itself stays false.
    runRing(gpu, ram, 'rcs', [MI_PREDICATE(2, 1, 1)]);
    expect(gpu.mmioRead(MI_PREDICATE_RESULT)).toBe(0);
    expect(runRing(gpu, ram, 'rcs', [MI_PREDICATE(2, 0, 3)]).fault).toMatch(/COMPARE_DELTAS_EQUAL is not modelled/);
  });
});

describe('PIPE_CONTROL LRI post-sync and MI_LOAD_SCAN_LINES_INCL', () => {
  it('an LRI post-sync writes the immediate data to the register in dw2', () => {
    const { gpu, ram } = gpuWithRam();
    const res = runRing(gpu, ram, 'rcs', [PIPE_CONTROL, 1 << 23, 0x2608, 0, 0xc0ffee, 0]);
    expect(res.fault).toBeUndefined();
    expect(gpu.mmioRead(0x2608)).toBe(0xc0ffee);
  });

  it('MI_LOAD_SCAN_LINES_INCL is 2 dwords whatever its length field and does not stop the engine', () => {
    const { gpu, ram } = gpuWithRam();
    const res = runRing(gpu, ram, 'bcs', [((0x12 << 23) | 5) >>> 0, 0x00100200, MI_USER_INTERRUPT, 0]);
    expect(res.fault).toBeUndefined();
    expect(res).toMatchObject({ commands: 3, userInterrupts: 1 });
  });
});
