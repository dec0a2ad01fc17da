/**
 * The Dom0 console's command history kept in the browser's localStorage, so ↑ finds yesterday's
 * commands. Stored as a JSON array of strings, oldest first, under one key per browser profile.
 * Bounded: HISTORY_LIMIT entries, entries up to MAX_STORED_ENTRY characters (a longer line, say a
 * pasted EDID assignment, stays in the page's memory only), MAX_STORED_CHARS of JSON in all (the
 * oldest go first). A stored value that is not such an array reads as empty, and storage that
 * throws (quota, disabled storage) leaves the history in memory only.
 */

/** Entries the console keeps (in memory and stored), like bash's HISTSIZE. */
export const HISTORY_LIMIT = 500;
export const MAX_STORED_ENTRY = 4096;
export const MAX_STORED_CHARS = 256 * 1024;

/** The part of the Web Storage API this needs (localStorage, or a stand-in in tests). */
export type HistoryStorage = Pick<Storage, 'getItem' | 'setItem'>;

/** Where the line editor loads its history from and records each new entry. */
export interface HistoryStore {
  load(): string[];
  add(entry: string): void;
}

export class StoredHistory implements HistoryStore {
  /** @param storage null when the browser refuses storage: the history is then the page's only */
  constructor(
    private readonly storage: HistoryStorage | null,
    private readonly key: string,
  ) {}

  load(): string[] {
    try {
      const value: unknown = JSON.parse(this.storage?.getItem(this.key) ?? '[]');
      if (!Array.isArray(value)) return [];
      return value.filter(storable).slice(-HISTORY_LIMIT);
    } catch {
      return [];
    }
  }

  /**
   * Append to what is stored now (not to this page's copy), so consoles in two tabs both keep
   * their commands, as bash's `history -a` does.
   */
  add(entry: string): void {
    if (!this.storage || !storable(entry)) return;
    const entries = this.load();
    if (entries[entries.length - 1] !== entry) entries.push(entry);
    let kept = entries.slice(-HISTORY_LIMIT);
    let json = JSON.stringify(kept);
    while (json.length > MAX_STORED_CHARS) {
      kept = kept.slice(Math.ceil(kept.length / 8));
      json = JSON.stringify(kept);
    }
    try {
      this.storage.setItem(this.key, json);
    } catch {
      // Quota or disabled storage: this page still has the entry in memory.
    }
  }
}

/** A history entry worth storing: one non-blank line of bounded length. */
function storable(entry: unknown): entry is string {
  return typeof entry === 'string' && entry.trim() !== '' && entry.length <= MAX_STORED_ENTRY && !/[\r\n]/.test(entry);
}

/** The page's localStorage, or null where reading the property throws (storage disabled, opaque origin). */
export function browserStorage(): HistoryStorage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}
