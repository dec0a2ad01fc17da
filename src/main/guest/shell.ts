/**
 * The guest's shell: what a root login on the guest's serial line (ttyS0, `serial='pty'`) or in
 * its desktop terminal answers. A line discipline (echo, backspace, Ctrl+C, Ctrl+U, Ctrl+L; ANSI
 * escape sequences such as arrow keys are swallowed) feeds whole lines to a small POSIX-sh-like
 * command set with `cmd | grep [-i] [-v] PATTERN` pipes. Output uses "\n"; terminals convert.
 * Unknown commands answer `sh: X: not found`, as an interactive busybox/dash sh does.
 */

import { formatLspci, type PciDevice } from '../../shared/lspci';

/** What the shell needs from its guest: output, the kernel log, files, devices and power control. */
export interface ShellHost {
  /** Host name shown in the prompt and by `hostname` / `uname -n`. */
  hostname: string;
  write(text: string): void;
  /** The kernel log, one line per entry, as `dmesg` prints it. */
  dmesg(): string[];
  /** `uname` output for the given flags (e.g. ['-a']), newline optional; throws Error with uname's message. */
  uname(flags: string[]): string;
  /** Contents of a readable file (/proc, /sys/kernel/debug, /etc), or null when there is none. */
  readFile(path: string): string | null;
  /** The guest's PCI devices, for `lspci`. */
  pciDevices: readonly PciDevice[];
  poweroff(): void;
  reboot(): void;
}

/** Longest input line kept; further characters are refused with a bell (a bounded buffer). */
export const MAX_LINE = 1024;

const CTRL_C = 0x03;
const CTRL_L = 0x0c;
const CTRL_U = 0x15;
const BACKSPACE = 0x7f;
const BS = 0x08;
const ESC = 0x1b;

type Result = { out: string; status: number };

export class GuestShell {
  private line = '';
  /** Inside an escape sequence: 1 after ESC, 2 inside CSI (until its final byte). */
  private escape = 0;
  /** Set by poweroff/reboot: the kernel's shutdown messages follow, not a prompt. */
  private halting = false;

  constructor(private readonly host: ShellHost) {}

  get prompt(): string {
    return `root@${this.host.hostname}:~# `;
  }

  /** Print the first prompt. */
  start(): void {
    this.host.write(this.prompt);
  }

  /** Feed typed characters (a terminal's input bytes as text). */
  input(text: string): void {
    for (const ch of text) this.key(ch);
  }

  private key(ch: string): void {
    const c = ch.charCodeAt(0);
    if (this.escape === 1) {
      this.escape = ch === '[' || ch === 'O' ? 2 : 0;
      return;
    }
    if (this.escape === 2) {
      if (c >= 0x40 && c <= 0x7e) this.escape = 0;
      return;
    }
    if (c === ESC) this.escape = 1;
    else if (ch === '\r' || ch === '\n') this.enter();
    else if (c === BACKSPACE || c === BS) {
      if (this.line.length > 0) {
        this.line = this.line.slice(0, -1);
        this.host.write('\b \b');
      }
    } else if (c === CTRL_C) {
      this.line = '';
      this.host.write(`^C\n${this.prompt}`);
    } else if (c === CTRL_U) {
      this.host.write('\b \b'.repeat(this.line.length));
      this.line = '';
    } else if (c === CTRL_L) this.host.write(`\x1b[H\x1b[2J${this.prompt}${this.line}`);
    else if (c >= 0x20 && c !== 0x7f) {
      if (this.line.length >= MAX_LINE) return this.host.write('\x07');
      this.line += ch;
      this.host.write(ch);
    }
  }

  private enter(): void {
    const line = this.line;
    this.line = '';
    this.host.write('\n');
    const { out } = this.run(line);
    this.host.write(out);
    if (!this.halting) this.host.write(this.prompt);
  }

  /** Run one command line; returns its output (not printed) and exit status. */
  run(line: string): Result {
    const tokens = words(line);
    if (tokens === null) return { out: 'sh: Syntax error: Unterminated quoted string\n', status: 2 };
    const parts: string[][] = [[]];
    for (const t of tokens) {
      if (t === PIPE) parts.push([]);
      else parts[parts.length - 1].push(t);
    }
    if (parts.length === 1 && parts[0].length === 0) return { out: '', status: 0 };
    if (parts.some((w) => w.length === 0)) return { out: 'sh: Syntax error: "|" unexpected\n', status: 2 };
    let result = this.command(parts[0]);
    for (const stage of parts.slice(1)) result = stage[0] === 'grep' ? grep(stage.slice(1), result.out) : this.command(stage);
    return result;
  }

  private command(w: string[]): Result {
    const ok = (out: string): Result => ({ out, status: 0 });
    const [cmd, ...args] = w;
    switch (cmd) {
      case 'uname':
        try {
          return ok(withNewline(this.host.uname(args)));
        } catch (e) {
          return { out: `${(e as Error).message}\n`, status: 1 };
        }
      case 'dmesg':
        return ok(this.host.dmesg().map((l) => l + '\n').join(''));
      case 'cat': {
        let out = '';
        let status = 0;
        for (const path of args) {
          const text = this.host.readFile(path);
          if (text === null) {
            out += `cat: ${path}: No such file or directory\n`;
            status = 1;
          } else out += text;
        }
        return { out, status };
      }
      case 'echo':
        return args[0] === '-n' ? ok(args.slice(1).join(' ')) : ok(args.join(' ') + '\n');
      case 'hostname':
        return ok(this.host.hostname + '\n');
      case 'lspci':
        return formatLspci(this.host.pciDevices, args);
      case 'true':
        return ok('');
      case 'false':
        return { out: '', status: 1 };
      case 'clear':
        return ok('\x1b[H\x1b[2J');
      case 'poweroff':
      case 'halt':
        this.halting = true;
        this.host.poweroff();
        return ok('');
      case 'reboot':
        this.halting = true;
        this.host.reboot();
        return ok('');
      case 'help':
        return ok('Built-in commands: cat clear dmesg echo false help hostname lspci poweroff reboot true uname; pipes into grep [-i] [-v]\n');
      default:
        return { out: `sh: ${cmd}: not found\n`, status: 127 };
    }
  }
}

const withNewline = (text: string): string => (text.endsWith('\n') ? text : text + '\n');

/** An unquoted `|` between words. */
const PIPE = Symbol('|');

/**
 * Split a line into words with POSIX quoting ('…' literal, "…" with \\ escapes) and unquoted `|`
 * as PIPE; null on an unterminated quote.
 */
function words(line: string): (string | typeof PIPE)[] | null {
  const out: (string | typeof PIPE)[] = [];
  let cur = '';
  let has = false;
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quote) {
      if (ch === quote) quote = null;
      else if (quote === '"' && ch === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1])) cur += line[++i];
      else cur += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      has = true;
    } else if (ch === '\\' && i + 1 < line.length) {
      cur += line[++i];
      has = true;
    } else if (ch === ' ' || ch === '\t' || ch === '|') {
      if (has || cur) out.push(cur);
      if (ch === '|') out.push(PIPE);
      cur = '';
      has = false;
    } else cur += ch;
  }
  if (quote) return null;
  if (has || cur) out.push(cur);
  return out;
}

/** `grep [-i] [-v] PATTERN` over text (PATTERN is a fixed string here, as `grep -F`). */
function grep(args: string[], text: string): Result {
  const flags = args.filter((a) => a.startsWith('-'));
  const pattern = args.find((a) => !a.startsWith('-'));
  if (pattern === undefined) return { out: 'Usage: grep [-iv] PATTERN\n', status: 2 };
  const unknown = flags.flatMap((f) => [...f.slice(1)]).find((c) => c !== 'i' && c !== 'v');
  if (unknown) return { out: `grep: invalid option -- '${unknown}'\n`, status: 2 };
  const ignoreCase = flags.some((f) => f.includes('i'));
  const invert = flags.some((f) => f.includes('v'));
  const needle = ignoreCase ? pattern.toLowerCase() : pattern;
  const lines = text.split('\n').filter((l, i, all) => i < all.length - 1 || l !== '');
  const hits = lines.filter((l) => (ignoreCase ? l.toLowerCase() : l).includes(needle) !== invert);
  return { out: hits.map((l) => l + '\n').join(''), status: hits.length > 0 ? 0 : 1 };
}
