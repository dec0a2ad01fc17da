/**
 * The compositor's reading of the dirty logs (shared/dirty-log.ts): once per compose it collects
 * and clears every region's log (both writers' halves) and stamps the blocks it finds written with
 * that compose's number, so a picture can ask which blocks of its surface were written since the
 * compose that last brought it up to date. It reads and clears only the compositor's view
 * (COMPOSITOR_VIEW): the PPGTT shadowing's bits stay for it to take.
 */
import { COMPOSITOR_VIEW, CPU_LOG, GPU_LOG, planeStart, planeWords } from '../../shared/dirty-log';
import type { RamRegion } from '../gpu/memory';
import type { SpanEqual } from './damage';

/** Log words checked for writes at once by the native compare (harvest): 8192 blocks, 8 MiB of RAM. */
export const HARVEST_CHUNK_WORDS = 256;
const ZEROS = new Uint32Array(HARVEST_CHUNK_WORDS);

export class BlockWrites {
  /** The current compose's number; pages seen written from now on get a higher one. */
  now = 0;
  /** Per log (keyed by its memory, stable across re-attaches), the compose number of each block's last write. */
  private readonly stamps = new WeakMap<ArrayBufferLike, Uint32Array>();

  /**
   * equal: a fast compare (the compositor thread's native memcmp); with it, runs of
   * HARVEST_CHUNK_WORDS log words are skipped with one compare against zeros when nothing in them
   * was written (most of a guest's RAM between two composes), instead of a JS loop over every word.
   */
  constructor(private readonly equal?: SpanEqual) {}

  /** Start a compose: collect (and clear) the compositor's view of the logs of `regions`, stamping written blocks with the new `now`. */
  harvest(regions: readonly RamRegion[]): void {
    this.now++;
    for (const r of regions) {
      const log = r.dirty;
      if (!log) continue;
      const stamps = this.stampsOf(r);
      // Both writers' planes (GPU_LOG, CPU_LOG) cover the same blocks.
      const words = planeWords(log);
      for (const writer of [GPU_LOG, CPU_LOG] as const) {
        const start = planeStart(log, COMPOSITOR_VIEW, writer);
        for (let c = 0; c < words; c += HARVEST_CHUNK_WORDS) {
          const n = Math.min(HARVEST_CHUNK_WORDS, words - c);
          // A bit set after this look is taken by the next harvest, as with the per-word look below.
          if (this.equal?.(log, start + c, ZEROS, 0, n)) continue;
          for (let i = c; i < c + n; i++) {
            if (log[start + i] === 0) continue;
            const bits = Atomics.exchange(log, start + i, 0);
            for (let b = 0; b < 32; b++) if (bits & (1 << b)) stamps[i * 32 + b] = this.now;
          }
        }
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
    if (!s) this.stamps.set(key, (s = new Uint32Array(planeWords(r.dirty!) * 32)));
    return s;
  }
}

