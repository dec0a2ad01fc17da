import { spawn } from 'node:child_process';
import { lstat, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../../src/shared/api';
import { SocketInUseError, startSocketServer, type SocketServer } from '../../../src/main/host/socket-server';
import { NoHostError, callSocket } from '../../../src/main/cli/socket-client';
import { createFakeHost, type FakeHost } from '../fakes/fake-host';

let dir: string;
let host: FakeHost;
const servers: SocketServer[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gvt-sock-'));
  host = createFakeHost();
});

afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  await rm(dir, { recursive: true, force: true });
});

async function start(path = join(dir, 'gvt-desk.sock')): Promise<SocketServer> {
  const s = await startSocketServer({ host, path, log: vi.fn() });
  servers.push(s);
  return s;
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
});
