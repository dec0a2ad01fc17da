/**
 * Xen xl domain configuration files: our own parser and serializer.
 *
 * source: xl.cfg(5) and Xen's own grammar (tools/libs/util/libxlu_cfg_l.l and libxlu_cfg_y.y; before
 * Xen 4.15 tools/libxl/):
 *   file       := { [ KEY ('=' | '+=') value ] ( NEWLINE | ';' ) }
 *   KEY        := [a-z][._0-9a-z]*   (the lexer's IDENT: lower case, '.' allowed since Xen 4.3)
 *   value      := NUMBER | STRING | '[' { NEWLINE } [ value { NEWLINE } { ',' { NEWLINE } value { NEWLINE } } [ ',' ] ] ']'
 *   comment    := '#' to the end of the line (acts as a NEWLINE)
 *   STRING     := '…' or "…" on one line, backslash escapes \' \" \\ \a \b \f \n \r \t \v \xHH \ooo
 *   NUMBER     := decimal, 0x hex, or leading-0 octal (xl reads numbers with strtol base 0)
 * xl keeps every value as text and converts when a setting is read: xlu_cfg_get_long (libxlu_cfg.c)
 * strtol's the atom, so `memory = "2048"` is a number to xl. xlLong() reads numbers that way.
 *
 * The parser never throws for bad input: every problem becomes a ConfigFinding with the line, column
 * and key, and the statement it spoils is skipped (its text is kept). The config keeps the exact source
 * text, so `parseXlConfig(t).config.toString() === t` for every input; `set`/`delete` edit that text in
 * place and touch nothing else.
 *
 * Hostile input: parsing is linear in the text (plus a log factor for locating findings). `+=` appends
 * into a list or string owned by the fold instead of copying the value each time (xl itself copies), and
 * the effective values are folded once per config, not per lookup. Lists nest at most MAX_LIST_DEPTH
 * (64) levels; a deeper '[' is an error finding at its line:column, so nesting cannot exhaust the stack
 * (xl has no limit of its own short of bison's stack). Messages quote source text only as a short
 * excerpt (at most 40 characters, invisible and control characters escaped), so a file that is not a
 * config at all (`xl create /etc/shadow`) is not echoed back.
 *
 * Deliberate departures from xl, all reported: typographic quotes (“ ” ‘ ’, from guides copied out of PDFs)
 * are read as quotes with a warning; a no-break space (anywhere) or byte-order mark (at the start) is
 * read as a space with a warning; `\r` is read as a space (CRLF files); nested lists are accepted as
 * newer xl does. Keys follow xl exactly: an upper-case key (the 2013 XenGT guide has `Kernel`) is an
 * error naming the lower-case spelling, and its statement is skipped as xl would reject the file.
 */

import { EXCERPT_MAX, INVISIBLE, excerpt } from '../../shared/excerpt';

/** One problem found in a config file. line/column are 1-based; column counts UTF-16 code units. */
export interface ConfigFinding {
  severity: 'error' | 'warning';
  file: string;
  line: number;
  column: number;
  /** The key the finding is about, when there is one. */
  field?: string;
  message: string;
  /**
   * Where the text the finding is about ends (1-based, exclusive; same units as line/column), when
   * the parser knows it: the bad token, the spoiled statement. An editor underlines line:column to
   * here; absent for findings about the file as a whole.
   */
  endLine?: number;
  endColumn?: number;
}

/** A parsed xl value. Numbers are non-negative integers (xl has no other kind). */
export type XlValue = { kind: 'number'; value: number } | { kind: 'string'; value: string } | { kind: 'list'; items: XlValue[] };

/** One `KEY = VALUE` (or `KEY += VALUE`) statement as it appears in the file. */
export interface XlEntry {
  key: string;
  op: '=' | '+=';
  value: XlValue;
  /** Position of the key (1-based line and column). */
  line: number;
  column: number;
  /** Position of the first character of the value. */
  valueLine: number;
  valueColumn: number;
  /** Source text from the key to the end of the value, e.g. `memory = 2048`. */
  raw: string;
  /** UTF-16 offsets into the config text: key start, value start, value end (exclusive). */
  start: number;
  valueStart: number;
  end: number;
}

/** Keys as xl accepts them: the IDENT of Xen's lexer (libxlu_cfg_l.l), lower case only. */
export const XL_KEY = /^[a-z][._0-9a-z]*$/;

/**
 * How many levels lists may nest (`[[1]]` is 2). A deeper '[' is an error finding: the parser
 * recurses once per level, and a limit far above any real config (vnuma uses 2) keeps a hostile
 * file from exhausting the stack.
 */
export const MAX_LIST_DEPTH = 64;

/** `file:line:col: severity: field: message` (the `field: ` part only when the finding has one). */
export function formatFinding(f: ConfigFinding): string {
  // The field is a key from the file: quoted like any other source text in case it is huge.
  return `${f.file}:${f.line}:${f.column}: ${f.severity}: ${f.field !== undefined ? `${excerpt(f.field)}: ` : ''}${f.message}`;
}

/**
 * Parse xl.cfg text. Never throws for any input; linear in the text.
 * @param text the whole file, any line endings
 * @param fileName used in findings only
 * @returns the config (every statement kept with its source text) and the findings, in file order
 * source: xl.cfg(5); Xen's libxlu_cfg_l.l and libxlu_cfg_y.y
 */
export function parseXlConfig(text: string, fileName: string): { config: XlConfig; findings: ConfigFinding[] } {
  const parsed = parseText(text, fileName);
  return { config: new XlConfig(text, fileName, parsed.entries), findings: parsed.findings };
}

/**
 * A parsed xl config: the exact source text plus typed access to its statements.
 * Effective values follow xl: for a key set twice the last `=` wins, and `+=` appends to a list
 * or a string. They are folded once, on first use (O(statements)), so lookups are O(1).
 */
export class XlConfig {
  private text: string;
  private list: XlEntry[];
  private folded: Map<string, Effective> | undefined;

  /** Use parseXlConfig; this constructor trusts `entries` to describe `text`. */
  constructor(
    text: string,
    readonly fileName: string,
    entries: XlEntry[],
  ) {
    this.text = text;
    this.list = entries;
  }

  /**
   * The effective value of `key` (case-sensitive), or undefined when the file does not set it.
   * The value is shared with the config (and with entries()): read it, do not modify it.
   */
  get(key: string): XlValue | undefined {
    return this.effective().get(key)?.value;
  }

  /** Whether the file sets `key`. */
  has(key: string): boolean {
    return this.effective().has(key);
  }

  /** Every key the file sets, once each, in order of first appearance. */
  keys(): string[] {
    return [...this.effective().keys()];
  }

  /** Every statement in file order, duplicates included. */
  entries(): readonly XlEntry[] {
    return this.list;
  }

  /** The statement that decides `key`'s value (its last `=`, else its first `+=`), for locations. */
  entry(key: string): XlEntry | undefined {
    return this.effective().get(key)?.entry;
  }

  /**
   * Set `key` to `value`. An existing statement is rewritten in place (same line, same spacing
   * before the value; a trailing comment stays), later `+=` statements for the key are removed;
   * a new key is appended as a new last line in the file's `key = value` spacing style.
   * @throws RangeError if `key` is not a valid key or `value` cannot be written in xl syntax
   *   (negative, fractional or unsafe numbers; lists nested deeper than MAX_LIST_DEPTH)
   */
  set(key: string, value: XlValue): void {
    if (!XL_KEY.test(key)) throw new RangeError(`xl key '${excerpt(key)}' must match ${XL_KEY}`);
    const valueText = formatXlValue(value);
    const target = this.entry(key);
    let text = this.text;
    if (target) {
      const later = this.list.filter((e) => e.key === key && e.op === '+=' && e.start > target.start);
      for (const e of [...later].reverse()) text = removeStatement(text, e);
      const head = text.slice(target.start, target.valueStart).replace('+=', '=');
      text = text.slice(0, target.start) + head + valueText + text.slice(target.end);
    } else {
      const eol = text.includes('\r\n') ? '\r\n' : '\n';
      const last = this.list[this.list.length - 1];
      const sep = last ? this.text.slice(last.start + last.key.length, last.valueStart).replace('+=', '=') : ' = ';
      const prefix = text.length > 0 && !text.endsWith('\n') ? eol : '';
      text = `${text}${prefix}${key}${sep}${valueText}${eol}`;
    }
    this.reparse(text);
  }

  /**
   * Remove every statement for `key`. A statement alone on its line(s) goes with its line (and its
   * trailing comment); one sharing a line with others goes with its `;` separator.
   * @returns whether the key was present
   */
  delete(key: string): boolean {
    const doomed = this.list.filter((e) => e.key === key);
    if (doomed.length === 0) return false;
    let text = this.text;
    for (const e of [...doomed].reverse()) text = removeStatement(text, e);
    this.reparse(text);
    return true;
  }

  /** The config text: the source text exactly, with any set/delete edits applied. */
  toString(): string {
    return this.text;
  }

  private effective(): Map<string, Effective> {
    return (this.folded ??= foldEntries(this.list));
  }

  private reparse(text: string): void {
    this.text = text;
    this.list = parseText(text, this.fileName).entries;
    this.folded = undefined;
  }
}

/**
 * xl source text for a value: numbers in decimal, strings single-quoted (double-quoted when they
 * contain a ' and no "), lists as `[ 'a', 'b' ]`.
 * @throws RangeError for numbers xl cannot express (negative, fractional, above 2^53) and for lists
 *   nested deeper than MAX_LIST_DEPTH (the parser would refuse them)
 */
export function formatXlValue(value: XlValue): string {
  return formatAt(value, 0);
}

function formatAt(value: XlValue, depth: number): string {
  switch (value.kind) {
    case 'number':
      if (!Number.isSafeInteger(value.value) || value.value < 0) throw new RangeError(`xl numbers are non-negative integers, got ${value.value}`);
      return String(value.value);
    case 'string': {
      const s = value.value;
      const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
      let out = quote;
      for (const ch of s) {
        const named = ESCAPE_OUT[ch];
        if (named !== undefined) out += named;
        else if (ch === quote) out += `\\${ch}`;
        else if (ch.charCodeAt(0) < 0x20 || ch === '\x7f') out += `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
        else out += ch;
      }
      return out + quote;
    }
    case 'list':
      if (depth >= MAX_LIST_DEPTH) throw new RangeError(`xl lists here nest at most ${MAX_LIST_DEPTH} levels`);
      return value.items.length === 0 ? '[]' : `[ ${value.items.map((v) => formatAt(v, depth + 1)).join(', ')} ]`;
  }
}

/** Whether two values are equal (same kind, same contents). */
export function xlValueEquals(a: XlValue, b: XlValue): boolean {
  if (a.kind === 'list') return b.kind === 'list' && a.items.length === b.items.length && a.items.every((x, i) => xlValueEquals(x, b.items[i]!));
  return a.kind === b.kind && a.value === (b as typeof a).value;
}

/**
 * A short human description of a value for messages: `'abc'`, `2048`, `a list`. Strings are
 * excerpts (at most 40 characters, invisible characters escaped): the text comes from the file.
 */
export function describeXlValue(value: XlValue): string {
  switch (value.kind) {
    case 'number':
      return String(value.value);
    case 'string':
      return `'${excerpt(value.value)}'`;
    case 'list':
      return 'a list';
  }
}

/**
 * A value read as a number the way xl reads one: xlu_cfg_get_long (libxlu_cfg.c) strtol's the
 * atom with base 0 and wants the whole atom consumed, so a quoted `"2048"` is 2048. A string is a
 * number when it is: optional leading white space (C isspace), an optional sign, then decimal,
 * 0x/0X hex or leading-0 octal digits, and nothing after (no trailing space).
 * @returns the number, or null for a list, a string that is not wholly a number, or a number
 *   beyond ±2^53 (xl's bound is the C long; no xl setting comes near either)
 */
export function xlLong(value: XlValue): number | null {
  if (value.kind === 'number') return value.value;
  if (value.kind !== 'string') return null;
  const m = STRTOL_BASE0.exec(value.value);
  if (!m) return null;
  const [, sign, hex, octal, decimal] = m;
  const magnitude = hex !== undefined ? parseInt(hex, 16) : octal !== undefined ? (octal === '' ? 0 : parseInt(octal, 8)) : parseInt(decimal!, 10);
  if (!Number.isSafeInteger(magnitude)) return null;
  return sign === '-' ? -magnitude || 0 : magnitude;
}

// ---------------------------------------------------------------------------------------------
// Implementation

const ESCAPE_OUT: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\v': '\\v' };
const ESCAPE_IN: Record<string, string> = { '"': '"', "'": "'", '\\': '\\', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

const SINGLE_QUOTES = "'\u2018\u2019";
const DOUBLE_QUOTES = '"\u201c\u201d';
const TYPOGRAPHIC = '\u2018\u2019\u201c\u201d';

/** strtol(s, &end, 0) consuming all of s: leading isspace, sign, 0x hex | 0 octal | decimal. */
const STRTOL_BASE0 = /^[ \t\n\v\f\r]*([+-]?)(?:0[xX]([0-9a-fA-F]+)|0([0-7]*)|([1-9][0-9]*))$/;

/** What xl's lexer takes for a key, in words, with the upstream rule. */
const KEY_RULE = "xl keys are lower-case letters, digits, '_' and '.', starting with a letter ([a-z][._0-9a-z]* in Xen's libxlu_cfg_l.l)";


/** A key's effective value and the statement that decides it (its last `=`, else its first `+=`). */
interface Effective {
  value: XlValue;
  entry: XlEntry;
}

/** Fold state for one key: appends go into `items`/`parts`, which the fold owns. */
interface Folding extends Effective {
  items?: XlValue[];
  parts?: string[];
}

/**
 * Effective values of statements in file order, as xl computes them: `=` replaces, `+=` appends to a
 * list or a string. One pass: the first append to a value copies it once into a list (or string
 * parts) the fold owns, and later appends push onto that, so n appends cost O(items), not O(n²).
 * @param report called with problems in file order: a key set again (warning) and a `+=` whose value
 *   cannot be added (error; the value is then left as it was)
 * @returns key → value and deciding statement, in order of first appearance
 */
function foldEntries(entries: readonly XlEntry[], report?: (e: XlEntry, severity: ConfigFinding['severity'], message: string) => void): Map<string, Effective> {
  const byKey = new Map<string, Folding>();
  for (const e of entries) {
    const state = byKey.get(e.key);
    if (state === undefined) {
      byKey.set(e.key, { value: e.value, entry: e });
    } else if (e.op === '=') {
      report?.(e, 'warning', `set again (also at line ${state.entry.line}); the last one wins, as in xl`);
      byKey.set(e.key, { value: e.value, entry: e });
    } else if (state.value.kind === 'list' && e.value.kind === 'list') {
      const items = (state.items ??= state.value.items.slice());
      for (const item of e.value.items) items.push(item);
    } else if (state.value.kind === 'string' && e.value.kind === 'string') {
      (state.parts ??= [state.value.value]).push(e.value.value);
    } else {
      const base = state.value.kind;
      report?.(e, 'error', base === 'number' ? `'+=' adds only to a list or a string, and this key is a number` : `'+=' needs a ${base} to add to this ${base}, got a ${e.value.kind}`);
    }
  }
  const out = new Map<string, Effective>();
  for (const [key, s] of byKey) {
    const value: XlValue = s.items ? { kind: 'list', items: s.items } : s.parts ? { kind: 'string', value: s.parts.join('') } : s.value;
    out.set(key, { value, entry: s.entry });
  }
  return out;
}

/** Text with one statement removed (see XlConfig.delete). */
function removeStatement(text: string, e: XlEntry): string {
  const lineStart = text.lastIndexOf('\n', e.start - 1) + 1;
  const before = text.slice(lineStart, e.start);
  const after = /^[ \t\r]*(?:;[ \t\r]*)?(?:#[^\n]*)?(?:\n|$)/.exec(text.slice(e.end));
  if (/^[ \t]*$/.test(before) && after) return text.slice(0, lineStart) + text.slice(e.end + after[0].length);
  const sepAfter = /^[ \t]*;[ \t]*/.exec(text.slice(e.end));
  if (sepAfter) return text.slice(0, e.start) + text.slice(e.end + sepAfter[0].length);
  const sepBefore = /;[ \t]*$/.exec(text.slice(0, e.start));
  if (sepBefore) return text.slice(0, sepBefore.index) + text.slice(e.end);
  return text.slice(0, e.start) + text.slice(e.end);
}

type TokenKind = 'ident' | 'number' | 'string' | '=' | '+=' | '[' | ']' | ',' | ';' | 'newline' | 'eof' | 'bad';

interface Note {
  offset: number;
  /** End of the text the note is about (exclusive); the token's end when absent. */
  end?: number;
  severity: 'error' | 'warning';
  message: string;
}

interface Token {
  kind: TokenKind;
  start: number;
  end: number;
  /** Only spaces since the previous newline (or the start of the file). */
  atLineStart: boolean;
  value?: XlValue;
  /** Problems found while scanning this token; reported with the key being parsed. */
  notes: readonly Note[];
}

/** Shared by the tokens without notes (almost all of them). */
const NO_NOTES: readonly Note[] = Object.freeze([]);

/** One character for a message: `'@'`, or its U+ code with the character when it is visible. */
function describeChar(ch: string): string {
  const cp = ch.codePointAt(0)!;
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  if (INVISIBLE.test(ch)) return hex;
  return cp < 0x80 ? `'${ch}'` : `'${ch}' (${hex})`;
}

const IDENT_START = /[A-Za-z_]/;
const DIGIT = /[0-9]/;
// Words are read wider than xl's keys ([a-z][._0-9a-z]*) so that `Kernel` is one token the parser
// can name in its error, not a stray 'K'.
const WORD = /[A-Za-z_][A-Za-z0-9_.]*/y;
const NUMBER_WORD = /[0-9][0-9A-Za-z_.]*/y;
const JUNK = /[^\s[\],;=#'"\u2018\u2019\u201c\u201d]*/y;

/**
 * Tokens on demand, then 'eof' forever. Streaming keeps memory to the entries the parser keeps
 * (a 1 MiB file is ~10^6 tokens). `stray` collects notes that belong to no token (no-break spaces).
 */
class Lexer {
  readonly stray: Note[] = [];
  private i = 0;
  private atLineStart = true;

  constructor(private readonly text: string) {}

  next(): Token {
    const text = this.text;
    while (this.i < text.length) {
      const i = this.i;
      const ch = text[i]!;
      if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\f' || ch === '\v') {
        this.i++;
      } else if (ch === '\ufeff' && i === 0) {
        // A byte-order mark some editors write: xl rejects it.
        this.stray.push({ offset: i, end: i + 1, severity: 'warning', message: 'byte-order mark U+FEFF at the start of the file; xl rejects it' });
        this.i++;
      } else if (ch === '\u00a0') {
        // A no-break space copied from a document: harmless to us, fatal to xl.
        this.stray.push({ offset: i, end: i + 1, severity: 'warning', message: 'no-break space U+00A0 used as a space' });
        this.i++;
      } else if (ch === '\n') {
        return this.token('newline', i + 1);
      } else if (ch === '#') {
        const nl = text.indexOf('\n', i);
        return this.token('newline', nl < 0 ? text.length : nl + 1);
      } else if (IDENT_START.test(ch)) {
        return this.token('ident', i + this.match(WORD, i));
      } else if (DIGIT.test(ch)) {
        const raw = text.slice(i, i + this.match(NUMBER_WORD, i));
        const n = readNumber(raw);
        if (typeof n === 'string') return this.token('bad', i + raw.length, undefined, [{ offset: i, severity: 'error', message: n }]);
        return this.token('number', i + raw.length, { kind: 'number', value: n.value }, n.warning ? [{ offset: i, severity: 'warning', message: n.warning }] : NO_NOTES);
      } else if (SINGLE_QUOTES.includes(ch) || DOUBLE_QUOTES.includes(ch)) {
        const s = readString(text, i);
        return this.token(s.ok ? 'string' : 'bad', s.end, s.ok ? { kind: 'string', value: s.value } : undefined, s.notes.length > 0 ? s.notes : NO_NOTES);
      } else if (ch === '+' && text[i + 1] === '=') {
        return this.token('+=', i + 2);
      } else if ('=[],;'.includes(ch)) {
        return this.token(ch as TokenKind, i + 1);
      } else {
        const first = String.fromCodePoint(text.codePointAt(i)!);
        const end = i + first.length + this.match(JUNK, i + first.length);
        return this.token('bad', end, undefined, [{ offset: i, severity: 'error', message: `unexpected character ${describeChar(first)}` }]);
      }
    }
    return { kind: 'eof', start: text.length, end: text.length, atLineStart: this.atLineStart, notes: NO_NOTES };
  }

  /** The token from the current position to `end`; moves past it. */
  private token(kind: TokenKind, end: number, value?: XlValue, notes: readonly Note[] = NO_NOTES): Token {
    const t: Token = { kind, start: this.i, end, atLineStart: this.atLineStart, value, notes };
    this.atLineStart = kind === 'newline';
    this.i = end;
    return t;
  }

  /** Length of the sticky `re`'s match at `at` (every caller's pattern matches at least ''). */
  private match(re: RegExp, at: number): number {
    re.lastIndex = at;
    return re.exec(this.text)![0].length;
  }
}

function readNumber(raw: string): { value: number; warning?: string } | string {
  let value: number;
  let warning: string | undefined;
  if (/^0x[0-9a-f]+$/i.test(raw)) value = parseInt(raw.slice(2), 16);
  else if (/^(0|[1-9][0-9]*)$/.test(raw)) value = parseInt(raw, 10);
  else if (/^0[0-7]+$/.test(raw)) {
    value = parseInt(raw.slice(1), 8);
    warning = `xl reads ${excerpt(raw)} as octal (${value}); write ${value} if that is meant`;
  } else if (/^0[0-9]+$/.test(raw)) return `bad number '${excerpt(raw)}': a leading 0 means octal to xl, and 8 and 9 are not octal digits`;
  else return `bad number '${excerpt(raw)}': xl numbers are plain integers (decimal, 0x hex); quote the value if it is text`;
  if (!Number.isSafeInteger(value)) return `number '${excerpt(raw)}' is too large`;
  return { value, warning };
}

function readString(text: string, start: number): { ok: true; value: string; end: number; notes: Note[] } | { ok: false; end: number; notes: Note[] } {
  const open = text[start]!;
  // An ASCII quote closes only at the same quote ('it’s' is one string); a typographic one at any
  // quote of its kind, ASCII or typographic.
  const closers = !TYPOGRAPHIC.includes(open) ? open : SINGLE_QUOTES.includes(open) ? SINGLE_QUOTES : DOUBLE_QUOTES;
  const notes: Note[] = [];
  const typographic = (offset: number): void => {
    const cp = text.charCodeAt(offset).toString(16).toUpperCase();
    notes.push({ offset, end: offset + 1, severity: 'warning', message: `typographic quote U+${cp} used as a quote; xl accepts only ' and "` });
  };
  if (TYPOGRAPHIC.includes(open)) typographic(start);
  let value = '';
  let i = start + 1;
  for (;;) {
    const ch = text[i];
    if (ch === undefined || ch === '\n') {
      const lineEnd = ch === undefined ? i : text[i - 1] === '\r' ? i - 1 : i;
      const stray = [...text.slice(start + 1, lineEnd)].find((c) => TYPOGRAPHIC.includes(c));
      const hint = stray ? ` (the typographic ${stray} does not close a ${open} string)` : '';
      return { ok: false, end: Math.max(lineEnd, start + 1), notes: [...notes, { offset: start, severity: 'error', message: `unterminated string: no closing ${open} before the end of the line${hint}` }] };
    }
    if (closers.includes(ch)) {
      if (TYPOGRAPHIC.includes(ch)) typographic(i);
      return { ok: true, value, end: i + 1, notes };
    }
    if (ch !== '\\') {
      value += ch;
      i++;
      continue;
    }
    const next = text[i + 1];
    if (next === undefined || next === '\n') {
      i++;
      continue; // reported as unterminated on the next turn
    }
    const named = ESCAPE_IN[next];
    if (named !== undefined) {
      value += named;
      i += 2;
    } else if (next === 'x') {
      const hex = /^[0-9a-fA-F]{2}/.exec(text.slice(i + 2, i + 4));
      if (hex) {
        value += String.fromCharCode(parseInt(hex[0], 16));
        i += 4;
      } else {
        notes.push({ offset: i, end: i + 2, severity: 'error', message: 'invalid \\x escape: two hex digits must follow' });
        i += 2;
      }
    } else if (/[0-7]/.test(next)) {
      const oct = /^[0-7]{1,3}/.exec(text.slice(i + 1, i + 4))![0];
      value += String.fromCharCode(parseInt(oct, 8) & 0xff);
      i += 1 + oct.length;
    } else {
      const escaped = String.fromCodePoint(text.codePointAt(i + 1)!);
      notes.push({ offset: i, end: i + 1 + escaped.length, severity: 'warning', message: `unknown escape '\\${excerpt(escaped)}': xl drops it` });
      i += 1 + escaped.length;
    }
  }
}

class Parser {
  /** Lookahead: the next token and, when peeked, the one after it. */
  private ahead: Token[] = [];
  /** End offset of the last token consumed. */
  private lastEnd = 0;
  private field: string | undefined;
  readonly entries: XlEntry[] = [];
  readonly findings: ConfigFinding[] = [];
  private readonly lineStarts: number[] = [0];

  constructor(
    private readonly text: string,
    private readonly file: string,
    private readonly lexer: Lexer,
  ) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
  }

  location(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.lineStarts[lo]! + 1 };
  }

  /** Record a note; `tokenEnd` is the end of the token it came with (used when the note has no end). */
  private note(n: Note, field: string | undefined, tokenEnd?: number): void {
    const { line, column } = this.location(n.offset);
    const end = this.location(Math.max(n.end ?? tokenEnd ?? n.offset, n.offset));
    this.findings.push({ severity: n.severity, file: this.file, line, column, ...(field !== undefined ? { field } : {}), message: n.message, endLine: end.line, endColumn: end.column });
  }

  /** An error about the text from `offset` to `end` (a token; a point when `end` is offset). */
  private error(offset: number, message: string, end: number): void {
    this.note({ offset, end, severity: 'error', message }, this.field);
  }

  /** The token `n` (0 or 1) places ahead. */
  private peek(n: 0 | 1 = 0): Token {
    while (this.ahead.length <= n) this.ahead.push(this.lexer.next());
    return this.ahead[n]!;
  }

  /** Consume the next token, reporting the problems found while scanning it. */
  private advance(): Token {
    const t = this.peek();
    for (const n of t.notes) this.note(n, this.field, t.end);
    this.skip();
    return t;
  }

  /** Consume the next token without reporting its problems (they are reported otherwise). */
  private skip(): void {
    const t = this.ahead.shift() ?? this.lexer.next();
    if (t.kind !== 'eof') this.lastEnd = t.end;
  }

  /** A token for a message: an excerpt of its text, quoted (strings keep their own quotes). */
  private show(t: Token): string {
    if (t.kind === 'eof') return 'the end of the file';
    if (t.kind === 'newline') return this.text[t.start] === '#' ? 'a comment' : 'the end of the line';
    const raw = excerpt(this.text.slice(t.start, Math.min(t.end, t.start + 2 * EXCERPT_MAX)), t.end > t.start + 2 * EXCERPT_MAX);
    return t.kind === 'string' ? raw : `'${raw}'`;
  }

  /** Whether the next token is a line-start `KEY =` / `KEY +=`: where a new statement surely begins. */
  private atStatement(): boolean {
    const t = this.peek();
    if (t.kind !== 'ident' || !t.atLineStart) return false;
    const next = this.peek(1).kind;
    return next === '=' || next === '+=';
  }

  run(): void {
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof') break;
      this.field = undefined;
      if (t.kind === 'newline' || t.kind === ';') this.advance();
      else if (t.kind === 'ident') this.statement();
      else {
        if (t.kind !== 'bad') this.error(t.start, `expected a key (KEY = VALUE), got ${this.show(t)}`, t.end);
        this.skipStatement();
      }
    }
    for (const n of this.lexer.stray) this.note(n, undefined);
    foldEntries(this.entries, (e, severity, message) => {
      const end = this.location(e.end);
      this.findings.push({ severity, file: this.file, line: e.line, column: e.column, field: e.key, message, endLine: end.line, endColumn: end.column });
    });
    this.findings.sort((a, b) => a.line - b.line || a.column - b.column);
  }

  private statement(): void {
    const keyTok = this.advance();
    const key = this.text.slice(keyTok.start, keyTok.end);
    this.field = key;
    const opTok = this.peek();
    if (opTok.kind === 'bad' && opTok.start === keyTok.end && !SINGLE_QUOTES.includes(this.text[opTok.start]!) && !DOUBLE_QUOTES.includes(this.text[opTok.start]!)) {
      // `mem@ry = 1`: one malformed key, not a key followed by junk. Only the key and the first bad
      // character are quoted: the rest may be anything (`root:$6$…` from /etc/shadow).
      const bad = String.fromCodePoint(this.text.codePointAt(opTok.start)!);
      this.field = undefined;
      this.error(opTok.start, `invalid key '${excerpt(key + bad, opTok.end > opTok.start + bad.length)}': ${describeChar(bad)} cannot be in a key; ${KEY_RULE}`, opTok.end);
      this.skip();
      this.skipStatement();
      return;
    }
    const validKey = XL_KEY.test(key);
    if (!validKey) {
      // xl's lexer has no token for `Kernel` and rejects the file. The statement is still parsed
      // (for its own errors and to find its end) but not kept.
      const lower = key.toLowerCase();
      const hint = XL_KEY.test(lower) ? `; did you mean '${excerpt(lower)}'?` : '';
      this.note({ offset: keyTok.start, end: keyTok.end, severity: 'error', message: `invalid key '${excerpt(key)}': ${KEY_RULE}${hint}` }, undefined);
    }
    if (opTok.kind !== '=' && opTok.kind !== '+=') {
      if (!validKey || opTok.kind === 'bad') {
        // Already reported: the key, or the token itself.
      } else if (opTok.kind === 'newline' || opTok.kind === 'eof' || opTok.kind === ';') this.error(opTok.start, `missing '= VALUE' after the key`, opTok.start);
      else this.error(opTok.start, `expected '=' after the key, got ${this.show(opTok)}`, opTok.end);
      this.skipStatement();
      return;
    }
    this.advance();
    const valueStart = this.peek().start;
    const value = this.value(0);
    if (value === null) {
      this.skipStatement();
      return;
    }
    const valueEnd = this.lastEnd;
    const after = this.peek();
    if (after.kind !== 'newline' && after.kind !== ';' && after.kind !== 'eof') {
      if (after.kind !== 'bad') this.error(after.start, `unexpected ${this.show(after)} after the value; put one KEY = VALUE per line or separate them with ';'`, after.end);
      this.skipStatement();
      return;
    }
    if (!validKey) return;
    const at = this.location(keyTok.start);
    const vat = this.location(valueStart);
    this.entries.push({
      key,
      op: opTok.kind,
      value,
      line: at.line,
      column: at.column,
      valueLine: vat.line,
      valueColumn: vat.column,
      raw: this.text.slice(keyTok.start, valueEnd),
      start: keyTok.start,
      valueStart,
      end: valueEnd,
    });
  }

  /**
   * One value inside `depth` open lists; null after reporting an error (the bad tokens of a list are
   * consumed, except a '[' beyond MAX_LIST_DEPTH, which the enclosing list's recovery skips).
   */
  private value(depth: number): XlValue | null {
    const t = this.peek();
    switch (t.kind) {
      case 'number':
      case 'string':
        this.advance();
        return t.value!;
      case '[':
        if (depth >= MAX_LIST_DEPTH) {
          this.error(t.start, `list nested more than ${MAX_LIST_DEPTH} levels deep; GVT Desk reads at most ${MAX_LIST_DEPTH} levels of [ ]`, t.end);
          return null;
        }
        return this.list(depth + 1);
      case 'bad':
        this.advance();
        return null;
      case 'newline':
      case 'eof':
      case ';':
        this.error(t.start, `missing value after '='`, t.start);
        return null;
      case 'ident':
        this.error(t.start, `expected a value (a number, a 'quoted string' or a [list]), got ${this.show(t)}; quote text values`, t.end);
        return null;
      default:
        this.error(t.start, `expected a value (a number, a 'quoted string' or a [list]), got ${this.show(t)}`, t.end);
        return null;
    }
  }

  /** The list at the next token, which is its '['; `depth` counts it. */
  private list(depth: number): XlValue | null {
    const open = this.advance();
    const items: XlValue[] = [];
    const unterminated = (): null => {
      const { line, column } = this.location(open.start);
      this.error(open.start, `unterminated list: the '[' at ${line}:${column} is never closed with ']'`, open.end);
      return null;
    };
    for (;;) {
      this.skipNewlines();
      let t = this.peek();
      if (t.kind === ']') {
        this.advance();
        return { kind: 'list', items };
      }
      if (t.kind === 'eof' || this.atStatement()) return unterminated();
      const item = this.value(depth);
      if (item === null) return this.recoverList();
      items.push(item);
      this.skipNewlines();
      t = this.peek();
      if (t.kind === ',') this.advance();
      else if (t.kind === ']') {
        this.advance();
        return { kind: 'list', items };
      } else if (t.kind === 'eof' || this.atStatement()) return unterminated();
      else {
        if (t.kind !== 'bad') this.error(t.start, `expected ',' or ']' in the list, got ${this.show(t)}`, t.end);
        return this.recoverList();
      }
    }
  }

  /** After an error inside a list: skip to its closing ']' (or to the next statement). Iterative. */
  private recoverList(): null {
    let depth = 1;
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof' || this.atStatement()) return null;
      this.advance();
      if (t.kind === '[') depth++;
      else if (t.kind === ']' && --depth === 0) return null;
    }
  }

  private skipNewlines(): void {
    while (this.peek().kind === 'newline') this.advance();
  }

  /** Skip the rest of a spoiled statement, reporting lexical errors in it; stop at its end. */
  private skipStatement(): void {
    for (;;) {
      const t = this.peek();
      if (t.kind === 'newline' || t.kind === ';' || t.kind === 'eof') return;
      if (t.atLineStart && t.kind === 'ident') return;
      this.advance();
    }
  }
}

function parseText(text: string, fileName: string): { entries: XlEntry[]; findings: ConfigFinding[] } {
  const parser = new Parser(text, fileName, new Lexer(text));
  parser.run();
  return { entries: parser.entries, findings: parser.findings };
}
