/**
 * Text surgery on xl.cfg for the config editor's form: read one key's value and rewrite only the
 * line that sets it, leaving every other byte of the file (comments, order, spacing, unknown keys)
 * as it was.
 *
 * Deliberately narrower than the host's parser (src/main/vm/xlcfg.ts, which the renderer cannot
 * import): a key is editable here only when exactly one line sets it, that line holds nothing but
 * `KEY = VALUE` with a plain number or a one-line quoted string (and an optional `# comment`), and
 * no `;`-joined statement elsewhere sets it. Anything else (a list, `+=`, a key set twice, escapes
 * beyond \\ \' \") reads as { kind: 'text' }: the form shows it read-only and the user edits the
 * text. The host's diagnostics still judge the result; this module only decides which line to touch.
 * source: xl.cfg(5); Xen's libxlu_cfg_l.l for the token shapes.
 */

/** What the form can show for one key. */
export type KeyState =
  | { kind: 'absent' }
  | { kind: 'number'; value: number }
  | { kind: 'string'; value: string }
  /** The key is set in a way the form does not model; reason says how, for the "edit in text" hint. */
  | { kind: 'text'; reason: string };

/** A value the form writes. */
export type FormValue = { kind: 'number'; value: number } | { kind: 'string'; value: string };

/** Keys as xl accepts them (libxlu_cfg_l.l's IDENT). */
export const XL_KEY = /^[a-z][._0-9a-z]*$/;

// One whole-line statement: indent, key, spacing, op, spacing, value, then spaces and an optional comment.
const SIMPLE = /^([ \t]*)([a-z][._0-9a-z]*)([ \t]*)(\+?=)([ \t]*)([0-9][0-9A-Za-z_.]*|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")([ \t\r]*(?:#.*)?)$/;
// A statement's start anywhere a statement may start on a line: its beginning or after a ';'.
const ANY_STATEMENT = /(?:^|;)[ \t]*([a-z][._0-9a-z]*)[ \t]*\+?=/g;

interface Statement {
  /** 0-based line index. */
  line: number;
  /** UTF-16 offsets of the value on that line (start, end exclusive), when the line is simple. */
  value?: { start: number; end: number; raw: string };
  op: '=' | '+=';
  /** For a line that is not simple: what follows the op, and whether the line has other statements. */
  rest?: string;
  shared?: boolean;
}

/** Lines split at '\n' (a '\r' stays on its line, so CRLF files keep their line endings). */
function lines(text: string): string[] {
  return text.split('\n');
}

/**
 * Every line that sets `key`. Lines inside a multi-line list never start with `KEY =`, and a
 * commented-out line starts with '#', so neither is mistaken for a statement.
 */
function statementsOf(all: readonly string[], key: string): Statement[] {
  const found: Statement[] = [];
  all.forEach((text, line) => {
    if (!text.includes(key)) return; // cheap filter: most lines are about other keys
    const m = SIMPLE.exec(text);
    if (m && m[2] === key) {
      const start = m[1]!.length + m[2]!.length + m[3]!.length + m[4]!.length + m[5]!.length;
      found.push({ line, op: m[4] as '=' | '+=', value: { start, end: start + m[6]!.length, raw: m[6]! } });
      return;
    }
    if (m) return;
    const all = [...text.matchAll(ANY_STATEMENT)];
    for (const s of all) {
      if (s[1] === key) found.push({ line, op: s[0].includes('+=') ? '+=' : '=', rest: text.slice(s.index + s[0].length).trim(), shared: all.length > 1 });
    }
  });
  return found;
}

/** The value of a simple statement's raw value text, or null when the form does not model it. */
function readValue(raw: string): FormValue | null {
  if (/^(0|[1-9][0-9]*)$/.test(raw)) {
    const n = Number(raw);
    return Number.isSafeInteger(n) ? { kind: 'number', value: n } : null;
  }
  if (raw[0] !== "'" && raw[0] !== '"') return null; // hex, octal, bad numbers: the text shows them as written
  const body = raw.slice(1, -1);
  if (/\\[^\\'"]/.test(body.replace(/\\\\/g, ''))) return null;
  return { kind: 'string', value: body.replace(/\\([\\'"])/g, '$1') };
}

/**
 * What `key` is set to, as far as the form can show it.
 * @param text config text (any size; one pass over its lines)
 */
export function readKey(text: string, key: string): KeyState {
  return stateOf(lines(text), key);
}

/** readKey for several keys with one split of the text (what the form shows on every edit). */
export function readKeys(text: string, keys: readonly string[]): Map<string, KeyState> {
  const all = lines(text);
  return new Map(keys.map((k) => [k, stateOf(all, k)]));
}

function stateOf(all: readonly string[], key: string): KeyState {
  const found = statementsOf(all, key);
  if (found.length === 0) return { kind: 'absent' };
  if (found.length > 1) return { kind: 'text', reason: `set on ${found.length} lines (${found.map((s) => s.line + 1).join(', ')})` };
  const [s] = found as [Statement];
  if (s.op === '+=') return { kind: 'text', reason: `appended to with += on line ${s.line + 1}` };
  if (!s.value) {
    if (s.shared) return { kind: 'text', reason: `shares line ${s.line + 1} with other statements` };
    if (s.rest!.startsWith('[')) return { kind: 'text', reason: `a list, on line ${s.line + 1}` };
    return { kind: 'text', reason: `written as ${short(s.rest!)} on line ${s.line + 1}` };
  }
  return readValue(s.value.raw) ?? { kind: 'text', reason: `written as ${short(s.value.raw)} on line ${s.line + 1}` };
}

/** Source text for a reason: at most 24 characters. */
function short(raw: string): string {
  return raw.length > 24 ? `${raw.slice(0, 24)}…` : raw;
}

/**
 * xl source for a form value: a decimal number, or a string in single quotes (double quotes when
 * it holds a ' and no "), with \\ and the quote escaped.
 * @throws RangeError for a number that is not a non-negative safe integer, or a string with a
 *   newline or control character (xl strings are one line; the form never produces them)
 */
export function formatValue(v: FormValue): string {
  if (v.kind === 'number') {
    if (!Number.isSafeInteger(v.value) || v.value < 0) throw new RangeError(`xl numbers are non-negative integers, got ${v.value}`);
    return String(v.value);
  }
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\x00-\x1f\x7f]/.test(v.value)) throw new RangeError('an xl string is one line without control characters');
  const quote = v.value.includes("'") && !v.value.includes('"') ? '"' : "'";
  return quote + v.value.replace(/\\/g, '\\\\').replaceAll(quote, `\\${quote}`) + quote;
}

/**
 * The text with `key` set to `value` (or its line removed when value is null). An existing line
 * keeps its indent, spacing and trailing comment, only its value changes; a new key is appended as
 * a last line, spaced like the file's last simple statement. No other line changes.
 * @throws RangeError when readKey(text, key) is { kind: 'text' } (the form must not edit it), the key
 *   is not an xl key, or formatValue refuses the value
 */
export function setKey(text: string, key: string, value: FormValue | null): string {
  if (!XL_KEY.test(key)) throw new RangeError(`'${key}' is not an xl key`);
  const all = lines(text);
  const state = readKey(text, key);
  if (state.kind === 'text') throw new RangeError(`${key} is ${state.reason}; edit it in the text`);
  const [s] = statementsOf(all, key);
  if (value === null) {
    if (!s) return text;
    all.splice(s.line, 1);
    return all.join('\n');
  }
  const written = formatValue(value);
  if (s) {
    const line = all[s.line]!;
    all[s.line] = line.slice(0, s.value!.start) + written + line.slice(s.value!.end);
    return all.join('\n');
  }
  const eol = text.includes('\r\n') ? '\r' : '';
  const styled = [...all].reverse().map((l) => SIMPLE.exec(l)).find((m) => m !== null);
  const sep = styled ? `${styled[3]}=${styled[5]}` : ' = ';
  const head = text === '' || text.endsWith('\n') ? text : `${text}${eol}\n`;
  return `${head}${key}${sep}${written}${eol}\n`;
}
