/**
 * The lexical pre-pass over one command line of the Dom0 shell. shell-quote does the word
 * splitting, the quoting and the variable expansion; this pass does what shell-quote cannot tell
 * its caller, following POSIX.1-2017 XCU 2.3 (token recognition) and 2.6 (word expansions):
 *
 * - an unterminated quote (shell-quote silently drops a lone `'` or `"`);
 * - `#` starts a comment only at the start of a word (shell-quote cuts at any `#`): the comment is
 *   removed and a `#` inside a word is escaped;
 * - whether a `$NAME` / `${NAME}` expansion is quoted (field splitting applies only to unquoted
 *   ones): unquoted ones are rewritten to `${\u0001NAME}` so the env callback sees the difference;
 * - a here-document operator `<<WORD` / `<<-WORD` and whether WORD was quoted (a quoted delimiter
 *   turns off expansion in the body);
 * - tilde expansion of a word that is `~` or starts with `~/` (rewritten to `${HOME}`);
 * - `N>` / `N<` redirections of other file descriptors, which are refused (shell-quote would read
 *   `2>/dev/null` as the word `2` and a redirection).
 */

/** A syntax error of the shell language; the message follows dash's wording where it has one. */
export class ShellSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShellSyntaxError';
  }
}

/** Prefix of an env-callback key that marks an unquoted expansion. */
export const UNQUOTED = '\u0001';

/** A here-document opened on a line; `body` is filled in from the lines that follow it. */
export interface HereDocMark {
  /** `<<-`: leading tabs are stripped from the body lines and the delimiter line. */
  strip: boolean;
  /** The delimiter word with its quotes removed. */
  delimiter: string;
  /** Any part of the delimiter was quoted: the body is taken literally (no expansion). */
  quoted: boolean;
  body: string;
}

export interface ScannedLine {
  /** The line as shell-quote should parse it (see the module comment for the rewrites). */
  text: string;
  /** The quote still open at the end of the line (the command goes on on the next line), or null. */
  openQuote: string | null;
  /** The line ends in an unquoted backslash: it continues on the next line. */
  continued: boolean;
  /** Here-documents in the order their operators appear. */
  heredocs: HereDocMark[];
}

const OPERATOR = ';&|()<>';
const BLANK = ' \t\n';
const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
/** Special parameters and single-digit positional parameters. */
const SPECIAL = '?$#!@*-0123456789';

/** Quote a string as one single-quoted shell word. */
function singleQuoted(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * Scan one line (or several lines joined by the caller while a quote is open).
 * @throws ShellSyntaxError for a here-document operator without a delimiter and for redirections
 *   of file descriptors other than standard output
 */
export function scanLine(line: string): ScannedLine {
  let out = '';
  let quote: string | null = null;
  let wordStart = true;
  /** The current word's characters when they are all unquoted digits so far ('' otherwise or at start). */
  let digits = '';
  let plainWord = true;
  const heredocs: HereDocMark[] = [];
  let continued = false;

  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote === "'") {
      out += c;
      if (c === "'") quote = null;
      continue;
    }
    if (quote === '"' || quote === "$'") {
      out += c;
      if (c === '\\' && i + 1 < line.length) out += line[++i];
      else if (c === (quote === '"' ? '"' : "'")) quote = null;
      continue;
    }
    if (BLANK.includes(c) || OPERATOR.includes(c)) {
      if ((c === '>' || c === '<') && plainWord && digits !== '') {
        throw new ShellSyntaxError(`${digits}${c}: redirecting file descriptor ${digits} is not supported (only standard output: >, >>)`);
      }
      if (c === '<' && line[i + 1] === '<' && line[i + 2] !== '<') {
        i = hereDocument(line, i, heredocs, (s) => (out += s));
      } else out += c;
      wordStart = true;
      digits = '';
      plainWord = true;
      continue;
    }
    const atStart = wordStart;
    wordStart = false;
    if (c === '#' && atStart) break;
    if (/[0-9]/.test(c) && plainWord) digits += c;
    else plainWord = false;
    if (c === '\\') {
      if (i + 1 >= line.length) {
        continued = true;
        break;
      }
      out += c + line[++i];
    } else if (c === "'" || c === '"') {
      quote = c;
      out += c;
    } else if (c === '$' && line[i + 1] === "'") {
      quote = "$'";
      out += "$'";
      i++;
    } else if (c === '$') {
      i = expansion(line, i, (s) => (out += s));
    } else if (c === '#') {
      out += '\\#';
    } else if (c === '~' && atStart && (i + 1 >= line.length || '/'.includes(line[i + 1]) || BLANK.includes(line[i + 1]) || OPERATOR.includes(line[i + 1]))) {
      out += '${HOME}';
    } else out += c;
  }
  return { text: out, openQuote: quote, continued, heredocs };
}

/** Rewrite an unquoted `$NAME`, `${…}` or `$?` at line[i] for the env callback; returns the last index used. */
function expansion(line: string, i: number, emit: (s: string) => void): number {
  const rest = line.slice(i + 1);
  if (rest.startsWith('{')) {
    // `${…}` up to its `}` as written (shell-quote refuses it when there is none).
    const end = rest.indexOf('}');
    if (end < 0) {
      emit('${');
      return i + 1;
    }
    emit(`\${${UNQUOTED}${rest.slice(1, end)}}`);
    return i + 1 + end;
  }
  const name = NAME.exec(rest)?.[0] ?? (rest !== '' && SPECIAL.includes(rest[0]) ? rest[0] : '');
  if (name === '') {
    emit('$');
    return i;
  }
  emit(`\${${UNQUOTED}${name}}`);
  return i + name.length;
}

/**
 * Read `<<WORD` / `<<-WORD` starting at line[i] (the first `<`), record it and emit the operator
 * and its delimiter as a single-quoted word; returns the last index used.
 */
function hereDocument(line: string, i: number, heredocs: HereDocMark[], emit: (s: string) => void): number {
  let j = i + 2;
  const strip = line[j] === '-';
  if (strip) j++;
  while (j < line.length && (line[j] === ' ' || line[j] === '\t')) j++;
  let raw = '';
  let delimiter = '';
  let quote: string | null = null;
  for (; j < line.length; j++) {
    const c = line[j];
    if (!quote && (BLANK.includes(c) || OPERATOR.includes(c))) break;
    raw += c;
    if (quote) {
      if (c === quote) quote = null;
      else delimiter += c;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '\\' && j + 1 < line.length) {
      raw += line[++j];
      delimiter += line[j];
    } else delimiter += c;
  }
  if (quote) throw new ShellSyntaxError('Unterminated quoted string');
  if (raw === '') throw new ShellSyntaxError(`"${strip ? '<<-' : '<<'}" needs a delimiter word (e.g. <<EOF)`);
  heredocs.push({ strip, delimiter, quoted: /['"\\]/.test(raw), body: '' });
  emit(`${strip ? '<<-' : '<<'} ${singleQuoted(delimiter)}`);
  return j - 1;
}
