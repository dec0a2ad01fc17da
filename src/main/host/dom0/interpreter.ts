/**
 * Runs a parsed Dom0 shell script (POSIX.1-2017 XCU 2.9 semantics for what syntax.ts accepts):
 * and-or lists left to right (`&&` runs the next pipeline when the last status was 0, `||` when
 * it was not), pipelines feeding each command's output to the next one's input, and for each
 * simple command: assignments, expansion, here-document input, the `>`/`>>` target checked before
 * the command runs (`sh: cannot create PATH: REASON`, status 2) and written after it, then the
 * command itself (`sh: NAME: not found`, status 127, when there is none). Assignments without a
 * command set session variables; before a command they are ignored (no command here reads its
 * environment). $? is the last pipeline's status.
 */
import type { Command, CommandContext } from './command';
import { COMMANDS } from './commands';
import type { Dom0Host } from './deps';
import { expandFields, expandHereDocument, expandWord, type Lookup } from './expand';
import { type Dom0Fs, FsError } from './fs-view';
import { MAX_EXPANSION, MAX_OUTPUT } from './limits';
import { BoundedText } from './output';
import { resolvePath } from './paths';
import type { ShellSession } from './session';
import { ShellSyntaxError } from './scan';
import { type Pipeline, type Script, type SimpleCommand, ShellLimitError } from './syntax';

/** What a script runs against: the session, the view, the host, the console's output. */
export interface Shell {
  session: ShellSession;
  fs: Dom0Fs;
  host: Dom0Host;
  output: BoundedText;
  attach: CommandContext['attach'];
}

const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_]*)=/;

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** `sh: ` and, past the first input line, `line N: ` (where an error of that line is reported). */
export const shAt = (line: number): string => `sh: ${line > 1 ? `line ${line}: ` : ''}`;

/** Run every list of `script`; resolves with the status of the last pipeline run. */
export async function runScript(script: Script, sh: Shell): Promise<number> {
  for (const list of script.lists) {
    sh.session.status = await runPipeline(list.pipelines[0], sh);
    for (let j = 1; j < list.pipelines.length; j++) {
      if ((list.ops[j - 1] === '&&') === (sh.session.status === 0)) sh.session.status = await runPipeline(list.pipelines[j], sh);
    }
  }
  return sh.session.status;
}

async function runPipeline(pipeline: Pipeline, sh: Shell): Promise<number> {
  let input = '';
  let status = 0;
  for (let k = 0; k < pipeline.length; k++) ({ status, out: input } = await runCommand(pipeline[k], input, k === pipeline.length - 1, sh));
  return status;
}

/**
 * Run one simple command with `pipeIn` as its input. Its output goes to the console when it is
 * the last of its pipeline and not redirected, else it is returned (for the next command) or
 * written to the redirection's target.
 */
async function runCommand(cmd: SimpleCommand, pipeIn: string, last: boolean, sh: Shell): Promise<{ status: number; out: string }> {
  const err = (text: string): void => sh.output.write(text);
  const fail = (text: string, status: number): { status: number; out: string } => {
    err(text);
    return { status, out: '' };
  };
  const s = sh.session;
  const lookup: Lookup = (name) => (name === '?' ? String(s.status) : (s.get(name) ?? ''));

  let argv: string[];
  let assignments: [string, string][];
  let stdin = pipeIn;
  try {
    let i = 0;
    assignments = [];
    for (; i < cmd.words.length; i++) {
      const m = ASSIGNMENT.exec(cmd.words[i]);
      if (!m) break;
      assignments.push([m[1], expandWord(cmd.words[i].slice(m[0].length), lookup)]);
    }
    argv = cmd.words.slice(i).flatMap((w) => expandFields(w, lookup));
    const size = [...argv, ...assignments.map(([, v]) => v)].reduce((n, w) => n + w.length, 0);
    if (size > MAX_EXPANSION) throw new ShellLimitError(`the command expands to ${size} bytes; the limit is ${MAX_EXPANSION} bytes`);
    const doc = cmd.heredocs.at(-1);
    if (doc) stdin = doc.quoted ? doc.body : expandHereDocument(doc.body, lookup);
  } catch (e) {
    if (e instanceof ShellLimitError) return fail(`${shAt(cmd.line)}${e.message}\n`, 2);
    if (e instanceof ShellSyntaxError) return fail(`${shAt(cmd.line)}Syntax error: ${e.message}\n`, 2);
    throw e;
  }

  let target: { word: string; path: string } | null = null;
  if (cmd.redirect) {
    const fields = expandFields(cmd.redirect.target, lookup);
    if (fields.length !== 1) return fail(`sh: ${fields.join(' ') || '""'}: ambiguous redirect\n`, 2);
    target = { word: fields[0], path: resolvePath(s.cwd, fields[0]) };
    try {
      await sh.fs.checkWritable(target.path);
    } catch (e) {
      if (e instanceof FsError) return fail(`sh: cannot create ${target.word}: ${e.message}\n`, 2);
      return fail(`sh: cannot create ${target.word}: ${message(e)}\n`, 2);
    }
  }

  let status = 0;
  const stdout = last && !target ? sh.output : new BoundedText(MAX_OUTPUT);
  if (argv.length === 0) {
    for (const [name, value] of assignments) {
      try {
        s.set(name, value);
      } catch (e) {
        if (!(e instanceof ShellLimitError)) throw e;
        return fail(`sh: ${e.message}\n`, 2);
      }
    }
  } else {
    const command: Command | undefined = COMMANDS.get(argv[0]);
    if (!command) return fail(`sh: ${argv[0]}: not found\n`, 127);
    const ctx: CommandContext = { session: s, fs: sh.fs, host: sh.host, stdin, stdout, stderr: err, attach: sh.attach };
    try {
      status = await command(argv.slice(1), ctx);
    } catch (e) {
      err(`${message(e)}\n`);
      status = 1;
    }
    if (stdout !== sh.output && stdout.cut) err(`sh: ${argv[0]}: output cut at ${MAX_OUTPUT} bytes\n`);
  }

  if (target) {
    try {
      await sh.fs.write(target.path, stdout.text(), cmd.redirect!.append);
    } catch (e) {
      if (e instanceof FsError) return fail(`sh: cannot create ${target.word}: ${e.message}\n`, 2);
      return fail(`sh: ${argv[0] ?? target.word}: ${message(e)}\n`, 1);
    }
    return { status, out: '' };
  }
  return { status, out: stdout === sh.output ? '' : stdout.text() };
}
