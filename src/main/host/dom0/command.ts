/**
 * What a Dom0 shell command runs with, and its shape. Commands write their output to `stdout`
 * (which the shell sends to the console, the next command of a pipeline or a redirection) and
 * their diagnostics to `stderr` (always the console), and resolve with their exit status.
 */
import type { Dom0Host } from './deps';
import type { Dom0Fs } from './fs-view';
import type { BoundedText } from './output';
import type { ShellSession } from './session';

export interface CommandContext {
  session: ShellSession;
  fs: Dom0Fs;
  host: Dom0Host;
  /** Standard input: the previous command's output in a pipeline, or a here-document. */
  stdin: string;
  stdout: BoundedText;
  stderr: (text: string) => void;
  /** `xl console`: ask the console to attach to this domain's serial line. */
  attach(domain: { domid: number; name: string }): void;
}

/** A command: `args` are its operands (argv without argv[0]); resolves with the exit status. */
export type Command = (args: string[], ctx: CommandContext) => Promise<number>;
