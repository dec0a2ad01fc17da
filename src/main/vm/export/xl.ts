/**
 * Export as xl.cfg: the config text exactly as the library stores it, so importing the file again
 * gives the same domain (same text, same findings) and XenGT's `xl create` reads it as written.
 * source: xl.cfg(5)
 */
import type { LibraryEntry } from '../library';

/** The domain's xl.cfg text, verbatim. */
export function exportXl(entry: Pick<LibraryEntry, 'text'>): string {
  return entry.text;
}
