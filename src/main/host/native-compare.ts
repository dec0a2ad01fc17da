/**
 * The compositor thread's span comparison: memcmp through Node's Buffer#compare with ranges, on one
 * Buffer view per underlying memory (made once, kept weakly), so a comparison allocates nothing.
 */
import type { SpanEqual } from '../mediator/damage';

const views = new WeakMap<ArrayBufferLike, Buffer>();
/** The last two memories looked up: a frame compares the same surface and picture thousands of times. */
let lastA: ArrayBufferLike | null = null;
let lastAView: Buffer | null = null;
let lastB: ArrayBufferLike | null = null;
let lastBView: Buffer | null = null;

function view(memory: ArrayBufferLike): Buffer {
  let b = views.get(memory);
  if (!b) views.set(memory, (b = Buffer.from(memory)));
  return b;
}

/** SpanEqual (see damage.ts) backed by a native memcmp. */
export const nativeSpanEqual: SpanEqual = (a, aAt, b, bAt, n) => {
  const from = a.byteOffset + aAt * 4;
  const to = b.byteOffset + bAt * 4;
  if (a.buffer !== lastA) lastAView = view((lastA = a.buffer));
  if (b.buffer !== lastB) lastBView = view((lastB = b.buffer));
  return lastAView!.compare(lastBView!, to, to + n * 4, from, from + n * 4) === 0;
};
