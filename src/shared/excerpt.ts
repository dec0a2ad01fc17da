/**
 * Text from a user's file as it may appear in a message: a short, escaped excerpt, so an error
 * never spells out a file (a config that turns out to be /etc/shadow, say).
 */

/** At most this many characters of source text go into a message. */
export const EXCERPT_MAX = 40;

/**
 * Characters a message shows as \u escapes: controls, format characters (bidi overrides,
 * zero-width), lone surrogates, private-use and unassigned code points, and every space but ' '.
 */
export const INVISIBLE = /^[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Z}]$/u;

/** `\u00a0`-style escape for one code point (or lone surrogate). */
function unicodeEscape(ch: string): string {
  const cp = ch.codePointAt(0)!;
  return cp > 0xffff ? `\\u{${cp.toString(16)}}` : `\\u${cp.toString(16).padStart(4, '0')}`;
}

/**
 * Source text for a message: its first EXCERPT_MAX characters (code points), backslashes and
 * invisible characters escaped JSON-style, and an ellipsis when anything was cut (or `more` says
 * the source goes on). Never echoes more of a file than that, whatever the file is.
 */
export function excerpt(raw: string, more = false): string {
  let out = '';
  let n = 0;
  for (const ch of raw) {
    if (n++ === EXCERPT_MAX) return `${out}…`;
    out += ch === '\\' ? '\\\\' : ch === '\n' ? '\\n' : ch === '\r' ? '\\r' : ch === '\t' ? '\\t' : ch !== ' ' && INVISIBLE.test(ch) ? unicodeEscape(ch) : ch;
  }
  return more ? `${out}…` : out;
}
