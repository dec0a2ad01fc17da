/**
 * The compositor's reading of the dirty logs (shared/dirty-log.ts): once per compose it collects
 * and clears every region's log (both writers' halves) and stamps the blocks it finds written with
 * that compose's number, so a picture can ask which blocks of its surface were written since the
 * compose that last brought it up to date. Single reader by design: only the compositor clears.
 */
import type { RamRegion } from '../gpu/memory';

export class BlockWrites {
  /** The current compose's number; pages seen written from now on get a higher one. */
  now = 0;
  /** Per log (keyed by its memory, stable across re-attaches), the compose number of each block's last write. */
  private readonly stamps = new WeakMap<ArrayBufferLike, Uint32Array>();

  /** Start a compose: collect (and clear) the logs of `regions`, stamping written blocks with the new `now`. */
  harvest(regions: readonly RamRegion[]): void {
    this.now++;
    for (const r of regions) {
      const log = r.dirty;
      if (!log) continue;
      const stamps = this.stampsOf(r);
      // Both halves (GPU_LOG, CPU_LOG) cover the same blocks.
      const half = log.length >>> 1;
      for (let i = 0; i < log.length; i++) {
        if (log[i] === 0) continue;
        const bits = Atomics.exchange(log, i, 0);
        const first = (i % half) * 32;
        for (let b = 0; b < 32; b++) if (bits & (1 << b)) stamps[first + b] = this.now;
      }
    }
  }

  /**
   * Per block of `region` (DIRTY_BLOCK_SHIFT-sized, counted from the region's base), the compose
   * number at which it was last seen written (0: never), or null when the region keeps no log (every
   * block counts as written now). The array is live: read it within one compose.
   */
  writtenStamps(region: RamRegion): Uint32Array | null {
    return region.dirty ? this.stampsOf(region) : null;
  }

  private stampsOf(r: RamRegion): Uint32Array {
    const key = r.dirty!.buffer;
    let s = this.stamps.get(key);
    if (!s) this.stamps.set(key, (s = new Uint32Array((r.dirty!.length >>> 1) * 32)));
    return s;
  }
}

