/**
 * Fuzz the API dispatcher of a real host (built workers, real GPU thread) with random requests
 * and hostile paths: no request crashes the host or runs past a time bound, and no file outside
 * the allowed set is written, created, or has its contents returned.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHost } from '../../src/main/host/host';
import type { HostApi } from '../../src/main/host/host-api';
import { handleRequest } from '../../src/main/host/protocol';
import { methods } from '../../src/shared/api';
import { ROOT } from './harness';

// A secret token placed past the first 40 characters of one long word: an error may quote at most
// 40 characters of an offending token, so the secret can never show in any response.
const SECRET = 'SENTINELSECRET7Q';
const SECRET_TEXT = `${'A'.repeat(48)}${SECRET}\nroot:${'B'.repeat(44)}${SECRET}:19000:0:99999:7:::\n`;
const PER_REQUEST_MS = 10_000;

let top: string;
let data: string;
let outside: string;
let host: HostApi;

/** Every file under `dir`: path → content + mtime (FIFOs and symlinks by kind only). */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.set(p, `${statSync(p).mtimeMs}:${readFileSync(p, 'utf8')}`);
      else out.set(p, e.isFIFO() ? 'fifo' : e.isSymbolicLink() ? 'symlink' : 'other');
    }
  };
  walk(dir);
  return out;
}

beforeAll(async () => {
  top = mkdtempSync(join(tmpdir(), 'gvt-fuzz-'));
  data = join(top, 'data');
  outside = join(top, 'outside');
  mkdirSync(join(data, 'monitors'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret.txt'), SECRET_TEXT);
  writeFileSync(join(outside, 'shadow'), SECRET_TEXT);
  writeFileSync(join(outside, 'monitor.config'), `# ${SECRET_TEXT}`);
  execFileSync('mkfifo', [join(outside, 'fifo')]);
  execFileSync('mkfifo', [join(data, 'monitors', 'fifo.config')]);
  symlinkSync(join(outside, 'secret.txt'), join(data, 'monitors', 'link.config'));
  symlinkSync(outside, join(data, 'outdir'));
  host = await createHost({ dataDir: data, workerDir: join(ROOT, 'out/main') });
});

afterAll(async () => {
  await host?.close();
  rmSync(top, { recursive: true, force: true });
});

describe('host regressions (hardening findings)', () => {
  const call = (method: string, params: unknown) => handleRequest(host, { id: 1, method, params }, { log: () => undefined });

  it('monitorConfig.read/write refuse /etc/shadow, /etc/passwd, /proc/self/environ and paths outside the data dir', async () => {
    for (const path of ['/etc/shadow', '/etc/passwd', '/proc/self/environ', join(outside, 'secret.txt')]) {
      const r = await call('monitorConfig.read', { path });
      expect(r, path).toMatchObject({ error: { code: 'invalid', message: expect.stringContaining("outside GVT Desk's file boundary") } });
    }
    const w = await call('monitorConfig.write', { path: join(outside, 'planted.config'), text: '11\n0401\n' + '00ffffffffffff00'.padEnd(256, '0') + '\n' });
    expect('error' in w).toBe(true);
    expect(readdirSync(outside)).not.toContain('planted.config');
  });

  it('eight xl create /dev/zero and four FIFO reads neither exhaust the heap nor block file I/O', async () => {
    const answers = await Promise.all([
      ...Array.from({ length: 8 }, () => call('console.exec', { line: 'xl create /dev/zero' })),
      ...Array.from({ length: 4 }, () => call('console.exec', { line: `xl create ${join(outside, 'fifo')}` })),
      ...Array.from({ length: 4 }, () => call('monitorConfig.read', { path: join(data, 'monitors', 'fifo.config') })),
    ]);
    for (const a of answers.slice(0, 8)) expect(JSON.stringify(a)).toContain('/dev/zero: is a character device, not a regular file');
    for (const a of answers.slice(8, 12)) expect(JSON.stringify(a)).toContain('is a FIFO, not a regular file');
    for (const a of answers.slice(12)) expect(a).toMatchObject({ error: { code: 'invalid', message: expect.stringContaining('is a FIFO, not a regular file') } });
    // File I/O still works afterwards.
    expect(await call('monitorConfig.read', { path: join(data, 'monitors', 'none.config') })).toMatchObject({ result: { text: null } });
  });

  it('the Dom0 console keeps the 1 MiB config limit; xl create of a shadow-like file does not echo it', async () => {
    const big = join(outside, 'big.cfg');
    writeFileSync(big, `name = 'big'\n${'# x\n'.repeat(300_000)}`);
    const r = await call('console.exec', { line: `xl create ${big}` });
    expect(JSON.stringify(r)).toMatch(/big.cfg: is \d+ bytes; the limit is 1048576 bytes/);
    const lib = await call('domains.list', {});
    expect(JSON.stringify(lib)).not.toContain('"big"');
    const shadow = await call('console.exec', { line: `xl create ${join(outside, 'shadow')}` });
    expect(JSON.stringify(shadow)).not.toContain(SECRET);
    expect(JSON.stringify(shadow)).toContain('cannot import shadow: it has no usable name');
  });
});

describe('API fuzz', () => {
  it('random requests with hostile paths: no crash, no hang, nothing outside touched or leaked', async () => {
    const before = snapshot(outside);
    const topBefore = readdirSync(top).sort();
    const paths = fc.oneof(
      fc.constantFrom(
        '/etc/shadow', '/etc/passwd', '/proc/self/environ', '/dev/zero', '/dev/random', '/dev/stdin', '/proc/self/fd/0',
        join(outside, 'secret.txt'), join(outside, 'shadow'), join(outside, 'monitor.config'), join(outside, 'fifo'), join(outside, 'new.config'),
        join(data, 'monitors', 'fifo.config'), join(data, 'monitors', 'link.config'), join(data, 'outdir', 'secret.txt'), join(data, 'outdir', 'planted.config'),
        join(data, 'monitors', '..', '..', 'outside', 'secret.txt'), join(data, 'monitors', 'ok.config'), join(data, 'monitors'), data,
        'relative/monitor.config', '../../etc/passwd', '/tmp/a\0b', `/${'x'.repeat(4000)}`,
      ),
      fc.string({ maxLength: 64 }),
    );
    const consoleLine = fc.oneof(
      paths.map((p) => `xl create ${p}`),
      paths.map((p) => `cat ${p}`),
      fc.tuple(fc.string({ maxLength: 20 }), paths).map(([v, p]) => `echo ${v} > ${p}`),
      paths.map((p) => `ls ${p}`),
      fc.string({ maxLength: 200 }),
    );
    const text = fc.oneof(fc.constant(SECRET_TEXT), fc.constant("name = 'fz'\nmemory = 64\n"), fc.constant('11\n0401\n00ff\n'), fc.string({ maxLength: 300 }));
    const name = fc.oneof(fc.constant('fz'), fc.string({ maxLength: 70 }));
    const domid = fc.oneof(fc.nat(10), fc.integer());
    // Well-formed params per method (the schemas are strict, so random keys alone never get past them).
    const shaped = fc.oneof(
      fc.record({ method: fc.constant('monitorConfig.read'), params: fc.record({ path: paths }) }),
      fc.record({ method: fc.constant('monitorConfig.write'), params: fc.record({ path: paths, text }) }),
      fc.record({ method: fc.constant('console.exec'), params: fc.record({ line: consoleLine }) }),
      fc.record({ method: fc.constant('library.import'), params: fc.record({ fileName: fc.oneof(fc.constant('fz.cfg'), fc.string({ maxLength: 20 })), text, replace: fc.boolean() }) }),
      fc.record({ method: fc.constantFrom('library.get', 'library.remove', 'domain.start'), params: fc.record({ name }) }),
      fc.record({ method: fc.constant('library.save'), params: fc.record({ name, text }) }),
      fc.record({ method: fc.constant('sysfs.read'), params: fc.record({ path: paths }) }),
      fc.record({ method: fc.constant('sysfs.write'), params: fc.record({ path: paths, value: fc.string({ maxLength: 20 }) }) }),
      fc.record({ method: fc.constant('files.choose'), params: fc.record({ purpose: fc.constant('monitorConfig'), mode: fc.constantFrom('open', 'save') }) }),
      fc.record({ method: fc.constantFrom('files.info', 'domains.list', 'gpu.info', 'gpu.types', 'settings.get'), params: fc.constant({}) }),
      fc.record({ method: fc.constantFrom('domain.destroy'), params: fc.record({ ref: fc.oneof(fc.nat(10), fc.string({ maxLength: 10 })) }) }),
      fc.record({ method: fc.constantFrom('ports.list', 'edidRegion.get'), params: fc.record({ domid }) }),
    );
    const method = fc.oneof(fc.constantFrom(...Object.keys(methods)), fc.string({ maxLength: 30 }));
    const request = fc.oneof(
      { arbitrary: fc.tuple(fc.nat(), shaped).map(([id, r]) => ({ id, ...r })), weight: 6 },
      { arbitrary: fc.record({ id: fc.nat(), method, params: fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(paths, fc.anything())) }), weight: 1 },
      { arbitrary: fc.anything(), weight: 1 },
    );

    await fc.assert(
      fc.asyncProperty(request, async (req) => {
        let timer: NodeJS.Timeout | undefined;
        const response = await Promise.race([
          handleRequest(host, req, { log: () => undefined }),
          new Promise<never>((_, fail) => (timer = setTimeout(() => fail(new Error(`no answer in ${PER_REQUEST_MS} ms to ${JSON.stringify(req).slice(0, 200)}`)), PER_REQUEST_MS))),
        ]).finally(() => clearTimeout(timer));
        expect(response).toHaveProperty('id');
        const wire = JSON.stringify(response);
        expect(wire).not.toContain(SECRET);
        if ('error' in response) expect(['invalid', 'not_found', 'exists', 'no_resources', 'busy', 'config', 'internal']).toContain(response.error.code);
      }),
      { numRuns: 400, seed: 20261127, interruptAfterTimeLimit: 90_000 },
    );

    // The host still answers, nothing outside the data dir changed or appeared.
    expect((await handleRequest(host, { id: 1, method: 'gpu.info', params: {} })) as object).toHaveProperty('result');
    expect(snapshot(outside)).toEqual(before);
    expect(readdirSync(top).sort()).toEqual(topBefore);
  }, 180_000);
});
