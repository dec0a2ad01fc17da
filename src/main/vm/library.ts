/**
 * The library: the user's saved domain configs on disk.
 *
 * Layout: `<dir>/<name>.cfg` holds the config text exactly as imported or saved (xl.cfg syntax);
 * `<dir>/<name>.meta.json` holds { fileName, importedAt, savedAt?, convertedFrom? }. Every write goes
 * through write-file-atomic (temp file + fsync + rename), so a crash leaves the old file or the new
 * one, never a mix; temp files a killed write left behind are removed when the library opens. Nothing
 * is written for a refused request. Listing never fails because of what is in a file: an unreadable,
 * oversized or special (FIFO, device, symlink) config shows up as an entry with error findings.
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, rmSync, unlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ApiError } from '../../shared/api';
import { FILE_LIMITS, readRegularFileSync, removeStaleTempFiles, writeFileAtomicallySync } from '../files/checked-io';
import { DOMAIN_NAME, readDomainConfig, type DomainSpec } from './domain-spec';
import { kvmgtToXl, looksLikeKvmgt, parseKvmgtArgs } from './kvmgt-args';
import { libvirtToXl, looksLikeXml, parseLibvirtDomain } from './libvirt-import';
import { DOM0_NAME } from './new-vm';
import { renameConfig } from './rename';
import { formatFinding, type ConfigFinding } from './xlcfg';


export interface LibraryEntry {
  /** The domain name (= the config's name=, = the file's base name). */
  name: string;
  /** The file name the config was imported as (shown to the user; used in findings). */
  fileName: string;
  /** The config text, verbatim. */
  text: string;
  /** The settings the domain runs with; null when any finding is an error. */
  spec: DomainSpec | null;
  /** Parse and check findings, in file order. */
  findings: ConfigFinding[];
}

interface Meta {
  fileName: string;
  /** ISO 8601 */
  importedAt: string;
  savedAt?: string;
  /** Set when the stored xl text was converted from another format at import. */
  convertedFrom?: { format: 'kvmgt' | 'libvirt'; fileName: string };
  /** Set for a copy: the domain it was cloned from, or the file imported as a copy. */
  copiedFrom?: string;
}

export interface ImportOptions {
  /** Overwrite a domain of the same name (else ApiError 'exists'). */
  replace?: boolean;
  /** Import under a free name ("<name>-2", …) when the name is taken, rewritten as renameConfig does. */
  copy?: boolean;
  /** Called with the name before a replace writes anything; throws to refuse it (e.g. the domain runs). */
  beforeReplace?: (name: string) => void;
}

const CFG = '.cfg';
const META = '.meta.json';

export class Library {
  /**
   * @param dir the library directory; created (with parents) when missing. Stale temp files of
   *   atomic writes (`<name>.cfg.<n>`, `<name>.meta.json.<n>`) are removed: open the library only
   *   while no other instance writes to it.
   * @throws the fs error when the directory cannot be created
   */
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    removeStaleTempFiles(dir, (target) => target.endsWith(CFG) || target.endsWith(META));
  }

  /**
   * Every domain in the library, sorted by name. Files that are not `<valid name>.cfg` are ignored
   * (metadata, write-file-atomic temp files, anything else a user drops in).
   * @throws ApiError('internal') when the directory itself cannot be read
   */
  list(): LibraryEntry[] {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new ApiError('internal', `cannot read the library ${this.dir}: ${errorText(err)}`);
    }
    return names
      .filter((f) => f.endsWith(CFG) && DOMAIN_NAME.test(f.slice(0, -CFG.length)))
      .map((f) => f.slice(0, -CFG.length))
      .sort()
      .map((name) => this.load(name));
  }

  /**
   * One domain.
   * @throws ApiError('invalid') for a malformed name, ApiError('not_found') when it is not in the library
   */
  get(name: string): LibraryEntry {
    this.requireExisting(name);
    return this.load(name);
  }

  /**
   * Add a config to the library. xl text is stored verbatim under its name= value. A KVMGT qemu
   * command line (text that xl cannot parse and that starts with a qemu program or uses -vgt) is
   * converted with kvmgtToXl and named by its -name, else after the file (extension dropped,
   * characters outside [A-Za-z0-9_.-] replaced by '_'). libvirt domain XML (text whose first
   * non-blank character is '<') is converted with libvirtToXl and named by its <name>.
   * Configs whose other keys have errors are still imported (the user fixes them in the editor);
   * the entry's findings list them and its spec is null.
   * @param fileName the name the user's file had (only its base name is kept)
   * @throws ApiError('config') when no valid name can be derived (the message lists the findings),
   *   a command line has errors, or XML is malformed or not a KVMGT guest's libvirt domain (the
   *   message gives each problem's line:column); ApiError('exists') when the name is taken (or is
   *   Domain-0's) and neither opts.copy nor opts.replace; whatever opts.beforeReplace throws;
   *   ApiError('internal') when the files cannot be written. A refused import writes nothing.
   * @returns the entry; with opts.copy, `changed` lists what the rename rewrote besides name=
   */
  import(fileName: string, text: string, opts: ImportOptions = {}): LibraryEntry & { changed?: string[] } {
    const base = basename(fileName.replace(/\\/g, '/')) || 'config';
    let name: string;
    let stored = text;
    const meta: Meta = { fileName: base, importedAt: new Date().toISOString() };
    // XML is never an xl config (xl has no '<' token): skip xl's findings for it.
    const xl = looksLikeXml(text) ? null : readDomainConfig(text, base);
    if (xl === null) {
      const { settings, findings } = parseLibvirtDomain(text, base);
      if (!settings) throw new ApiError('config', `cannot import ${base}: it is not a KVMGT guest's libvirt domain XML:\n${firstFindings(findings.filter((f) => f.severity === 'error'))}`);
      name = settings.name;
      stored = libvirtToXl(settings, base);
      meta.fileName = `${name}${CFG}`;
      meta.convertedFrom = { format: 'libvirt', fileName: base };
    } else if (xl.findings.some((f) => f.severity === 'error') && looksLikeKvmgt(text)) {
      const { settings, findings } = parseKvmgtArgs(text, base);
      const errors = findings.filter((f) => f.severity === 'error');
      if (errors.length > 0) throw new ApiError('config', `cannot import ${base}: the qemu command line has errors:\n${firstFindings(errors)}`);
      const derived = settings.name ?? nameFromFileName(base);
      if (derived === null) throw new ApiError('config', `cannot import ${base}: a KVMGT command line has no name and none can be made from the file name; rename the file`);
      name = derived;
      stored = kvmgtToXl(settings, name);
      meta.fileName = `${name}${CFG}`;
      meta.convertedFrom = { format: 'kvmgt', fileName: base };
    } else {
      const value = xl.config.get('name');
      if (value?.kind !== 'string' || !DOMAIN_NAME.test(value.value)) {
        const errors = xl.findings.filter((f) => f.severity === 'error');
        throw new ApiError('config', `cannot import ${base}: it has no usable name:\n${firstFindings(errors)}`);
      }
      name = value.value;
    }
    let changed: string[] = [];
    if (this.taken(name) && opts.copy) {
      const copyName = this.freeName(name, 'number');
      ({ text: stored, changed } = renameConfig(stored, base, copyName));
      meta.copiedFrom = base;
      meta.fileName = `${copyName}${CFG}`;
      name = copyName;
    } else if (this.taken(name)) {
      if (!opts.replace || name === DOM0_NAME) {
        throw new ApiError('exists', `a domain named '${name}' is already in the library: import it as a copy (under a new name) or with replace (overwriting it)`);
      }
      opts.beforeReplace?.(name);
    }
    this.write(this.cfgPath(name), stored);
    this.write(this.metaPath(name), `${JSON.stringify(meta, null, 2)}\n`);
    return opts.copy ? { ...this.load(name), changed } : this.load(name);
  }

  /**
   * Add a new domain's config (New VM). Refused when the name is taken or the text has any error.
   * @throws ApiError('invalid' | 'exists' | 'config' | 'internal')
   */
  create(name: string, text: string): LibraryEntry {
    if (!DOMAIN_NAME.test(name)) throw new ApiError('invalid', `'${name}' is not a domain name (1-64 letters, digits, '.', '_' or '-')`);
    if (this.taken(name)) throw new ApiError('exists', `a domain named '${name}' already exists; choose another name`);
    const checked = readDomainConfig(text, `${name}${CFG}`);
    const errors = checked.findings.filter((f) => f.severity === 'error');
    if (errors.length > 0) throw new ApiError('config', `${name} not created: the config has errors:\n${errors.map(formatFinding).join('\n')}`);
    if (checked.spec?.name !== name) throw new ApiError('config', `${name} not created: its name = is '${checked.spec?.name ?? ''}'`);
    this.write(this.cfgPath(name), text);
    this.write(this.metaPath(name), `${JSON.stringify({ fileName: `${name}${CFG}`, importedAt: new Date().toISOString() } satisfies Meta, null, 2)}\n`);
    return this.load(name);
  }

  /**
   * Copy a domain under newName (see renameConfig for what is rewritten). The source is only read.
   * @throws ApiError('invalid' | 'not_found' | 'exists' | 'config' | 'internal')
   */
  clone(name: string, newName: string): LibraryEntry & { changed: string[] } {
    const source = this.get(name);
    if (!DOMAIN_NAME.test(newName)) throw new ApiError('invalid', `'${newName}' is not a domain name (1-64 letters, digits, '.', '_' or '-')`);
    if (this.taken(newName)) throw new ApiError('exists', `a domain named '${newName}' already exists; choose another name for the clone`);
    const { text, changed } = renameConfig(source.text, source.fileName, newName);
    this.write(this.cfgPath(newName), text);
    this.write(this.metaPath(newName), `${JSON.stringify({ fileName: `${newName}${CFG}`, importedAt: new Date().toISOString(), copiedFrom: name } satisfies Meta, null, 2)}\n`);
    return { ...this.load(newName), changed };
  }

  /**
   * The first name not taken: `<name>-clone`, `<name>-clone-2`, … (suffix 'clone') or `<name>-2`,
   * `<name>-3`, … ('number'); the base is shortened to keep names within 64 characters.
   */
  freeName(name: string, suffix: 'clone' | 'number'): string {
    for (let n = suffix === 'clone' ? 1 : 2; ; n++) {
      const tail = suffix === 'clone' ? (n === 1 ? '-clone' : `-clone-${n}`) : `-${n}`;
      const candidate = `${name.slice(0, 64 - tail.length)}${tail}`;
      if (!this.taken(candidate)) return candidate;
    }
  }

  /** Whether `name` is in the library (or is Domain-0's, which no library domain may take). */
  taken(name: string): boolean {
    return name === DOM0_NAME || this.exists(name);
  }

  /**
   * Replace a domain's config text. Text with warnings is saved; text with any error (syntax or
   * settings), or whose name= is not `name`, is refused and the stored file is left as it was.
   * @throws ApiError('invalid' | 'not_found' | 'config' | 'internal')
   */
  save(name: string, text: string): LibraryEntry {
    this.requireExisting(name);
    const meta = this.readMeta(name).meta ?? { fileName: `${name}${CFG}`, importedAt: new Date().toISOString() };
    const checked = readDomainConfig(text, meta.fileName);
    const errors = checked.findings.filter((f) => f.severity === 'error');
    if (errors.length > 0) throw new ApiError('config', `${name} not saved: the config has errors:\n${errors.map(formatFinding).join('\n')}`);
    if (checked.spec && checked.spec.name !== name) {
      throw new ApiError('config', `${name} not saved: name = '${checked.spec.name}' in the text does not match the domain '${name}'; import it as a new domain to rename`);
    }
    this.write(this.cfgPath(name), text);
    this.write(this.metaPath(name), `${JSON.stringify({ ...meta, savedAt: new Date().toISOString() }, null, 2)}\n`);
    return this.load(name);
  }

  /**
   * Delete a domain's config and metadata.
   * @throws ApiError('invalid' | 'not_found' | 'internal')
   */
  remove(name: string): void {
    this.requireExisting(name);
    try {
      unlinkSync(this.cfgPath(name));
      rmSync(this.metaPath(name), { force: true });
    } catch (err) {
      throw new ApiError('internal', `cannot remove ${name} from the library: ${errorText(err)}`);
    }
  }

  private cfgPath(name: string): string {
    return join(this.dir, `${name}${CFG}`);
  }

  private metaPath(name: string): string {
    return join(this.dir, `${name}${META}`);
  }

  private exists(name: string): boolean {
    try {
      lstatSync(this.cfgPath(name));
      return true;
    } catch {
      return false;
    }
  }

  private requireExisting(name: string): void {
    if (typeof name !== 'string' || !DOMAIN_NAME.test(name)) throw new ApiError('invalid', `'${String(name)}' is not a domain name (1-64 letters, digits, '.', '_' or '-')`);
    if (!this.exists(name)) throw new ApiError('not_found', `no domain named '${name}' in the library`);
  }

  private write(path: string, data: string): void {
    try {
      writeFileAtomicallySync(path, data, 'library file');
    } catch (err) {
      throw new ApiError('internal', `cannot write ${path}: ${errorText(err)}`);
    }
  }

  private readMeta(name: string): { meta: Meta | null; problem: string | null } {
    const path = this.metaPath(name);
    if (!existsSync(path)) return { meta: null, problem: null };
    try {
      const raw: unknown = JSON.parse(readRegularFileSync(path, FILE_LIMITS.json, 'library metadata').toString('utf8'));
      if (typeof raw !== 'object' || raw === null) return { meta: null, problem: 'not a JSON object' };
      const m = raw as Record<string, unknown>;
      if (typeof m.fileName !== 'string' || m.fileName === '' || typeof m.importedAt !== 'string') return { meta: null, problem: 'fileName or importedAt missing' };
      return { meta: m as unknown as Meta, problem: null };
    } catch (err) {
      // V8's JSON.parse message quotes the text; say only that it is not JSON.
      return { meta: null, problem: err instanceof SyntaxError ? 'not valid JSON' : errorText(err) };
    }
  }

  /** Read one entry; never throws: problems become findings. */
  private load(name: string): LibraryEntry {
    const { meta, problem } = this.readMeta(name);
    const fileName = meta?.fileName ?? `${name}${CFG}`;
    const findings: ConfigFinding[] = [];
    if (problem !== null) findings.push({ severity: 'warning', file: `${name}${META}`, line: 1, column: 1, message: `library metadata unreadable (${problem}); the original file name is lost` });
    let bytes: Buffer;
    try {
      bytes = readRegularFileSync(this.cfgPath(name), FILE_LIMITS.config, 'stored config');
    } catch (err) {
      findings.push({ severity: 'error', file: `${name}${CFG}`, line: 1, column: 1, message: `cannot read the stored config: ${errorText(err)}` });
      return { name, fileName, text: '', spec: null, findings };
    }
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      text = bytes.toString('utf8');
      findings.push({ severity: 'error', file: fileName, line: 1, column: 1, message: 'the stored config is not UTF-8 text; invalid bytes are shown as U+FFFD' });
    }
    const checked = readDomainConfig(text, fileName);
    findings.push(...checked.findings);
    let spec = checked.spec;
    const declared = checked.config.get('name');
    if (declared?.kind === 'string' && declared.value !== name) {
      const e = checked.config.entry('name')!;
      findings.push({ severity: 'error', file: fileName, line: e.line, column: e.column, field: 'name', message: `'${declared.value}' does not match the library entry '${name}' (stored as ${name}${CFG})` });
      spec = null;
    }
    if (findings.some((f) => f.severity === 'error')) spec = null;
    return { name, fileName, text, spec, findings };
  }
}

/** Findings shown when an import is refused. A file that is no config at all (say /etc/shadow) has
 * one per line; listing them all would spell much of it out, 40 characters at a time. */
const MAX_REFUSAL_FINDINGS = 5;

function firstFindings(errors: ConfigFinding[]): string {
  const shown = errors.slice(0, MAX_REFUSAL_FINDINGS).map(formatFinding);
  if (errors.length > shown.length) shown.push(`… and ${errors.length - shown.length} more errors`);
  return shown.join('\n');
}

/** A domain name from a file name: extension dropped, other characters replaced; null if none is left. */
function nameFromFileName(fileName: string): string | null {
  const dot = fileName.lastIndexOf('.');
  const stem = dot > 0 ? fileName.slice(0, dot) : fileName;
  const name = stem.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 64);
  return DOMAIN_NAME.test(name) && !/^[._]+$/.test(name) ? name : null;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
