import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { APP_CONTENT_SECURITY_POLICY, APP_INDEX_URL, appProtocolHandler, isAppUrl, registerAppScheme, resolveAppPath } from '../../../src/main/electron/app-protocol';
import { contentTypeFor as contentTypeOf } from '../../../src/main/host/content-types';
import { createElectronMock } from './electron-mock';

const ROOT = join(sep, 'app', 'out', 'renderer');
const under = (path: string): boolean => path === ROOT || path.startsWith(ROOT + sep);

describe('registerAppScheme', () => {
  it('registers app: as standard, secure and fetch-capable, without CSP bypass or CORS', () => {
    const { protocol } = createElectronMock();
    registerAppScheme(protocol as never);
    expect(protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
    expect(APP_INDEX_URL).toBe('app://gvt-desk/index.html');
  });
});

describe('isAppUrl', () => {
  it.each([
    ['app://gvt-desk/', true],
    ['app://gvt-desk/assets/x.js?v=1#top', true],
    ['app://evil/', false],
    ['app://gvt-desk.evil/', false],
    ['app://gvt-desk:8080/', false],
    ['app://user:pw@gvt-desk/', false],
    ['file:///app/out/renderer/index.html', false],
    ['http://gvt-desk/', false],
  ])('%s → %s', (url, ok) => {
    expect(isAppUrl(new URL(url))).toBe(ok);
  });
});

describe('resolveAppPath', () => {
  it.each([
    ['app://gvt-desk', 'index.html', 'text/html; charset=utf-8'],
    ['app://gvt-desk/', 'index.html', 'text/html; charset=utf-8'],
    ['app://gvt-desk/index.html?x=1#/vm/2', 'index.html', 'text/html; charset=utf-8'],
    ['app://gvt-desk/assets/index-Bvvkgbsg.js', 'assets/index-Bvvkgbsg.js', 'text/javascript; charset=utf-8'],
    ['app://gvt-desk/assets/index-CElLMFQe.css', 'assets/index-CElLMFQe.css', 'text/css; charset=utf-8'],
    ['app://gvt-desk/favicon.svg', 'favicon.svg', 'image/svg+xml'],
    ['app://gvt-desk/assets/logo.PNG', 'assets/logo.PNG', 'image/png'],
    ['app://gvt-desk/assets/font.woff2', 'assets/font.woff2', 'font/woff2'],
    ['app://gvt-desk/data.json', 'data.json', 'application/json; charset=utf-8'],
    ['app://gvt-desk/assets/index.js.map', 'assets/index.js.map', 'application/json; charset=utf-8'],
    ['app://gvt-desk/favicon.ico', 'favicon.ico', 'image/x-icon'],
    ['app://gvt-desk/my%20file.js', 'my file.js', 'text/javascript; charset=utf-8'],
    ['app://gvt-desk/blob.bin', 'blob.bin', 'application/octet-stream'],
    // Dot segments the URL parser removes stay inside the root.
    ['app://gvt-desk/../../etc/passwd', 'etc/passwd', 'application/octet-stream'],
    ['app://gvt-desk/%2e%2e/%2E%2E/etc/passwd', 'etc/passwd', 'application/octet-stream'],
    ['app://gvt-desk/assets/../index.html', 'index.html', 'text/html; charset=utf-8'],
  ])('%s → %s', (url, rel, contentType) => {
    expect(resolveAppPath(url, ROOT)).toEqual({ ok: true, path: join(ROOT, rel), contentType });
  });

  it.each([
    'app://gvt-desk/..%2f..%2fetc%2fpasswd',
    'app://gvt-desk/..%2F..%2Fetc%2Fpasswd',
    'app://gvt-desk/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    'app://gvt-desk/.%2e%2f.%2e%2fetc/passwd',
    'app://gvt-desk/assets%2f..%2f..%2f..%2fetc/passwd',
    'app://gvt-desk/..%5c..%5cetc%5cpasswd',
    'app://gvt-desk/..\\..\\etc\\passwd',
    'app://gvt-desk/assets\\index.js',
    'app://gvt-desk/index.html%00.png',
    'app://gvt-desk/%00',
    'app://gvt-desk//etc/passwd',
    'app://gvt-desk/%2fetc%2fpasswd',
    'app://gvt-desk/%2F%2Fetc/passwd',
    'app://gvt-desk/..%c0%af..%c0%afetc/passwd',
    'app://gvt-desk/%E0%A4%A',
    'app://gvt-desk/%',
  ])('refuses %s with 403', (url) => {
    expect(resolveAppPath(url, ROOT)).toMatchObject({ ok: false, status: 403 });
  });

  it.each(['app://evil/index.html', 'app://gvt-desk:8080/index.html', 'app://u@gvt-desk/index.html', 'file:///app/out/renderer/index.html', 'http://gvt-desk/index.html', 'not a url'])(
    'refuses %s with 404 (not our origin)',
    (url) => {
      expect(resolveAppPath(url, ROOT)).toMatchObject({ ok: false, status: 404 });
    },
  );

  it('never resolves outside the root, whatever the path', () => {
    const piece = fc.constantFrom('..', '.', '/', '\\', '%2e', '%2E', '%2f', '%2F', '%5c', '%00', '%25', '%', 'a', 'etc', '%c0%af', ':', 'C:');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const result = resolveAppPath(`app://gvt-desk/${pieces.join('')}`, ROOT);
        return !result.ok || under(result.path);
      }),
      { numRuns: 2000 },
    );
  });

  it('contentTypeOf falls back to octet-stream', () => {
    expect(contentTypeOf('x.unknown')).toBe('application/octet-stream');
    expect(contentTypeOf('README')).toBe('application/octet-stream');
  });
});

describe('appProtocolHandler', () => {
  let dir: string;
  let root: string;
  let serve: (request: Request) => Promise<Response>;
  const get = (path: string) => serve(new Request(`app://gvt-desk${path}`));

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gvt-app-protocol-'));
    root = join(dir, 'out', 'renderer');
    await mkdir(join(root, 'assets', 'empty-dir'), { recursive: true });
    await writeFile(join(root, 'index.html'), '<!doctype html><title>GVT Desk</title>');
    await writeFile(join(root, 'assets', 'index.js'), 'export {};');
    await writeFile(join(root, 'favicon.svg'), '<svg/>');
    await writeFile(join(dir, 'secret.txt'), 'outside the root');
    await mkdir(join(dir, 'outside-dir'));
    await writeFile(join(dir, 'outside-dir', 'secret.txt'), 'outside the root');
    await symlink(join(dir, 'secret.txt'), join(root, 'leak.txt'));
    await symlink(join('..', '..', 'secret.txt'), join(root, 'relative-leak.txt'));
    await symlink(join(dir, 'outside-dir'), join(root, 'outside'));
    await symlink(join(root, 'assets', 'index.js'), join(root, 'alias.js'));
    await symlink(join(root, 'missing.js'), join(root, 'dangling.js'));
    serve = appProtocolHandler(root);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('serves index.html for / and assets with their Content-Type', async () => {
    for (const path of ['/', '/index.html']) {
      const res = await get(path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await res.text()).toBe('<!doctype html><title>GVT Desk</title>');
    }
    const js = await get('/assets/index.js');
    expect([js.status, js.headers.get('content-type'), await js.text()]).toEqual([200, 'text/javascript; charset=utf-8', 'export {};']);
    const svg = await get('/favicon.svg');
    expect([svg.status, svg.headers.get('content-type')]).toEqual([200, 'image/svg+xml']);
  });

  it('sends the Content-Security-Policy with every file (Electron security checklist: define a CSP)', async () => {
    for (const path of ['/', '/assets/index.js', '/favicon.svg']) expect((await get(path)).headers.get('content-security-policy')).toBe(APP_CONTENT_SECURITY_POLICY);
  });

  it('follows symlinks that stay inside the root', async () => {
    const res = await get('/alias.js');
    expect([res.status, await res.text()]).toEqual([200, 'export {};']);
  });

  it.each(['/leak.txt', '/relative-leak.txt', '/outside/secret.txt'])('refuses %s, a symlink out of the root, with 403', async (path) => {
    const res = await get(path);
    expect(res.status).toBe(403);
    expect(await res.text()).toBe('');
  });

  it.each(['/assets', '/assets/', '/assets/empty-dir', '/missing.js', '/dangling.js'])('answers %s (not a regular file) with 404', async (path) => {
    expect((await get(path)).status).toBe(404);
  });

  it.skipIf(process.platform === 'win32')('refuses a FIFO without opening it', async () => {
    execFileSync('mkfifo', [join(root, 'pipe.js')]);
    expect((await get('/pipe.js')).status).toBe(404);
  });

  it('refuses traversal, foreign hosts and methods other than GET', async () => {
    expect((await get('/..%2f..%2fsecret.txt')).status).toBe(403);
    expect((await get('/..%2fsecret.txt')).status).toBe(403);
    expect((await serve(new Request('app://evil/index.html'))).status).toBe(404);
    expect((await serve(new Request('app://gvt-desk/index.html', { method: 'POST', body: 'x' }))).status).toBe(405);
  });

  it('serves through a symlinked root (the check compares real paths)', async () => {
    const linkedRoot = join(dir, 'linked-renderer');
    await symlink(root, linkedRoot);
    const res = await appProtocolHandler(linkedRoot)(new Request('app://gvt-desk/index.html'));
    expect(res.status).toBe(200);
  });

  it('answers 404 when the renderer directory is missing', async () => {
    expect((await appProtocolHandler(join(dir, 'nope'))(new Request(APP_INDEX_URL))).status).toBe(404);
  });
});

/** The policy as a map of directive → sources. */
const directives = (policy: string): Map<string, string[]> =>
  new Map(policy.split(';').map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([name, ...sources]) => [name, sources]));

describe('Content-Security-Policy (Electron security checklist)', () => {
  const metaPolicy = (): string => {
    const html = readFileSync(new URL('../../../src/renderer/index.html', import.meta.url), 'utf8');
    const m = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html);
    if (!m) throw new Error('index.html has no CSP meta tag');
    return m[1];
  };

  it.each([
    ['the app:// header', APP_CONTENT_SECURITY_POLICY],
    ["index.html's meta tag", metaPolicy()],
  ])('%s allows scripts only from the app: no inline script, no eval (WebAssembly compile only), no plugins', (_what, policy) => {
    const d = directives(policy);
    expect(d.get('script-src')).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(d.get('default-src')).toEqual(["'self'"]);
    expect(d.get('object-src')).toEqual(["'none'"]);
    expect(d.get('base-uri')).toEqual(["'none'"]);
    for (const sources of d.values()) expect(sources).not.toContain("'unsafe-eval'");
    expect(policy).not.toMatch(/\*|https?:/);
  });

  it('keeps the app from being framed or posting forms', () => {
    const d = directives(APP_CONTENT_SECURITY_POLICY);
    expect([d.get('frame-ancestors'), d.get('form-action')]).toEqual([["'none'"], ["'none'"]]);
  });
});
