/**
 * The library's files: special files and oversized ones never hang or crash a listing, and saves
 * killed with SIGKILL never lose or corrupt a definition nor leave temp files after the next open.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Library } from '../../../src/main/vm/library';
import { FILE_LIMITS } from '../../../src/main/files/checked-io';

const TEMP = /\.(cfg|meta\.json)\.\d+$/;

describe('library files', () => {
  it('a FIFO, a device link, a symlink or an oversized .cfg is listed as an entry with an error, at once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gvt-lib-special-'));
    execFileSync('mkfifo', [join(dir, 'fifo.cfg')]);
    symlinkSync('/dev/zero', join(dir, 'zero.cfg'));
    symlinkSync('/etc/passwd', join(dir, 'passwd.cfg'));
    writeFileSync(join(dir, 'big.cfg'), '');
    truncateSync(join(dir, 'big.cfg'), FILE_LIMITS.config + 1);
    writeFileSync(join(dir, 'ok.cfg'), "name = 'ok'\n");
    const list = new Library(dir).list();
    const byName = Object.fromEntries(list.map((e) => [e.name, e]));
    expect(byName.ok!.spec).not.toBeNull();
    expect(byName.fifo!.findings[0]!.message).toMatch(/is a FIFO, not a regular file/);
    expect(byName.zero!.findings[0]!.message).toMatch(/is a symbolic link/);
    expect(byName.passwd!.findings[0]!.message).toMatch(/is a symbolic link/);
    expect(byName.passwd!.text).toBe('');
    expect(byName.big!.findings[0]!.message).toMatch(/is 1048577 bytes; the limit is 1048576 bytes/);
  });

  it('metadata that is not JSON is reported without quoting it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gvt-lib-meta-'));
    writeFileSync(join(dir, 'a.cfg'), "name = 'a'\n");
    writeFileSync(join(dir, 'a.meta.json'), 'root:$6$secrethash:19000:0:99999:7:::');
    const [e] = new Library(dir).list();
    expect(e!.findings[0]!.message).toBe('library metadata unreadable (not valid JSON); the original file name is lost');
  });

  it('opening the library removes temp files a killed save left behind', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gvt-lib-temp-'));
    writeFileSync(join(dir, 'a.cfg'), "name = 'a'\n");
    writeFileSync(join(dir, 'a.cfg.2882343476'), "name = 'a'\nmemo");
    writeFileSync(join(dir, 'a.meta.json.17'), '{');
    new Library(dir);
    expect(readdirSync(dir)).toEqual(['a.cfg']);
  });
});

describe('kill -9 during saves', () => {
  let bundle: string;
  let work: string;
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'gvt-lib-crash-'));
    bundle = join(work, 'save-loop.cjs');
    await build({ entryPoints: [join(__dirname, 'crash', 'save-loop.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: bundle, logLevel: 'silent' });
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('30 trials: every definition survives intact and no temp file is left after the next open', async () => {
    const domains = 4;
    let tempsSeen = 0;
    for (let trial = 0; trial < 30; trial++) {
      const dir = join(work, `lib${trial}`);
      const lib = new Library(dir);
      for (let i = 0; i < domains; i++) lib.import(`vm${i}.cfg`, `name = 'vm${i}'\nmemory = 512\n`);
      const child: ChildProcess = spawn(process.execPath, [bundle, dir, String(domains)], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((ok, fail) => {
        child.stdout!.once('data', () => ok());
        child.once('exit', (code) => fail(new Error(`save loop exited early (${code})`)));
      });
      // Kill at a different point of the loop each trial.
      await new Promise((r) => setTimeout(r, 5 + ((trial * 7) % 40)));
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
      tempsSeen += readdirSync(dir).filter((f) => TEMP.test(f)).length;
      const reopened = new Library(dir);
      expect(readdirSync(dir).filter((f) => TEMP.test(f)), `trial ${trial}`).toEqual([]);
      const list = reopened.list();
      expect(list.map((e) => e.name), `trial ${trial}`).toEqual(['vm0', 'vm1', 'vm2', 'vm3']);
      for (const e of list) {
        expect(e.findings, `trial ${trial} ${e.name}`).toEqual([]);
        expect(e.spec?.memoryMiB, `trial ${trial} ${e.name}`).toBeGreaterThanOrEqual(512);
      }
    }
    // The kills really did land mid-save sometimes (otherwise the test proves nothing about temp files).
    expect(tempsSeen).toBeGreaterThan(0);
  }, 120_000);
});
