/**
 * Dom0's /etc/xen: the guides' example configs (read-only) and one file per library domain.
 *
 * A library domain's file is named after the file it was imported as (its library fileName), so
 * `cat > /etc/xen/mine.hvm <<EOF` is listed as mine.hvm. When that name is an example's or is
 * already used by a domain earlier in name order, the domain shows as `<name>.cfg` (the file
 * name the library keeps it under) instead, then `<name>.<n>.cfg`. Reading a domain's file shows
 * its stored config text; writing any non-example name imports the text into the library
 * (library.import with replace: the config's name= decides which domain it is).
 */
import type { Call } from './deps';
import { XEN_EXAMPLES } from './examples';

export const XEN_DIR = '/etc/xen';

export type XenFile = { kind: 'example'; text: string } | { kind: 'domain'; name: string };

/** The files of /etc/xen by name (examples first, then library domains), one call to list them. */
export async function xenFiles(call: Call): Promise<Map<string, XenFile>> {
  const files = new Map<string, XenFile>();
  for (const [name, text] of XEN_EXAMPLES) files.set(name, { kind: 'example', text });
  const names = (await call('domains.list', {})).filter((d) => d.name !== 'Domain-0').map((d) => d.name);
  for (const name of [...new Set(names)].sort()) {
    const { fileName } = await call('library.get', { name });
    let shown = fileName;
    for (let n = 1; files.has(shown); n++) shown = n === 1 ? `${name}.cfg` : `${name}.${n}.cfg`;
    files.set(shown, { kind: 'domain', name });
  }
  return files;
}

/** A file's text. Throws ApiError from the library. */
export async function readXenFile(call: Call, file: XenFile): Promise<string> {
  return file.kind === 'example' ? file.text : (await call('library.get', { name: file.name })).text;
}

/** Is `name` one of the read-only examples? */
export function isXenExample(name: string): boolean {
  return XEN_EXAMPLES.has(name);
}

/**
 * Store `text` written to /etc/xen/`fileName`: import it into the library, replacing the domain
 * of the same name=. Returns the domain's name. Throws ApiError('config') when the text has no
 * usable name (the message lists the findings).
 */
export async function writeXenFile(call: Call, fileName: string, text: string): Promise<string> {
  return (await call('library.import', { fileName, text, replace: true })).name;
}
