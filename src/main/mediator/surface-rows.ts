/**
 * A linear surface's rows read where they lie: in the RAM behind the GGTT, without copying.
 * The surface's GM pages are grouped once per frame into runs that are contiguous in one RAM
 * region (a framebuffer object is usually one run), so a block of rows is one span for memcmp;
 * the runs also say which of the surface's blocks the dirty logs saw written.
 */
import { PAGE_SIZE } from '../../shared/platform';
import type { Ggtt } from '../gpu/ggtt';
import type { RamRegion } from '../gpu/memory';
import type { DecodedPlane } from '../gpu/scanout';
import type { SurfaceRows, WordSpan } from './damage';
import { DIRTY_BLOCK_SHIFT } from '../../shared/dirty-log';
import type { BlockWrites } from './block-writes';

/** Surface bytes [start, end) lie at words[at …] of `region`, or are unmapped (region null: black). */
interface Run {
  start: number;
  end: number;
  region: RamRegion | null;
  words: Uint32Array | null;
  at: number;
}

/**
 * A linear surface read in place: its rows, where its pages lie, and which of them were written.
 * Its bytes are counted from the start of the GM page holding its first pixel (a plane with a
 * PLANE_OFFSET starts `lead` bytes into that page), so its dirty-log blocks (DIRTY_BLOCK_SHIFT)
 * line up with the RAM's: block k is bytes [k << DIRTY_BLOCK_SHIFT, (k + 1) << DIRTY_BLOCK_SHIFT).
 */
export interface GmSurface extends SurfaceRows {
  /** Identifies the GM → RAM mapping of the surface's pages: equal keys, the same memory. */
  readonly mappingKey: string;
  /** Bytes before the first pixel in its page; row y starts at byte lead + y * pitch. */
  readonly lead: number;
  /** Blocks from the first page to the last pixel's block. */
  readonly blocks: number;
  /** Bytes [from, to) as words where they lie, when they are in one run of RAM (else null: split or unmapped). */
  span(from: number, to: number): WordSpan | null;
  /** Set marks[k] = 1 for each block k of the surface written after compose `at` (every block of RAM without a log). */
  markWritten(writes: BlockWrites, at: number, marks: Uint8Array): void;
}

/**
 * SurfaceRows of linear `plane` read through `ggtt`. `scratch` (at least plane.width words) takes
 * the rows that straddle runs; unmapped or unbacked pages read as black, as readPlaneXrgb does.
 * The GGTT must not change while the result is used (one compose).
 */
export function gmSurfaceRows(ggtt: Ggtt, plane: DecodedPlane, scratch: Uint32Array): GmSurface {
  const rowBytes = plane.width * 4;
  // A plane with a PLANE_OFFSET starts inside a page: the runs start at that page, `lead` bytes before the plane.
  const lead = plane.surf % PAGE_SIZE;
  const bytes = lead + (plane.height - 1) * plane.pitch + rowBytes;
  const runs = surfaceRuns(ggtt, plane.surf - lead, bytes);
  const blocks = Math.ceil(bytes / 2 ** DIRTY_BLOCK_SHIFT);
  let hint = 0;
  /** The run holding surface byte `offset` (rows are asked for in ascending order). */
  const runAt = (offset: number): Run => {
    if (runs[hint].start > offset) hint = 0;
    while (runs[hint].end <= offset) hint++;
    return runs[hint];
  };
  const inOneRun = (start: number, bytes: number): WordSpan | null => {
    const r = runAt(start);
    return r.words !== null && start + bytes <= r.end ? { words: r.words, at: r.at + (start - r.start) / 4 } : null;
  };
  return {
    row(y) {
      const start = lead + y * plane.pitch;
      const direct = inOneRun(start, rowBytes);
      if (direct) return direct;
      // Straddles runs or touches an unmapped page: assemble the row.
      for (let done = 0; done < rowBytes; ) {
        const r = runAt(start + done);
        const bytes = Math.min(rowBytes - done, r.end - (start + done));
        if (r.words) scratch.set(r.words.subarray(r.at + (start + done - r.start) / 4, r.at + (start + done - r.start + bytes) / 4), done / 4);
        else scratch.fill(0, done / 4, (done + bytes) / 4);
        done += bytes;
      }
      return { words: scratch, at: 0 };
    },
    rows(y0, y1) {
      return plane.pitch === rowBytes ? inOneRun(lead + y0 * plane.pitch, (y1 - y0) * rowBytes) : null;
    },
    mappingKey: runs.map((r) => `${r.start}:${r.end}:${r.region?.base ?? -1}:${r.at}`).join(','),
    lead,
    blocks,
    span: (from, to) => inOneRun(from, to - from),
    markWritten(writes, at, marks) {
      for (const r of runs) {
        if (!r.region) continue; // unmapped pages read as black and never change
        // Runs start on page boundaries, so region blocks and surface blocks line up.
        const stamps = writes.writtenStamps(r.region);
        const first = r.start >>> DIRTY_BLOCK_SHIFT;
        const end = Math.min(blocks, r.end >>> DIRTY_BLOCK_SHIFT);
        const delta = ((r.at * 4) >>> DIRTY_BLOCK_SHIFT) - first;
        if (stamps === null) marks.fill(1, first, end);
        else for (let k = first; k < end; k++) if (stamps[k + delta] > at) marks[k] = 1;
      }
    },
  };
}

/** The runs covering `bytes` bytes of GM from page-aligned `surf`. */
function surfaceRuns(ggtt: Ggtt, surf: number, bytes: number): Run[] {
  const runs: Run[] = [];
  const first = Math.floor(surf / PAGE_SIZE);
  const pages = Math.ceil(bytes / PAGE_SIZE);
  let region: RamRegion | undefined;
  let last: Run | null = null;
  let lastHpa = -1;
  for (let p = 0; p < pages; p++) {
    const hpa = ggtt.pageHpa(first + p);
    if (hpa >= 0 && !(region && hpa >= region.base && hpa + PAGE_SIZE <= region.base + region.bytes.length)) region = ggtt.regionOf(hpa);
    const backed = hpa >= 0 && region !== undefined && hpa + PAGE_SIZE <= region.base + region.bytes.length;
    const owner = backed ? region! : null;
    const start = p * PAGE_SIZE;
    const continues = last !== null && last.region === owner && (owner === null || hpa === lastHpa + PAGE_SIZE);
    if (continues) last!.end = start + PAGE_SIZE;
    else runs.push((last = { start, end: start + PAGE_SIZE, region: owner, words: owner?.words ?? null, at: owner ? (hpa - owner.base) / 4 : 0 }));
    lastHpa = hpa;
  }
  return runs;
}
