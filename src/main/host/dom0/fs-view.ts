/**
 * The Dom0 filesystem view: the directories the setup guides assume, each backed by the host API
 * or a read-only view the host provides. Nothing here touches the machine's filesystem directly.
 *
 *   /                       dev etc root sys var (fixed directories)
 *   /dev/null               reads empty, swallows writes
 *   /etc/xen/               the guides' examples (read-only) and the library's domains (etc-xen.ts)
 *   /root/                  root's home, the default working directory (empty, read-only)
 *   /sys/kernel/vgt/…       XenGT's sysfs: sysfs.read / sysfs.write / the GPU thread's listing
 *   /sys/class/mdev_bus/0000:00:02.0/mdev_supported_types/…   the KVMGT mdev types, likewise
 *   /var/lib/gvt-desk/…     the user's data dir, read-only (the checked reader, data-dir rule)
 *
 * Errors are FsError with the errno text a shell prints (`No such file or directory`, …).
 */
import { ApiError } from '../../../shared/api';
import { MDEV_TYPES, SYSFS_ROOT } from '../../mediator/sysfs';
import type { Call, DataDirMount, DirEntry } from './deps';
import { XEN_DIR, type XenFile, isXenExample, readXenFile, writeXenFile, xenFiles } from './etc-xen';
import { baseName, isWithin, parentOf } from './paths';

/** Where the data dir is mounted in the Dom0 view. */
export const DATA_MOUNT = '/var/lib/gvt-desk';
const DEV_NULL = '/dev/null';

/** errno names the view reports; the message is the text strerror gives for it (or a reason). */
export type FsErrno = 'ENOENT' | 'EISDIR' | 'ENOTDIR' | 'EACCES' | 'EIO';

export class FsError extends Error {
  constructor(
    readonly errno: FsErrno,
    message: string,
  ) {
    super(message);
    this.name = 'FsError';
  }
}

const notFound = (): FsError => new FsError('ENOENT', 'No such file or directory');
const isDirectory = (): FsError => new FsError('EISDIR', 'Is a directory');
const denied = (): FsError => new FsError('EACCES', 'Permission denied');

/** The fixed directories and their entries (all directories, except /dev/null). */
const FIXED: ReadonlyMap<string, string[]> = new Map([
  ['/', ['dev', 'etc', 'root', 'sys', 'var']],
  ['/dev', ['null']],
  ['/etc', ['xen']],
  ['/root', []],
  ['/sys', ['class', 'kernel']],
  ['/sys/class', ['mdev_bus']],
  ['/sys/class/mdev_bus', ['0000:00:02.0']],
  ['/sys/class/mdev_bus/0000:00:02.0', ['mdev_supported_types']],
  ['/sys/kernel', ['vgt']],
  ['/var', ['lib']],
  ['/var/lib', ['gvt-desk']],
]);

const isSysfs = (path: string): boolean => isWithin(path, SYSFS_ROOT) || isWithin(path, MDEV_TYPES);

export class Dom0Fs {
  constructor(
    private readonly call: Call,
    private readonly sysfsList: (path: string) => Promise<string[] | null>,
    private readonly dataDir: DataDirMount,
  ) {}

  /** The files of /etc/xen (examples and library domains). */
  xenFiles(): Promise<Map<string, XenFile>> {
    return xenFiles(this.call);
  }

  /**
   * Entries of the directory at `path` (absolute, normalised), sorted as `ls` in the C locale
   * sorts; null when `path` is a file. Throws FsError('ENOENT') when it does not exist.
   */
  async list(path: string): Promise<DirEntry[] | null> {
    const entries = await this.entries(path);
    return entries && entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** 'dir', 'file', or null when nothing is at `path`. */
  async kind(path: string): Promise<'dir' | 'file' | null> {
    try {
      return (await this.entries(path)) ? 'dir' : 'file';
    } catch (e) {
      if (e instanceof FsError && e.errno === 'ENOENT') return null;
      throw e;
    }
  }

  /** A file's text. Throws FsError (ENOENT, EISDIR, EIO with the reason). */
  async read(path: string): Promise<string> {
    if (path === DEV_NULL) return '';
    if (FIXED.has(path) || path === XEN_DIR) throw isDirectory();
    if (isWithin(path, XEN_DIR)) {
      const file = (await this.xenFiles()).get(path.slice(XEN_DIR.length + 1));
      if (!file) throw notFound();
      return readXenFile(this.call, file);
    }
    if (isWithin(path, DATA_MOUNT)) return this.dataDir.read(path.slice(DATA_MOUNT.length + 1));
    if (isSysfs(path)) {
      try {
        return (await this.call('sysfs.read', { path })).value;
      } catch (e) {
        throw sysfsError(e);
      }
    }
    throw notFound();
  }

  /**
   * Check, before a command runs, that `path` can be opened for writing, as a shell's `>` would.
   * Throws FsError whose message is what `sh: cannot create PATH: …` ends with: `Is a directory`,
   * `Directory nonexistent` (dash's wording), or `Permission denied` (read-only examples, the
   * data dir, fixed directories, a sysfs node that does not exist).
   */
  async checkWritable(path: string): Promise<void> {
    if (path === DEV_NULL) return;
    const kind = await this.kind(path);
    if (kind === 'dir') throw isDirectory();
    if ((await this.kind(parentOf(path))) !== 'dir') throw new FsError('ENOENT', 'Directory nonexistent');
    if (parentOf(path) === XEN_DIR) {
      if (isXenExample(baseName(path))) throw denied();
      return;
    }
    if (isSysfs(path) && kind === 'file') return;
    throw denied();
  }

  /**
   * Write `data` to `path` (checked with checkWritable first). /etc/xen files are imported into
   * the library, sysfs nodes get one sysfs.write of the whole text. `append` reads the file first
   * for /etc/xen (sysfs attributes ignore the file offset, so there it is a plain write).
   * Throws FsError('EACCES') for a sysfs attribute that refuses writes, ApiError for a refused
   * value (the sysfs node's or the library's message).
   */
  async write(path: string, data: string, append: boolean): Promise<void> {
    if (path === DEV_NULL) return;
    if (parentOf(path) === XEN_DIR) {
      const name = baseName(path);
      const old = append ? await this.read(path).catch(() => '') : '';
      await writeXenFile(this.call, name, old + data);
      return;
    }
    try {
      await this.call('sysfs.write', { path, value: data });
    } catch (e) {
      if (e instanceof ApiError && /Permission denied/.test(e.message)) throw denied();
      throw e;
    }
  }

  private async entries(path: string): Promise<DirEntry[] | null> {
    const fixed = FIXED.get(path);
    if (fixed) return fixed.map((name) => ({ name, dir: `${path === '/' ? '' : path}/${name}` !== DEV_NULL }));
    if (path === DEV_NULL) return null;
    if (path === XEN_DIR) return [...(await this.xenFiles()).keys()].map((name) => ({ name, dir: false }));
    if (isWithin(path, XEN_DIR)) {
      if (parentOf(path) === XEN_DIR && (await this.xenFiles()).has(baseName(path))) return null;
      throw notFound();
    }
    if (isWithin(path, DATA_MOUNT)) return this.dataDir.list(path.slice(DATA_MOUNT.length + 1));
    if (isSysfs(path)) {
      const names = await this.sysfsList(path);
      if (names) return Promise.all(names.map(async (name) => ({ name, dir: (await this.sysfsList(`${path}/${name}`)) !== null })));
      // A write-only node (XenGT's edid_text) exists although reading it fails with EIO.
      await this.read(path).catch((e: unknown) => {
        if (!(e instanceof FsError && e.errno === 'EIO')) throw e;
      });
      return null;
    }
    throw notFound();
  }
}

/** A sysfs.read refusal as an FsError: a missing node ENOENT, a directory EISDIR, else EIO with its message. */
function sysfsError(e: unknown): unknown {
  if (!(e instanceof ApiError)) return e;
  if (e.code === 'not_found') return notFound();
  if (/Is a directory/.test(e.message)) return isDirectory();
  return new FsError('EIO', e.message);
}
