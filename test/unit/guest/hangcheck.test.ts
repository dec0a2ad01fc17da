import { describe, expect, it } from 'vitest';
import { HANGCHECK_HUNG_CHECKS, HANGCHECK_PERIOD_MS, Hangcheck } from '../../../src/main/guest/hangcheck';

describe('guest hangcheck by progress (i915 i915_hangcheck_elapsed)', () => {
  it('work pending with the same seqno at HANGCHECK_HUNG_CHECKS samples in a row is a hang', () => {
    const h = new Hangcheck();
    const hung: number[] = [];
    for (let t = 0; t <= 10 * HANGCHECK_PERIOD_MS; t += 100) if (h.check(t, true, 7)) hung.push(t);
    expect(hung[0]).toBe(HANGCHECK_HUNG_CHECKS * HANGCHECK_PERIOD_MS);
  });

  it('a slow host only delays the samples: one late sample is never a hang, progress resets the count', () => {
    const h = new Hangcheck();
    // The vCPU did not run for 60 s: the first sample after that is just one check.
    expect(h.check(0, true, 1)).toBe(false);
    expect(h.check(60_000, true, 1)).toBe(false);
    // The seqno moves: the count starts over.
    let seqno = 1;
    for (let t = 60_000; t < 120_000; t += HANGCHECK_PERIOD_MS) expect(h.check(t, true, ++seqno)).toBe(false);
  });

  it('nothing pending: never a hang, whatever the seqno', () => {
    const h = new Hangcheck();
    for (let t = 0; t < 60_000; t += 500) expect(h.check(t, false, 3)).toBe(false);
  });
});
