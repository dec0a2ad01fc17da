/**
 * The file-access boundary: which files the API may read or write. Allowed are files under the
 * data dir and files the user chose (an Electron open/save dialog, or a path the local user typed
 * in the Dom0 console or the CLI, which is the user's own authority). Paths are canonicalised
 * (symlinks, `..`) before the check, and a path outside the boundary is refused before any
 * filesystem access, so an error says nothing about whether or what such a file is. Grants made
 * through dialogs are kept in `<dataDir>/file-grants.json` so a chosen monitor.config still
 * resolves after a restart; nothing the renderer sends can add a grant.
 */
import { realpathSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { z } from 'zod';
import { FILE_LIMITS, FileAccessError, readRegularFile, readRegularFileSync, writeFileAtomically } from './checked-io';

export const GRANTS_FILE = 'file-grants.json';
/** At most this many grants are remembered (oldest dropped first). */
const MAX_GRANTS = 256;
const GrantsSchema = z.object({ files: z.array(z.string().min(1).max(4096)).max(MAX_GRANTS) }).strict();

/** How a path reached the host: typed by the local user (console/CLI) or sent through the API. */
export type PathAuthority = 'user' | 'api';

function isUnder(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

export class FileBoundary {
  private readonly root: string;
  private readonly rootCanonical: string;
  private readonly grants = new Set<string>();

  /**
   * dataDir: absolute, existing directory. Loads the grants file when present (a malformed one is
   * ignored: it only ever narrows what is allowed).
   */
  constructor(dataDir: string) {
    this.root = resolve(dataDir);
    this.rootCanonical = realpathSync(this.root);
    try {
      const raw: unknown = JSON.parse(readRegularFileSync(join(this.rootCanonical, GRANTS_FILE), FILE_LIMITS.json, 'file grants').toString('utf8'));
      const parsed = GrantsSchema.safeParse(raw);
      if (parsed.success) for (const f of parsed.data.files) if (isAbsolute(f)) this.grants.add(f);
    } catch {
      // No grants yet, or an unreadable file: start with none.
    }
  }

  /** The data directory, canonical. */
  get dataDir(): string {
    return this.rootCanonical;
  }

  /**
   * Allow `path` (a file the user just chose in a dialog) from now on, persisted.
   * Returns its canonical path. Throws FileAccessError('invalid') for a relative path or NUL.
   */
  async grant(path: string): Promise<string> {
    const canonical = await this.canonical(this.lexical(path));
    this.grants.delete(canonical);
    this.grants.add(canonical);
    while (this.grants.size > MAX_GRANTS) this.grants.delete(this.grants.values().next().value!);
    await writeFileAtomically(join(this.rootCanonical, GRANTS_FILE), `${JSON.stringify({ files: [...this.grants] }, null, 2)}\n`, 'file grants');
    return canonical;
  }

  /**
   * Check `path` and return its canonical form. `authority: 'user'` (typed in the console or CLI)
   * skips the data-dir/grant rule but not canonicalisation. Throws FileAccessError: invalid
   * (relative, NUL), outside (neither under the data dir nor granted, checked on the path as
   * written before touching the filesystem, and again after resolving symlinks).
   */
  async resolve(path: string, authority: PathAuthority = 'api'): Promise<string> {
    const lexical = this.lexical(path);
    if (authority === 'api' && !this.allowed(lexical)) throw this.outside(path);
    const canonical = await this.canonical(lexical);
    if (authority === 'api' && !this.allowed(canonical)) throw this.outside(path);
    return canonical;
  }

  /** Read a regular file inside the boundary (see resolve and readRegularFile for the errors). */
  async read(path: string, limit: number, what: string, authority: PathAuthority = 'api'): Promise<{ path: string; bytes: Buffer }> {
    const canonical = await this.resolve(path, authority);
    return { path: canonical, bytes: await readRegularFile(canonical, limit, what) };
  }

  /** Atomically write a file inside the boundary (see resolve and writeFileAtomically for the errors). */
  async write(path: string, data: string, what: string, authority: PathAuthority = 'api'): Promise<{ path: string }> {
    const canonical = await this.resolve(path, authority);
    await writeFileAtomically(canonical, data, what);
    return { path: canonical };
  }

  private allowed(p: string): boolean {
    return isUnder(p, this.root) || isUnder(p, this.rootCanonical) || this.grants.has(p);
  }

  private lexical(path: string): string {
    if (path.includes('\0')) throw new FileAccessError('invalid', path.replace(/\0/g, '\\0'), 'a path cannot contain a NUL byte');
    if (!isAbsolute(path)) throw new FileAccessError('invalid', path, `path must be absolute, got '${path}'`);
    return resolve(path);
  }

  /** realpath of the file, or of its directory plus its name when the file does not exist yet. */
  private async canonical(lexical: string): Promise<string> {
    try {
      return await realpath(lexical);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new FileAccessError('io', lexical, `${lexical}: cannot resolve (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    try {
      return join(await realpath(dirname(lexical)), basename(lexical));
    } catch {
      throw new FileAccessError('not_found', lexical, `${lexical}: No such file or directory`);
    }
  }

  private outside(path: string): FileAccessError {
    return new FileAccessError('outside', path, `${path}: outside GVT Desk's file boundary (files under the data dir ${this.rootCanonical}, or files you chose in a dialog or typed in the Dom0 console)`);
  }
}
