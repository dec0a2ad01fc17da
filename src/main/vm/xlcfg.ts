/**
 * Xen xl domain configuration files: our own parser and serializer.
 *
 * source: xl.cfg(5) and Xen's own grammar (tools/libxl/libxlu_cfg_l.l, libxlu_cfg_y.y):
 *   file       := { [ KEY ('=' | '+=') value ] ( NEWLINE | ';' ) }
 *   value      := NUMBER | STRING | '[' { NEWLINE } [ value { NEWLINE } { ',' { NEWLINE } value { NEWLINE } } [ ',' ] ] ']'
 *   comment    := '#' to the end of the line (acts as a NEWLINE)
 *   STRING     := '…' or "…" on one line, backslash escapes \' \" \\ \a \b \f \n \r \t \v \xHH \ooo
 *   NUMBER     := decimal, 0x hex, or leading-0 octal (xl reads numbers with strtol base 0)
 *
 * The parser never throws for bad input: every problem becomes a ConfigFinding with the line, column
 * and key, and the statement it spoils is skipped (its text is kept). The config keeps the exact source
 * text, so `parseXlConfig(t).config.toString() === t` for every input; `set`/`delete` edit that text in
 * place and touch nothing else.
 *
 * Deliberate departures from xl, all reported: typographic quotes (“ ” ‘ ’, from guides copied out of PDFs)
 * are read as quotes with a warning; a no-break space (anywhere) or byte-order mark (at the start) is
 * read as a space with a warning; `\r` is read as a space (CRLF files); keys may use
 * upper-case letters (the 2013 XenGT guide has `Kernel`); nested lists are accepted as newer xl does.
 */

/** One problem found in a config file. line/column are 1-based; column counts UTF-16 code units. */
export interface ConfigFinding {
  severity: 'error' | 'warning';
  file: string;
  line: number;
  column: number;
  /** The key the finding is about, when there is one. */
  field?: string;
  message: string;
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

/** Keys as this parser accepts them (xl itself accepts only lower case). */
export const XL_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `file:line:col: severity: field: message` (the `field: ` part only when the finding has one). */
export function formatFinding(f: ConfigFinding): string {
  return `${f.file}:${f.line}:${f.column}: ${f.severity}: ${f.field !== undefined ? `${f.field}: ` : ''}${f.message}`;
}

/**
 * Parse xl.cfg text. Never throws for any input.
 * @param text the whole file, any line endings
 * @param fileName used in findings only
 * @returns the config (every statement kept with its source text) and the findings, in file order
 * source: xl.cfg(5)
 */
export function parseXlConfig(text: string, fileName: string): { config: XlConfig; findings: ConfigFinding[] } {
  const parsed = parseText(text, fileName);
  return { config: new XlConfig(text, fileName, parsed.entries), findings: parsed.findings };
}

/**
 * A parsed xl config: the exact source text plus typed access to its statements.
 * Effective values follow xl: for a key set twice the last `=` wins, and `+=` appends to a list
 * or a string.
 */
export class XlConfig {
  private text: string;
  private list: XlEntry[];

  /** Use parseXlConfig; this constructor trusts `entries` to describe `text`. */
  constructor(
    text: string,
    readonly fileName: string,
    entries: XlEntry[],
  ) {
    this.text = text;
    this.list = entries;
  }

  /** The effective value of `key` (case-sensitive), or undefined when the file does not set it. */
  get(key: string): XlValue | undefined {
    let value: XlValue | undefined;
    for (const e of this.list) {
      if (e.key !== key) continue;
      value = e.op === '=' || value === undefined ? e.value : (appendValue(value, e.value) ?? value);
    }
    return value;
  }

  /** Whether the file sets `key`. */
  has(key: string): boolean {
    return this.list.some((e) => e.key === key);
  }

  /** Every key the file sets, once each, in order of first appearance. */
  keys(): string[] {
    return [...new Set(this.list.map((e) => e.key))];
  }

  /** Every statement in file order, duplicates included. */
  entries(): readonly XlEntry[] {
    return this.list;
  }

  /** The statement that decides `key`'s value (its last `=`, else its first `+=`), for locations. */
  entry(key: string): XlEntry | undefined {
    const all = this.list.filter((e) => e.key === key);
    return all.filter((e) => e.op === '=').pop() ?? all[0];
  }

  /**
   * Set `key` to `value`. An existing statement is rewritten in place (same line, same spacing
   * before the value; a trailing comment stays), later `+=` statements for the key are removed;
   * a new key is appended as a new last line in the file's `key = value` spacing style.
   * @throws RangeError if `key` is not a valid key or `value` cannot be written in xl syntax
   *   (negative, fractional or unsafe numbers)
   */
  set(key: string, value: XlValue): void {
    if (!XL_KEY.test(key)) throw new RangeError(`xl key '${key}' must match ${XL_KEY}`);
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

  private reparse(text: string): void {
    this.text = text;
    this.list = parseText(text, this.fileName).entries;
  }
}

/**
 * xl source text for a value: numbers in decimal, strings single-quoted (double-quoted when they
 * contain a ' and no "), lists as `[ 'a', 'b' ]`.
 * @throws RangeError for numbers xl cannot express (negative, fractional, above 2^53)
 */
export function formatXlValue(value: XlValue): string {
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
      return value.items.length === 0 ? '[]' : `[ ${value.items.map(formatXlValue).join(', ')} ]`;
  }
}

/** Whether two values are equal (same kind, same contents). */
export function xlValueEquals(a: XlValue, b: XlValue): boolean {
  if (a.kind === 'list') return b.kind === 'list' && a.items.length === b.items.length && a.items.every((x, i) => xlValueEquals(x, b.items[i]!));
  return a.kind === b.kind && a.value === (b as typeof a).value;
}

/** A short human description of a value for messages: `'abc'`, `2048`, `a list`. */
export function describeXlValue(value: XlValue): string {
  switch (value.kind) {
    case 'number':
      return String(value.value);
    case 'string':
      return `'${value.value}'`;
    case 'list':
      return 'a list';
  }
}

// ---------------------------------------------------------------------------------------------
// Implementation

const ESCAPE_OUT: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\v': '\\v' };
const ESCAPE_IN: Record<string, string> = { '"': '"', "'": "'", '\\': '\\', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

const SINGLE_QUOTES = "'\u2018\u2019";
const DOUBLE_QUOTES = '"\u201c\u201d';
const TYPOGRAPHIC = '\u2018\u2019\u201c\u201d';

/** An xl + `+=` key/value statement after appending; undefined when the kinds do not combine. */
function appendValue(base: XlValue, more: XlValue): XlValue | undefined {
  if (base.kind === 'list' && more.kind === 'list') return { kind: 'list', items: [...base.items, ...more.items] };
  if (base.kind === 'string' && more.kind === 'string') return { kind: 'string', value: base.value + more.value };
  return undefined;
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
  notes: Note[];
}

function describeChar(ch: string): string {
  const cp = ch.codePointAt(0)!;
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  if (cp < 0x20 || cp === 0x7f || (cp >= 0x80 && cp < 0xa0)) return hex;
  return cp < 0x80 ? `'${ch}'` : `'${ch}' (${hex})`;
}

/** Tokens (ending with 'eof') plus notes that belong to no token (no-break spaces). */
function tokenize(text: string): { tokens: Token[]; stray: Note[] } {
  const tokens: Token[] = [];
  const stray: Note[] = [];
  let i = 0;
  let atLineStart = true;
  const push = (kind: TokenKind, start: number, end: number, extra: Partial<Token> = {}): void => {
    tokens.push({ kind, start, end, atLineStart, notes: [], ...extra });
    atLineStart = kind === 'newline';
    i = end;
  };
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\f' || ch === '\v') {
      i++;
    } else if (ch === '\ufeff' && i === 0) {
      // A byte-order mark some editors write: xl rejects it.
      stray.push({ offset: i, severity: 'warning', message: 'byte-order mark U+FEFF at the start of the file; xl rejects it' });
      i++;
    } else if (ch === '\u00a0') {
      // A no-break space copied from a document: harmless to us, fatal to xl.
      stray.push({ offset: i, severity: 'warning', message: 'no-break space U+00A0 used as a space' });
      i++;
    } else if (ch === '\n') {
      push('newline', i, i + 1);
    } else if (ch === '#') {
      const nl = text.indexOf('\n', i);
      push('newline', i, nl < 0 ? text.length : nl + 1);
    } else if (/[A-Za-z_]/.test(ch)) {
      const m = /[A-Za-z_][A-Za-z0-9_]*/y;
      m.lastIndex = i;
      push('ident', i, i + m.exec(text)![0].length);
    } else if (/[0-9]/.test(ch)) {
      const m = /[0-9][0-9A-Za-z_.]*/y;
      m.lastIndex = i;
      const raw = m.exec(text)![0];
      const n = readNumber(raw);
      if (typeof n === 'string') push('bad', i, i + raw.length, { notes: [{ offset: i, severity: 'error', message: n }] });
      else push('number', i, i + raw.length, { value: { kind: 'number', value: n.value }, notes: n.warning ? [{ offset: i, severity: 'warning', message: n.warning }] : [] });
    } else if (SINGLE_QUOTES.includes(ch) || DOUBLE_QUOTES.includes(ch)) {
      const s = readString(text, i);
      push(s.ok ? 'string' : 'bad', i, s.end, { value: s.ok ? { kind: 'string', value: s.value } : undefined, notes: s.notes });
    } else if (ch === '+' && text[i + 1] === '=') {
      push('+=', i, i + 2);
    } else if ('=[],;'.includes(ch)) {
      push(ch as TokenKind, i, i + 1);
    } else {
      const m = /[^\s[\],;=#'"\u2018\u2019\u201c\u201d]*/y;
      m.lastIndex = i + ch.length;
      const end = i + ch.length + m.exec(text)![0].length;
      const cp = text.codePointAt(i)!;
      const first = String.fromCodePoint(cp);
      push('bad', i, Math.max(end, i + first.length), { notes: [{ offset: i, severity: 'error', message: `unexpected character ${describeChar(first)}` }] });
    }
  }
  tokens.push({ kind: 'eof', start: text.length, end: text.length, atLineStart, notes: [] });
  return { tokens, stray };
}

function readNumber(raw: string): { value: number; warning?: string } | string {
  let value: number;
  let warning: string | undefined;
  if (/^0x[0-9a-f]+$/i.test(raw)) value = parseInt(raw.slice(2), 16);
  else if (/^(0|[1-9][0-9]*)$/.test(raw)) value = parseInt(raw, 10);
  else if (/^0[0-7]+$/.test(raw)) {
    value = parseInt(raw.slice(1), 8);
    warning = `xl reads ${raw} as octal (${value}); write ${value} if that is meant`;
  } else if (/^0[0-9]+$/.test(raw)) return `bad number '${raw}': a leading 0 means octal to xl, and 8 and 9 are not octal digits`;
  else return `bad number '${raw}': xl numbers are plain integers (decimal, 0x hex); quote the value if it is text`;
  if (!Number.isSafeInteger(value)) return `number '${raw}' is too large`;
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
    notes.push({ offset, severity: 'warning', message: `typographic quote U+${cp} used as a quote; xl accepts only ' and "` });
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
        notes.push({ offset: i, severity: 'error', message: 'invalid \\x escape: two hex digits must follow' });
        i += 2;
      }
    } else if (/[0-7]/.test(next)) {
      const oct = /^[0-7]{1,3}/.exec(text.slice(i + 1, i + 4))![0];
      value += String.fromCharCode(parseInt(oct, 8) & 0xff);
      i += 1 + oct.length;
    } else {
      notes.push({ offset: i, severity: 'warning', message: `unknown escape '\\${next}': xl drops it` });
      i += 1 + (text.codePointAt(i + 1)! > 0xffff ? 2 : 1);
    }
  }
}

class Parser {
  private pos = 0;
  private field: string | undefined;
  readonly entries: XlEntry[] = [];
  readonly findings: ConfigFinding[] = [];
  private readonly lineStarts: number[] = [0];

  constructor(
    private readonly text: string,
    private readonly file: string,
    private readonly tokens: Token[],
    strayNotes: Note[],
  ) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
    for (const n of strayNotes) this.note(n, undefined);
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

  private note(n: Note, field: string | undefined): void {
    const { line, column } = this.location(n.offset);
    this.findings.push({ severity: n.severity, file: this.file, line, column, ...(field !== undefined ? { field } : {}), message: n.message });
  }

  private error(offset: number, message: string): void {
    this.note({ offset, severity: 'error', message }, this.field);
  }

  private peek(ahead = 0): Token {
    return this.tokens[Math.min(this.pos + ahead, this.tokens.length - 1)]!;
  }

  private advance(): Token {
    const t = this.peek();
    for (const n of t.notes) this.note(n, this.field);
    if (t.kind !== 'eof') this.pos++;
    return t;
  }

  private show(t: Token): string {
    if (t.kind === 'eof') return 'the end of the file';
    if (t.kind === 'newline') return this.text[t.start] === '#' ? 'a comment' : 'the end of the line';
    const raw = this.text.slice(t.start, Math.min(t.end, t.start + 40));
    return t.kind === 'string' ? raw : `'${raw}'`;
  }

  /** A line-start `KEY =` / `KEY +=`: where a new statement surely begins. */
  private startsStatement(t: Token, ahead: number): boolean {
    const next = this.peek(ahead + 1).kind;
    return t.kind === 'ident' && t.atLineStart && (next === '=' || next === '+=');
  }

  run(): void {
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof') break;
      this.field = undefined;
      if (t.kind === 'newline' || t.kind === ';') this.advance();
      else if (t.kind === 'ident') this.statement();
      else {
        if (t.kind !== 'bad') this.error(t.start, `expected a key (KEY = VALUE), got ${this.show(t)}`);
        this.skipStatement();
      }
    }
    this.checkDuplicates();
  }

  private statement(): void {
    const keyTok = this.advance();
    const key = this.text.slice(keyTok.start, keyTok.end);
    this.field = key;
    const opTok = this.peek();
    if (opTok.kind === 'bad' && opTok.start === keyTok.end && /^[^'"\u2018\u2019\u201c\u201d]/.test(this.text.slice(opTok.start, opTok.end))) {
      // `mem@ry = 1`: one malformed key, not a key followed by junk.
      this.field = undefined;
      this.error(opTok.start, `invalid key '${key}${this.text.slice(opTok.start, opTok.end)}': keys use letters, digits and _`);
      this.pos++;
      this.skipStatement();
      return;
    }
    if (opTok.kind !== '=' && opTok.kind !== '+=') {
      if (opTok.kind === 'newline' || opTok.kind === 'eof' || opTok.kind === ';') this.error(opTok.start, `missing '= VALUE' after the key`);
      else if (opTok.kind !== 'bad') this.error(opTok.start, `expected '=' after the key, got ${this.show(opTok)}`);
      this.skipStatement();
      return;
    }
    this.advance();
    const valueStart = this.peek().start;
    const value = this.value();
    if (value === null) {
      this.skipStatement();
      return;
    }
    const valueEnd = this.tokens[this.pos - 1]!.end;
    const after = this.peek();
    if (after.kind !== 'newline' && after.kind !== ';' && after.kind !== 'eof') {
      if (after.kind !== 'bad') this.error(after.start, `unexpected ${this.show(after)} after the value; put one KEY = VALUE per line or separate them with ';'`);
      this.skipStatement();
      return;
    }
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

  /** One value; null after reporting an error (the bad tokens of a list are consumed). */
  private value(): XlValue | null {
    const t = this.peek();
    switch (t.kind) {
      case 'number':
      case 'string':
        this.advance();
        return t.value!;
      case '[':
        return this.list();
      case 'bad':
        this.advance();
        return null;
      case 'newline':
      case 'eof':
      case ';':
        this.error(t.start, `missing value after '='`);
        return null;
      case 'ident':
        this.error(t.start, `expected a value (a number, a 'quoted string' or a [list]), got ${this.show(t)}; quote text values`);
        return null;
      default:
        this.error(t.start, `expected a value (a number, a 'quoted string' or a [list]), got ${this.show(t)}`);
        return null;
    }
  }

  private list(): XlValue | null {
    const open = this.advance();
    const items: XlValue[] = [];
    const unterminated = (): null => {
      const { line, column } = this.location(open.start);
      this.error(open.start, `unterminated list: the '[' at ${line}:${column} is never closed with ']'`);
      return null;
    };
    for (;;) {
      this.skipNewlines();
      let t = this.peek();
      if (t.kind === ']') {
        this.advance();
        return { kind: 'list', items };
      }
      if (t.kind === 'eof' || this.startsStatement(t, 0)) return unterminated();
      const item = this.value();
      if (item === null) return this.recoverList();
      items.push(item);
      this.skipNewlines();
      t = this.peek();
      if (t.kind === ',') this.advance();
      else if (t.kind === ']') {
        this.advance();
        return { kind: 'list', items };
      } else if (t.kind === 'eof' || this.startsStatement(t, 0)) return unterminated();
      else {
        if (t.kind !== 'bad') this.error(t.start, `expected ',' or ']' in the list, got ${this.show(t)}`);
        return this.recoverList();
      }
    }
  }

  /** After an error inside a list: skip to its closing ']' (or to the next statement). */
  private recoverList(): null {
    let depth = 1;
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof' || this.startsStatement(t, 0)) return null;
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

  private checkDuplicates(): void {
    const seen = new Map<string, XlEntry>();
    for (const e of this.entries) {
      const prev = seen.get(e.key);
      if (e.op === '=') {
        if (prev) this.findings.push({ severity: 'warning', file: this.file, line: e.line, column: e.column, field: e.key, message: `set again (also at line ${prev.line}); the last one wins, as in xl` });
        seen.set(e.key, e);
      } else if (prev) {
        const base = this.currentValue(e.key, e);
        if (base && !appendValue(base, e.value)) {
          this.findings.push({ severity: 'error', file: this.file, line: e.line, column: e.column, field: e.key, message: `'+=' needs a ${base.kind} to add to this ${base.kind}, got a ${e.value.kind}` });
        }
      } else seen.set(e.key, e);
    }
    this.findings.sort((a, b) => a.line - b.line || a.column - b.column);
  }

  private currentValue(key: string, upTo: XlEntry): XlValue | undefined {
    let value: XlValue | undefined;
    for (const e of this.entries) {
      if (e === upTo) break;
      if (e.key !== key) continue;
      value = e.op === '=' || value === undefined ? e.value : (appendValue(value, e.value) ?? value);
    }
    return value;
  }
}

function parseText(text: string, fileName: string): { entries: XlEntry[]; findings: ConfigFinding[] } {
  const { tokens, stray } = tokenize(text);
  const parser = new Parser(text, fileName, tokens, stray);
  parser.run();
  return { entries: parser.entries, findings: parser.findings };
}
