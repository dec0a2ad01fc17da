/**
 * The guest driver's request tracking and hang detection, as i915 does them: a request is complete
 * when the seqno the GPU wrote to memory has reached it (i915_request_completed reads the status
 * page; the interrupt only wakes the driver), and the engine is hung when work is pending and
 * neither the seqno nor ACTHD (the head the engine reports) moved over HANGCHECK_HUNG_CHECKS
 * samples in a row (i915_hangcheck_elapsed: an engine whose seqno has reached the last submitted
 * one is idle and never hung; one whose ACTHD still moves is active).
 *
 * Where we differ: i915 samples every DRM_I915_HANGCHECK_PERIOD (1500 ms) of guest time. Here the
 * period is counted in vblanks of the vGPU's pipe (HANGCHECK_PERIOD_VBLANKS, 1.5 s at 60 Hz),
 * which the GPU thread delivers, so a host too busy to run the GPU thread stops the hangcheck
 * clock as well: starvation delays samples and can never fake a hang. (A guest with no pipe
 * enabled submits no frames, so it has nothing to check.)
 */
export const HANGCHECK_PERIOD_VBLANKS = 90;
export const HANGCHECK_HUNG_CHECKS = 4;

/** What the driver reads at a sample: its last submitted seqno, the seqno the GPU wrote, ACTHD. */
export interface EngineSample {
  submitted: number;
  seqno: number;
  acthd: number;
}

export class Hangcheck {
  private vblanks = 0;
  private last: { seqno: number; acthd: number } | null = null;
  private stuck = 0;

  /** Call at every vblank the GPU delivers. True when the engine must be reset (the count then starts over). */
  vblank(s: EngineSample): boolean {
    if (s.seqno === s.submitted) {
      // Idle: everything submitted has completed.
      this.forget();
      return false;
    }
    if (++this.vblanks < HANGCHECK_PERIOD_VBLANKS) return false;
    this.vblanks = 0;
    const progressed = this.last === null || this.last.seqno !== s.seqno || this.last.acthd !== s.acthd;
    this.stuck = progressed ? 0 : this.stuck + 1;
    this.last = { seqno: s.seqno, acthd: s.acthd };
    if (this.stuck < HANGCHECK_HUNG_CHECKS) return false;
    this.forget();
    return true;
  }

  private forget(): void {
    this.vblanks = 0;
    this.last = null;
    this.stuck = 0;
  }
}

/** The desktop scene and driver as the frame loop uses them. */
export interface FrameSource {
  /** Queue the next frame's commands; returns the seqno it will write (the last one if nothing was queued). */
  frame(nowMs: number): number;
  /** The seqno the GPU last wrote. */
  completedSeqno(): number;
}
export interface EngineControl {
  /** Reset the engine (GEN6_GDRST) and start its ring over. */
  resetEngine(): void;
  /** The engine's progress as the guest sees it (ACTHD / the context image's head). */
  ringHead(): number;
}

/**
 * One frame in flight at a time, paced by vblank: at each vblank the hangcheck samples the engine,
 * and a new frame is queued once the last one completed (by seqno). Used by the guest's main loop.
 */
export class FramePacing {
  private submitted: number;
  private readonly hangcheck = new Hangcheck();
  /** Engine resets this loop's hangcheck asked for. */
  resets = 0;

  constructor(
    private readonly scene: FrameSource,
    private readonly engine: EngineControl,
  ) {
    this.submitted = scene.completedSeqno();
  }

  /** Work submitted and not yet completed. */
  get busy(): boolean {
    return this.scene.completedSeqno() !== this.submitted;
  }

  /**
   * A vblank the GPU delivered: sample for the hangcheck (resetting a hung engine and abandoning
   * its frame), then queue the next frame if nothing is in flight and `draw` allows it.
   */
  vblank(nowMs: number, draw: boolean): void {
    if (this.hangcheck.vblank({ submitted: this.submitted, seqno: this.scene.completedSeqno(), acthd: this.engine.ringHead() })) {
      this.engine.resetEngine();
      this.resets++;
      this.submitted = this.scene.completedSeqno();
    }
    if (draw && !this.busy) this.submitted = this.scene.frame(nowMs);
  }
}
