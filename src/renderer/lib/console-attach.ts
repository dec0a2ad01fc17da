/**
 * `xl console NAME` inside the Dom0 console: while attached, the guest's serial output is shown
 * and every keystroke goes to its serial line, until Ctrl+] (0x1d, xl console's escape character)
 * detaches, or the domain goes away. Kept apart from xterm and the API so it can be tested alone.
 */

/** What Ctrl+] sends, as xl console (and telnet) expect it. */
export const CONSOLE_ESCAPE = '\x1d';

export interface AttachIO {
  /** Serial output to show (the guest's own line ends). */
  write(text: string): void;
  /** Keystrokes for the guest's serial line (domain.serialInput). */
  send(text: string): void;
}

export class ConsoleAttach {
  /** Resolves once detached, with the text the console prints then (starts on a fresh line). */
  readonly detached: Promise<string>;
  private done = false;
  private atLineStart = true;
  private finish!: (text: string) => void;

  constructor(
    private readonly name: string,
    private readonly io: AttachIO,
  ) {
    this.detached = new Promise((resolve) => (this.finish = resolve));
  }

  get attached(): boolean {
    return !this.done;
  }

  /** Serial output of the attached domain. */
  output(text: string): void {
    if (this.done || !text) return;
    this.io.write(text);
    this.atLineStart = text.endsWith('\n');
  }

  /** Keystrokes from the terminal: sent up to Ctrl+], which detaches (what follows it is dropped). */
  input(data: string): void {
    if (this.done) return;
    const escape = data.indexOf(CONSOLE_ESCAPE);
    const typed = escape < 0 ? data : data.slice(0, escape);
    if (typed) this.io.send(typed);
    if (escape >= 0) this.detach();
  }

  /** End the session: the user's Ctrl+], or `why` (e.g. the domain is gone). */
  detach(why?: string): void {
    if (this.done) return;
    this.done = true;
    const line = why ? `[detached from ${this.name}: ${why}]` : `[detached from ${this.name}]`;
    this.finish(`${this.atLineStart ? '' : '\n'}${line}\n`);
  }
}
