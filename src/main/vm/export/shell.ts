/** Shell text for the exported QEMU command lines (POSIX sh, the language of the guides' examples). */

/**
 * `word` as one POSIX shell word: unchanged when it has only characters no shell treats specially,
 * else in single quotes (inside which nothing is special; a ' is written '\'').
 */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_/.,:=+@%-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * A command as shell text: the program and each option group on a line of its own, joined with
 * backslash-newline continuations (as the guides print them).
 * @param lines one group of already-quoted words per line, the program first
 */
export function continuedCommand(lines: string[][]): string {
  return lines.map((words) => words.join(' ')).join(' \\\n  ');
}
