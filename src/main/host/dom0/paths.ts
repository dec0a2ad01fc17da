/**
 * Path arithmetic of the Dom0 view (POSIX paths, no symlinks): what `cd`, `ls` and redirections
 * resolve a word against the working directory with.
 */

/** `path` made absolute against `cwd`, with '.', '..' and repeated or trailing '/' removed. */
export function resolvePath(cwd: string, path: string): string {
  const parts: string[] = [];
  for (const p of `${path.startsWith('/') ? '' : cwd}/${path}`.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') parts.pop();
    else parts.push(p);
  }
  return `/${parts.join('/')}`;
}

/** The directory part of an absolute, normalised path ('/' for '/x' and for '/'). */
export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/** The last component of an absolute, normalised path ('' for '/'). */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Is `path` `dir` itself or inside it (both absolute, normalised)? */
export function isWithin(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir === '/' ? '/' : `${dir}/`);
}
