import { describe, expect, it } from 'vitest';
import { DwordSlab, SLAB_CHUNK_BYTES } from '../../../src/main/mediator/dword-slab';

describe('DwordSlab (storage of scanned copies)', () => {
  it('hands out zeroed, disjoint views across chunk boundaries; writing one never changes another', () => {
    const slab = new DwordSlab();
    const views: Uint32Array[] = [];
    // 3 chunks' worth of odd-sized requests: some do not fit the rest of a chunk.
    let total = 0;
    for (let n = 0; total < 3 * SLAB_CHUNK_BYTES; n++) {
      const len = 1 + ((n * 97) % 1000);
      const v = slab.alloc(len);
      expect(v.length).toBe(len);
      expect(v.every((d) => d === 0)).toBe(true);
      v.fill(n + 1);
      views.push(v);
      total += len * 4;
    }
    views.forEach((v, n) => expect(v.every((d) => d === n + 1)).toBe(true));
  });

  it('a request larger than a quarter chunk gets a buffer of its own; copyOf copies a prefix', () => {
    const slab = new DwordSlab();
    const small = slab.alloc(4);
    const big = slab.alloc(SLAB_CHUNK_BYTES / 4);
    expect(big.buffer).not.toBe(small.buffer);
    expect(big.length).toBe(SLAB_CHUNK_BYTES / 4);
    const src = Uint32Array.from([1, 2, 3, 4, 5]);
    const c = slab.copyOf(src, 3);
    src[0] = 9;
    expect([...c]).toEqual([1, 2, 3]);
    expect(c.buffer).toBe(small.buffer);
  });
});
