import { describe, expect, it } from 'vitest';
import { FramePacing, HANGCHECK_HUNG_CHECKS, HANGCHECK_PERIOD_VBLANKS, Hangcheck } from '../../../src/main/guest/hangcheck';

describe('guest hangcheck by progress (i915 i915_hangcheck_elapsed)', () => {
  it('work pending with the same seqno and ACTHD at HANGCHECK_HUNG_CHECKS samples in a row is a hang', () => {
    const h = new Hangcheck();
    const hung: number[] = [];
    for (let n = 1; n <= 10 * HANGCHECK_PERIOD_VBLANKS; n++) if (h.vblank({ submitted: 8, seqno: 7, acthd: 0x40 })) hung.push(n);
    // The first sample is the baseline; HANGCHECK_HUNG_CHECKS more without progress is a hang.
    expect(hung[0]).toBe((HANGCHECK_HUNG_CHECKS + 1) * HANGCHECK_PERIOD_VBLANKS);
  });

  it('an engine whose ACTHD still moves is active, not hung (hangcheck_get_action: ACTIVE_HEAD)', () => {
    const h = new Hangcheck();
    for (let n = 1; n <= 20 * HANGCHECK_PERIOD_VBLANKS; n++) expect(h.vblank({ submitted: 8, seqno: 7, acthd: Math.floor(n / HANGCHECK_PERIOD_VBLANKS) * 64 })).toBe(false);
  });

  it('an engine whose seqno reached the last submitted one is idle (i915_request_completed), whatever the interrupts did', () => {
    const h = new Hangcheck();
    for (let n = 0; n < 20 * HANGCHECK_PERIOD_VBLANKS; n++) expect(h.vblank({ submitted: 3, seqno: 3, acthd: 0 })).toBe(false);
  });

  it('samples are counted in vblanks the GPU delivered: a host that does not run the GPU thread delivers none and cannot fake a hang', () => {
    const h = new Hangcheck();
    // However long the wall-clock gap between two vblanks, it is one step of the period.
    for (let n = 0; n < 3 * HANGCHECK_PERIOD_VBLANKS; n++) expect(h.vblank({ submitted: 2, seqno: 1, acthd: 0 })).toBe(false);
    // Then the frame completes: the count starts over.
    expect(h.vblank({ submitted: 2, seqno: 2, acthd: 0 })).toBe(false);
    for (let n = 0; n < 3 * HANGCHECK_PERIOD_VBLANKS; n++) expect(h.vblank({ submitted: 3, seqno: 2, acthd: 0 })).toBe(false);
  });
});

describe('FramePacing: frames retire by seqno, one in flight, hung engines reset', () => {
  function fake() {
    const gpu = { seqno: 0, head: 0, resets: 0 };
    let next = 0;
    const scene = { frame: () => ++next, completedSeqno: () => gpu.seqno };
    const engine = { resetEngine: () => void gpu.resets++, ringHead: () => gpu.head };
    return { gpu, pacing: new FramePacing(scene, engine), submitted: () => next };
  }

  it('a completed frame is retired by its seqno even without a completion interrupt; the next frame waits for it', () => {
    const { gpu, pacing, submitted } = fake();
    pacing.vblank(0, true);
    expect(submitted()).toBe(1);
    pacing.vblank(16, true);
    expect(submitted()).toBe(1);
    gpu.seqno = 1;
    expect(pacing.busy).toBe(false);
    pacing.vblank(33, true);
    expect(submitted()).toBe(2);
  });

  it('a frame that never completes resets the engine once, abandons it and draws again', () => {
    const { gpu, pacing, submitted } = fake();
    for (let n = 0; n <= (HANGCHECK_HUNG_CHECKS + 1) * HANGCHECK_PERIOD_VBLANKS; n++) pacing.vblank(n * 16, true);
    expect(gpu.resets).toBe(1);
    expect(pacing.resets).toBe(1);
    // The abandoned frame no longer counts; a new one went out at the same vblank.
    expect(submitted()).toBe(2);
  });
});
