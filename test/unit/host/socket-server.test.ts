import { spawn, spawnSync } from 'node:child_process';
import { chmod, chown, lchown, lstat, mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../../src/shared/api';
import { SocketInUseError, UnsafeSocketDirError, startSocketServer, type SocketServer } from '../../../src/main/host/socket-server';
import { ForeignSocketError, NoHostError, callSocket } from '../../../src/main/cli/socket-client';
import { createFakeHost, type FakeHost } from '../fakes/fake-host';

// chmod passes through unless a test sets skipChmod: then it does nothing, so a test sees the mode
// the socket file was born with (the moment another user could race for it).
const fsHooks = vi.hoisted(() => ({ skipChmod: false }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const chmodHook: typeof real.chmod = (path, mode) => (fsHooks.skipChmod ? Promise.resolve() : real.chmod(path, mode));
  return { ...real, chmod: chmodHook };
});

const isRoot = process.getuid?.() === 0;
/** uid of `nobody` (root-only tests chown files to it). */
const NOBODY = 65534;

let dir: string;
let host: FakeHost;
const servers: SocketServer[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gvt-sock-'));
  host = createFakeHost();
});

afterEach(async () => {
  fsHooks.skipChmod = false;
  for (const s of servers.splice(0)) await s.close();
  await rm(dir, { recursive: true, force: true });
});

async function start(path = join(dir, 'gvt-desk.sock'), dataDir?: string): Promise<SocketServer> {
  const s = await startSocketServer({ host, path, dataDir, log: vi.fn() });
  servers.push(s);
  return s;
}

/** Run `fn` under `mask`, restoring the previous umask after; returns fn's result and the umask found on the way out. */
async function withUmask<T>(mask: number, fn: () => Promise<T>): Promise<{ value: T; umaskAfter: number }> {
  const previous = process.umask(mask);
  try {
    const value = await fn();
    return { value, umaskAfter: process.umask(mask) };
  } finally {
    process.umask(previous);
  }
}

/** Send raw text, collect every response line until `count` lines arrived. */
function exchange(path: string, text: string, count: number): Promise<unknown[]> {
  return new Promise((resolve, reject) => {
    const sock = connect(path);
    let buf = '';
    const lines: unknown[] = [];
    sock.setEncoding('utf8');
    sock.on('connect', () => sock.write(text));
    sock.on('data', (chunk: string) => {
      buf += chunk;
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        lines.push(JSON.parse(buf.slice(0, i)));
        buf = buf.slice(i + 1);
      }
      if (lines.length >= count) {
        sock.destroy();
        resolve(lines);
      }
    });
    sock.on('error', reject);
  });
}

describe('socket server + client', () => {
  it('listens with file mode 0600 and round-trips a request', async () => {
    const s = await start();
    expect((await stat(s.path)).mode & 0o777).toBe(0o600);
    expect(await callSocket(s.path, 'domains.list', {})).toEqual(host.domains);
    expect(await callSocket(s.path, 'sysfs.write', { path: '/sys/kernel/vgt/control/foreground_vm', value: '1' })).toEqual({ ok: true });
    expect(host.sysfs.get('/sys/kernel/vgt/control/foreground_vm')).toBe('1');
  });

  it('creates a missing parent directory with mode 0700', async () => {
    const s = await start(join(dir, 'nested', 'gvt.sock'));
    expect((await stat(join(dir, 'nested'))).mode & 0o777).toBe(0o700);
    expect(await callSocket(s.path, 'gpu.info', {})).toMatchObject({ foreground: 0 });
  });

  it('rejects with ApiError carrying the host code', async () => {
    const s = await start();
    const err = await callSocket(s.path, 'sysfs.read', { path: '/sys/kernel/vgt/nope' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'not_found', message: '/sys/kernel/vgt/nope: No such file or directory' });
  });

  it('answers several newline-delimited requests in order, errors included, and survives bad JSON', async () => {
    const s = await start();
    const text = [
      JSON.stringify({ id: 1, method: 'gpu.info', params: {} }),
      'garbage',
      '',
      JSON.stringify({ id: 2, method: 'no.such', params: {} }),
      `${JSON.stringify({ id: 3, method: 'sysfs.read', params: { path: '/sys/kernel/vgt/control/foreground_vm' } })}\r`,
    ].join('\n');
    const lines = await exchange(s.path, `${text}\n`, 4);
    expect(lines[0]).toMatchObject({ id: 1, result: { foreground: 0 } });
    expect(lines[1]).toMatchObject({ id: null, error: { code: 'invalid' } });
    expect(lines[2]).toEqual({ id: 2, error: { code: 'invalid', message: "unknown method 'no.such'" } });
    expect(lines[3]).toEqual({ id: 3, result: { value: '0' } });
  });

  it('handles a request split over several writes', async () => {
    const s = await start();
    const res = await new Promise<string>((resolve, reject) => {
      const sock = connect(s.path);
      let out = '';
      sock.setEncoding('utf8');
      sock.on('connect', () => {
        const msg = `${JSON.stringify({ id: 5, method: 'gpu.info', params: {} })}\n`;
        sock.write(msg.slice(0, 10));
        setTimeout(() => sock.write(msg.slice(10)), 20);
      });
      sock.on('data', (c: string) => {
        out += c;
        if (out.includes('\n')) {
          sock.destroy();
          resolve(out);
        }
      });
      sock.on('error', reject);
    });
    expect(JSON.parse(res)).toMatchObject({ id: 5, result: { liveVgpus: 1 } });
  });

  it('replaces a stale socket file left by a crashed instance', async () => {
    const path = join(dir, 'stale.sock');
    // A "crashed instance": a process that listens on the path and is SIGKILLed, leaving the file.
    const child = spawn(process.execPath, ['-e', `require('node:net').createServer().listen(${JSON.stringify(path)}, () => console.log('ready'))`]);
    await new Promise<void>((resolve, reject) => {
      child.stdout.once('data', () => resolve());
      child.once('exit', () => reject(new Error('listener exited early')));
    });
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    expect((await lstat(path)).isSocket()).toBe(true);
    await expect(callSocket(path, 'gpu.info', {}, { timeoutMs: 2000 })).rejects.toBeInstanceOf(NoHostError);

    const s = await start(path);
    expect(await callSocket(s.path, 'gpu.info', {})).toMatchObject({ foreground: 0 });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('refuses to start when another instance is live on the socket', async () => {
    const first = await start();
    const err = await startSocketServer({ host: createFakeHost(), path: first.path }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SocketInUseError);
    expect((err as Error).message).toContain(`already running on ${first.path}`);
    // The first instance is untouched.
    expect(await callSocket(first.path, 'gpu.info', {})).toMatchObject({ foreground: 0 });
  });

  it('refuses to replace a path that is not a socket, and an over-long path', async () => {
    const path = join(dir, 'regular-file');
    await writeFile(path, 'keep me');
    await expect(start(path)).rejects.toThrow('is not a socket');
    await expect(start(join(dir, 'x'.repeat(120)))).rejects.toThrow('longer than');
  });

  it('removes the socket file on close', async () => {
    const s = await start();
    await s.close();
    servers.splice(servers.indexOf(s), 1);
    await expect(stat(s.path)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('client: clear error when nothing listens', async () => {
    const path = join(dir, 'none.sock');
    const err = await callSocket(path, 'domains.list', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NoHostError);
    expect((err as Error).message).toBe(`no GVT Desk running on ${path}; start one with \`gvt-desk serve\``);
  });

  it('client: times out when the server never answers', async () => {
    const path = join(dir, 'mute.sock');
    const mute = createServer(() => undefined);
    await new Promise<void>((r) => mute.listen(path, r));
    try {
      await expect(callSocket(path, 'domains.list', {}, { timeoutMs: 100 })).rejects.toThrow('no answer');
    } finally {
      mute.close();
    }
  });

  it('client: refuses a socket another user owns, before sending anything', async (ctx) => {
    if (!isRoot) return ctx.skip('needs root to chown the socket to nobody');
    const s = await start();
    await chown(s.path, NOBODY, NOBODY);
    const err = await callSocket(s.path, 'sysfs.write', { path: '/sys/kernel/vgt/control/foreground_vm', value: '1' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ForeignSocketError);
    expect((err as Error).message).toBe(
      `refusing to talk to ${s.path}: it belongs to uid ${NOBODY}, not to you (uid 0), so another user may have planted it; remove it, or pass --socket PATH to your own instance's socket`,
    );
    expect(host.calls).toEqual([]);
  });

  it('client: refuses a symlink another user owns, even to a socket of ours', async (ctx) => {
    if (!isRoot) return ctx.skip('needs root to chown the link to nobody');
    const s = await start();
    const link = join(dir, 'link.sock');
    await symlink(s.path, link);
    expect(await callSocket(link, 'gpu.info', {})).toMatchObject({ foreground: 0 });
    await lchown(link, NOBODY, NOBODY);
    await expect(callSocket(link, 'gpu.info', {})).rejects.toThrow(`refusing to talk to ${link}: it belongs to uid ${NOBODY}`);
  });
});

describe('socket privacy', () => {
  it('the socket file is born without group/other access, even under umask 000 and before any chmod', async () => {
    fsHooks.skipChmod = true;
    const { value: s, umaskAfter } = await withUmask(0o000, () => start());
    expect((await lstat(s.path)).mode & 0o077).toBe(0);
    // The umask is put back right after listening.
    expect(umaskAfter).toBe(0o000);
    expect(await callSocket(s.path, 'gpu.info', {})).toMatchObject({ foreground: 0 });
  });

  it('nobody cannot connect in the gap between listen and chmod', async (ctx) => {
    if (!isRoot) return ctx.skip('needs root to run a client as nobody');
    if (spawnSync('runuser', ['--help']).error) return ctx.skip('runuser not available');
    fsHooks.skipChmod = true;
    const { value: s } = await withUmask(0o000, () => start());
    fsHooks.skipChmod = false;
    // Even if the directory check were bypassed (say the directory is opened up afterwards)…
    await chmod(dir, 0o755);
    const client = `const c = require('node:net').connect(${JSON.stringify(s.path)}); c.on('connect', () => { console.log('connected'); c.destroy(); }); c.on('error', (e) => console.log(e.code));`;
    const r = spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, '-e', client], { encoding: 'utf8', timeout: 10_000 });
    // …the socket file itself keeps nobody out.
    expect(r.stdout.trim()).toBe('EACCES');
  });

  it('refuses a socket directory other users can enter, naming it, its mode and owner, and what to do', async () => {
    for (const mode of [0o755, 0o777, 0o1777, 0o710, 0o701]) {
      const open = join(dir, `open-${mode.toString(8)}`);
      await mkdir(open);
      await chmod(open, mode);
      const path = join(open, 'gvt-desk.sock');
      const err = await start(path).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnsafeSocketDirError);
      expect((err as Error).message).toBe(
        `refusing to listen on ${path}: its directory ${open} (mode ${mode.toString(8).padStart(4, '0')}, owner uid ${process.getuid!()}) is open to other users; ` +
          `use a directory only you can enter (chmod 700 ${open}), or pass --socket PATH inside your data dir`,
      );
      await expect(lstat(path)).rejects.toMatchObject({ code: 'ENOENT' });
      // The directory is left as it was.
      expect((await stat(open)).mode & 0o7777).toBe(mode);
    }
  });

  it('refuses a socket directory another user owns, even with mode 0700', async (ctx) => {
    if (!isRoot) return ctx.skip('needs root to chown the directory to nobody');
    const theirs = join(dir, 'theirs');
    await mkdir(theirs, { mode: 0o700 });
    await chown(theirs, NOBODY, NOBODY);
    const path = join(theirs, 'gvt-desk.sock');
    const err = await start(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsafeSocketDirError);
    expect((err as Error).message).toBe(
      `refusing to listen on ${path}: its directory ${theirs} (mode 0700, owner uid ${NOBODY}) belongs to another user, not to you (uid 0); ` +
        `use a directory you own with mode 0700, or pass --socket PATH inside your data dir`,
    );
    await expect(lstat(path)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('tightens its own data dir to 0700 when the socket sits in it, instead of refusing', async () => {
    const data = join(dir, 'data');
    await mkdir(data);
    await chmod(data, 0o755);
    const s = await start(join(data, 'gvt-desk.sock'), data);
    expect((await stat(data)).mode & 0o777).toBe(0o700);
    expect(await callSocket(s.path, 'gpu.info', {})).toMatchObject({ foreground: 0 });
    // A --socket elsewhere is not the data dir: its directory is refused, not changed.
    const elsewhere = join(dir, 'elsewhere');
    await mkdir(elsewhere);
    await chmod(elsewhere, 0o755);
    await expect(start(join(elsewhere, 'x.sock'), data)).rejects.toBeInstanceOf(UnsafeSocketDirError);
    expect((await stat(elsewhere)).mode & 0o777).toBe(0o755);
  });

  it('a directory it creates really is 0700 whatever the umask', async () => {
    const { value: s } = await withUmask(0o277, () => start(join(dir, 'made', 'gvt.sock')));
    expect((await stat(join(dir, 'made'))).mode & 0o777).toBe(0o700);
    expect((await stat(s.path)).mode & 0o777).toBe(0o600);
  });
});
