/**
 * The Dom0 filesystem view: /etc/xen (the guides' examples and the library), the data dir mounted
 * read-only at /var/lib/gvt-desk through the checked reader, /dev/null, and how `xl create FILE`
 * finds a config (cwd, /etc/xen, a path on the machine, a library name).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FILE_LIMITS } from '../../../src/main/files/checked-io';
import { dom0Rig } from './dom0-rig';

describe('/etc/xen', () => {
  it("lists the guides' examples read-only and one file per library domain, under the name it was written as", async () => {
    const d = dom0Rig();
    expect((await d.sh('ls /etc/xen')).output).toBe('xlexample.hvm  xmexample.conf  xmexample.hvm\n');
    expect((await d.sh('cat /etc/xen/xmexample.conf | grep -c vgt_')).output).toBe('3\n');
    await d.sh("cat > /etc/xen/a.hvm <<EOF\nname = 'alpha'\nEOF");
    await d.sh("cat > /etc/xen/a.hvm <<EOF\nname = 'beta'\nEOF");
    await d.sh('xl create xlexample.hvm');
    // Two domains written as a.hvm: the second (by name) shows as its library file name; so does
    // the domain imported from the example, whose name the example keeps.
    expect((await d.sh('ls -1 /etc/xen')).output).toBe('a.hvm\nbeta.cfg\nvgtHVMDomain.cfg\nxlexample.hvm\nxmexample.conf\nxmexample.hvm\n');
    expect((await d.sh('cat /etc/xen/beta.cfg')).output).toBe("name = 'beta'\n");
    expect(await d.sh('cat /etc/xen/nosuch')).toEqual({ output: 'cat: /etc/xen/nosuch: No such file or directory\n', exitCode: 1 });
    expect(await d.sh('cat /etc/xen')).toEqual({ output: 'cat: /etc/xen: Is a directory\n', exitCode: 1 });
  });

  it('a written config without a usable name is refused with the library\'s findings', async () => {
    const d = dom0Rig();
    const r = await d.sh('echo memory = 64 > /etc/xen/noname.hvm');
    expect(r.exitCode).toBe(1);
    expect(r.output).toMatch(/^sh: echo: cannot import noname.hvm: it has no usable name:\nnoname.hvm:1:1: error: name: required/);
    expect((await d.sh('ls /etc/xen')).output).not.toContain('noname');
  });

  it('xl create of a library domain\'s own file starts it as stored, without importing again', async () => {
    const d = dom0Rig();
    await d.sh("cat > /etc/xen/mine.hvm <<EOF\nname = 'mine'\nmemory = 128\nEOF");
    const before = d.calls.length;
    expect(await d.sh('cd /etc/xen; xl create mine.hvm')).toEqual({ output: 'Parsing config from mine.hvm\n', exitCode: 0 });
    expect(d.calls.slice(before).map(([m]) => m)).not.toContain('library.import');
    expect((await d.sh('xl list mine')).output).toMatch(/^mine +1 +128 +1 /m);
  });
});

describe('/var/lib/gvt-desk (the data dir, read-only)', () => {
  it('ls and cat go through the checked reader: regular files only, never out of the data dir, no machine path in errors', async () => {
    const d = dom0Rig();
    await d.sh('xl create xlexample.hvm');
    mkdirSync(join(d.dataDir, 'monitors'));
    writeFileSync(join(d.dataDir, 'monitors', 'pa238.config'), '11\n0401\n');
    execFileSync('mkfifo', [join(d.dataDir, 'fifo')]);
    const outside = mkdtempSync(join(tmpdir(), 'outside-'));
    writeFileSync(join(outside, 'secret'), 'SECRET');
    symlinkSync(join(outside, 'secret'), join(d.dataDir, 'link'));
    writeFileSync(join(d.dataDir, 'big'), '');
    truncateSync(join(d.dataDir, 'big'), FILE_LIMITS.config + 1);

    expect((await d.sh('ls /var/lib/gvt-desk')).output).toBe('big  domains  fifo  link  monitors\n');
    expect((await d.sh('ls /var/lib/gvt-desk/domains')).output).toBe('vgtHVMDomain.cfg  vgtHVMDomain.meta.json\n');
    expect((await d.sh('cat /var/lib/gvt-desk/monitors/pa238.config')).output).toBe('11\n0401\n');
    expect((await d.sh('grep vgt_fence /var/lib/gvt-desk/domains/vgtHVMDomain.cfg')).output).toBe('vgt_fence_sz=4\n');
    const refused = await d.sh('cat /var/lib/gvt-desk/fifo /var/lib/gvt-desk/link /var/lib/gvt-desk/big /var/lib/gvt-desk/domains /var/lib/gvt-desk/none');
    expect(refused).toEqual({
      output:
        'cat: /var/lib/gvt-desk/fifo: is a FIFO, not a regular file\n' +
        'cat: /var/lib/gvt-desk/link: Permission denied (it leads out of the data dir)\n' +
        `cat: /var/lib/gvt-desk/big: is ${FILE_LIMITS.config + 1} bytes; the limit is ${FILE_LIMITS.config} bytes\n` +
        'cat: /var/lib/gvt-desk/domains: Is a directory\n' +
        'cat: /var/lib/gvt-desk/none: No such file or directory\n',
      exitCode: 1,
    });
    expect(refused.output).not.toContain(d.dataDir);
    expect(refused.output).not.toContain('SECRET');
  });
});

describe('xl create FILE', () => {
  it('looks in the working directory, then /etc/xen, then (for an absolute path) the machine, then the library', async () => {
    const d = dom0Rig();
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    writeFileSync(join(dir, 'mine.hvm'), "name = 'onDisk'\nmemory = 64\n");
    expect(await d.sh(`xl create ${join(dir, 'mine.hvm')}`)).toEqual({ output: `Parsing config from ${join(dir, 'mine.hvm')}\n`, exitCode: 0 });
    expect(d.library.get('onDisk').fileName).toBe('mine.hvm');
    await d.sh('xl destroy onDisk');
    expect(await d.sh('xl create onDisk')).toEqual({ output: 'Parsing config from onDisk\n', exitCode: 0 });
    expect(await d.sh('cd /sys; xl create xlexample.hvm')).toEqual({ output: 'Parsing config from xlexample.hvm\n', exitCode: 0 });
    expect(await d.sh('xl create nosuch.hvm')).toEqual({ output: 'Failed to read config file: nosuch.hvm: No such file or directory\n', exitCode: 1 });
    expect(await d.sh('xl create /nope/x.cfg')).toEqual({ output: 'Failed to read config file: /nope/x.cfg: No such file or directory\n', exitCode: 1 });
  });

  it('a FIFO, a device, a directory or an oversized file on the machine is refused at once, nothing imported', async () => {
    const d = dom0Rig();
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    execFileSync('mkfifo', [join(dir, 'fifo.hvm')]);
    writeFileSync(join(dir, 'big.hvm'), '');
    truncateSync(join(dir, 'big.hvm'), FILE_LIMITS.config + 1);
    const cases: [string, RegExp][] = [
      [`xl create ${join(dir, 'fifo.hvm')}`, /fifo.hvm: is a FIFO, not a regular file/],
      ['xl create /dev/zero', /\/dev\/zero: is a character device, not a regular file/],
      [`xl create ${dir}`, /is a directory, not a regular file/],
      [`xl create ${join(dir, 'big.hvm')}`, /big.hvm: is 1048577 bytes; the limit is 1048576 bytes/],
    ];
    for (const [line, message] of cases) {
      const r = await d.sh(line);
      expect(r.exitCode, line).toBe(1);
      expect(r.output, line).toMatch(message);
    }
    expect(d.calls.filter(([m]) => m === 'library.import' || m === 'domain.start')).toEqual([]);
  });

  it('a config that cannot start says why after "Parsing config from"', async () => {
    const d = dom0Rig();
    await d.sh("cat > /etc/xen/bad.hvm <<EOF\nname = 'bad'\nmemory = 'lots'\nEOF");
    const r = await d.sh('xl create bad.hvm');
    expect(r).toEqual({ output: "Parsing config from bad.hvm\nbad cannot start:\nbad.hvm:2:1: error: memory: must be a number of MiB, got 'lots'\n", exitCode: 1 });
  });
});

describe('/dev/null', () => {
  it('reads empty and swallows writes', async () => {
    const d = dom0Rig();
    expect(await d.sh('cat /dev/null; ls /dev; echo x >> /dev/null')).toEqual({ output: 'null\n', exitCode: 0 });
  });
});
