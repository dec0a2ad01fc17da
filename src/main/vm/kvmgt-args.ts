/**
 * KVMGT guest command lines (qemu-system-x86_64 with the igvtg-qemu `-vgt*` options) read into the
 * same domain settings as an xl config, and written out as xl.cfg text for the library.
 *
 * source: Intel GVT-g setup guide (Nov 2016) §4.1.2 "For KVMGT" and §4.1.3 (-vgt_monitor_config_file);
 * qemu(1) for -name, -m, -smp, -k and the USB tablet (-usbdevice tablet, -device usb-tablet). The
 * command line is read shell-style: backslash-newline continuations, '…' and "…" quoting, backslash
 * escapes, `#` comments, and a leading `# ` or `$ ` prompt copied from a guide is tolerated.
 */
import { excerpt } from '../../shared/excerpt';
import { KEYMAP_NAMES } from '../../shared/keymap';
import { DOMAIN_NAME } from './domain-spec';
import { formatXlValue, type ConfigFinding, type XlValue } from './xlcfg';

/** A qemu option this importer does not map, as written (value null for a flag). */
export interface QemuOption {
  option: string;
  value: string | null;
  line: number;
  column: number;
}

/** Domain settings found on a command line; a field is absent when the command line does not give it. */
export interface DomainSettingsInput {
  /** -name (or -name guest=…), when it is a valid domain name */
  name?: string;
  /** -m, MiB */
  memoryMiB?: number;
  /** -smp */
  vcpus?: number;
  /** -vgt or -vga vgt */
  vgt?: boolean;
  /** -vgt_low_gm_sz, MiB of aperture */
  lowGmMiB?: number;
  /** -vgt_high_gm_sz, MiB of hidden GM */
  highGmMiB?: number;
  /** -vgt_fence_sz, fence registers */
  fences?: number;
  /** -vgt_monitor_config_file */
  monitorConfigFile?: string;
  /** -k, when it is a keymap GVT Desk translates (KEYMAP_NAMES) */
  keymap?: string;
  /** -usbdevice tablet or -device usb-tablet */
  tablet?: boolean;
  /** The qemu program as written, e.g. /usr/bin/qemu-system-x86_64; null when none was found. */
  program: string | null;
  /** Every other option and positional argument, in order. */
  otherOptions: QemuOption[];
}

interface Word {
  text: string;
  offset: number;
}

/** qemu options that take no argument (so the next word is not mistaken for theirs). */
const QEMU_FLAGS = new Set([
  'enable-kvm', 'no-kvm', 'nographic', 'snapshot', 'no-reboot', 'no-shutdown', 'S', 's', 'daemonize', 'full-screen',
  'no-hpet', 'no-acpi', 'no-fd-bootchk', 'no-user-config', 'nodefaults', 'no-frame', 'alt-grab', 'ctrl-grab', 'no-quit',
  'localtime', 'usb', 'enable-fips', 'only-migratable', 'version', 'help', 'h', 'win2k-hack', 'rtc-td-hack', 'vgt',
]);

const PROGRAM = /(?:^|\/)qemu(?:-system-[\w.-]+|-kvm)?$/;

/**
 * Whether text looks like a qemu command line rather than an xl config: a line starts with a qemu
 * program (after an optional `# `/`$ ` prompt, `sudo` or `exec`), or the text uses `-vgt`/`-vga vgt`.
 * Use it only for text that xl cannot parse: an xl config may mention qemu in a value or comment.
 */
export function looksLikeKvmgt(text: string): boolean {
  return /^[ \t]*(?:[#$][ \t]+)?(?:(?:sudo|exec)[ \t]+)?(?:\S*\/)?qemu(?:-system-[\w.-]+|-kvm)?(?=[ \t\\]|$)/m.test(text) || /(?:^|\s)-(?:vgt|vga[ \t]+vgt)(?=\s|$)/.test(text);
}

/**
 * Read a KVMGT qemu command line. Never throws for bad input.
 * @param text a shell command (a script holding one qemu command; other commands in it are ignored)
 * @param fileName used in findings
 * @returns the settings and findings (errors: unterminated quote, missing or malformed option
 *   values, no command at all; warnings: an option given twice, no qemu program found)
 * source: Intel GVT-g setup guide 2016 §4.1.2; qemu(1)
 */
export function parseKvmgtArgs(text: string, fileName: string): { settings: DomainSettingsInput; findings: ConfigFinding[] } {
  const findings: ConfigFinding[] = [];
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const locate = (offset: number): { line: number; column: number } => {
    let line = 0;
    while (line + 1 < lineStarts.length && lineStarts[line + 1]! <= offset) line++;
    return { line: line + 1, column: offset - lineStarts[line]! + 1 };
  };
  const report = (severity: ConfigFinding['severity'], offset: number, field: string | undefined, message: string): void => {
    findings.push({ severity, file: fileName, ...locate(offset), ...(field !== undefined ? { field } : {}), message });
  };

  const settings: DomainSettingsInput = { program: null, otherOptions: [] };
  const commands = splitCommands(stripPrompts(text), (offset, message) => report('error', offset, undefined, message));
  const isProgram = (c: Word[]): number => {
    let i = 0;
    while (i < c.length && (/^[A-Za-z_][A-Za-z0-9_]*=/.test(c[i]!.text) || c[i]!.text === 'sudo' || c[i]!.text === 'exec')) i++;
    return i < c.length && PROGRAM.test(c[i]!.text) ? i : -1;
  };
  let words: Word[] = [];
  const withProgram = commands.find((c) => isProgram(c) >= 0);
  if (withProgram) {
    const p = isProgram(withProgram);
    settings.program = withProgram[p]!.text;
    words = withProgram.slice(p + 1);
  } else {
    const withVgt = commands.find((c) => c.some((w) => w.text.startsWith('-vgt') || w.text === 'vgt'));
    if (!withVgt) {
      report('error', 0, undefined, 'no qemu command line found (expected e.g. qemu-system-x86_64 -m 2048 -vgt …)');
      return { settings, findings };
    }
    report('warning', withVgt[0]!.offset, undefined, 'no qemu program (qemu-system-x86_64) at the start of the command; reading its options anyway');
    words = withVgt[0]!.text.startsWith('-') ? withVgt : withVgt.slice(1);
  }

  const seen = new Map<string, Word>();
  const once = (name: string, w: Word): void => {
    const prev = seen.get(name);
    if (prev) report('warning', w.offset, name, `given again (also at line ${locate(prev.offset).line}); the last one wins, as in qemu`);
    seen.set(name, w);
  };
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const opt = w.text.startsWith('--') ? w.text.slice(2) : w.text.startsWith('-') ? w.text.slice(1) : null;
    const next = words[i + 1];
    const hasArg = next !== undefined && !next.text.startsWith('-');
    const arg = (): string | null => {
      if (!hasArg) {
        report('error', w.offset, `-${opt}`, 'missing value');
        return null;
      }
      i++;
      return next.text;
    };
    const integer = (prop: 'lowGmMiB' | 'highGmMiB' | 'fences', what: string): void => {
      const v = arg();
      if (v === null) return;
      once(`-${opt}`, w);
      if (/^\d{1,9}$/.test(v)) settings[prop] = parseInt(v, 10);
      else report('error', next!.offset, `-${opt}`, `must be a number of ${what}, got '${v}'`);
    };
    switch (opt) {
      case 'm': {
        const v = arg();
        if (v === null) break;
        once('-m', w);
        const mib = memoryMiB(v);
        if (mib === null) report('error', next!.offset, '-m', `must be a size in MiB (e.g. 2048, 2048M or 2G), got '${v}'`);
        else settings.memoryMiB = mib;
        break;
      }
      case 'smp': {
        const v = arg();
        if (v === null) break;
        once('-smp', w);
        const m = /^(\d{1,4})(?:,|$)/.exec(v) ?? /(?:^|,)cpus=(\d{1,4})(?:,|$)/.exec(v);
        if (m) settings.vcpus = parseInt(m[1]!, 10);
        else report('error', next!.offset, '-smp', `must give a number of CPUs (e.g. 2 or cpus=2), got '${v}'`);
        break;
      }
      case 'vgt':
        settings.vgt = true;
        break;
      case 'vga':
        if (hasArg && next.text === 'vgt') {
          i++;
          settings.vgt = true;
        } else settings.otherOptions.push(other(w, hasArg ? words[++i]!.text : null));
        break;
      case 'vgt_low_gm_sz':
        integer('lowGmMiB', 'MiB');
        break;
      case 'vgt_high_gm_sz':
        integer('highGmMiB', 'MiB');
        break;
      case 'vgt_fence_sz':
        integer('fences', 'fence registers');
        break;
      case 'name': {
        const v = arg();
        if (v === null) break;
        once('-name', w);
        // qemu(1): -name string1[,process=…][,debug-threads=…], or guest=NAME among the properties.
        const parts = v.split(',');
        const guest = parts[0]!.includes('=') ? parts.find((p) => p.startsWith('guest='))?.slice(6) : parts[0];
        if (guest !== undefined && DOMAIN_NAME.test(guest)) settings.name = guest;
        else report('warning', next!.offset, '-name', `'${excerpt(v)}' is not a domain name GVT Desk can use (1-64 letters, digits, '.', '_' or '-'); the domain is named after the file`);
        break;
      }
      case 'k':
        if (hasArg && KEYMAP_NAMES.includes(next.text)) {
          once('-k', w);
          settings.keymap = words[++i]!.text;
        } else settings.otherOptions.push(other(w, hasArg ? words[++i]!.text : null));
        break;
      case 'usbdevice':
      case 'device':
        if (hasArg && next.text === (opt === 'device' ? 'usb-tablet' : 'tablet')) {
          i++;
          settings.tablet = true;
        } else settings.otherOptions.push(other(w, hasArg ? words[++i]!.text : null));
        break;
      case 'vgt_monitor_config_file': {
        const v = arg();
        if (v === null) break;
        once('-vgt_monitor_config_file', w);
        settings.monitorConfigFile = v;
        break;
      }
      default:
        if (opt === null || opt === '') settings.otherOptions.push(other(w, null));
        else settings.otherOptions.push(other(w, hasArg && !QEMU_FLAGS.has(opt) ? words[++i]!.text : null));
    }
  }
  findings.sort((a, b) => a.line - b.line || a.column - b.column);
  return { settings, findings };

  function other(w: Word, value: string | null): QemuOption {
    return { option: w.text, value, ...locate(w.offset) };
  }
}

/**
 * xl.cfg text for KVMGT settings: name, builder='hvm', then each setting the command line gave
 * (memory, vcpus, vgt=1, vgt_low_gm_sz, vgt_high_gm_sz, vgt_fence_sz, vgt_monitor_config_file, keymap,
 * usbdevice='tablet');
 * options with no xl equivalent are listed in a comment at the top so nothing is silently dropped.
 * @param name the domain name (the caller picks settings.name when -name gave one), /^[A-Za-z0-9_.-]{1,64}$/
 * @throws RangeError for an invalid name or a setting xl cannot write (negative or fractional)
 */
export function kvmgtToXl(settings: DomainSettingsInput, name: string): string {
  if (!DOMAIN_NAME.test(name)) throw new RangeError(`domain name '${name}' must be 1-64 letters, digits, '.', '_' or '-'`);
  const lines = [`# Converted by GVT Desk from a KVMGT qemu command line${settings.program ? ` (${comment(settings.program)})` : ''}.`];
  if (settings.otherOptions.length > 0) {
    lines.push('# qemu options with no xl equivalent here, kept for reference:');
    for (const o of settings.otherOptions) lines.push(`#   ${comment(shellQuote(o.option))}${o.value !== null ? ` ${comment(shellQuote(o.value))}` : ''}`);
  }
  const put = (key: string, value: XlValue): void => {
    lines.push(`${key} = ${formatXlValue(value)}`);
  };
  const num = (value: number): XlValue => ({ kind: 'number', value });
  put('name', { kind: 'string', value: name });
  put('builder', { kind: 'string', value: 'hvm' });
  if (settings.memoryMiB !== undefined) put('memory', num(settings.memoryMiB));
  if (settings.vcpus !== undefined) put('vcpus', num(settings.vcpus));
  if (settings.vgt) put('vgt', num(1));
  if (settings.lowGmMiB !== undefined) put('vgt_low_gm_sz', num(settings.lowGmMiB));
  if (settings.highGmMiB !== undefined) put('vgt_high_gm_sz', num(settings.highGmMiB));
  if (settings.fences !== undefined) put('vgt_fence_sz', num(settings.fences));
  if (settings.monitorConfigFile !== undefined) put('vgt_monitor_config_file', { kind: 'string', value: settings.monitorConfigFile });
  if (settings.keymap !== undefined) put('keymap', { kind: 'string', value: settings.keymap });
  if (settings.tablet) put('usbdevice', { kind: 'string', value: 'tablet' });
  return `${lines.join('\n')}\n`;
}

/** qemu -m size in MiB: `2048`, `2048M`, `2G`, `size=2G,slots=…`; null when unreadable. */
function memoryMiB(v: string): number | null {
  const part = v.split(',').find((p) => p.startsWith('size='))?.slice(5) ?? v.split(',')[0]!;
  const m = /^(\d{1,9})([MG]?)B?$/i.exec(part);
  if (!m) return null;
  return parseInt(m[1]!, 10) * (m[2]!.toUpperCase() === 'G' ? 1024 : 1);
}

/** Blank out a `# ` or `$ ` shell prompt in front of a qemu command (offsets are kept). */
function stripPrompts(text: string): string {
  return text.replace(/^([ \t]*)([#$])([ \t]+)(?=(?:(?:sudo|exec)[ \t]+)?\S*qemu)/gm, (_m, a: string, _p: string, b: string) => `${a} ${b}`);
}

/** Split shell text into commands (newline or ';' separated) of words with their source offsets. */
function splitCommands(text: string, error: (offset: number, message: string) => void): Word[][] {
  const commands: Word[][] = [];
  let words: Word[] = [];
  let cur: Word | null = null;
  const endWord = (): void => {
    if (cur) words.push(cur);
    cur = null;
  };
  const endCommand = (): void => {
    endWord();
    if (words.length > 0) commands.push(words);
    words = [];
  };
  const add = (ch: string, offset: number): void => {
    if (!cur) cur = { text: '', offset };
    cur.text += ch;
  };
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '\\') {
      const next = text[i + 1];
      if (next === '\n') i += 2;
      else if (next === '\r' && text[i + 2] === '\n') i += 3;
      else if (next === undefined) i++;
      else {
        add(next, i);
        i += 2;
      }
    } else if (ch === "'" || ch === '"') {
      if (!cur) cur = { text: '', offset: i };
      const close = readQuoted(text, i, cur);
      if (close < 0) {
        error(i, `unterminated ${ch === "'" ? 'single' : 'double'}-quoted string`);
        i = text.length;
      } else i = close + 1;
    } else if (ch === '\n' || ch === ';') {
      endCommand();
      i++;
    } else if (ch === ' ' || ch === '\t' || ch === '\r') {
      endWord();
      i++;
    } else if (ch === '#' && !cur) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? text.length : nl;
    } else {
      add(ch, i);
      i++;
    }
  }
  endCommand();
  return commands;
}

/** Append a quoted string's contents to `word`; returns the closing quote's offset, or -1. */
function readQuoted(text: string, open: number, word: Word): number {
  const q = text[open]!;
  let i = open + 1;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === q) return i;
    if (q === '"' && ch === '\\' && i + 1 < text.length) {
      const next = text[i + 1]!;
      if (next === '\n') {
        i += 2;
        continue;
      }
      if ('$`"\\'.includes(next)) {
        word.text += next;
        i += 2;
        continue;
      }
    }
    word.text += ch;
    i++;
  }
  return -1;
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_/.,:=+@%-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Text safe inside a one-line comment. */
function comment(s: string): string {
  let out = '';
  for (const c of s) {
    const code = c.charCodeAt(0);
    out += code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : c;
  }
  return out;
}
