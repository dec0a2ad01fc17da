/**
 * The scanner's policy against GVT-g's cmd_parser.c, one upstream handler per test: what a stock
 * i915 / Mesa stream emits is accepted, what GVT-g refuses is refused, and Store Data Index
 * post-sync writes are relocated into the vGPU's hardware status page as patch_value does.
 */
import { describe, expect, it } from 'vitest';
import { addVm, rig } from '../helpers/system';
import { scanWorkload } from '../../../src/main/mediator/cmd-scan';
import { MI, MI_BATCH_BUFFER_END, MI_BATCH_BUFFER_START_GGTT, MI_BATCH_SECOND_LEVEL, MI_LOAD_REGISTER_IMM_N, MI_NOOP, MI_USER_INTERRUPT, ROP_PATCOPY, ROP_SRCCOPY, XY_COLOR_BLT_CMD, XY_SRC_COPY_BLT_CMD, br13 } from '../../../src/shared/commands';

function setup() {
  const r = rig();
  const { v } = addVm(r, 1);
  const mem = new Map<number, number>();
  const put = (gm: number, dws: number[]) => dws.forEach((d, i) => mem.set(gm + i * 4, d >>> 0));
  const scan = (engine: 'rcs' | 'bcs', ring: number[]) => scanWorkload(v, engine, Uint32Array.from(ring), (gm) => mem.get(gm));
  return { v, put, scan, base: v.alloc.lowGm.base };
}

const bbStart = (gm: number, flags = 0) => [(MI_BATCH_BUFFER_START_GGTT | flags) >>> 0, gm, 0];
/** An MI header of `len` dwords (DWord Length = len - 2) with extra dw0 bits. */
const mi = (op: number, len = 1, bits = 0) => ((op << 23) | (len > 1 ? len - 2 : 0) | bits) >>> 0;
const GGTT = 1 << 22;
const refused = (re: RegExp) => ({ ok: false, reason: expect.stringMatching(re) });

describe('scanner policy as GVT-g cmd_parser.c', () => {
  it('cmd_handler_mi_batch_buffer_start: no second-level batch from the ring, no MI_BATCH_BUFFER_START in a second-level batch', () => {
    const { put, scan, base } = setup();
    put(base + 0x1000, [MI_NOOP, MI_BATCH_BUFFER_END]);
    expect(scan('bcs', bbStart(base + 0x1000, MI_BATCH_SECOND_LEVEL))).toMatchObject(refused(/second-level batch buffer from the ring is not allowed/));
    expect(scan('bcs', bbStart(base + 0x1000)).ok).toBe(true);
    // First-level batch calls a second-level one, which chains: refused (chained or called alike).
    put(base + 0x2000, [...bbStart(base + 0x3000, MI_BATCH_SECOND_LEVEL), MI_BATCH_BUFFER_END]);
    put(base + 0x3000, [...bbStart(base + 0x1000), MI_BATCH_BUFFER_END]);
    expect(scan('bcs', bbStart(base + 0x2000))).toMatchObject(refused(/MI_BATCH_BUFFER_START: not allowed in a second-level batch buffer/));
    // A first-level batch may chain to another first-level batch.
    put(base + 0x4000, [MI_NOOP, ...bbStart(base + 0x1000)]);
    expect(scan('bcs', bbStart(base + 0x4000)).ok).toBe(true);
  });

  it('cmd_info entries without a handler run as emitted: MI_ARB_ON_OFF, MI_MATH, MI_PREDICATE (R_RCS only), MI_LOAD_SCAN_LINES_INCL (F_LEN_CONST 2)', () => {
    const { scan } = setup();
    expect(scan('bcs', [mi(MI.ARB_ON_OFF), mi(MI.ARB_ON_OFF, 1, 1), MI_USER_INTERRUPT]).ok).toBe(true);
    expect(scan('rcs', [mi(MI.MATH, 3), 0x08000000, 0x10000000]).ok).toBe(true);
    expect(scan('rcs', [mi(MI.PREDICATE, 1, (2 << 6) | 2)]).ok).toBe(true);
    expect(scan('bcs', [mi(MI.PREDICATE, 1, (2 << 6) | 2)])).toMatchObject(refused(/MI_PREDICATE is not valid on bcs/));
    // DWord Length says 5, GVT-g reads 2 dwords: the next dword is the next command.
    const r = scan('rcs', [mi(MI.LOAD_SCAN_LINES_INCL, 7), 0, MI_USER_INTERRUPT]);
    expect(r.ok && r.commands).toBe(2);
  });

  it('unexpected_cmd (cmd_handler_mi_semaphore_wait, cmd_handler_mi_store_data_index, cmd_handler_mi_conditional_batch_buffer_end, cmd_handler_mi_report_perf_count, cmd_handler_mi_clflush, cmd_handler_mi_op_2e): MI_SEMAPHORE_WAIT, MI_STORE_DATA_INDEX, MI_CONDITIONAL_BATCH_BUFFER_END, MI_REPORT_PERF_COUNT, MI_CLFLUSH and MI_COPY_MEM_MEM are refused', () => {
    const { scan, base } = setup();
    expect(scan('bcs', [mi(MI.SEMAPHORE_WAIT, 4, GGTT), 0, base, 0])).toMatchObject(refused(/MI_SEMAPHORE_WAIT is privileged or not allowed/));
    expect(scan('bcs', [mi(MI.STORE_DATA_INDEX, 3), 0x40, 1])).toMatchObject(refused(/MI_STORE_DATA_INDEX is privileged or not allowed/));
    expect(scan('bcs', [mi(MI.CONDITIONAL_BATCH_BUFFER_END, 4, GGTT), 0, base, 0])).toMatchObject(refused(/MI_CONDITIONAL_BATCH_BUFFER_END is privileged/));
    expect(scan('rcs', [mi(0x28, 4), base, 0, 0])).toMatchObject(refused(/MI_REPORT_PERF_COUNT is privileged/));
    expect(scan('rcs', [mi(0x27, 3), base, 0])).toMatchObject(refused(/MI_CLFLUSH is privileged/));
    expect(scan('bcs', [mi(0x2e, 5), base, 0, base + 8, 0])).toMatchObject(refused(/MI_COPY_MEM_MEM is privileged/));
  });

  it('cmd_handler_mi_op_2f (MI_ATOMIC) is accepted upstream but refused here: this engine does not execute atomics', () => {
    const { scan, base } = setup();
    expect(scan('bcs', [mi(MI.ATOMIC, 3, GGTT | (7 << 8)), base, 0])).toMatchObject(refused(/MI_ATOMIC is not executed by this GPU model/));
  });

  it('cmd_handler_mi_flush_dw: 4 or 5 dwords; a Store Data Index write stays inside the HWSP and is relocated to RING_HWS_PGA', () => {
    const { v, scan, base } = setup();
    const flush = (len: number, bits: number, addrLo: number) => [mi(MI.FLUSH_DW, len, bits), addrLo, 0, 7, 0].slice(0, len);
    expect(scan('bcs', flush(3, 0, 0))).toMatchObject(refused(/length 3 dwords is not valid \(must be 4 or 5\)/));
    expect(scan('bcs', flush(4, 0, 0)).ok).toBe(true);
    const indexed = flush(5, (1 << 14) | (1 << 21), 0x30 | (1 << 2));
    // No hardware status page yet (hws_pga_write never called): nothing to relocate into.
    expect(scan('bcs', indexed)).toMatchObject(refused(/hardware status page .* is not in the vGPU's graphics memory/));
    v.hwsPga.bcs = base + 0x7000;
    const r = scan('bcs', indexed);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    // patch_value: dw1 = hws_pga + offset (Use Global GTT kept, unlike upstream), the index bit cleared.
    expect([...r.segments[0]]).toEqual([mi(MI.FLUSH_DW, 5, 1 << 14), base + 0x7030 + (1 << 2), 0, 7, 0]);
    expect(scan('bcs', flush(5, (1 << 14) | (1 << 21), 0x1000 | (1 << 2)))).toMatchObject(refused(/offset 0x1000 is outside the hardware status page/));
    // The HWSP must be the vGPU's own memory (hws_pga_write refuses such a write; the scanner checks again).
    v.hwsPga.bcs = 0x1000;
    expect(scan('bcs', indexed)).toMatchObject(refused(/RING_HWS_PGA 0x1000/));
  });

  it('cmd_handler_pipe_control: the LRI post-sync goes through cmd_reg_handler, an indexed write into the HWSP, timestamps read RCS_TIMESTAMP', () => {
    const { v, scan, base } = setup();
    const pc = (d1: number, d2: number) => [0x7a000004, d1 >>> 0, d2 >>> 0, 0, 9, 0];
    expect(scan('rcs', pc(1 << 23, 0x44200 /* GEN8_MASTER_IRQ */))).toMatchObject(refused(/LRI post-sync to register 0x44200 is not accessible/));
    expect(scan('rcs', pc(1 << 23, 0x2600 /* RCS GPR0 */)).ok).toBe(true);
    expect(scan('rcs', pc((3 << 14) | (1 << 24), base)).ok).toBe(true);
    v.hwsPga.rcs = base + 0x3000;
    const r = scan('rcs', pc((1 << 14) | (1 << 24) | (1 << 21), 0x80));
    expect(r.ok && [...r.segments[0]]).toEqual(pc((1 << 14) | (1 << 24), base + 0x3080));
  });

  it('cmd_reg_handler from cmd_handler_lri / cmd_handler_lrm / cmd_handler_srm / cmd_handler_lrr, and the F_LEN_VAR_FIXED lengths: LRM/SRM 4 dwords, LRR 3 with both registers checked, LRI 3..127, inside the MMIO space; LRM/SRM memory in the vGPU', () => {
    const { scan, base } = setup();
    expect(scan('bcs', [mi(MI.LOAD_REGISTER_MEM, 4, GGTT), 0x22600, base + 0x40, 0]).ok).toBe(true);
    expect(scan('bcs', [mi(MI.STORE_REGISTER_MEM, 4, GGTT), 0x22600, 0x1000, 0])).toMatchObject(refused(/MI_STORE_REGISTER_MEM: store GM 0x1000\+4 is outside/));
    // cmd_address_audit reads the full 48-bit address: a high dword moves it out of the vGPU's GM.
    expect(scan('bcs', [mi(MI.LOAD_REGISTER_MEM, 4, GGTT), 0x22600, base, 1])).toMatchObject(refused(/load GM 0x1[0-9a-f]{8}\+4 is outside/));
    expect(scan('bcs', [mi(MI.LOAD_REGISTER_MEM, 4), 0x22600, base, 0])).toMatchObject(refused(/load uses PPGTT addressing in a context without a PPGTT/));
    expect(scan('bcs', [MI_LOAD_REGISTER_IMM_N(2), 0x22600, 0, 0x22604, 0]).ok).toBe(true);
    // Every repeated Register Offset (genxml group, every 2 dwords) is checked, not only the first.
    expect(scan('bcs', [MI_LOAD_REGISTER_IMM_N(3), 0x22600, 0, 0x22604, 0, 0x44200, 0])).toMatchObject(refused(/LRI to register 0x44200/));
    expect(scan('bcs', [mi(MI.LOAD_REGISTER_MEM, 5, GGTT), 0x22600, base, 0, 0])).toMatchObject(refused(/length 5 dwords is not valid \(must be 4\)/));
    expect(scan('bcs', [mi(MI.STORE_REGISTER_MEM, 3, GGTT), 0x22600, base])).toMatchObject(refused(/must be 4/));
    expect(scan('bcs', [mi(MI.LOAD_REGISTER_REG, 3), 0x22600, 0x22608]).ok).toBe(true);
    expect(scan('bcs', [mi(MI.LOAD_REGISTER_REG, 3), 0x22600, 0x44200])).toMatchObject(refused(/LRR to register 0x44200/));
    expect(scan('bcs', [mi(MI.LOAD_REGISTER_REG, 4), 0x22600, 0x22608, 0])).toMatchObject(refused(/must be 3/));
    expect(scan('bcs', [MI_LOAD_REGISTER_IMM_N(1), 0x7ffffc, 0])).toMatchObject(refused(/register 0x7ffffc is outside the MMIO range/));
    expect(scan('bcs', [mi(MI.LOAD_REGISTER_IMM, 129), ...new Array(128).fill(0x22600)])).toMatchObject(refused(/length 129 dwords is not valid \(3 to 127\)/));
  });

  it('cmd_handler_mi_store_data_imm: 4 dwords, 5 with Store Qword', () => {
    const { scan, base } = setup();
    expect(scan('bcs', [mi(MI.STORE_DATA_IMM, 4, GGTT), base, 0, 1]).ok).toBe(true);
    expect(scan('bcs', [mi(MI.STORE_DATA_IMM, 5, GGTT | (1 << 21)), base, 0, 1, 2]).ok).toBe(true);
    expect(scan('bcs', [mi(MI.STORE_DATA_IMM, 5, GGTT), base, 0, 1, 2])).toMatchObject(refused(/must be 4/));
  });

  it('cmd_handler_mi_display_flip (skl_decode_mi_display_flip): the plane select is dw0 bits 12:8 on Gen9 (not Gen8 bits 21:19), unknown codes refused, 3 dwords (4 for stereo)', () => {
    const { scan, base } = setup();
    const flip = (bits: number, d2 = base + 0x10000, len = 3) => [mi(MI.DISPLAY_FLIP, len, bits), 4096 | 1, d2, 0].slice(0, len);
    const r = scan('bcs', flip(0));
    expect(r.ok && r.flips).toEqual([{ plane: 0, surf: base + 0x10000, pitch: 4096 }]);
    // Gen8's "plane B" encoding (bits 21:19 = 1) does not select a plane on Gen9: pipe A primary.
    expect(scan('bcs', flip(1 << 19)).ok).toBe(true);
    expect(scan('bcs', flip(1 << 8))).toMatchObject(refused(/only pipe A's primary plane is virtualised \(plane code 1 is pipe B's primary\)/));
    expect(scan('bcs', flip(4 << 8))).toMatchObject(refused(/plane code 4 is pipe A's sprite/));
    expect(scan('bcs', flip(3 << 8))).toMatchObject(refused(/unknown plane code 3/));
    expect(scan('bcs', flip(0, base + 0x10000, 4))).toMatchObject(refused(/length 4 dwords is not valid \(must be 3\)/));
    expect(scan('bcs', flip(0, (base + 0x10000) | 2, 4)).ok).toBe(true);
    // The surface (Display Buffer Base Address, dw2 bits 31:12) must be a page of the vGPU's GM.
    expect(scan('bcs', flip(0, 0x3000))).toMatchObject(refused(/MI_DISPLAY_FLIP: flip surface GM 0x3000\+4096 is outside/));
  });

  it('cmd_handler_mi_user_interrupt and cmd_handler_mi_batch_buffer_end: accepted on both rings; MI_BATCH_BUFFER_END is a no-op in the ring and ends a batch (nothing after it is copied)', () => {
    const { put, scan, base } = setup();
    for (const engine of ['rcs', 'bcs'] as const) {
      const r = scan(engine, [MI_USER_INTERRUPT, MI_BATCH_BUFFER_END, MI_USER_INTERRUPT]);
      expect(r.ok && r.commands).toBe(3);
    }
    put(base + 0x1000, [MI_USER_INTERRUPT, MI_BATCH_BUFFER_END, 0xffffffff /* never decoded */]);
    const r = scan('bcs', bbStart(base + 0x1000));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect([...r.segments[1]]).toEqual([MI_USER_INTERRUPT, MI_BATCH_BUFFER_END]);
  });

  it('XY_SETUP_BLT, XY_COLOR_BLT and XY_SRC_COPY_BLT (cmd_info entries without a handler, ADDR_FIX): every surface byte a blit covers is inside the vGPU, 32 bpp only', () => {
    const { v, scan, base } = setup();
    const xy = (x: number, y: number) => ((y << 16) | x) >>> 0;
    const setupBlt = (dst: number, pattern: number) => [0x40400008, br13(ROP_PATCOPY, 4096), 0, xy(64, 64), dst, 0, 0, 0, pattern, 0];
    expect(scan('bcs', setupBlt(base, base + 0x100)).ok).toBe(true);
    expect(scan('bcs', setupBlt(base, 0x1000))).toMatchObject(refused(/XY_SETUP_BLT: pattern GM 0x1000\+4 is outside/));
    const color = (dst: number, x2y2: number, d1 = br13(ROP_PATCOPY, 4096)) => [XY_COLOR_BLT_CMD, d1, xy(0, 0), x2y2, dst, 0, 0xff00ff00];
    expect(scan('bcs', color(base, xy(1024, 16))).ok).toBe(true);
    // 16 rows of 4 KiB ending exactly at the end of the low GM range are inside; one row more is not.
    const end = base + v.alloc.lowGm.size;
    expect(scan('bcs', color(end - 16 * 4096, xy(1024, 16))).ok).toBe(true);
    expect(scan('bcs', color(end - 16 * 4096, xy(1024, 17)))).toMatchObject(refused(/XY_COLOR_BLT: destination GM 0x[0-9a-f]+\+69632 is outside/));
    expect(scan('bcs', color(0x1000, xy(8, 8)))).toMatchObject(refused(/XY_COLOR_BLT: destination GM 0x1000\+/));
    expect(scan('bcs', color(base, xy(8, 8), (2 << 24) | 4096))).toMatchObject(refused(/color depth 2 is not 32 bpp/));
    const copy = (src: number) => [XY_SRC_COPY_BLT_CMD, br13(ROP_SRCCOPY, 4096), xy(0, 0), xy(16, 16), base, 0, xy(0, 0), 4096, src, 0];
    expect(scan('bcs', copy(base + 0x10000)).ok).toBe(true);
    expect(scan('bcs', copy(0x2000))).toMatchObject(refused(/XY_SRC_COPY_BLT: source GM 0x2000\+/));
  });
});
