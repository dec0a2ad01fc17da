/**
 * The blitter's native memory operations on guest RAM, recorded and replayed without the GPU model:
 * a reference for how much of a benchmark's cost is the host's memory system rather than emulation.
 *
 * The blitter copies and fills guest RAM through each region's RamOps (memmove and a dword fill,
 * see src/main/gpu/ram-ops.ts). A `RamRecorder` wraps those of the given regions, passing every
 * call through and logging it; `cut()` closes the calls since the last cut as one frame. `replay`
 * then runs the recorded frames again, in recorded order and on the same RAM (so the same host
 * pages and cache sets), with nothing else in between: the copies and fills alone. Replaying only
 * rewrites what the recording wrote (the benchmark's blits never write their own sources).
 */
import type { RamRegion } from '../../src/main/gpu/memory';
import type { RamOps } from '../../src/main/gpu/ram-ops';

const COPY = 0;
const FILL = 1;

/** One frame's calls on one region: [kind, dst, src or dword value, bytes] per call. */
export interface RecordedFrame {
  ops: RamOps;
  calls: Float64Array;
  /** Size of the region's RAM, bytes. */
  ramBytes: number;
}

/** What a recording holds, per frame on average. */
export interface RecordingStats {
  frames: number;
  /** memmove calls and bytes moved (each byte read once and written once). */
  copies: number;
  copyBytes: number;
  /** Dword fill calls and bytes written. */
  fills: number;
  fillBytes: number;
}

interface Tap {
  region: RamRegion;
  original: RamOps;
  log: number[];
}

export class RamRecorder {
  readonly frames: RecordedFrame[] = [];
  private readonly taps: Tap[] = [];

  /** Start logging the RamOps of `regions` (each must have native ops: a wasm-memory RAM). */
  constructor(regions: readonly RamRegion[]) {
    for (const region of regions) {
      const original = region.ops;
      if (original === null) throw new Error(`RAM at 0x${region.base.toString(16)} has no native ops to record (not a wasm memory)`);
      const log: number[] = [];
      region.ops = {
        copy(dst, src, n) {
          log.push(COPY, dst, src, n);
          original.copy(dst, src, n);
        },
        fill32(dst, value, n) {
          log.push(FILL, dst, value, n);
          original.fill32(dst, value, n);
        },
      };
      this.taps.push({ region, original, log });
    }
  }

  /** Close each region's calls since the last cut as one frame (regions with none add nothing). */
  cut(): void {
    for (const t of this.taps) {
      if (t.log.length === 0) continue;
      this.frames.push({ ops: t.original, calls: Float64Array.from(t.log), ramBytes: t.region.bytes.length });
      t.log.length = 0;
    }
  }

  /** Put the regions' own ops back (calls since the last cut are dropped). */
  stop(): void {
    for (const t of this.taps) t.region.ops = t.original;
    this.taps.length = 0;
  }

  stats(): RecordingStats {
    const s: RecordingStats = { frames: this.frames.length, copies: 0, copyBytes: 0, fills: 0, fillBytes: 0 };
    for (const f of this.frames) {
      for (let i = 0; i < f.calls.length; i += 4) {
        if (f.calls[i] === COPY) {
          s.copies++;
          s.copyBytes += f.calls[i + 3];
        } else {
          s.fills++;
          s.fillBytes += f.calls[i + 3];
        }
      }
    }
    return s;
  }
}

/** Run recorded frame `index` (modulo the count) again with the region's own ops. */
export function replayFrame(frames: readonly RecordedFrame[], index: number): void {
  const { ops, calls } = frames[index % frames.length];
  for (let i = 0; i < calls.length; i += 4) {
    if (calls[i] === COPY) ops.copy(calls[i + 1], calls[i + 2], calls[i + 3]);
    else ops.fill32(calls[i + 1], calls[i + 2], calls[i + 3]);
  }
}

const LINE = 64;

/**
 * Distinct bytes of RAM (counted in whole 64 B cache lines) that `frames` read or write together:
 * the working set they share the host's caches with. Frames on different regions count apart.
 */
export function distinctBytes(frames: readonly RecordedFrame[]): number {
  const seen = new Map<RamOps, Uint8Array>();
  let lines = 0;
  const touch = (map: Uint8Array, from: number, n: number): void => {
    for (let l = Math.floor(from / LINE), end = Math.ceil((from + n) / LINE); l < end; l++) {
      if (map[l] === 0) lines++;
      map[l] = 1;
    }
  };
  for (const f of frames) {
    let map = seen.get(f.ops);
    if (!map) seen.set(f.ops, (map = new Uint8Array(Math.ceil(f.ramBytes / LINE))));
    for (let i = 0; i < f.calls.length; i += 4) {
      touch(map, f.calls[i + 1], f.calls[i + 3]);
      if (f.calls[i] === COPY) touch(map, f.calls[i + 2], f.calls[i + 3]);
    }
  }
  return lines * LINE;
}
