import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nativeSpanEqual } from '../../../src/main/host/native-compare';
import { jsSpanEqual } from '../../../src/main/mediator/damage';

describe('nativeSpanEqual (memcmp through Buffer#compare)', () => {
  it('agrees with the JS loop on views at any offset of shared and plain memory, whichever arrays come in turn', () => {
    const shared = new SharedArrayBuffer(4096);
    const plain = new ArrayBuffer(4096);
    const arrays = [new Uint32Array(shared), new Uint32Array(shared, 64, 100), new Uint32Array(plain), new Uint32Array(plain, 128, 200), new Uint32Array(300)];
    for (const a of arrays) for (let i = 0; i < a.length; i++) a[i] = i % 7;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(4), fc.nat(4), fc.nat(99), fc.nat(99), fc.nat(99), fc.nat(6)), { minLength: 1, maxLength: 20 }), (calls) => {
        for (const [i, j, aAt, bAt, nRaw, poke] of calls) {
          const a = arrays[i]!;
          const b = arrays[j]!;
          // Spans inside both arrays, as every caller passes (the shortest array has 100 words).
          const n = Math.min(nRaw, a.length - aAt, b.length - bAt);
          a[(aAt + poke) % a.length] = (a[(aAt + poke) % a.length]! + poke) % 7;
          expect(nativeSpanEqual(a, aAt, b, bAt, n)).toBe(jsSpanEqual(a, aAt, b, bAt, n));
        }
      }),
    );
  });
});
