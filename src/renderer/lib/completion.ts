/**
 * What Tab does in the Dom0 console with the host's console.complete answer, as bash does it: one
 * candidate completes the word (and a space after it, unless it is a directory ending in '/');
 * several complete their common prefix, and a second Tab in a row lists them in columns; none rings
 * the bell. Pure, so the line editor only applies the result.
 */
import type { Results } from '../../shared/api';

export type Completion = Results['console.complete'];

export type TabAction =
  /** The line with the word completed. */
  | { kind: 'replace'; line: string }
  /** Show these rows under the line (the candidates in columns), then the prompt and line again. */
  | { kind: 'list'; rows: string[] }
  | { kind: 'bell' };

/**
 * @param line the line Tab was pressed on (the one sent to console.complete)
 * @param secondTab the key before this Tab was a Tab too
 * @param width terminal columns, for the listing
 */
export function tabAction(line: string, { from, candidates }: Completion, secondTab: boolean, width: number): TabAction {
  const start = Math.min(Math.max(0, from), line.length);
  const head = line.slice(0, start);
  if (candidates.length === 1) {
    const only = candidates[0]!;
    return { kind: 'replace', line: head + only + (only.endsWith('/') ? '' : ' ') };
  }
  if (candidates.length > 1) {
    const prefix = commonPrefix(candidates);
    if (prefix.length > line.length - start) return { kind: 'replace', line: head + prefix };
    if (secondTab) return { kind: 'list', rows: columns(candidates.map(shownName), width) };
  }
  return { kind: 'bell' };
}

export function commonPrefix(words: readonly string[]): string {
  let prefix = words[0] ?? '';
  for (const w of words) {
    let n = 0;
    while (n < prefix.length && n < w.length && prefix[n] === w[n]) n++;
    prefix = prefix.slice(0, n);
  }
  return prefix;
}

/** How a candidate is listed: a path by its last component (`/etc/xen/xl.hvm` as `xl.hvm`, `/sys/kernel/vgt/` as `vgt/`), as bash lists files. */
export function shownName(candidate: string): string {
  return candidate.replace(/^.*\/(?=.)/s, '');
}

/**
 * Items in columns read top to bottom, then left to right (like ls and bash), each column as wide
 * as the longest item plus two spaces, as many columns as fit in `width` (at least one); rows
 * carry no trailing blanks.
 */
export function columns(items: readonly string[], width: number): string[] {
  const colWidth = items.reduce((w, s) => Math.max(w, s.length), 0) + 2;
  const perRow = Math.max(1, Math.floor(width / colWidth));
  const rowCount = Math.ceil(items.length / perRow);
  const rows: string[] = [];
  for (let r = 0; r < rowCount; r++) {
    let row = '';
    for (let i = r; i < items.length; i += rowCount) row += items[i]!.padEnd(colWidth);
    rows.push(row.trimEnd());
  }
  return rows;
}
