/**
 * The compositor window layout, kept per data dir in `<dataDir>/layout.json` (written atomically).
 * A missing file is the default layout (no windows placed); a corrupt or invalid one is ignored with
 * a warning (logged once, and handed to the UI by layout.get until a new layout replaces it), never
 * fatal. Windows of VMs that are no longer in the library are dropped when the layout is read.
 */
import { join } from 'node:path';
import { FILE_LIMITS, FileAccessError, readRegularFileSync, writeFileAtomicallySync } from '../files/checked-io';
import { LayoutSchema, type Layout } from '../../shared/api';

export const LAYOUT_FILE = 'layout.json';

const emptyLayout = (): Layout => ({ version: 1, windows: {} });

export class LayoutStore {
  private current: Layout;
  private readonly file: string;
  /** Why the stored file was ignored, until a layout.set replaces it; null when it loaded (or did not exist). */
  private problem: string | null = null;

  /** @param warn where the reason a stored file was ignored goes (the host's log). */
  constructor(dataDir: string, warn: (message: string) => void = (m) => console.warn(`gvt-desk: ${m}`)) {
    this.file = join(dataDir, LAYOUT_FILE);
    this.current = emptyLayout();
    let raw: unknown;
    try {
      raw = JSON.parse(readRegularFileSync(this.file, FILE_LIMITS.json, 'window layout').toString('utf8'));
    } catch (e) {
      if (e instanceof FileAccessError && e.reason === 'not_found') return;
      this.problem = e instanceof FileAccessError ? `${e.message}; the default layout is used` : `${this.file}: not valid JSON (${(e as Error).message}); the default layout is used`;
      warn(this.problem);
      return;
    }
    const parsed = LayoutSchema.safeParse(raw);
    if (parsed.success) this.current = parsed.data;
    else {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ');
      this.problem = `${this.file}: ${issues}; the default layout is used`;
      warn(this.problem);
    }
  }

  /**
   * The stored layout without the windows of VMs `isKnown` rejects (`vm:NAME`, `vm:NAME:B` keys;
   * `physical`, `physical:D` are always kept), and the warning if the file was ignored.
   */
  get(isKnown: (name: string) => boolean): { layout: Layout; warning: string | null } {
    const windows = Object.fromEntries(Object.entries(this.current.windows).filter(([key]) => key.startsWith('physical') || isKnown(key.slice('vm:'.length).replace(/:[BC]$/, ''))));
    return { layout: { version: 1, windows: structuredClone(windows) }, warning: this.problem };
  }

  /** Replace the layout (already validated by the API schema) and write the file atomically. Throws FileAccessError when it cannot be written. */
  set(layout: Layout): { windows: number } {
    writeFileAtomicallySync(this.file, JSON.stringify(layout, null, 1) + '\n', 'window layout');
    this.current = structuredClone(layout);
    this.problem = null;
    return { windows: Object.keys(layout.windows).length };
  }
}
