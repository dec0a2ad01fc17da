import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RamRegion } from '../../../src/main/gpu/memory';
import { nativeSpanEqual } from '../../../src/main/host/native-compare';
import { BlockWrites, HARVEST_CHUNK_WORDS } from '../../../src/main/mediator/block-writes';
import { CPU_LOG, DIRTY_BLOCK_SHIFT, GPU_LOG, dirtyLogBytes, markDirty } from '../../../src/shared/dirty-log';

/** Blocks over two whole harvest chunks and part of a third (the last chunk is short). */
const BLOCKS = HARVEST_CHUNK_WORDS * 32 * 2 + 300;
const BLOCK = 2 ** DIRTY_BLOCK_SHIFT;

/** A RAM region with a dirty log (harvest reads only the log; the bytes are not needed). */
function region(): RamRegion {
  return { base: 0, bytes: new Uint8Array(0), words: new Uint32Array(0), dirty: new Uint32Array(new SharedArrayBuffer(dirtyLogBytes(BLOCKS * BLOCK))), ops: null };
}

describe('BlockWrites.harvest (block-writes.ts)', () => {
  it('with a native compare skipping unwritten chunks, stamps exactly the blocks the plain per-word scan stamps', () => {
    const write = fc.record({ writer: fc.constantFrom(GPU_LOG, CPU_LOG), block: fc.nat(BLOCKS - 1), blocks: fc.integer({ min: 1, max: 40 }) });
    fc.assert(
      fc.property(fc.array(fc.array(write, { maxLength: 6 }), { minLength: 1, maxLength: 6 }), (composes) => {
        const [plain, fast] = [region(), region()];
        const [plainWrites, fastWrites] = [new BlockWrites(), new BlockWrites(nativeSpanEqual)];
        for (const writes of composes) {
          for (const w of writes) for (const r of [plain, fast]) markDirty(r.dirty!, w.writer, w.block * BLOCK, w.blocks * BLOCK);
          plainWrites.harvest([plain]);
          fastWrites.harvest([fast]);
          expect(fastWrites.now).toBe(plainWrites.now);
          expect(Buffer.from(fastWrites.writtenStamps(fast)!.buffer).equals(Buffer.from(plainWrites.writtenStamps(plain)!.buffer))).toBe(true);
          // Both cleared the compositor's view: nothing is left to take.
          expect(Buffer.from(fast.dirty!.buffer).equals(Buffer.from(plain.dirty!.buffer))).toBe(true);
        }
        // A write in the last (short) chunk's last block is seen too.
        markDirty(fast.dirty!, CPU_LOG, (BLOCKS - 1) * BLOCK, 4);
        fastWrites.harvest([fast]);
        expect(fastWrites.writtenStamps(fast)![BLOCKS - 1]).toBe(fastWrites.now);
      }),
      { numRuns: 60 },
    );
  });
});
