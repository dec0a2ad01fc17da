/**
 * Which planned sources the compositor composes: only those some client watches (frame.watch; the
 * host tells the compositor thread the union). The newest plan of every other source is held, not
 * composed, and handed back when the source becomes watched or a snapshot asks for its picture, so
 * what is composed then is as new as the GPU thread's last plan of it (a source is planned at least
 * every REFRESH_NS). Skipping composes loses no damage: a picture asks the dirty logs which blocks
 * were written since it was last brought up to date (block-writes.ts), however long ago.
 */
import { PIPE_COUNT } from '../../shared/regs';
import { vmHeadSource } from '../../shared/heads';
import { type ScanoutSource, mergePlans } from './compositor-feed';

export class WatchGate {
  /** The watched sources; null: all. */
  private watched: ReadonlySet<number> | null = null;
  /** Per unwatched source, its newest plan. */
  private readonly held = new Map<number, ScanoutSource>();

  /** Is `source` composed now? */
  watches(source: number): boolean {
    return this.watched === null || this.watched.has(source);
  }

  /** The part of `plan` to compose now (its order kept); the rest is held, newest per source. */
  pass(plan: ScanoutSource[]): ScanoutSource[] {
    if (this.watched === null) return plan;
    const now: ScanoutSource[] = [];
    for (const s of plan) {
      if (this.watches(s.source)) now.push(s);
      else this.held.set(s.source, s);
    }
    return now;
  }

  /**
   * Compose `sources` (null: all) from now on. Returns the held plans of the sources that became
   * watched, as one plan (physical heads last, as mergePlans orders them): compose it before any
   * snapshot of them is answered.
   */
  watch(sources: Iterable<number> | null): ScanoutSource[] {
    this.watched = sources === null ? null : new Set(sources);
    const revived: ScanoutSource[] = [];
    for (const [source, s] of this.held)
      if (this.watches(source)) {
        revived.push(s);
        this.held.delete(source);
      }
    return mergePlans([], revived);
  }

  /** Take out the held plan of `source` ([] if none): a snapshot of an unwatched source composes it first. */
  take(source: number): ScanoutSource[] {
    const s = this.held.get(source);
    if (!s) return [];
    this.held.delete(source);
    return [s];
  }

  /** Sources held (unwatched, with a plan), for tests and diagnostics. */
  heldSources(): number[] {
    return [...this.held.keys()];
  }

  /** A vGPU was destroyed: drop the held plans of its heads. */
  forget(domid: number): void {
    for (let pipe = 0; pipe < PIPE_COUNT; pipe++) this.held.delete(vmHeadSource(domid, pipe));
  }
}
