/**
 * The dirty-log-guided compare of a linear surface with its picture (picture.ts decides when it
 * may be used): only the surface's 1 KiB dirty-log blocks that may differ from the picture are
 * read — those written since the picture last synced from the surface, and those under the
 * picture's own changes since (a double-buffered desktop flips between two surfaces). Blocks, not
 * a row's hull of columns: at 1920x1080 two windows on the same rows left the gap between them to
 * compare, a third of the bytes. A run of consecutive marked blocks is compared with one native
 * compare when the surface is packed (pitch = width * 4: a run of surface bytes is a run of
 * picture words too) and lies in one run of RAM — the whole top bar is one call — and row by row
 * (damage.ts syncRow, which also fixes the picture) where that finds a difference or cannot be
 * used. The damage is what syncRows would find comparing everything, given logs that saw every
 * write (the periodic full compare is the net for writers that do not log).
 */
import { DIRTY_BLOCK_SHIFT } from '../../shared/dirty-log';
import type { DecodedPlane } from '../gpu/scanout';
import { type Band, type DamageRect, MAX_DAMAGE_RECTS, type SpanEqual, bandRects, syncRow } from './damage';
import type { GmSurface } from './surface-rows';

/** One picture's guided compare, reused from sync to sync (it allocates only when the surface grows). */
export class BlockGuide {
  /** Per surface block (see GmSurface): 1 = may differ. */
  private marks = new Uint8Array(0);
  /** Per row, the changed columns [lo, hi) found (lo >= hi: unchanged). */
  private lo = new Int32Array(0);
  private hi = new Int32Array(0);
  private readonly span = { lo: 0, hi: 0 };

  /**
   * Start a sync of `surface`: returns the block marks, none set, for GmSurface.markWritten and
   * markRect to set.
   */
  begin(surface: GmSurface): Uint8Array {
    if (this.marks.length < surface.blocks) this.marks = new Uint8Array(surface.blocks);
    else this.marks.fill(0, 0, surface.blocks);
    return this.marks;
  }

  /** Mark the blocks holding rectangle r (picture pixels, inside the plane) of linear `plane` read as `surface`. */
  markRect(surface: GmSurface, plane: DecodedPlane, r: DamageRect): void {
    const marks = this.marks;
    const { pitch } = plane;
    const rowBytes = plane.width * 4;
    if (r.x === 0 && r.w === plane.width && pitch === rowBytes) {
      // Whole rows of a packed surface: one stretch of bytes.
      marks.fill(1, (surface.lead + r.y * pitch) >>> DIRTY_BLOCK_SHIFT, ((surface.lead + (r.y + r.h) * pitch - 1) >>> DIRTY_BLOCK_SHIFT) + 1);
      return;
    }
    for (let y = r.y; y < r.y + r.h; y++) {
      const from = surface.lead + y * pitch + r.x * 4;
      const last = (from + r.w * 4 - 1) >>> DIRTY_BLOCK_SHIFT;
      for (let b = from >>> DIRTY_BLOCK_SHIFT; b <= last; b++) marks[b] = 1;
    }
  }

  /**
   * Compare the marked blocks of `surface` (linear `plane`, width x height pixels) with `dst` (the
   * picture: width x height XRGB words, row-packed), fix `dst` where they differ, and return the
   * changed regions as syncRows does (bands of changed rows, at most `maxRects`).
   */
  sync(surface: GmSurface, plane: DecodedPlane, dst: Uint32Array, width: number, height: number, equal: SpanEqual, maxRects = MAX_DAMAGE_RECTS): DamageRect[] {
    if (this.lo.length < height) {
      this.lo = new Int32Array(height);
      this.hi = new Int32Array(height);
    }
    const { marks, lo, hi, span } = this;
    lo.fill(width, 0, height);
    hi.fill(0, 0, height);
    const { pitch } = plane;
    const { lead } = surface;
    const rowBytes = width * 4;
    const packed = pitch === rowBytes;
    const end = lead + (height - 1) * pitch + rowBytes;
    const blocks = surface.blocks;
    span.lo = span.hi = 0;
    for (let b = 0; b < blocks; ) {
      if (marks[b] === 0) {
        b++;
        continue;
      }
      let e = b + 1;
      while (e < blocks && marks[e] !== 0) e++;
      const from = Math.max(lead, b << DIRTY_BLOCK_SHIFT);
      const to = Math.min(end, e << DIRTY_BLOCK_SHIFT);
      b = e;
      if (from >= to) continue;
      const yFirst = Math.floor((from - lead) / pitch);
      const yLast = Math.min(height - 1, Math.floor((to - 1 - lead) / pitch));
      // A run over several rows is compared whole first (unchanged, it is done in one call); within
      // one row, syncRow's own first compare is that call.
      if (packed && yLast > yFirst) {
        const run = surface.span(from, to);
        if (run && equal(run.words, run.at, dst, (from - lead) / 4, (to - from) / 4)) continue;
      }
      // Row by row: each row the run touches, within the run's columns of it.
      for (let y = yFirst; y <= yLast; y++) {
        const rowStart = lead + y * pitch;
        const c0 = Math.max(0, Math.floor((from - rowStart) / 4));
        const c1 = Math.min(width, Math.ceil((to - rowStart) / 4));
        if (c0 >= c1) continue; // only the row's padding (pitch beyond width * 4)
        const r = surface.row(y);
        if (!syncRow(r.words, r.at, dst, y * width, c0, c1, equal, span)) continue;
        if (span.lo < lo[y]) lo[y] = span.lo;
        if (span.hi > hi[y]) hi[y] = span.hi;
      }
    }
    const bands: Band[] = [];
    let band: Band | null = null;
    for (let y = 0; y < height; y++) {
      if (lo[y] >= hi[y]) band = null;
      else if (band) {
        band.y1 = y;
        if (lo[y] < band.x0) band.x0 = lo[y];
        if (hi[y] - 1 > band.x1) band.x1 = hi[y] - 1;
      } else bands.push((band = { x0: lo[y], x1: hi[y] - 1, y0: y, y1: y }));
    }
    return bandRects(bands, maxRects);
  }
}
