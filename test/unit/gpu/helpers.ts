/** Shared fixtures for the physical-GPU engine tests: a GPU with RAM mapped 1:1 and ring kicks. */
import { encodePte } from '../../../src/main/gpu/ggtt';
import { ENGINE_BASE, Gen9Gpu } from '../../../src/main/gpu/gpu';
import type { EngineId, ExecResult } from '../../../src/main/gpu/engine';
import { RING_CTL, RING_CTL_SIZE, RING_CTL_VALID, RING_HEAD, RING_START, RING_TAIL } from '../../../src/shared/regs';

/** Where the tests put rings (GM = host-physical, mapped 1:1). */
export const RING_GM = 16 * 4096;
export const BATCH_A = 24 * 4096;
export const BATCH_B = 25 * 4096;
export const BATCH_C = 26 * 4096;
/** A scratch page for stores. */
export const SCRATCH = 32 * 4096;

/** A GPU with `pages` of RAM at host-physical 0 mapped 1:1 from GM 0, interrupts unmasked. */
export function gpuWithRam(pages = 64): { gpu: Gen9Gpu; ram: Uint32Array } {
  const gpu = new Gen9Gpu();
  const buf = new SharedArrayBuffer(pages * 4096);
  gpu.memory.attach(0, buf);
  for (let i = 0; i < pages; i++) gpu.ggtt.setPte(i, ...encodePte(i * 4096));
  gpu.gt0.imr = 0;
  gpu.gt0.ier = 0xffffffff;
  return { gpu, ram: new Uint32Array(buf) };
}

/** Put dwords at GM `gm` (RAM is mapped 1:1). */
export function put(ram: Uint32Array, gm: number, dwords: readonly number[]): void {
  dwords.forEach((d, i) => (ram[gm / 4 + i] = d >>> 0));
}

/** Program `engine`'s ring (4 KiB at RING_GM, head 0) with `cmds` and kick it with a RING_TAIL write. */
export function runRing(gpu: Gen9Gpu, ram: Uint32Array, engine: EngineId, cmds: readonly number[], nowNs = 0): ExecResult {
  put(ram, RING_GM, cmds);
  const base = ENGINE_BASE[engine];
  gpu.mmioWrite(base + RING_START, RING_GM);
  gpu.mmioWrite(base + RING_HEAD, 0);
  gpu.mmioWrite(base + RING_CTL, RING_CTL_SIZE(4096) | RING_CTL_VALID);
  return gpu.mmioWrite(base + RING_TAIL, cmds.length * 4, nowNs)!;
}

export const ringHead = (gpu: Gen9Gpu, engine: EngineId): number => gpu.mmioRead(ENGINE_BASE[engine] + RING_HEAD);

// ---- command encodings (Gen8/Gen9; genxml gen9.xml) ----
export const MI_NOOP = 0;
export const MI_ARB_CHECK = 0x05 << 23;
export const MI_ARB_ON_OFF = (0x08 << 23) | 1;
export const MI_USER_INTERRUPT = 0x02 << 23;
export const MI_BATCH_BUFFER_END = 0x0a << 23;
export const BB_START = (0x31 << 23) | 1;
export const BB_SECOND = 1 << 22;
export const BB_PPGTT = 1 << 8;
export const SDI = ((0x20 << 23) | (1 << 22) | 2) >>> 0;
export const SDI_QWORD = ((0x20 << 23) | (1 << 22) | (1 << 21) | 3) >>> 0;
export const SDI_PPGTT = ((0x20 << 23) | 2) >>> 0;
export const FLUSH_DW = (postSync: number, notify = false): number => ((0x26 << 23) | (postSync << 14) | (notify ? 1 << 8 : 0) | 3) >>> 0;
export const FLUSH_DW_GGTT = 1 << 2;
/** PIPE_CONTROL header (type 3, subtype 3, opcode 2, subopcode 0), 6 dwords. */
export const PIPE_CONTROL = 0x7a000004;
export const PC_GLOBAL_GTT = 1 << 24;
export const PC_NOTIFY = 1 << 8;
export const pcPostSync = (op: number): number => op << 14;
export const LRI = (pairs: number): number => ((0x22 << 23) | (2 * pairs - 1)) >>> 0;
export const LRM = ((0x29 << 23) | (1 << 22) | 2) >>> 0;
export const SRM = ((0x24 << 23) | (1 << 22) | 2) >>> 0;
export const LRR = ((0x2a << 23) | 1) >>> 0;
export const SEMAPHORE_WAIT = (op: number): number => ((0x1c << 23) | (1 << 22) | (1 << 15) | (op << 12) | 2) >>> 0;
/** MI_DISPLAY_FLIP with a Skylake plane select code (dw0 bits 12:8, i915 MI_DISPLAY_FLIP_SKL_PLANE_*). */
export const DISPLAY_FLIP = (plane: number): number => ((0x14 << 23) | (plane << 8) | 1) >>> 0;
/** 3DPRIMITIVE (type 3, subtype 3, opcode 3, subopcode 0), 7 dwords; bit 10 indirect parameters. */
export const PRIMITIVE_3D = 0x7b000005;
export const PRIM_INDIRECT = 1 << 10;
/** PIPELINE_SELECT (type 3, subtype 1, opcode 1, subopcode 4), 1 dword. */
export const PIPELINE_SELECT = 0x69040000;
