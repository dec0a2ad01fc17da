/**
 * The Dom0 shell's text and variable builtins: echo, grep, true, false, `:`, clear, export,
 * unset. echo takes only `-n` (as dash's and POSIX's echo; no backslash escapes are interpreted);
 * grep matches fixed strings (as `grep -F`), which is what the guides' `grep -i gvt` and
 * `grep VGA` need.
 */
import type { Command } from './command';
import { FsError } from './fs-view';
import { resolvePath } from './paths';
import { ShellLimitError } from './syntax';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const echo: Command = async (args, ctx) => {
  const noNewline = args[0] === '-n';
  ctx.stdout.write(`${(noNewline ? args.slice(1) : args).join(' ')}${noNewline ? '' : '\n'}`);
  return 0;
};

export const trueCommand: Command = async () => 0;
export const falseCommand: Command = async () => 1;

/** The terminal's clear-screen sequence (what `clear` writes on an xterm). */
export const clear: Command = async (_args, ctx) => {
  ctx.stdout.write('\x1b[H\x1b[2J');
  return 0;
};

/** Lines of `text` (a last line without its newline still counts). */
const lines = (text: string): string[] => (text === '' ? [] : text.replace(/\n$/, '').split('\n'));

/**
 * `grep [-icnqvF] PATTERN [FILE…]`: lines holding PATTERN (a fixed string), from the files or
 * standard input; with several files each line is prefixed by its file name. Status 0 when a line
 * matched, 1 when none did, 2 on an error (GNU grep's).
 */
export const grep: Command = async (args, ctx) => {
  const flags = new Set<string>();
  let i = 0;
  for (; i < args.length && args[i].startsWith('-') && args[i] !== '-'; i++) {
    if (args[i] === '--') {
      i++;
      break;
    }
    for (const c of args[i].slice(1)) {
      if (!'icnqvF'.includes(c)) {
        ctx.stderr(`grep: invalid option -- '${c}'\nUsage: grep [-icnqvF] PATTERN [FILE]...\n`);
        return 2;
      }
      flags.add(c);
    }
  }
  const pattern = args[i];
  if (pattern === undefined) {
    ctx.stderr('Usage: grep [-icnqvF] PATTERN [FILE]...\n');
    return 2;
  }
  const files = args.slice(i + 1);
  const needle = flags.has('i') ? pattern.toLowerCase() : pattern;
  let matched = 0;
  let status = 0;
  for (const file of files.length > 0 ? files : ['-']) {
    let text: string;
    try {
      text = file === '-' ? ctx.stdin : await ctx.fs.read(resolvePath(ctx.session.cwd, file));
    } catch (e) {
      if (!(e instanceof FsError)) throw e;
      ctx.stderr(`grep: ${file}: ${e.message}\n`);
      status = 2;
      continue;
    }
    const prefix = files.length > 1 ? `${file}:` : '';
    let count = 0;
    lines(text).forEach((line, n) => {
      if ((flags.has('i') ? line.toLowerCase() : line).includes(needle) === flags.has('v')) return;
      count++;
      if (!flags.has('c') && !flags.has('q')) ctx.stdout.write(`${prefix}${flags.has('n') ? `${n + 1}:` : ''}${line}\n`);
    });
    if (flags.has('c') && !flags.has('q')) ctx.stdout.write(`${prefix}${count}\n`);
    matched += count;
  }
  return status === 2 && !(flags.has('q') && matched > 0) ? 2 : matched > 0 ? 0 : 1;
};

/** Set NAME=value, reporting a bad name or a refused value as `sh: CMD: …`; false when refused. */
function assign(word: string, ctx: Parameters<Command>[1], cmd: string): boolean {
  const eq = word.indexOf('=');
  const name = eq < 0 ? word : word.slice(0, eq);
  if (!NAME.test(name)) {
    ctx.stderr(`sh: ${cmd}: ${name}: bad variable name\n`);
    return false;
  }
  if (eq < 0) return true;
  try {
    ctx.session.set(name, word.slice(eq + 1));
    return true;
  } catch (e) {
    if (!(e instanceof ShellLimitError)) throw e;
    ctx.stderr(`sh: ${cmd}: ${e.message}\n`);
    return false;
  }
}

/**
 * `export [-p] [NAME[=VALUE]…]`: set variables (every variable of this shell is in the
 * environment of the commands it runs, so NAME alone changes nothing); without operands, or with
 * -p, list them as dash does: `export NAME='value'`.
 */
export const exportCommand: Command = async (args, ctx) => {
  const operands = args.filter((a) => a !== '-p');
  if (operands.length === 0) {
    for (const [name, value] of ctx.session.entries()) ctx.stdout.write(`export ${name}='${value.replace(/'/g, `'\\''`)}'\n`);
    return 0;
  }
  let status = 0;
  for (const word of operands) if (!assign(word, ctx, 'export')) status = 2;
  return status;
};

/** `unset NAME…` */
export const unset: Command = async (args, ctx) => {
  let status = 0;
  for (const name of args.filter((a) => a !== '-v')) {
    if (NAME.test(name)) ctx.session.unset(name);
    else {
      ctx.stderr(`sh: unset: ${name}: bad variable name\n`);
      status = 2;
    }
  }
  return status;
};
