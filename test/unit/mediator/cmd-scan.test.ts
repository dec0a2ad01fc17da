import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addVm, rig } from '../helpers/system';
import { MAX_BATCH_LEVEL, scanWorkload } from '../../../src/main/mediator/cmd-scan';
import {
  MI,
  MI_BATCH_BUFFER_END,
  MI_BATCH_BUFFER_START_GGTT,
  MI_BATCH_PPGTT,
  MI_BATCH_SECOND_LEVEL,
  MI_LOAD_REGISTER_IMM_N,
  MI_NOOP,
  MI_STORE_DATA_IMM_GGTT,
  MI_USER_INTERRUPT,
  ROP_PATCOPY,
  XY_COLOR_BLT_CMD,
  br13,
} from '../../../src/shared/commands';

/** A vGPU plus a fake guest memory: GM address -> dword (only inside the map is "mapped"). */
function setup() {
  const r = rig();
  const { v } = addVm(r, 1);
  const mem = new Map<number, number>();
  const put = (gm: number, dws: number[]) => dws.forEach((d, i) => mem.set(gm + i * 4, d >>> 0));
  const scan = (engine: 'rcs' | 'bcs', ring: number[]) => scanWorkload(v, engine, Uint32Array.from(ring), (gm) => mem.get(gm));
  return { v, r, put, scan, base: v.alloc.lowGm.base };
}

const bbStart = (gm: number, flags = 0) => [(MI_BATCH_BUFFER_START_GGTT | flags) >>> 0, gm, 0];
const mi = (op: number, len = 1) => ((op << 23) | (len > 1 ? len - 2 : 0)) >>> 0;

describe('command scanner', () => {
  it('shadows a first-level batch and a second-level batch it calls, with patches', () => {
    const { put, scan, base } = setup();
    put(base + 0x1000, [MI_NOOP, ...bbStart(base + 0x2000, MI_BATCH_SECOND_LEVEL), MI_USER_INTERRUPT, MI_BATCH_BUFFER_END]);
    put(base + 0x2000, [MI_NOOP, MI_BATCH_BUFFER_END]);
    const r = scan('bcs', [...bbStart(base + 0x1000), MI_NOOP]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.segments.map((s) => s.length)).toEqual([4, 6, 2]);
    expect(r.patches).toEqual([
      { segment: 0, at: 0, target: 1 },
      { segment: 1, at: 1, target: 2 },
    ]);
    expect(r.commands).toBe(2 + 4 + 2);
  });

  it('a chained batch ends its caller; a batch jumping to itself is shadowed once (the watchdog handles the hang)', () => {
    const { put, scan, base } = setup();
    put(base + 0x1000, [MI_NOOP, ...bbStart(base + 0x1000), 0xdeadbeef /* never reached, never scanned */]);
    const r = scan('bcs', bbStart(base + 0x1000));
    expect(r.ok && r.segments.length).toBe(2);
    expect(r.ok && r.patches).toEqual([
      { segment: 0, at: 0, target: 1 },
      { segment: 1, at: 1, target: 1 },
    ]);
  });

  it('refuses batches outside the vGPU, PPGTT batches, nesting beyond level 2 and unterminated batches', () => {
    const { v, put, scan, base } = setup();
    expect(scan('bcs', bbStart(0x1000))).toMatchObject({ ok: false, reason: expect.stringMatching(/batch buffer GM 0x1000 is outside/) });
    expect(scan('bcs', bbStart(base, MI_BATCH_PPGTT))).toMatchObject({ ok: false, reason: expect.stringMatching(/PPGTT/) });
    put(base + 0x1000, [...bbStart(base + 0x2000, MI_BATCH_SECOND_LEVEL), MI_BATCH_BUFFER_END]);
    put(base + 0x2000, [...bbStart(base + 0x3000, MI_BATCH_SECOND_LEVEL), MI_BATCH_BUFFER_END]);
    put(base + 0x3000, [MI_BATCH_BUFFER_END]);
    // Level MAX_BATCH_LEVEL starts nothing (cmd_handler_mi_batch_buffer_start).
    expect(MAX_BATCH_LEVEL).toBe(2);
    expect(scan('bcs', bbStart(base + 0x1000))).toMatchObject({ ok: false, reason: expect.stringMatching(/in a second-level batch buffer/) });
    put(base + 0x5000, [MI_NOOP, MI_NOOP]); // runs into unmapped memory
    expect(scan('bcs', bbStart(base + 0x5000))).toMatchObject({ ok: false, reason: expect.stringMatching(/runs into memory outside/) });
    // The edge of the vGPU's range: a batch may not run past it.
    const end = v.alloc.lowGm.base + v.alloc.lowGm.size;
    put(end - 4, [MI_NOOP]);
    put(end, [MI_BATCH_BUFFER_END]);
    expect(scan('bcs', bbStart(end - 4)).ok).toBe(false);
  });

  it('allows LRI/LRM/SRM only to F_CMD_ACCESS registers', () => {
    const { scan, base } = setup();
    expect(scan('bcs', [MI_LOAD_REGISTER_IMM_N(1), 0x22600 /* BCS GPR0 */, 5]).ok).toBe(true);
    expect(scan('bcs', [MI_LOAD_REGISTER_IMM_N(2), 0x22600, 5, 0x44200 /* GEN8_MASTER_IRQ */, 0])).toMatchObject({ ok: false, reason: expect.stringMatching(/LRI to register 0x44200 is not accessible/) });
    expect(scan('bcs', [mi(MI.STORE_REGISTER_MEM, 4) | (1 << 22), 0x100000 /* fence */, base, 0])).toMatchObject({ ok: false, reason: expect.stringMatching(/SRM from register 0x100000/) });
    expect(scan('bcs', [mi(MI.STORE_REGISTER_MEM, 4) | (1 << 22), 0x22358 /* BCS timestamp */, base, 0]).ok).toBe(true);
    expect(scan('bcs', [mi(MI.LOAD_REGISTER_MEM, 4) | (1 << 22), 0x22600, 0x2000, 0])).toMatchObject({ ok: false, reason: expect.stringMatching(/load GM 0x2000/) });
  });

  it('rejects privileged commands, render commands on the blitter and PPGTT stores', () => {
    const { scan, base } = setup();
    expect(scan('rcs', [mi(MI.SET_CONTEXT, 2), 0])).toMatchObject({ ok: false, reason: expect.stringMatching(/privileged/) });
    expect(scan('bcs', [mi(MI.UPDATE_GTT, 3), 0, 0])).toMatchObject({ ok: false, reason: expect.stringMatching(/unknown command/) });
    const pipeControl = [0x7a000004, 1 << 14, base, 0, 0, 0];
    expect(scan('bcs', pipeControl)).toMatchObject({ ok: false, reason: expect.stringMatching(/not valid on bcs/) });
    expect(scan('rcs', pipeControl)).toMatchObject({ ok: false, reason: expect.stringMatching(/PPGTT/) });
    expect(scan('rcs', [0x7a000004, (1 << 14) | (1 << 24), base, 0, 0, 0]).ok).toBe(true);
    expect(scan('bcs', [MI_STORE_DATA_IMM_GGTT & ~(1 << 22), base, 0, 1])).toMatchObject({ ok: false, reason: expect.stringMatching(/PPGTT/) });
  });

  it('emulates MI_DISPLAY_FLIP: recorded for the virtual plane, removed from the copy', () => {
    const { scan, base } = setup();
    const ring = [mi(MI.DISPLAY_FLIP, 3), 4096, base + 0x10000, MI_USER_INTERRUPT];
    const r = scan('bcs', ring);
    expect(r.ok && r.flips).toEqual([{ plane: 0, surf: base + 0x10000, pitch: 4096 }]);
    expect(r.ok && [...r.segments[0]]).toEqual([MI_NOOP, MI_NOOP, MI_NOOP, MI_USER_INTERRUPT]);
    expect(scan('bcs', [mi(MI.DISPLAY_FLIP, 3), 4096, 0x10000])).toMatchObject({ ok: false, reason: expect.stringMatching(/flip surface/) });
  });

  it('audits tiled blits by whole tile rows', () => {
    const { v, scan } = setup();
    const end = v.alloc.lowGm.base + v.alloc.lowGm.size;
    // 8 rows of a 4096 B (1024-dword) tiled pitch = 32 KiB: fits exactly at the end of the aperture...
    const tiled = (gm: number, y2: number) => [XY_COLOR_BLT_CMD | (1 << 11), br13(ROP_PATCOPY, 1024), 0, (y2 << 16) | 16, gm, 0, 0];
    expect(scan('bcs', tiled(end - 8 * 4096, 8)).ok).toBe(true);
    // ...but a 9th row needs a second tile row.
    expect(scan('bcs', tiled(end - 8 * 4096, 9)).ok).toBe(false);
  });

  it('never throws on random command streams (property)', () => {
    const { scan, put, base } = setup();
    put(base, [MI_BATCH_BUFFER_END]);
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: 0, max: 0xffffffff }), fc.constantFrom(MI_NOOP, MI_BATCH_BUFFER_START_GGTT, base, MI_BATCH_BUFFER_END, XY_COLOR_BLT_CMD)), { maxLength: 64 }), fc.constantFrom('rcs' as const, 'bcs' as const), (ring, engine) => {
        const r = scan(engine, ring);
        expect(typeof r.ok).toBe('boolean');
      }),
    );
  });
});
