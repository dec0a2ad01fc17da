/**
 * The user's data dir as the Dom0 view mounts it (read-only, at /var/lib/gvt-desk): listings and
 * reads go through the file boundary with the data-dir rule (paths are canonicalised, symlinks
 * resolved, and anything that leads outside the data dir is refused), and reads through the
 * checked reader (regular files only, at most FILE_LIMITS.config bytes).
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileBoundary } from '../../files/boundary';
import { FILE_LIMITS, FileAccessError } from '../../files/checked-io';
import type { DataDirMount, DirEntry } from './deps';
import { FsError } from './fs-view';
import { MAX_DIR_ENTRIES } from './limits';

/** The data dir of `files` as a DataDirMount. */
export function dataDirMount(files: FileBoundary): DataDirMount {
  const absolute = (rel: string): string => (rel === '' ? files.dataDir : join(files.dataDir, rel));
  return {
    async list(rel) {
      let dir: string;
      try {
        dir = await files.resolve(absolute(rel), 'api');
      } catch (e) {
        throw fsError(e);
      }
      try {
        const entries = await readdir(dir, { withFileTypes: true });
        return entries
          .map((d): DirEntry => ({ name: d.name, dir: d.isDirectory() }))
          .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
          .slice(0, MAX_DIR_ENTRIES);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOTDIR') return null;
        if (code === 'ENOENT') throw new FsError('ENOENT', 'No such file or directory');
        throw new FsError('EIO', `cannot read the directory (${code ?? 'error'})`);
      }
    },
    async read(rel) {
      try {
        return (await files.read(absolute(rel), FILE_LIMITS.config, 'file', 'api')).bytes.toString('utf8');
      } catch (e) {
        throw fsError(e);
      }
    },
  };
}

/**
 * A FileAccessError as the view reports it: the reason only (the message's text after the real
 * path), never the machine path of the data dir.
 */
function fsError(e: unknown): unknown {
  if (!(e instanceof FileAccessError)) return e;
  if (e.reason === 'not_found') return new FsError('ENOENT', 'No such file or directory');
  if (e.reason === 'outside') return new FsError('EACCES', 'Permission denied (it leads out of the data dir)');
  const reason = e.message.slice(e.message.indexOf(': ') + 2);
  if (/is a directory/.test(reason)) return new FsError('EISDIR', 'Is a directory');
  return new FsError('EIO', reason);
}
