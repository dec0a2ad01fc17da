/**
 * Expansion of the deferred parameters syntax.ts leaves in words (sentinels `\0u NAME \0` for an
 * unquoted expansion, `\0q NAME \0` for a quoted one) and of here-document bodies, as POSIX.1-2017
 * XCU 2.6 does it for the subset we support: parameter expansion ($NAME, ${NAME}, $?), then field
 * splitting of the results of unquoted expansions on the default IFS (space, tab, newline). There
 * is no command substitution, arithmetic or pathname expansion. An unset variable expands to ''.
 */
import { MAX_EXPANSION } from './limits';
import { ShellSyntaxError } from './scan';
import { ShellLimitError } from './syntax';

/** The value of a parameter (a variable, or a special parameter such as `?`); '' when unset. */
export type Lookup = (name: string) => string;

const SENTINELS = /\0([uq])([^\0]*)\0/g;
const IFS = /[ \t\n]+/;

/**
 * The fields a word expands to: one field, except that unquoted expansions are split on IFS and
 * a word that was only an unquoted expansion of an empty value vanishes.
 */
export function expandFields(word: string, lookup: Lookup): string[] {
  const fields: string[] = [];
  let current = '';
  let started = false;
  let last = 0;
  for (const m of word.matchAll(SENTINELS)) {
    if (m.index > last) {
      current += word.slice(last, m.index);
      started = true;
    }
    last = m.index + m[0].length;
    const value = lookup(m[2]);
    if (m[1] === 'q') {
      current += value;
      started = true;
      continue;
    }
    value.split(IFS).forEach((part, k) => {
      if (k > 0 && started) {
        fields.push(current);
        current = '';
        started = false;
      }
      current += part;
      if (part !== '') started = true;
    });
  }
  if (last < word.length || word === '') {
    current += word.slice(last);
    started = true;
  }
  if (started) fields.push(current);
  return fields;
}

/** A word expanded without field splitting (assignment values, redirection targets). */
export function expandWord(word: string, lookup: Lookup): string {
  return word.replace(SENTINELS, (_m, _q: string, name: string) => lookup(name));
}

/**
 * A here-document body with an unquoted delimiter: `$NAME`, `${NAME}`, `$?` expanded, `\$`,
 * `` \` ``, `\\` unescaped and `\`-newline removed (XCU 2.7.4). `$(…)` and backquotes stay literal.
 * @throws ShellSyntaxError for `${…}` that is not a parameter name; ShellLimitError past MAX_EXPANSION
 */
export function expandHereDocument(body: string, lookup: Lookup): string {
  const out = body.replace(/\\([$`\\\n])|\$\{([^}]*)\}|\$([A-Za-z_][A-Za-z0-9_]*|[?$#!@*\-0-9])/g, (m, escaped?: string, braced?: string, bare?: string) => {
    if (escaped !== undefined) return escaped === '\n' ? '' : escaped;
    const name = braced ?? bare!;
    if (!/^([A-Za-z_][A-Za-z0-9_]*|[?$#!@*\-0-9])$/.test(name)) throw new ShellSyntaxError(`${m}: Bad substitution (only $NAME and \${NAME} expansions are supported)`);
    return lookup(name);
  });
  if (out.length > MAX_EXPANSION) throw new ShellLimitError(`the here-document expands to ${out.length} bytes; the limit is ${MAX_EXPANSION} bytes`);
  return out;
}
