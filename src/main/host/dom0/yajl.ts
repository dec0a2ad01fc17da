/**
 * JSON as libxl writes it for `xl list -l`: yajl 2's generator with beautify on and its default
 * four-space indent (tools/libxl/libxl_json.h libxl_yajl_gen_alloc; lloyd/yajl src/yajl_gen.c).
 * Its layout differs from JSON.stringify(v, null, 4): an empty map or array still gets its two
 * newlines (`{` NL NL indent `}`), and strings are escaped by yajl_string_encode (control
 * characters as upper-case `\u00XX`, `/` not escaped).
 */

/** A JSON value in libxl's vocabulary: integers, strings, arrays and maps (in key order). */
export type JsonValue = number | string | JsonValue[] | { [key: string]: JsonValue };

const INDENT = '    ';

/** yajl_string_encode without escape_solidus. */
function encodeString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.charCodeAt(0);
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\b') out += '\\b';
    else if (c < 0x20) out += `\\u00${c.toString(16).toUpperCase().padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

function generate(value: JsonValue, depth: number): string {
  const inner = INDENT.repeat(depth + 1);
  const close = INDENT.repeat(depth);
  if (Array.isArray(value)) return `[\n${value.map((v) => inner + generate(v, depth + 1)).join(',\n')}\n${close}]`;
  if (typeof value === 'object') return `{\n${Object.entries(value).map(([k, v]) => `${inner}${encodeString(k)}: ${generate(v, depth + 1)}`).join(',\n')}\n${close}}`;
  if (typeof value === 'string') return encodeString(value);
  return String(Math.trunc(value));
}

/** The generator's buffer for one top-level value: the value and yajl's final newline. */
export function yajlBeautify(value: JsonValue): string {
  return `${generate(value, 0)}\n`;
}
