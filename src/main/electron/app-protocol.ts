/**
 * The `app://gvt-desk/` scheme: the main window loads the built renderer (out/renderer) from it
 * instead of `file://`, so the page has a real origin of its own and cannot read the rest of the
 * disk. Requests are answered only with regular files inside the renderer directory.
 */
import type { Protocol } from 'electron';
import { readFile, realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { contentTypeFor } from '../host/content-types';
import { contentSecurityPolicy } from '../host/csp';

export const APP_SCHEME = 'app';
/** The one host the scheme serves; any other host is refused. */
export const APP_HOST = 'gvt-desk';
/** The page the main window loads. */
export const APP_INDEX_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/**
 * Register `app:` as a privileged scheme. Must run before the app's `ready` event (Electron only
 * accepts it then, and only once). `standard` gives the page a tuple origin (relative URLs, 'self'
 * in the CSP, web storage), `secure` makes it a secure context, `supportFetchAPI` lets the page
 * fetch its own files. No `bypassCSP` (the page's CSP must apply) and no `corsEnabled`: the renderer
 * loads only same-origin resources, and without it other origins cannot read app:// responses.
 */
export function registerAppScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
}

/**
 * True when `url` is on our origin: scheme `app:`, host exactly `gvt-desk` (no port), no
 * credentials. (Node gives non-special schemes the origin 'null', so origins cannot be compared.)
 */
export function isAppUrl(url: URL): boolean {
  return url.protocol === `${APP_SCHEME}:` && url.host === APP_HOST && url.username === '' && url.password === '';
}

/** True when `path` is `root` or below it (both absolute and normalised). */
function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

export type AppPathResult = { ok: true; path: string; contentType: string } | { ok: false; status: 403 | 404; reason: string };

/**
 * Map an `app://gvt-desk/…` URL to a file under `root` (absolute path of out/renderer) without
 * touching the disk: the URL path is percent-decoded, `/` means index.html, and the result must
 * stay inside `root` after normalisation. Query and fragment are ignored.
 * Refusals: 404 for anything that is not a URL on our origin; 403 for malformed percent-encoding,
 * a NUL or a backslash in the decoded path, and any path that leaves `root` (`..` segments in any
 * encoding that survives URL parsing, e.g. `..%2f`, or an absolute path such as `//etc/passwd`).
 */
export function resolveAppPath(url: string, root: string): AppPathResult {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, status: 404, reason: 'not a URL' };
  }
  if (!isAppUrl(parsed)) return { ok: false, status: 404, reason: `not on ${APP_SCHEME}://${APP_HOST}/` };
  let decoded: string;
  try {
    decoded = decodeURIComponent(parsed.pathname);
  } catch {
    return { ok: false, status: 403, reason: 'malformed percent-encoding' };
  }
  if (decoded.includes('\0')) return { ok: false, status: 403, reason: 'NUL in the path' };
  // A separator on Windows and never in our file names, so refused on every platform alike.
  if (decoded.includes('\\')) return { ok: false, status: 403, reason: 'backslash in the path' };
  // Strip exactly one leading slash: what remains must be relative; `//x` stays absolute and is refused below.
  const rel = decoded.replace(/^\//, '') || 'index.html';
  const base = resolve(root);
  const path = resolve(base, rel);
  if (!isInside(base, path)) return { ok: false, status: 403, reason: 'the path leaves the renderer directory' };
  return { ok: true, path, contentType: contentTypeFor(path) };
}

/**
 * The Content-Security-Policy of every app:// response (Electron's security checklist, item
 * "Define a Content Security Policy"), on top of index.html's meta tag: scripts only from the app
 * itself (no inline script, no eval), no plugins, no <base>, no forms, no framing. The renderer
 * reaches the host through the preload's IPC, so it needs no network beyond its own files. The
 * same policy as browser mode's, without its WebSocket.
 */
export const APP_CONTENT_SECURITY_POLICY = contentSecurityPolicy(null);

/**
 * The `protocol.handle('app', …)` handler serving `root` (absolute path of out/renderer). GET
 * only (405 otherwise). After resolveAppPath's checks, symlinks are resolved and the real path
 * must still be inside the real root (403), and it must be a regular file (404 for directories,
 * devices, FIFOs, missing or unreadable files). Files are read through node:fs, which Electron
 * patches to read from app.asar in a packaged build. Responses carry the Content-Type by
 * extension, `X-Content-Type-Options: nosniff` and APP_CONTENT_SECURITY_POLICY.
 */
export function appProtocolHandler(root: string): (request: Request) => Promise<Response> {
  const refuse = (status: number): Response => new Response(null, { status });
  return async (request) => {
    if (request.method !== 'GET') return refuse(405);
    const target = resolveAppPath(request.url, root);
    if (!target.ok) return refuse(target.status);
    try {
      const [realRoot, realTarget] = await Promise.all([realpath(root), realpath(target.path)]);
      if (!isInside(realRoot, realTarget)) return refuse(403);
      // stat before reading: opening a FIFO would block the handler.
      if (!(await stat(realTarget)).isFile()) return refuse(404);
      const body = await readFile(realTarget);
      return new Response(body, { status: 200, headers: { 'Content-Type': target.contentType, 'X-Content-Type-Options': 'nosniff', 'Content-Security-Policy': APP_CONTENT_SECURITY_POLICY } });
    } catch {
      // Missing, unreadable, a dangling symlink, or gone between the checks.
      return refuse(404);
    }
  };
}
