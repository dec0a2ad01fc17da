/**
 * Which sources the compositor composes: the union of what the live frame clients watch
 * (frame.watch, FrameInterest). A client that has not said watches everything, so the union is
 * null ("all") while any such client is connected; with no client it is empty. The union goes to
 * the compositor thread only when it changes.
 */
import type { FrameInterest } from './host-api';

export class FrameInterests {
  private readonly clients = new Set<{ sources: ReadonlySet<number> | null }>();
  /** The union last reported (undefined: nothing reported yet). */
  private last: string | undefined;

  /** changed: the new union (sorted source ids, or null for every source), called when it differs from the last one. */
  constructor(private readonly changed: (sources: number[] | null) => void) {
    this.update();
  }

  /** A new client, watching every source until it says otherwise. */
  add(): FrameInterest {
    const client: { sources: ReadonlySet<number> | null } = { sources: null };
    this.clients.add(client);
    this.update();
    return {
      set: (sources) => {
        if (!this.clients.has(client)) return;
        client.sources = sources === null ? null : new Set(sources);
        this.update();
      },
      dispose: () => {
        if (this.clients.delete(client)) this.update();
      },
    };
  }

  /** The sources some client watches (sorted), or null when some client watches all. */
  union(): number[] | null {
    const all = new Set<number>();
    for (const c of this.clients) {
      if (c.sources === null) return null;
      for (const s of c.sources) all.add(s);
    }
    return [...all].sort((a, b) => a - b);
  }

  private update(): void {
    const u = this.union();
    const key = u === null ? 'all' : u.join(',');
    if (key === this.last) return;
    this.last = key;
    this.changed(u);
  }
}
