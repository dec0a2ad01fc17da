/**
 * The Dom0 console: the seeds' commands (`xl create FILE`, `xl list`, `xl destroy NAME|ID`, the
 * rest of the xl lifecycle (pause, unpause, shutdown, reboot, console),
 * `cat`/`echo … >`/`ls` on /sys/kernel/vgt/...) interpreted over the same host API the buttons
 * and menus use. Output is terminal text; the exit code follows the shell convention.
 */
import { basename, isAbsolute, resolve } from 'node:path';
import { ApiError, type ConsoleResult, type DomainInfo, type MethodName, type Params, type Results } from '../../shared/api';
import { FileAccessError } from '../files/checked-io';

export type Call = <M extends MethodName>(method: M, params: Params<M>) => Promise<Results[M]>;

/**
 * Reads a config file the user typed (absolute path): canonicalised, regular files only, at most
 * FILE_LIMITS.config bytes. Throws FileAccessError.
 */
export type ConfigReader = (path: string) => Promise<Uint8Array>;

/** Split a command line into words: whitespace-separated, with '…' and "…" quoting and a `>` redirect. */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  let cur = '';
  let quote: string | null = null;
  let has = false;
  for (const ch of line) {
    if (quote) {
      if (ch === quote) quote = null;
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      has = true;
    } else if (/\s/.test(ch)) {
      if (has || cur) words.push(cur);
      cur = '';
      has = false;
    } else if (ch === '>') {
      if (has || cur) words.push(cur);
      words.push('>');
      cur = '';
      has = false;
    } else cur += ch;
  }
  if (quote) throw new ApiError('invalid', `unterminated ${quote} quote`);
  if (has || cur) words.push(cur);
  return words;
}

/** `xl list` table, xl's column layout. */
export function formatXlList(domains: DomainInfo[]): string {
  const rows = domains.filter((d) => d.domid !== null);
  const head = `${'Name'.padEnd(40)} ${'ID'.padStart(5)} ${'Mem'.padStart(5)} ${'VCPUs'.padStart(5)} ${'State'.padStart(10)} ${'Time(s)'.padStart(9)}`;
  const line = (d: DomainInfo): string =>
    `${d.name.padEnd(40)} ${String(d.domid).padStart(5)} ${String(d.memoryMiB).padStart(5)} ${String(d.vcpus).padStart(5)} ${d.xlState.padStart(10)} ${d.timeS.toFixed(1).padStart(9)}`;
  return [head, ...rows.map(line)].join('\n') + '\n';
}

const HELP = `GVT Desk Dom0 console. Commands:
  xl create FILE           create a domain from an xl config (or a library name)
  xl list                  list domains
  xl destroy NAME|ID       destroy a domain
  xl pause|unpause NAME|ID pause or resume a domain's vCPUs
  xl shutdown [-w] NAME|ID ask the guest to power off (-w: wait until it has)
  xl reboot [-w] NAME|ID   ask the guest to reboot (-w: wait until it is back)
  xl console NAME|ID       attach to the guest's serial console (Ctrl+] detaches)
  cat PATH                 read a /sys/kernel/vgt node
  echo VALUE > PATH        write a /sys/kernel/vgt node
  ls [PATH]                list a /sys/kernel/vgt directory
`;

export class Dom0Console {
  constructor(
    private readonly call: Call,
    /** Directory relative paths are resolved against (the console's working directory). */
    private readonly cwd: string,
    private readonly list: (path: string) => Promise<string[] | null>,
    private readonly readConfig: ConfigReader,
  ) {}

  /** Run one line. Never throws: errors become output with a non-zero exit code. */
  async exec(line: string): Promise<ConsoleResult> {
    try {
      const words = splitWords(line.trim());
      if (words.length === 0) return { output: '', exitCode: 0 };
      return await this.run(words);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      return { output: `${message}\n`, exitCode: 1 };
    }
  }

  private async run(w: string[]): Promise<ConsoleResult> {
    const ok = (output: string): ConsoleResult => ({ output, exitCode: 0 });
    switch (w[0]) {
      case 'help':
        return ok(HELP);
      case 'xl':
        return this.xl(w.slice(1));
      case 'cat': {
        if (w.length < 2) return { output: 'cat: missing operand\n', exitCode: 1 };
        let out = '';
        for (const p of w.slice(1)) out += (await this.call('sysfs.read', { path: this.path(p) })).value;
        return ok(out);
      }
      case 'echo': {
        const gt = w.indexOf('>');
        const args = w.slice(1, gt < 0 ? undefined : gt).filter((a, i) => !(i === 0 && a === '-n'));
        if (gt < 0) return ok(args.join(' ') + '\n');
        const target = w[gt + 1];
        if (!target) return { output: 'syntax error: missing redirect target\n', exitCode: 2 };
        await this.call('sysfs.write', { path: this.path(target), value: args.join(' ') });
        return ok('');
      }
      case 'ls': {
        const p = this.path(w[1] ?? '/sys/kernel/vgt');
        const entries = await this.list(p);
        if (!entries) throw new ApiError('not_found', `ls: cannot access '${p}': No such file or directory`);
        return ok(entries.join('  ') + '\n');
      }
      default:
        return { output: `${w[0]}: command not found (try 'help')\n`, exitCode: 127 };
    }
  }

  private path(p: string): string {
    return isAbsolute(p) ? p : resolve(this.cwd, p);
  }

  private async xl(w: string[]): Promise<ConsoleResult> {
    const usage = { output: 'Usage: xl create FILE | xl list | xl destroy|pause|unpause|console NAME|ID | xl shutdown|reboot [-w] NAME|ID\n', exitCode: 2 };
    const target = w.slice(1).find((a) => !a.startsWith('-'));
    const ref = target === undefined ? undefined : /^\d+$/.test(target) ? Number(target) : target;
    switch (w[0]) {
      case 'list':
        return { output: formatXlList(await this.call('domains.list', {})), exitCode: 0 };
      case 'create': {
        const file = w.find((a, i) => i > 0 && !a.startsWith('-'));
        if (!file) return usage;
        const name = await this.importForCreate(file);
        const { domid } = await this.call('domain.start', { name });
        return { output: `Parsing config from ${file}\nDomain ${name} created with domid ${domid}\n`, exitCode: 0 };
      }
      case 'destroy':
      case 'pause':
      case 'unpause': {
        if (ref === undefined) return usage;
        await this.call(w[0] === 'destroy' ? 'domain.destroy' : w[0] === 'pause' ? 'domain.pause' : 'domain.unpause', { ref });
        return { output: '', exitCode: 0 };
      }
      // xl's own messages (xl_vmcontrol.c shutdown_domain / reboot_domain / wait_for_domain_deaths).
      case 'shutdown':
      case 'reboot': {
        if (ref === undefined) return usage;
        const wait = w.includes('-w');
        const { domid } = (await this.call('domains.list', {})).find((d) => d.domid !== null && (d.domid === ref || d.name === ref)) ?? { domid: ref };
        let output = `${w[0] === 'reboot' ? 'Rebooting' : 'Shutting down'} domain ${domid}\n`;
        if (w[0] === 'reboot') {
          const r = await this.call('domain.reboot', { ref, wait });
          if (wait) output += `Waiting for 1 domains\nDomain ${r.domid} has been shut down, reason code 1\n${r.newDomid === null ? '' : `Domain ${r.newDomid} is up again\n`}`;
        } else {
          await this.call('domain.shutdown', { ref, wait });
          if (wait) output += `Waiting for 1 domains\nDomain ${domid} has been shut down, reason code 0\n`;
        }
        return { output, exitCode: 0 };
      }
      case 'console': {
        if (ref === undefined) return usage;
        const d = (await this.call('domains.list', {})).find((x) => x.domid !== null && (x.domid === ref || x.name === ref));
        if (!d || d.domid === null) throw new ApiError('not_found', `xl console: no running domain '${ref}'`);
        if (d.domid === 0) throw new ApiError('invalid', 'xl console: this console already is Domain-0\'s');
        return { output: '', exitCode: 0, attach: { domid: d.domid, name: d.name } };
      }
      default:
        return usage;
    }
  }

  /** A config file on disk is imported (replacing the library copy); otherwise FILE may name a library entry. */
  private async importForCreate(file: string): Promise<string> {
    let bytes: Uint8Array;
    try {
      bytes = await this.readConfig(this.path(file));
    } catch (e) {
      if (!(e instanceof FileAccessError)) throw e;
      if (e.reason === 'not_found' && /^[A-Za-z0-9_.-]+$/.test(file)) {
        const entry = await this.call('library.get', { name: file }).catch(() => null);
        if (entry) return entry.name;
      }
      // e.message already names the path and the rule (never the contents).
      throw new ApiError(e.reason === 'not_found' ? 'not_found' : 'invalid', `Failed to read config file: ${e.reason === 'not_found' ? `${file}: No such file or directory` : e.message}`);
    }
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
    return (await this.call('library.import', { fileName: basename(file), text, replace: true })).name;
  }
}
