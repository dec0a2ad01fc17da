/**
 * The Dom0 console's line discipline, kept apart from xterm so it can be tested without a DOM:
 * printable characters, backspace, enter, up/down history and Ctrl-C, with the cursor at the end
 * of the line (the console runs one-line commands; no in-line cursor movement).
 */
import { errorMessage } from './errors';

export interface LineEditorIO {
  /** Raw terminal output (echo, erase sequences, CRLF line ends). */
  term(data: string): void;
  /** What a reader of the session sees: prompt, committed command lines and output, LF line ends. */
  log(text: string): void;
  /** Run one line; resolves with its output. A rejection is printed as the command's output. */
  exec(line: string): Promise<string>;
}

// CSI / SS3 sequences the terminal sends for cursor and function keys (ESC is the point here).
// eslint-disable-next-line no-control-regex
const ESCAPE_SEQUENCE = /^\x1b(?:\[[0-9;?]*[ -/]*[@-~]|O[@-~])/;
const HISTORY_LIMIT = 500;

export class LineEditor {
  private line = '';
  private readonly history: string[] = [];
  /** Index into history while browsing with up/down; history.length means the draft line. */
  private browse = 0;
  private draft = '';
  private busy = false;
  /** Keystrokes typed while a command runs, replayed at the next prompt. */
  private queued = '';

  constructor(
    private readonly prompt: string,
    private readonly io: LineEditorIO,
  ) {}

  start(): void {
    this.showPrompt();
  }

  input(data: string): void {
    if (this.busy) {
      this.queued += data;
      return;
    }
    let i = 0;
    while (i < data.length && !this.busy) {
      const ch = data[i];
      if (ch === '\x1b') {
        const m = ESCAPE_SEQUENCE.exec(data.slice(i));
        const seq = m ? m[0] : ch;
        this.escape(seq);
        i += seq.length;
        continue;
      }
      i++;
      if (ch === '\r' || ch === '\n') {
        // A pasted CRLF is one line end, not an empty command after it.
        if (ch === '\r' && data[i] === '\n') i++;
        this.enter();
      } else if (ch === '\x7f' || ch === '\b') {
        this.backspace();
      } else if (ch === '\x03') {
        this.interrupt();
      } else if (ch >= ' ') {
        this.line += ch;
        this.io.term(ch);
      }
    }
    if (i < data.length) this.queued = data.slice(i) + this.queued;
  }

  private escape(seq: string): void {
    const key = seq[seq.length - 1];
    if (seq.length > 1 && key === 'A') this.recall(-1);
    else if (seq.length > 1 && key === 'B') this.recall(1);
  }

  private backspace(): void {
    if (!this.line) return;
    this.line = this.line.slice(0, -1);
    this.io.term('\b \b');
  }

  private interrupt(): void {
    this.io.term('^C\r\n');
    this.io.log(`${this.line}^C\n`);
    this.line = '';
    this.browse = this.history.length;
    this.showPrompt();
  }

  private recall(step: number): void {
    const next = this.browse + step;
    if (next < 0 || next > this.history.length) return;
    if (this.browse === this.history.length) this.draft = this.line;
    this.browse = next;
    this.line = next === this.history.length ? this.draft : this.history[next];
    // Return to column 0, erase the row, redraw: simpler than counting backspaces.
    this.io.term(`\r\x1b[K${this.prompt}${this.line}`);
  }

  private enter(): void {
    const line = this.line;
    this.line = '';
    this.io.term('\r\n');
    this.io.log(`${line}\n`);
    const command = line.trim();
    if (command && this.history[this.history.length - 1] !== line) {
      this.history.push(line);
      if (this.history.length > HISTORY_LIMIT) this.history.shift();
    }
    this.browse = this.history.length;
    this.draft = '';
    if (!command) {
      this.showPrompt();
      return;
    }
    this.busy = true;
    void this.io
      .exec(line)
      .catch((err: unknown) => errorMessage(err))
      .then((output) => this.finish(output));
  }

  private finish(output: string): void {
    const text = output && !output.endsWith('\n') ? `${output}\n` : output;
    this.io.term(text.replace(/\r?\n/g, '\r\n'));
    this.io.log(text);
    this.busy = false;
    this.showPrompt();
    const pending = this.queued;
    this.queued = '';
    if (pending) this.input(pending);
  }

  private showPrompt(): void {
    this.io.term(this.prompt);
    this.io.log(this.prompt);
  }
}
