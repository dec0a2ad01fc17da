import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileBoundary, GRANTS_FILE } from '../../../src/main/files/boundary';
import { FileAccessError } from '../../../src/main/files/checked-io';

function setup() {
  const top = mkdtempSync(join(tmpdir(), 'boundary-'));
  const data = join(top, 'data');
  mkdirSync(join(data, 'monitors'), { recursive: true });
  writeFileSync(join(top, 'outside.config'), 'secret outside');
  writeFileSync(join(data, 'monitors', 'in.config'), 'inside');
  return { top, data, b: new FileBoundary(data) };
}

async function refusal(p: Promise<unknown>): Promise<FileAccessError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(FileAccessError);
    return e as FileAccessError;
  }
  throw new Error('expected a refusal');
}

describe('file boundary', () => {
  it('reads and writes under the data dir', async () => {
    const { data, b } = setup();
    expect((await b.read(join(data, 'monitors', 'in.config'), 100, 'monitor.config')).bytes.toString()).toBe('inside');
    await b.write(join(data, 'monitors', 'new.config'), 'x', 'monitor.config');
    expect(readFileSync(join(data, 'monitors', 'new.config'), 'utf8')).toBe('x');
  });

  it('refuses /etc/shadow, /etc/passwd, /proc/self/environ and any other path outside, without touching them', async () => {
    const { top, b } = setup();
    for (const p of ['/etc/shadow', '/etc/passwd', '/proc/self/environ', join(top, 'outside.config'), '/no/such/dir/x.config']) {
      const e = await refusal(b.read(p, 1 << 16, 'monitor.config'));
      // 'outside' even for a path that does not exist: the check happens before any filesystem access.
      expect(e.reason, p).toBe('outside');
      expect(e.message).toContain("outside GVT Desk's file boundary");
      expect((await refusal(b.write(p, 'x', 'monitor.config'))).reason).toBe('outside');
    }
    expect(readFileSync(join(top, 'outside.config'), 'utf8')).toBe('secret outside');
  });

  it('canonicalises before the check: .. and symlinks out of the data dir are refused', async () => {
    const { top, data, b } = setup();
    expect((await refusal(b.read(join(data, 'monitors', '..', '..', 'outside.config'), 100, 'x'))).reason).toBe('outside');
    symlinkSync(join(top, 'outside.config'), join(data, 'monitors', 'escape.config'));
    expect((await refusal(b.read(join(data, 'monitors', 'escape.config'), 100, 'x'))).reason).toBe('outside');
    expect((await refusal(b.write(join(data, 'monitors', 'escape.config'), 'x', 'x'))).reason).toBe('outside');
    symlinkSync(top, join(data, 'dirlink'));
    expect((await refusal(b.write(join(data, 'dirlink', 'planted.config'), 'x', 'x'))).reason).toBe('outside');
    expect(existsSync(join(top, 'planted.config'))).toBe(false);
    expect(readFileSync(join(top, 'outside.config'), 'utf8')).toBe('secret outside');
  });

  it('refuses relative paths and NUL bytes', async () => {
    const { b } = setup();
    expect((await refusal(b.read('monitors/in.config', 100, 'x'))).reason).toBe('invalid');
    expect((await refusal(b.read('/tmp/a\0b', 100, 'x'))).reason).toBe('invalid');
  });

  it('a granted file (chosen in a dialog) is allowed, and stays allowed after a restart', async () => {
    const { top, data, b } = setup();
    const chosen = join(top, 'outside.config');
    await b.grant(chosen);
    expect((await b.read(chosen, 100, 'x')).bytes.toString()).toBe('secret outside');
    const again = new FileBoundary(data);
    expect((await again.read(chosen, 100, 'x')).bytes.toString()).toBe('secret outside');
    expect(JSON.parse(readFileSync(join(data, GRANTS_FILE), 'utf8')).files).toContain(chosen);
    // A grant is for that file only, not its directory.
    writeFileSync(join(top, 'sibling.config'), 'no');
    expect((await refusal(again.read(join(top, 'sibling.config'), 100, 'x'))).reason).toBe('outside');
  });

  it("a path the user typed ('user' authority) skips the data-dir rule, not the checked reader", async () => {
    const { top, b } = setup();
    expect((await b.read(join(top, 'outside.config'), 100, 'config file', 'user')).bytes.toString()).toBe('secret outside');
    expect((await refusal(b.read('/dev/zero', 100, 'config file', 'user'))).reason).toBe('not_regular');
  });

  it('a malformed grants file grants nothing', async () => {
    const { top, data } = setup();
    writeFileSync(join(data, GRANTS_FILE), JSON.stringify({ files: [join(top, 'outside.config')], extra: 1 }));
    const b = new FileBoundary(data);
    expect((await refusal(b.read(join(top, 'outside.config'), 100, 'x'))).reason).toBe('outside');
  });
});
