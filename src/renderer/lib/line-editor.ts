/**
 * The Dom0 console's line discipline, kept apart from xterm so it can be tested without a DOM:
 * printable characters, backspace, enter, ↑/↓ history, Tab completion, Ctrl-C and here-documents,
 * with the cursor at the end of the line (no in-line cursor movement).
 *
 * Here-documents: a line that opens one (`<<EOF`, `<<'EOF'`, `<<"EOF"`, `<<-EOF`; see heredoc.ts)
 * is not run at once. The editor reads body lines at a `> ` prompt, as sh does, until the delimiter
 * line, then runs the command line and its body as one exec (lines joined by "\n", the delimiter
 * line included). Ctrl-C abandons the whole input. In a body Tab inserts a tab (a body is data, and
 * `<<-` strips leading tabs) rather than completing.
 *
 * History: one entry per command, the line typed at the main prompt; for a here-document that is
 * its first line only, never body lines. The editor redraws a single row, so a multi-line entry
 * could be neither shown nor edited; recalling the first line and pressing Enter opens the
 * here-document again. Blank lines and a repeat of the newest entry are not added; HISTORY_LIMIT
 * entries are kept; the HistoryStore loads them at start and records each new one.
 *
 * Ordering: while a command runs or Tab waits for the host's completions, keystrokes are held and
 * replayed in order afterwards, so nothing typed behind a Tab is lost or lands before it.
 */
import { MAX_CONSOLE_INPUT } from '../../shared/api';
import { tabAction, type Completion, type TabAction } from './completion';
import { errorMessage } from './errors';
import { HeredocInput } from './heredoc';
import { HISTORY_LIMIT, type HistoryStore } from './history';

export interface LineEditorIO {
  /** Raw terminal output (echo, erase sequences, CRLF line ends). */
  term(data: string): void;
  /** What a reader of the session sees: prompts, committed input lines and output, LF line ends. */
  log(text: string): void;
  /** Run one command (with its here-document body); resolves with its output. A rejection is printed as the command's output. */
  exec(input: string): Promise<string>;
  /** The host's completions for the line's last word (console.complete); a rejection rings the bell. */
  complete(line: string): Promise<Completion>;
  /** Terminal width in columns, for listing completions. */
  columns(): number;
}

// CSI / SS3 sequences the terminal sends for cursor and function keys (ESC is the point here).
// eslint-disable-next-line no-control-regex
const ESCAPE_SEQUENCE = /^\x1b(?:\[[0-9;?]*[ -/]*[@-~]|O[@-~])/;
/** sh's PS2. */
const CONTINUATION_PROMPT = '> ';

export class LineEditor {
  private line = '';
  private readonly history: string[];
  /** Index into history while browsing with up/down; history.length means the draft line. */
  private browse: number;
  private draft = '';
  private busy = false;
  /** Keystrokes typed while a command or a completion runs, replayed when it is done. */
  private queued = '';
  /** The here-document being read, or null at the main prompt. */
  private heredoc: HeredocInput | null = null;
  /** The key before the current one was Tab (a second Tab lists ambiguous completions). */
  private afterTab = false;

  constructor(
    private readonly prompt: string,
    private readonly io: LineEditorIO,
    private readonly store: HistoryStore,
  ) {
    this.history = store.load().slice(-HISTORY_LIMIT);
    this.browse = this.history.length;
  }

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
      const ch = data[i]!;
      const secondTab = this.afterTab;
      this.afterTab = ch === '\t';
      if (ch === '\x1b') {
        const m = ESCAPE_SEQUENCE.exec(data.slice(i));
        const seq = m ? m[0] : ch;
        this.escape(seq);
        i += seq.length;
        continue;
      }
      i++;
      if (ch === '\r' || ch === '\n') {
        // A pasted CRLF is one line end, not an empty line after it.
        if (ch === '\r' && data[i] === '\n') i++;
        this.enter();
      } else if (ch === '\x7f' || ch === '\b') {
        this.backspace();
      } else if (ch === '\x03') {
        this.interrupt();
      } else if (ch === '\t' && !this.heredoc) {
        this.complete(secondTab);
      } else if (ch >= ' ' || ch === '\t') {
        this.line += ch;
        this.io.term(ch);
      }
    }
    if (i < data.length) this.queued = data.slice(i) + this.queued;
  }

  private get activePrompt(): string {
    return this.heredoc ? CONTINUATION_PROMPT : this.prompt;
  }

  private escape(seq: string): void {
    const key = seq[seq.length - 1];
    if (seq.length > 1 && key === 'A') this.recall(-1);
    else if (seq.length > 1 && key === 'B') this.recall(1);
  }

  private backspace(): void {
    if (!this.line) return;
    const erased = this.line[this.line.length - 1];
    this.line = this.line.slice(0, -1);
    // A tab spans up to 8 columns: redraw rather than guess how far to go back.
    if (erased === '\t') this.redraw();
    else this.io.term('\b \b');
  }

  private interrupt(): void {
    this.io.term('^C\r\n');
    this.io.log(`${this.line}^C\n`);
    this.line = '';
    this.heredoc = null;
    this.browse = this.history.length;
    this.showPrompt();
  }

  private recall(step: number): void {
    const next = this.browse + step;
    if (next < 0 || next > this.history.length) return;
    if (this.browse === this.history.length) this.draft = this.line;
    this.browse = next;
    this.line = next === this.history.length ? this.draft : this.history[next]!;
    this.redraw();
  }

  /** Return to column 0, erase the row, draw prompt and line: simpler than counting backspaces. */
  private redraw(): void {
    this.io.term(`\r\x1b[K${this.activePrompt}${this.line}`);
  }

  private enter(): void {
    const line = this.line;
    this.line = '';
    this.io.term('\r\n');
    this.io.log(`${line}\n`);
    this.draft = '';
    if (this.heredoc) this.bodyLine(this.heredoc, line);
    else this.commandLine(line);
  }

  private commandLine(line: string): void {
    const blank = !line.trim();
    if (!blank && this.history[this.history.length - 1] !== line) {
      this.history.push(line);
      if (this.history.length > HISTORY_LIMIT) this.history.shift();
      this.store.add(line);
    }
    this.browse = this.history.length;
    this.heredoc = blank ? null : HeredocInput.open(line);
    if (blank || this.heredoc) this.showPrompt();
    else this.run(line);
  }

  private bodyLine(input: HeredocInput, line: string): void {
    this.browse = this.history.length;
    if (!input.add(line)) {
      this.showPrompt();
      return;
    }
    this.heredoc = null;
    if (input.tooLong) this.finish(`sh: here-document longer than ${MAX_CONSOLE_INPUT >> 20} MiB: not run`);
    else this.run(input.text);
  }

  private run(input: string): void {
    this.busy = true;
    void this.io
      .exec(input)
      .catch((err: unknown) => errorMessage(err))
      .then((output) => this.finish(output));
  }

  private finish(output: string): void {
    const text = output && !output.endsWith('\n') ? `${output}\n` : output;
    this.io.term(text.replace(/\r?\n/g, '\r\n'));
    this.io.log(text);
    this.showPrompt();
    this.resume();
  }

  /** Tab: ask the host, holding keystrokes until its answer is applied to the line it was asked about. */
  private complete(secondTab: boolean): void {
    const line = this.line;
    this.busy = true;
    void this.io
      .complete(line)
      .then(
        (completion) => tabAction(line, completion, secondTab, this.io.columns()),
        (): TabAction => ({ kind: 'bell' }),
      )
      .then((action) => {
        this.applyTab(action);
        this.resume();
      });
  }

  private applyTab(action: TabAction): void {
    if (action.kind === 'bell') {
      this.io.term('\x07');
    } else if (action.kind === 'list') {
      // As bash: the candidates under the line, then the prompt and the line again.
      this.io.term(`\r\n${action.rows.join('\r\n')}\r\n${this.prompt}${this.line}`);
      this.io.log(`${this.line}\n${action.rows.join('\n')}\n${this.prompt}`);
    } else if (action.line.startsWith(this.line)) {
      this.io.term(action.line.slice(this.line.length));
      this.line = action.line;
    } else {
      this.line = action.line;
      this.redraw();
    }
  }

  private resume(): void {
    this.busy = false;
    const pending = this.queued;
    this.queued = '';
    if (pending) this.input(pending);
  }

  private showPrompt(): void {
    this.io.term(this.activePrompt);
    this.io.log(this.activePrompt);
  }
}
