/**
 * The Dom0 shell's commands over the filesystem view: cd, pwd, ls, cat. Messages follow dash
 * (`sh: cd: can't cd to DIR`) and GNU coreutils (`ls: cannot access 'X': No such file or
 * directory`, `cat: X: Is a directory`).
 */
import type { Command } from './command';
import { FsError } from './fs-view';
import { resolvePath } from './paths';

const reason = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** `cd [DIR | -]`: no operand goes to $HOME, `-` to $OLDPWD (and prints it), as dash does. */
export const cd: Command = async (args, ctx) => {
  if (args.length > 1) {
    ctx.stderr('sh: cd: too many arguments\n');
    return 2;
  }
  const s = ctx.session;
  const operand = args[0] ?? s.get('HOME') ?? '/';
  const target = operand === '-' ? (s.get('OLDPWD') ?? s.cwd) : operand;
  const path = resolvePath(s.cwd, target);
  if ((await ctx.fs.kind(path)) !== 'dir') {
    ctx.stderr(`sh: cd: can't cd to ${target}\n`);
    return 2;
  }
  s.set('OLDPWD', s.cwd);
  s.set('PWD', path);
  s.cwd = path;
  if (operand === '-') ctx.stdout.write(`${path}\n`);
  return 0;
};

export const pwd: Command = async (_args, ctx) => {
  ctx.stdout.write(`${ctx.session.cwd}\n`);
  return 0;
};

/**
 * `ls [-1a] [PATH…]`: directory entries sorted (C locale) and separated by two spaces, or one per
 * line with -1; -a adds `.` and `..`. Several operands: files first, then each directory under a
 * `DIR:` heading, as GNU ls prints them.
 */
export const ls: Command = async (args, ctx) => {
  const options = args.filter((a) => a.startsWith('-') && a !== '-');
  const operands = args.filter((a) => !options.includes(a));
  const bad = options.flatMap((o) => [...o.slice(1)]).find((c) => c !== '1' && c !== 'a');
  if (bad !== undefined) {
    ctx.stderr(`ls: invalid option -- '${bad}'\nUsage: ls [-1a] [FILE]...\n`);
    return 2;
  }
  const onePerLine = options.some((o) => o.includes('1'));
  const all = options.some((o) => o.includes('a'));
  const join = (names: string[]): string => (names.length === 0 ? '' : `${names.join(onePerLine ? '\n' : '  ')}\n`);
  let status = 0;
  const files: string[] = [];
  const dirs: [string, string[]][] = [];
  for (const operand of operands.length > 0 ? operands : ['.']) {
    try {
      const entries = await ctx.fs.list(resolvePath(ctx.session.cwd, operand));
      if (entries === null) files.push(operand);
      else dirs.push([operand, [...(all ? ['.', '..'] : []), ...entries.map((e) => e.name)]]);
    } catch (e) {
      ctx.stderr(`ls: cannot access '${operand}': ${reason(e)}\n`);
      status = 2;
    }
  }
  const sections: string[] = [];
  if (files.length > 0) sections.push(join(files));
  for (const [operand, names] of dirs) sections.push(operands.length > 1 ? `${operand}:\n${join(names)}` : join(names));
  ctx.stdout.write(sections.join('\n'));
  return status;
};

/** `cat [FILE…]`: the files in turn; no operand or `-` is standard input. */
export const cat: Command = async (args, ctx) => {
  let status = 0;
  for (const operand of args.length > 0 ? args : ['-']) {
    if (operand === '-') {
      ctx.stdout.write(ctx.stdin);
      continue;
    }
    try {
      ctx.stdout.write(await ctx.fs.read(resolvePath(ctx.session.cwd, operand)));
    } catch (e) {
      if (!(e instanceof FsError)) throw e;
      ctx.stderr(`cat: ${operand}: ${e.message}\n`);
      status = 1;
    }
  }
  return status;
};
