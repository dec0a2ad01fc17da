/**
 * Here-documents for the Dom0 console's line editor: which delimiters a command line opens, and
 * the collection of the lines that follow until each delimiter line, as sh reads them. The host
 * gets the command line and the body as one console.exec `line` (lines joined by "\n", delimiter
 * lines included); it does the expansion, this module only decides where the input ends.
 */
import { MAX_CONSOLE_INPUT } from '../../shared/api';

/** One `<<WORD` (or `<<-WORD`) of a command line: WORD after quote removal. */
export interface HeredocDelimiter {
  word: string;
  /** `<<-`: leading tabs of body lines (and of the delimiter line) are stripped. */
  stripTabs: boolean;
}

const BLANK = /[ \t]/;
/** Characters that end an unquoted word in sh (blanks and operator characters). */
const WORD_END = /[ \t;&|<>()]/;

/**
 * The here-documents `line` opens, in order (sh reads their bodies one after another). A `<<`
 * counts only outside quotes, unescaped and before a `#` comment; `<<<` (bash's here-string) is
 * not one; a `<<` with no word after it, or a line with an unclosed quote, opens nothing (the
 * host reports the syntax error at once rather than the console waiting for a body).
 * The word may be quoted in part or whole (`<<'EOF'`, `<<"EOF"`, `<<\EOF`, `<<E"O"F`): the
 * delimiter is the word with its quotes removed.
 */
export function openedHeredocs(line: string): HeredocDelimiter[] {
  const found: HeredocDelimiter[] = [];
  let wordStart = true;
  let i = 0;
  while (i < line.length) {
    const ch = line[i]!;
    if (ch === "'" || ch === '"') {
      const span = quoted(line, i);
      if (!span) return [];
      i = span.end;
      wordStart = false;
    } else if (ch === '\\') {
      i += 2;
      wordStart = false;
    } else if (ch === '#' && wordStart) {
      break;
    } else if (line.startsWith('<<<', i)) {
      i += 3;
      wordStart = true;
    } else if (line.startsWith('<<', i)) {
      i += 2;
      const stripTabs = line[i] === '-';
      if (stripTabs) i++;
      while (i < line.length && BLANK.test(line[i]!)) i++;
      const word = readWord(line, i);
      if (!word) return [];
      if (word.end > i) found.push({ word: word.text, stripTabs });
      i = word.end;
      wordStart = true;
    } else {
      i++;
      wordStart = WORD_END.test(ch);
    }
  }
  return found;
}

/** The quoted span at `start` (a `'` or `"`): its contents and the index just past it; null if unclosed. */
function quoted(line: string, start: number): { inner: string; end: number } | null {
  const quote = line[start];
  let i = start + 1;
  while (i < line.length && line[i] !== quote) i += quote === '"' && line[i] === '\\' ? 2 : 1;
  return i < line.length ? { inner: line.slice(start + 1, i), end: i + 1 } : null;
}

/** The word starting at `start` with its quotes removed, and the index where it ends; null if a quote is unclosed. */
function readWord(line: string, start: number): { text: string; end: number } | null {
  let text = '';
  let i = start;
  while (i < line.length && !WORD_END.test(line[i]!)) {
    const ch = line[i]!;
    if (ch === "'" || ch === '"') {
      const span = quoted(line, i);
      if (!span) return null;
      // Inside double quotes a backslash escapes only $ ` " \ (POSIX 2.2.3).
      text += ch === '"' ? span.inner.replace(/\\([$`"\\])/g, '$1') : span.inner;
      i = span.end;
    } else if (ch === '\\') {
      text += line[i + 1] ?? '';
      i += 2;
    } else {
      text += ch;
      i++;
    }
  }
  return { text, end: Math.min(i, line.length) };
}

/**
 * The lines of one command that opened here-documents: the command line, then body lines until
 * every delimiter has been seen. Past MAX_CONSOLE_INPUT characters the text is dropped but lines
 * are still read up to the delimiter (so a long paste does not run its body as commands); `tooLong`
 * then says the input cannot be sent.
 */
export class HeredocInput {
  private readonly lines: string[];
  private readonly pending: HeredocDelimiter[];
  private size: number;
  tooLong = false;

  private constructor(first: string, delimiters: HeredocDelimiter[]) {
    this.lines = [first];
    this.size = first.length;
    this.pending = delimiters;
  }

  /** The collection `line` starts, or null when it opens no here-document. */
  static open(line: string): HeredocInput | null {
    const delimiters = openedHeredocs(line);
    return delimiters.length ? new HeredocInput(line, delimiters) : null;
  }

  /** Add the next line; true once the last delimiter line has been read. */
  add(line: string): boolean {
    const delimiter = this.pending[0]!;
    const bare = delimiter.stripTabs ? line.replace(/^\t+/, '') : line;
    if (bare === delimiter.word) this.pending.shift();
    this.size += 1 + line.length;
    if (this.size > MAX_CONSOLE_INPUT) this.tooLong = true;
    if (!this.tooLong) this.lines.push(line);
    return this.pending.length === 0;
  }

  /** The whole input as console.exec takes it: lines joined by "\n", no newline at the end. */
  get text(): string {
    return this.lines.join('\n');
  }
}
