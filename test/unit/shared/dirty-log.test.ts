import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COMPOSITOR_VIEW, CPU_LOG, DIRTY_BLOCK_SHIFT, GPU_LOG, PPGTT_VIEW, dirtyLogBytes, markDirty, planeStart, planeWords, takeDirty } from '../../../src/shared/dirty-log';
import { BlockWrites } from '../../../src/main/mediator/block-writes';

const BLOCK = 2 ** DIRTY_BLOCK_SHIFT;

describe('dirty log', () => {
  it('sizes four planes (two views x two writers) of one bit per 1 KiB block in whole words', () => {
    expect(BLOCK).toBe(1024);
    expect(dirtyLogBytes(BLOCK)).toBe(16);
    expect(dirtyLogBytes(32 * BLOCK)).toBe(16);
    expect(dirtyLogBytes(33 * BLOCK)).toBe(32);
    expect(dirtyLogBytes(64 * 1024 * 1024)).toBe(32768);
  });

  it("marks the blocks a byte range touches in the writer's own half, including bit 31, and ignores what lies outside", () => {
    const log = new Uint32Array(new SharedArrayBuffer(dirtyLogBytes(64 * BLOCK)));
    markDirty(log, GPU_LOG, BLOCK - 1, 2); // blocks 0 and 1
    markDirty(log, GPU_LOG, 31 * BLOCK, 1);
    markDirty(log, CPU_LOG, 40 * BLOCK, 0); // nothing written
    markDirty(log, CPU_LOG, 63 * BLOCK, 10 * BLOCK); // block 63, then beyond the log
    // Planes: compositor GPU, compositor CPU, PPGTT GPU, PPGTT CPU (two words each).
    const gpu = [(0b11 | (1 << 31)) >>> 0, 0];
    const cpu = [0, 0x80000000];
    expect([...log].map((w) => w >>> 0)).toEqual([...gpu, ...cpu, ...gpu, ...cpu]);
  });

  it('sets exactly the bits of the blocks a range touches, word by word, as a bit-by-bit loop would', () => {
    fc.assert(
      fc.property(fc.nat(100 * BLOCK), fc.nat(40 * BLOCK), fc.constantFrom(GPU_LOG, CPU_LOG), (offset, bytes, writer) => {
        const log = new Uint32Array(dirtyLogBytes(96 * BLOCK) / 4);
        markDirty(log, writer, offset, bytes);
        const expected = new Uint32Array(log.length);
        const words = planeWords(log);
        for (const view of [COMPOSITOR_VIEW, PPGTT_VIEW] as const)
          if (bytes > 0) for (let b = Math.floor(offset / BLOCK); b <= Math.floor((offset + bytes - 1) / BLOCK) && b < words * 32; b++) expected[planeStart(log, view, writer) + (b >>> 5)] |= 1 << (b & 31);
        expect(log).toEqual(expected);
      }),
    );
  });

  it('two consumers: the compositor harvest and the PPGTT take each see every write, neither steals the other\'s bits', () => {
    // Random interleavings of logged writes, compositor harvests (BlockWrites) and PPGTT takes
    // (takeDirty of a page's blocks): each consumer learns of every block written since its own last look.
    const BLOCKS = 96;
    const op = fc.oneof(
      fc.record({ kind: fc.constant('write' as const), block: fc.nat(BLOCKS - 1), blocks: fc.integer({ min: 1, max: 6 }), writer: fc.constantFrom(GPU_LOG, CPU_LOG) }),
      fc.record({ kind: fc.constant('harvest' as const) }),
      fc.record({ kind: fc.constant('take' as const), block: fc.nat(BLOCKS - 1), blocks: fc.integer({ min: 1, max: 8 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const dirty = new SharedArrayBuffer(dirtyLogBytes(BLOCKS * BLOCK));
        const region = { base: 0, bytes: new Uint8Array(BLOCKS * BLOCK), words: new Uint32Array(BLOCKS * 256), dirty: new Uint32Array(dirty), ops: null };
        const writes = new BlockWrites();
        // Model: the blocks written since each consumer last looked at them.
        const pendingCompositor = new Set<number>();
        const pendingPpgtt = new Set<number>();
        const lastWriteCompose = new Map<number, number>();
        for (const o of ops) {
          if (o.kind === 'write') {
            markDirty(region.dirty, o.writer, o.block * BLOCK, o.blocks * BLOCK);
            for (let b = o.block; b < Math.min(BLOCKS, o.block + o.blocks); b++) {
              pendingCompositor.add(b);
              pendingPpgtt.add(b);
            }
          } else if (o.kind === 'harvest') {
            writes.harvest([region]);
            for (const b of pendingCompositor) lastWriteCompose.set(b, writes.now);
            pendingCompositor.clear();
            const stamps = writes.writtenStamps(region);
            for (let b = 0; b < BLOCKS; b++) expect(stamps?.[b] ?? 0).toBe(lastWriteCompose.get(b) ?? 0);
          } else {
            let expected = false;
            for (let b = o.block; b < Math.min(BLOCKS, o.block + o.blocks); b++) if (pendingPpgtt.delete(b)) expected = true;
            expect(takeDirty(region.dirty, PPGTT_VIEW, o.block, o.blocks)).toBe(expected);
          }
        }
      }),
    );
  });
});
