import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CPU_LOG, DIRTY_BLOCK_SHIFT, GPU_LOG, dirtyLogBytes, markDirty } from '../../../src/shared/dirty-log';

const BLOCK = 2 ** DIRTY_BLOCK_SHIFT;

describe('dirty log', () => {
  it('sizes two halves of one bit per 1 KiB block in whole words', () => {
    expect(BLOCK).toBe(1024);
    expect(dirtyLogBytes(BLOCK)).toBe(8);
    expect(dirtyLogBytes(32 * BLOCK)).toBe(8);
    expect(dirtyLogBytes(33 * BLOCK)).toBe(16);
    expect(dirtyLogBytes(64 * 1024 * 1024)).toBe(16384);
  });

  it("marks the blocks a byte range touches in the writer's own half, including bit 31, and ignores what lies outside", () => {
    const log = new Uint32Array(new SharedArrayBuffer(dirtyLogBytes(64 * BLOCK)));
    markDirty(log, GPU_LOG, BLOCK - 1, 2); // blocks 0 and 1
    markDirty(log, GPU_LOG, 31 * BLOCK, 1);
    markDirty(log, CPU_LOG, 40 * BLOCK, 0); // nothing written
    markDirty(log, CPU_LOG, 63 * BLOCK, 10 * BLOCK); // block 63, then beyond the log
    expect([...log].map((w) => w >>> 0)).toEqual([(0b11 | (1 << 31)) >>> 0, 0, 0, 0x80000000]);
  });

  it('sets exactly the bits of the blocks a range touches, word by word, as a bit-by-bit loop would', () => {
    fc.assert(
      fc.property(fc.nat(100 * BLOCK), fc.nat(40 * BLOCK), fc.constantFrom(GPU_LOG, CPU_LOG), (offset, bytes, writer) => {
        const log = new Uint32Array(dirtyLogBytes(96 * BLOCK) / 4);
        markDirty(log, writer, offset, bytes);
        const expected = new Uint32Array(log.length);
        const half = log.length / 2;
        if (bytes > 0) for (let b = Math.floor(offset / BLOCK); b <= Math.floor((offset + bytes - 1) / BLOCK) && b < half * 32; b++) expected[writer * half + (b >>> 5)] |= 1 << (b & 31);
        expect(log).toEqual(expected);
      }),
    );
  });
});
