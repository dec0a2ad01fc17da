/**
 * Tab completion for the Dom0 shell (console.complete): candidates for the last word of a line,
 * which replace line[from…]. What the word is decides what it completes to:
 *
 * - `$NAME` / `${NAME` — the session's variable names;
 * - the first word of a command (after `;`, `&&`, `||`, `|` or assignments) — command names;
 * - `xl SUB` — xl's subcommands; after `xl destroy|pause|unpause|shutdown|reboot|console|list
 *   [-l]` the running domains' names (Domain-0 only for list); after `xl create` config files and
 *   the library's domains, and for a bare name also the files of /etc/xen;
 * - after `cd` — directories; anything else (and after `>`) — paths of the Dom0 view, a directory
 *   with a trailing `/`.
 *
 * A word with quotes or backslashes in it gets no candidates; names with characters special to
 * the shell are completed with backslash escapes.
 */
import { COMMANDS, XL_SUBCOMMANDS } from './commands';
import type { Call } from './deps';
import type { Dom0Fs } from './fs-view';
import { resolvePath } from './paths';
import type { ShellSession } from './session';

export interface Completion {
  /** Index in the line where the completed word starts. */
  from: number;
  /** Sorted, unique; one candidate means the completion is unique. */
  candidates: string[];
}

const DOMAIN_VERBS = ['console', 'destroy', 'list', 'pause', 'reboot', 'shutdown', 'unpause'];
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

/** The current command's words before the last one, and where the last one starts. */
interface Context {
  from: number;
  before: string[];
  /** The last word is a redirection's target. */
  redirect: boolean;
  /** The last word is inside a quote. */
  quoted: boolean;
}

function context(line: string): Context {
  let words: string[] = [];
  let current = '';
  let start = 0;
  let targetNext = false;
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      current += c;
      if (c === quote) quote = null;
      continue;
    }
    if (!' \t;&|<>()'.includes(c)) {
      if (c === "'" || c === '"') quote = c;
      current += c;
      continue;
    }
    if (current !== '') {
      if (targetNext) targetNext = false;
      else words.push(current);
    }
    current = '';
    if (c === '>' || c === '<') targetNext = true;
    else if (c !== ' ' && c !== '\t') {
      words = [];
      targetNext = false;
    }
    start = i + 1;
  }
  while (words.length > 0 && ASSIGNMENT.test(words[0])) words.shift();
  return { from: start, before: words, redirect: targetNext, quoted: quote !== null };
}

const escapeWord = (name: string): string => name.replace(/[^A-Za-z0-9_./:@%+=,-]/g, '\\$&');

/** Completions of the last word of `line` (see the module comment). */
export async function complete(line: string, session: ShellSession, fs: Dom0Fs, call: Call): Promise<Completion> {
  const ctx = context(line);
  const word = line.slice(ctx.from);
  const result = (candidates: string[]): Completion => ({ from: ctx.from, candidates: [...new Set(candidates.filter((c) => c.startsWith(word)))].sort() });
  if (ctx.quoted || /['"\\]/.test(word)) return { from: ctx.from, candidates: [] };
  if (word.startsWith('$')) {
    const braced = word.startsWith('${');
    return result(session.entries().map(([name]) => (braced ? `\${${name}}` : `$${name}`)));
  }
  if (ctx.redirect) return result(await paths(word, session, fs, false));
  const [cmd, sub] = ctx.before;
  if (cmd === undefined) return result(word.includes('/') ? await paths(word, session, fs, false) : [...COMMANDS.keys()]);
  if (cmd === 'xl' && !word.startsWith('-')) {
    if (sub === undefined) return result([...XL_SUBCOMMANDS]);
    const domains = await call('domains.list', {});
    // Domain-0 can be listed, not destroyed, paused or attached to.
    if (DOMAIN_VERBS.includes(sub)) return result(domains.filter((d) => d.domid !== null && (sub === 'list' || d.domid !== 0)).map((d) => d.name));
    if (sub === 'create') {
      // xl create also looks in /etc/xen for a bare file name (xl.ts).
      const xen = word.includes('/') ? [] : [...(await fs.xenFiles()).keys()];
      return result([...(await paths(word, session, fs, false)), ...xen, ...domains.filter((d) => d.name !== 'Domain-0').map((d) => d.name)]);
    }
    return result([]);
  }
  return result(await paths(word, session, fs, cmd === 'cd'));
}

/** Paths of the view starting with `word` (relative to the working directory); dirs end in '/'. */
async function paths(word: string, session: ShellSession, fs: Dom0Fs, dirsOnly: boolean): Promise<string[]> {
  const cut = word.lastIndexOf('/') + 1;
  const dirPart = word.slice(0, cut);
  const entries = await fs.list(resolvePath(session.cwd, dirPart || '.')).catch(() => null);
  return (entries ?? [])
    .filter((e) => (!dirsOnly || e.dir) && (e.name.startsWith('.') ? word.slice(cut).startsWith('.') : true))
    .map((e) => `${dirPart}${escapeWord(e.name)}${e.dir ? '/' : ''}`);
}
