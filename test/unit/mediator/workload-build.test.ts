import { describe, expect, it } from 'vitest';
import { addVm, directPort, rig } from '../helpers/system';
import { buildWorkload, layoutShadowBatches } from '../../../src/main/mediator/workload-build';
import { readGm } from '../../../src/main/gpu/gm-access';
import { MI, MI_BATCH_BUFFER_END, MI_BATCH_BUFFER_START_GGTT, MI_NOOP, MI_STORE_DATA_IMM_GGTT, MI_USER_INTERRUPT, ROP_PATCOPY, XY_COLOR_BLT_CMD, br13 } from '../../../src/shared/commands';
import { PAGE_SIZE } from '../../../src/shared/platform';
import { GTT_OFFSET, RING_CTL_SIZE, RING_CTL_VALID } from '../../../src/shared/regs';

/**
 * A vGPU whose guest maps GM pages to RAM frames of its choosing (trapped GGTT writes, shadowed by
 * the mediator), with its RAM as dwords: what buildWorkload reads through the physical GGTT.
 */
function setup() {
  const r = rig();
  const { v, ram } = addVm(r, 1);
  const port = directPort(r, v);
  const words = new Uint32Array(ram);
  const base = v.alloc.lowGm.base;
  /** Map GM page `page` (index from the vGPU's low GM base) to guest frame `frame`. */
  const map = (page: number, frame: number): void => port.write64(GTT_OFFSET + (base / PAGE_SIZE + page) * 8, frame * PAGE_SIZE + 1, 0);
  /** Write dwords at byte `offset` of guest frame `frame`. */
  const put = (frame: number, offset: number, dws: number[]): void => words.set(dws.map((d) => d >>> 0), (frame * PAGE_SIZE + offset) / 4);
  // The ring: GM page 0 -> frame 20, 16 KiB (four pages, frames 20..23).
  for (let p = 0; p < 4; p++) map(p, 20 + p);
  const ringSize = 4 * PAGE_SIZE;
  const ringAt = (head: number, tail: number) => ({ start: base, ctl: RING_CTL_SIZE(ringSize) | RING_CTL_VALID, head, tail });
  const build = (head: number, tail: number) => buildWorkload(r.gpu.ggtt, v, 'bcs', ringAt(head, tail), head);
  return { r, v, base, map, put, words, build };
}

const bbStart = (gm: number) => [MI_BATCH_BUFFER_START_GGTT, gm, 0];

describe('buildWorkload (shadow_workload_ring_buffer, then scan_workload)', () => {
  it('ip_gma_set per page: a batch crossing onto a non-adjacent frame is read from both frames, a second batch back in the first page too', () => {
    const { base, map, put, build } = setup();
    // GM pages 8 and 9 -> frames 40 and 7: the batch's second page lies below its first in RAM.
    map(8, 40);
    map(9, 7);
    const batch = base + 9 * PAGE_SIZE - 12;
    const blit = [XY_COLOR_BLT_CMD, br13(ROP_PATCOPY, 4096), 0, (4 << 16) | 4, base + 0x10000, 0, 0xff00ff00];
    // MI_NOOP, then a blit straddling the page boundary (2 dwords in frame 40, 5 in frame 7), then the end.
    put(40, PAGE_SIZE - 12, [MI_NOOP, ...blit.slice(0, 2)]);
    put(7, 0, [...blit.slice(2), MI_USER_INTERRUPT, MI_BATCH_BUFFER_END]);
    // A second batch at the start of GM page 8 (frame 40 again).
    put(40, 0, [MI_USER_INTERRUPT, MI_BATCH_BUFFER_END]);
    put(20, 0, [...bbStart(batch), ...bbStart(base + 8 * PAGE_SIZE), MI_NOOP, MI_NOOP]);
    const b = build(0, 8 * 4);
    expect(b.ok).toBe(true);
    if (!b.ok) return;
    expect([...b.scan.segments[1]]).toEqual([MI_NOOP, ...blit, MI_USER_INTERRUPT, MI_BATCH_BUFFER_END]);
    expect([...b.scan.segments[2]]).toEqual([MI_USER_INTERRUPT, MI_BATCH_BUFFER_END]);
  });

  it('a batch running from a mapped page into an unmapped one is refused at the first unmapped dword', () => {
    const { base, map, put, build } = setup();
    map(8, 40); // GM page 9 stays unmapped
    put(40, PAGE_SIZE - 8, [MI_NOOP, MI_NOOP]);
    put(20, 0, [...bbStart(base + 9 * PAGE_SIZE - 8), MI_NOOP]);
    const b = build(0, 4 * 4);
    expect(b).toMatchObject({ ok: false, rejected: true, reason: expect.stringMatching(/batch buffer 1 offset 0x8 rejected: batch buffer at GM 0x[0-9a-f]+ runs into memory outside/) });
  });

  it('TOCTOU: rewriting the guest ring and batch after the scan changes neither the scanned copies nor what the engine is given', () => {
    const { r, base, map, put, words, build } = setup();
    map(8, 40);
    const status = base + 0x3000;
    const batchCmds = [MI_STORE_DATA_IMM_GGTT, status, 0, 7, MI_BATCH_BUFFER_END];
    put(40, 0, batchCmds);
    const ringCmds = [...bbStart(base + 8 * PAGE_SIZE), MI_USER_INTERRUPT];
    put(20, 0, ringCmds);
    const b = build(0, ringCmds.length * 4);
    expect(b.ok).toBe(true);
    if (!b.ok) return;
    // The guest now points its ring and batch at privileged commands and another VM's memory.
    words.fill(((MI.SET_CONTEXT << 23) | 0) >>> 0, (20 * PAGE_SIZE) / 4, (20 * PAGE_SIZE) / 4 + 8);
    put(40, 0, [MI_STORE_DATA_IMM_GGTT, 0x1000, 0, 0xbad, MI_BATCH_BUFFER_END]);
    expect([...b.scan.segments[0]]).toEqual(ringCmds);
    expect([...b.scan.segments[1]]).toEqual(batchCmds);
    // What execute() writes into the host's shadow ring and batch area.
    const area = r.m.hostGm.shadowBatchGm;
    const ring = layoutShadowBatches(r.gpu.ggtt, b.scan, area);
    expect([...ring]).toEqual([MI_BATCH_BUFFER_START_GGTT, area, 0, MI_USER_INTERRUPT]);
    const shadowBatch = new Uint32Array(batchCmds.length);
    readGm(r.gpu.ggtt, area, shadowBatch.byteLength, new Uint8Array(shadowBatch.buffer));
    expect([...shadowBatch]).toEqual(batchCmds);
  });

  it('a queued workload keeps its copy: later submissions (and their batches) do not overwrite it', () => {
    const { base, map, put, build } = setup();
    map(8, 40);
    map(9, 41);
    put(40, 0, [MI_USER_INTERRUPT, MI_BATCH_BUFFER_END]);
    put(41, 0, [MI_NOOP, MI_NOOP, MI_BATCH_BUFFER_END]);
    put(20, 0, [...bbStart(base + 8 * PAGE_SIZE), MI_USER_INTERRUPT]);
    put(20, 16, [...bbStart(base + 9 * PAGE_SIZE), MI_NOOP]);
    const first = build(0, 16);
    // Many later workloads, enough to fill more than one slab chunk.
    let later = build(16, 32);
    for (let n = 0; n < 5000; n++) later = build(16, 32);
    expect(first.ok && later.ok).toBe(true);
    if (!first.ok || !later.ok) return;
    expect([...first.scan.segments[0]]).toEqual([...bbStart(base + 8 * PAGE_SIZE), MI_USER_INTERRUPT]);
    expect([...first.scan.segments[1]]).toEqual([MI_USER_INTERRUPT, MI_BATCH_BUFFER_END]);
    expect([...later.scan.segments[0]]).toEqual([...bbStart(base + 9 * PAGE_SIZE), MI_NOOP]);
    expect([...later.scan.segments[1]]).toEqual([MI_NOOP, MI_NOOP, MI_BATCH_BUFFER_END]);
  });

  it('a workload wrapping the ring end is copied in two runs, in order', () => {
    const { put, build } = setup();
    const ringSize = 4 * PAGE_SIZE;
    put(23, PAGE_SIZE - 8, [MI_NOOP, MI_USER_INTERRUPT]);
    put(20, 0, [MI_USER_INTERRUPT, MI_NOOP]);
    const b = build(ringSize - 8, 8);
    expect(b.ok && [...b.scan.segments[0]]).toEqual([MI_NOOP, MI_USER_INTERRUPT, MI_USER_INTERRUPT, MI_NOOP]);
  });
});
