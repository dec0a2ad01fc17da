/**
 * The Dom0 console: a small POSIX shell (syntax.ts, interpreter.ts) over Dom0's filesystem view
 * (fs-view.ts) whose commands — xl, cat/echo on /sys/kernel/vgt, dmesg, lspci, … — run the same
 * host API the buttons and menus use. console.exec runs one input (a command line and the
 * here-documents it opens, or several lines); console.complete completes its last word. A
 * session id keeps variables, the working directory and $? between calls; without one, each call
 * starts from a fresh shell in /root.
 *
 * Output is terminal text ("\n" line ends) with standard output and errors interleaved as they
 * were written; the exit code follows the shell convention (0 ok, 1 failure, 2 syntax or usage
 * errors and refused redirections, 127 unknown command).
 */
import type { ConsoleResult } from '../../../shared/api';
import { type Completion, complete } from './complete';
import type { Dom0Host } from './deps';
import { Dom0Fs } from './fs-view';
import { runScript, shAt } from './interpreter';
import { MAX_OUTPUT } from './limits';
import { BoundedText } from './output';
import { SessionStore, type ShellSession } from './session';
import { LocatedSyntaxError, ShellLimitError, parseScript } from './syntax';

export class Dom0Console {
  private readonly sessions = new SessionStore();
  private readonly fs: Dom0Fs;

  constructor(private readonly host: Dom0Host) {
    this.fs = new Dom0Fs(host.call, host.sysfsList, host.dataDir);
  }

  /**
   * Run console input in the session `sessionId` (after any input still running there). Never
   * rejects for bad input: syntax errors, refused bounds and failing commands are output with a
   * non-zero exit code, and nothing runs when the input does not parse.
   */
  exec(input: string, sessionId?: string): Promise<ConsoleResult> {
    const session = this.sessions.get(sessionId);
    return session.serialize(() => this.run(input, session));
  }

  /** Completions of the last word of `line` (see complete.ts), with the session's cwd and variables. */
  complete(line: string, sessionId?: string): Promise<Completion> {
    const session = this.sessions.get(sessionId);
    return session.serialize(() => complete(line, session, this.fs, this.host.call));
  }

  private async run(input: string, session: ShellSession): Promise<ConsoleResult> {
    let script;
    try {
      script = parseScript(input);
    } catch (e) {
      session.status = 2;
      if (e instanceof LocatedSyntaxError) return { output: `${shAt(e.line)}Syntax error: ${e.message}\n`, exitCode: 2 };
      if (e instanceof ShellLimitError) return { output: `sh: ${e.message}\n`, exitCode: 2 };
      throw e;
    }
    const output = new BoundedText(MAX_OUTPUT);
    let attach: ConsoleResult['attach'];
    const exitCode = await runScript(script, { session, fs: this.fs, host: this.host, output, attach: (d) => (attach = d) });
    const text = output.cut ? `${output.text()}\nsh: output cut at ${MAX_OUTPUT} bytes\n` : output.text();
    return attach ? { output: text, exitCode, attach } : { output: text, exitCode };
  }
}
