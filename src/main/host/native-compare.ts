/**
 * The compositor thread's span comparison: memcmp through Node's Buffer#compare with ranges, on one
 * Buffer view per underlying memory (made once, kept weakly), so a comparison allocates nothing.
 */
import type { SpanEqual } from '../mediator/damage';

const views = new WeakMap<ArrayBufferLike, Buffer>();
/**
 * The last two word arrays compared, their Buffer views and byte offsets: a frame compares the
 * same surface and picture hundreds of times, and the `buffer` and `byteOffset` getters cost more
 * than an identity check (an array's buffer and offset never change).
 */
let lastA: Uint32Array | null = null;
let lastAView: Buffer | null = null;
let lastAOffset = 0;
let lastB: Uint32Array | null = null;
let lastBView: Buffer | null = null;
let lastBOffset = 0;

function view(memory: ArrayBufferLike): Buffer {
  let b = views.get(memory);
  if (!b) views.set(memory, (b = Buffer.from(memory)));
  return b;
}

/** SpanEqual (see damage.ts) backed by a native memcmp. */
export const nativeSpanEqual: SpanEqual = (a, aAt, b, bAt, n) => {
  if (a !== lastA) {
    lastA = a;
    lastAView = view(a.buffer);
    lastAOffset = a.byteOffset;
  }
  if (b !== lastB) {
    lastB = b;
    lastBView = view(b.buffer);
    lastBOffset = b.byteOffset;
  }
  const from = lastAOffset + aAt * 4;
  const to = lastBOffset + bAt * 4;
  return lastAView!.compare(lastBView!, to, to + n * 4, from, from + n * 4) === 0;
};
