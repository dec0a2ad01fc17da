/**
 * The one checked reader and writer for files the host touches: regular files only, bounded
 * size, no symlink as the last component, atomic writes. Every entry point (API, Dom0 console,
 * CLI, Electron menus, the library, settings) reads through here, so a FIFO, a device, a socket or
 * a directory is refused with a clear error before a byte is read, and no read allocates more than
 * its limit. Errors name the path and the reason and never quote the file's contents.
 */
import { closeSync, constants, fstatSync, openSync, readSync, readdirSync, lstatSync, unlinkSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { MAX_CONFIG_BYTES, MAX_EDID_FILE_BYTES, MAX_MONITOR_CONFIG_BYTES } from '../../shared/limits';

/** Size limits, bytes: the most each kind of file may hold. */
export const FILE_LIMITS = {
  config: MAX_CONFIG_BYTES,
  monitorConfig: MAX_MONITOR_CONFIG_BYTES,
  edid: MAX_EDID_FILE_BYTES,
  /** Small JSON files of our own (library metadata, settings, file grants). */
  json: 256 << 10,
} as const;

export type FileAccessReason = 'outside' | 'not_found' | 'not_regular' | 'too_large' | 'symlink' | 'invalid' | 'io';

/** A refused or failed file access; `reason` says which rule, `path` which file (as given). */
export class FileAccessError extends Error {
  constructor(
    public readonly reason: FileAccessReason,
    public readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = 'FileAccessError';
  }
}

/** What a non-regular file is, in words (for "X is a FIFO, not a regular file"). */
export function describeFileType(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

// O_NONBLOCK: opening a FIFO with no writer returns at once instead of holding a libuv thread
// forever; O_NOFOLLOW: the last component is never a symlink (callers pass canonical paths).
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW;

function openError(path: string, what: string, err: unknown): FileAccessError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new FileAccessError('not_found', path, `${what} ${path}: No such file or directory`);
  if (code === 'ELOOP') return new FileAccessError('symlink', path, `${what} ${path}: is a symbolic link; name the file it points to`);
  if (code === 'EACCES' || code === 'EPERM') return new FileAccessError('io', path, `${what} ${path}: Permission denied`);
  if (code === 'EISDIR') return new FileAccessError('not_regular', path, `${what} ${path}: is a directory, not a regular file`);
  return new FileAccessError('io', path, `${what} ${path}: cannot read (${code ?? 'error'})`);
}

function checkStat(path: string, what: string, st: Stats, limit: number): void {
  if (!st.isFile()) throw new FileAccessError('not_regular', path, `${what} ${path}: is ${describeFileType(st)}, not a regular file`);
  if (st.size > limit) throw new FileAccessError('too_large', path, `${what} ${path}: is ${st.size} bytes; the limit is ${limit} bytes`);
}

/** Room for the size fstat reports plus one byte (to see EOF), at least 4 KiB (procfs says 0). */
function initialSize(st: Stats, limit: number): number {
  return Math.min(limit, Math.max(st.size, 4096)) + 1;
}

/** Double the buffer, never past limit + 1 bytes; a file that fills limit + 1 bytes is too large. */
function grow(buf: Buffer, path: string, what: string, limit: number): Buffer {
  if (buf.length > limit) throw new FileAccessError('too_large', path, `${what} ${path}: is larger than the limit of ${limit} bytes`);
  const next = Buffer.allocUnsafe(Math.min(limit + 1, buf.length * 2));
  buf.copy(next);
  return next;
}

/**
 * Read a whole regular file of at most `limit` bytes.
 * path: absolute, its last component not a symlink; what: words for errors ("monitor.config").
 * Reads at most limit + 1 bytes whatever the file claims (procfs reports size 0), so memory stays
 * bounded. Throws FileAccessError: not_found, symlink, not_regular (FIFO, device, socket,
 * directory), too_large, io.
 */
export async function readRegularFile(path: string, limit: number, what: string): Promise<Buffer> {
  let fh;
  try {
    fh = await open(path, OPEN_FLAGS);
  } catch (err) {
    throw openError(path, what, err);
  }
  try {
    const st = await fh.stat();
    checkStat(path, what, st, limit);
    let buf: Buffer = Buffer.allocUnsafe(initialSize(st, limit));
    let total = 0;
    for (;;) {
      if (total === buf.length) buf = grow(buf, path, what, limit);
      const { bytesRead } = await fh.read(buf, total, buf.length - total, null);
      if (bytesRead === 0) return buf.subarray(0, total);
      total += bytesRead;
    }
  } catch (err) {
    if (err instanceof FileAccessError) throw err;
    throw openError(path, what, err);
  } finally {
    await fh.close().catch(() => undefined);
  }
}

/** readRegularFile, synchronously (for the library's synchronous listing); same rules and errors. */
export function readRegularFileSync(path: string, limit: number, what: string): Buffer {
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (err) {
    throw openError(path, what, err);
  }
  try {
    const st = fstatSync(fd);
    checkStat(path, what, st, limit);
    let buf: Buffer = Buffer.allocUnsafe(initialSize(st, limit));
    let total = 0;
    for (;;) {
      if (total === buf.length) buf = grow(buf, path, what, limit);
      const n = readSync(fd, buf, total, buf.length - total, null);
      if (n === 0) return buf.subarray(0, total);
      total += n;
    }
  } catch (err) {
    if (err instanceof FileAccessError) throw err;
    throw openError(path, what, err);
  } finally {
    closeSync(fd);
  }
}

/** An existing target must be a regular file (not a symlink, FIFO, device…); a missing one is fine. */
function checkWriteTarget(path: string, what: string): void {
  let st: Stats;
  try {
    st = lstatSync(path);
  } catch {
    return;
  }
  if (st.isSymbolicLink()) throw new FileAccessError('symlink', path, `${what} ${path}: is a symbolic link; name the file it points to`);
  if (!st.isFile()) throw new FileAccessError('not_regular', path, `${what} ${path}: is ${describeFileType(st)}, not a regular file`);
}

function writeError(path: string, what: string, err: unknown): FileAccessError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new FileAccessError('not_found', path, `${what} ${path}: the directory does not exist`);
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return new FileAccessError('io', path, `${what} ${path}: Permission denied`);
  return new FileAccessError('io', path, `${what} ${path}: cannot write (${code ?? 'error'})`);
}

/**
 * Replace `path` atomically (write-file-atomic: temp file `<path>.<n>`, fsync, rename), so a crash
 * leaves the old file or the new one. Refuses a target that exists and is not a regular file.
 * Throws FileAccessError (symlink, not_regular, not_found for a missing directory, io).
 */
export async function writeFileAtomically(path: string, data: string, what: string): Promise<void> {
  checkWriteTarget(path, what);
  try {
    await writeFileAtomic(path, data, { fsync: true });
  } catch (err) {
    throw writeError(path, what, err);
  }
}

/** writeFileAtomically, synchronously; same rules and errors. */
export function writeFileAtomicallySync(path: string, data: string, what: string): void {
  checkWriteTarget(path, what);
  try {
    writeFileAtomic.sync(path, data, { fsync: true });
  } catch (err) {
    throw writeError(path, what, err);
  }
}

/** write-file-atomic's temp names: the target's name, a dot, an unsigned 32-bit number. */
const TEMP_SUFFIX = /^(.+)\.(\d{1,10})$/;

/**
 * Remove temp files a killed atomic write left in `dir`: regular files named `<target>.<number>`
 * where `isTarget(target)` says the base name is one of ours. Call at start, while no other
 * instance writes to `dir` (the CLI socket guarantees one instance per data dir).
 * Returns the removed names; never throws (a directory that cannot be read removes nothing).
 */
export function removeStaleTempFiles(dir: string, isTarget: (name: string) => boolean): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const m = TEMP_SUFFIX.exec(name);
    if (!m || !isTarget(m[1]!)) continue;
    try {
      if (!lstatSync(join(dir, name)).isFile()) continue;
      unlinkSync(join(dir, name));
      removed.push(name);
    } catch {
      // Gone already, or not ours to remove: leave it.
    }
  }
  return removed;
}
