/**
 * The guest driver's hang detection, judged by progress as i915's hangcheck does: every
 * HANGCHECK_PERIOD_MS it samples the seqno the GPU last wrote; work pending with the same seqno at
 * HANGCHECK_HUNG_CHECKS samples in a row is a hang. A slow host (the vCPU or the GPU thread not
 * scheduled for a while) only delays samples, so it cannot fake a hang the way a wall-clock
 * timeout since submission could. Source: i915 i915_hangcheck_elapsed (DRM_I915_HANGCHECK_PERIOD
 * 1500 ms, a ring scored hung after several checks without seqno progress).
 */
export const HANGCHECK_PERIOD_MS = 1500;
export const HANGCHECK_HUNG_CHECKS = 4;

export class Hangcheck {
  private nextMs = -Infinity;
  private seqno: number | null = null;
  private stuck = 0;

  /**
   * Call often (e.g. at every interrupt or wake-up); nowMs: monotonic ms; busy: work was submitted
   * and has not completed; seqno: the last seqno the GPU wrote. True when the engine must be reset
   * (then the count starts over).
   */
  check(nowMs: number, busy: boolean, seqno: number): boolean {
    if (!busy) {
      this.stuck = 0;
      this.seqno = null;
      return false;
    }
    if (nowMs < this.nextMs) return false;
    this.nextMs = nowMs + HANGCHECK_PERIOD_MS;
    this.stuck = this.seqno === seqno ? this.stuck + 1 : 0;
    this.seqno = seqno;
    if (this.stuck < HANGCHECK_HUNG_CHECKS) return false;
    this.stuck = 0;
    this.seqno = null;
    return true;
  }
}
