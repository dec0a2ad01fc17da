import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, truncateSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FILE_LIMITS, FileAccessError, readRegularFile, readRegularFileSync, removeStaleTempFiles, writeFileAtomically, writeFileAtomicallySync } from '../../../src/main/files/checked-io';

const tmp = () => mkdtempSync(join(tmpdir(), 'checked-io-'));

async function reason(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(FileAccessError);
    return `${(e as FileAccessError).reason}: ${(e as Error).message}`;
  }
  throw new Error('expected a FileAccessError');
}

function reasonSync(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(FileAccessError);
    return `${(e as FileAccessError).reason}: ${(e as Error).message}`;
  }
  throw new Error('expected a FileAccessError');
}

describe('checked reader: regular files only, bounded', () => {
  it('reads a regular file whole', async () => {
    const d = tmp();
    writeFileSync(join(d, 'a.cfg'), "name='a'\n");
    expect((await readRegularFile(join(d, 'a.cfg'), 100, 'config')).toString()).toBe("name='a'\n");
    expect(readRegularFileSync(join(d, 'a.cfg'), 100, 'config').toString()).toBe("name='a'\n");
  });

  it('a FIFO with no writer is refused at once (async and sync), never holding a thread', async () => {
    const d = tmp();
    const fifo = join(d, 'fifo.hvm');
    execFileSync('mkfifo', [fifo]);
    // Four concurrent reads used to occupy all of libuv's file threads until someone wrote the FIFO.
    const all = await Promise.all([1, 2, 3, 4, 5].map(() => reason(readRegularFile(fifo, FILE_LIMITS.config, 'config file'))));
    for (const r of all) expect(r).toBe(`not_regular: config file ${fifo}: is a FIFO, not a regular file`);
    expect(reasonSync(() => readRegularFileSync(fifo, FILE_LIMITS.config, 'config file'))).toMatch(/is a FIFO/);
  });

  it('devices, directories and sockets are refused before a byte is read', async () => {
    expect(await reason(readRegularFile('/dev/zero', FILE_LIMITS.config, 'config file'))).toBe('not_regular: config file /dev/zero: is a character device, not a regular file');
    expect(await reason(readRegularFile('/dev/null', FILE_LIMITS.config, 'x'))).toMatch(/character device/);
    expect(await reason(readRegularFile(tmp(), FILE_LIMITS.config, 'x'))).toMatch(/^not_regular: .*is a directory/);
  });

  it('a file over the limit is refused from its size, and one that lies about its size (procfs) is cut at limit + 1 bytes', async () => {
    const d = tmp();
    writeFileSync(join(d, 'big'), '');
    truncateSync(join(d, 'big'), FILE_LIMITS.edid + 1);
    expect(await reason(readRegularFile(join(d, 'big'), FILE_LIMITS.edid, 'EDID file'))).toBe(`too_large: EDID file ${join(d, 'big')}: is 32769 bytes; the limit is 32768 bytes`);
    // /proc/self/environ reports size 0 but holds the environment.
    const env = readFileSync('/proc/self/environ');
    expect(env.length).toBeGreaterThan(8);
    expect(await reason(readRegularFile('/proc/self/environ', 8, 'x'))).toMatch(/^too_large: x \/proc\/self\/environ: is larger than the limit of 8 bytes/);
    expect(reasonSync(() => readRegularFileSync('/proc/self/environ', 8, 'x'))).toMatch(/^too_large/);
    expect((await readRegularFile('/proc/self/environ', env.length + 4096, 'x')).length).toBeGreaterThan(8);
  });

  it('a symlink as the last component is refused (callers pass canonical paths); a missing file is not_found', async () => {
    const d = tmp();
    writeFileSync(join(d, 'real'), 'x');
    symlinkSync(join(d, 'real'), join(d, 'link'));
    expect(await reason(readRegularFile(join(d, 'link'), 10, 'x'))).toMatch(/^symlink: .*is a symbolic link/);
    expect(await reason(readRegularFile(join(d, 'none'), 10, 'x'))).toMatch(/^not_found: .*No such file or directory/);
  });

  it('errors never quote the file', async () => {
    const d = tmp();
    writeFileSync(join(d, 'secret'), 'root:$6$abcdefghijklmnop:19000:0:99999:7:::\n'.repeat(10));
    const r = await reason(readRegularFile(join(d, 'secret'), 20, 'config file'));
    expect(r).not.toContain('root:');
  });
});

describe('atomic writes and their leftovers', () => {
  it('replaces a file; refuses a FIFO, a symlink or a directory as the target', async () => {
    const d = tmp();
    await writeFileAtomically(join(d, 'a'), 'one', 'x');
    writeFileAtomicallySync(join(d, 'a'), 'two', 'x');
    expect(readFileSync(join(d, 'a'), 'utf8')).toBe('two');
    execFileSync('mkfifo', [join(d, 'fifo')]);
    expect(await reason(writeFileAtomically(join(d, 'fifo'), 'x', 'monitor.config'))).toMatch(/^not_regular: .*is a FIFO/);
    symlinkSync('/etc/passwd', join(d, 'link'));
    expect(await reason(writeFileAtomically(join(d, 'link'), 'x', 'monitor.config'))).toMatch(/^symlink/);
    mkdirSync(join(d, 'dir'));
    expect(reasonSync(() => writeFileAtomicallySync(join(d, 'dir'), 'x', 'x'))).toMatch(/is a directory/);
    expect(await reason(writeFileAtomically(join(d, 'no', 'such'), 'x', 'x'))).toMatch(/^not_found: .*the directory does not exist/);
  });

  it("removeStaleTempFiles removes write-file-atomic's <target>.<n> files of our targets only", () => {
    const d = tmp();
    for (const f of ['a.cfg', 'a.cfg.123456789', 'a.meta.json.42', 'notes.txt.7', 'a.cfg.x1', 'b.cfg.4294967295']) writeFileSync(join(d, f), 'x');
    mkdirSync(join(d, 'c.cfg.5'));
    const removed = removeStaleTempFiles(d, (t) => t.endsWith('.cfg') || t.endsWith('.meta.json'));
    expect(removed.sort()).toEqual(['a.cfg.123456789', 'a.meta.json.42', 'b.cfg.4294967295']);
    expect(readdirSync(d).sort()).toEqual(['a.cfg', 'a.cfg.x1', 'c.cfg.5', 'notes.txt.7']);
    expect(removeStaleTempFiles(join(d, 'missing'), () => true)).toEqual([]);
    expect(existsSync(join(d, 'a.cfg'))).toBe(true);
  });
});
