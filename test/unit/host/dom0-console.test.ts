import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiError, type DomainInfo } from '../../../src/shared/api';
import { Dom0Console, formatXlList, splitWords } from '../../../src/main/host/dom0-console';
import { FILE_LIMITS, readRegularFile } from '../../../src/main/files/checked-io';

const dom = (name: string, domid: number, memoryMiB: number, timeS: number): DomainInfo => ({ name, domid, state: 'running', xlState: domid === 0 ? 'r-----' : '-b----', shutdownRequest: null, memoryMiB, vcpus: 1, timeS, vgpu: null, configErrors: [], workload: 'desktop' });

function console0() {
  const calls: [string, unknown][] = [];
  let foreground = 0;
  const call = (async (method: string, params: Record<string, unknown>) => {
    calls.push([method, params]);
    switch (method) {
      case 'domains.list':
        return [dom('Domain-0', 0, 730, 1139.2), dom('vgtHVMDomain', 7, 2048, 1)];
      case 'library.import':
        return { name: 'vgtHVMDomain' };
      case 'library.get':
        if (params.name === 'known') return { name: 'known', fileName: 'known.cfg', text: '' };
        throw new ApiError('not_found', 'no');
      case 'domain.start':
        return { domid: 7 };
      case 'domain.destroy':
      case 'domain.pause':
      case 'domain.unpause':
      case 'domain.shutdown':
        return { domid: 7 };
      case 'domain.reboot':
        return { domid: 7, newDomid: params.wait ? 8 : null };
      case 'sysfs.read':
        return { value: `${foreground}\n` };
      case 'sysfs.write':
        if (!/^\d+$/.test(String(params.value))) throw new ApiError('invalid', `${params.path}: write error: Invalid argument`);
        foreground = Number(params.value);
        return { ok: true };
    }
    throw new Error(method);
  }) as ConstructorParameters<typeof Dom0Console>[0];
  const dir = mkdtempSync(join(tmpdir(), 'dom0-'));
  // The host's reader for typed paths: the checked reader with the config limit.
  const read = (p: string) => readRegularFile(p, FILE_LIMITS.config, 'config file');
  return { c: new Dom0Console(call, dir, async (p) => (p === '/sys/kernel/vgt' ? ['control', 'vm7'] : null), read), calls, dir };
}

describe('Dom0 console', () => {
  it('splits words with quotes and a redirect', () => {
    expect(splitWords(`echo "a b" 'c'>/x`)).toEqual(['echo', 'a b', 'c', '>', '/x']);
    expect(() => splitWords('echo "oops')).toThrow(/unterminated/);
  });

  it('xl list prints the seeds\' columns', () => {
    const out = formatXlList([dom('Domain-0', 0, 730, 1139.2), dom('ExampleHVMDomain', 7, 2048, 1)]);
    const [head, d0, d7] = out.split('\n');
    expect(head).toMatch(/^Name\s+ID\s+Mem\s+VCPUs\s+State\s+Time\(s\)$/);
    expect(d0).toMatch(/^Domain-0\s+0\s+730\s+1\s+r-----\s+1139\.2$/);
    expect(d7).toMatch(/^ExampleHVMDomain\s+7\s+2048\s+1\s+-b----\s+1\.0$/);
  });

  it('echo ID > foreground_vm and cat run the sysfs API', async () => {
    const { c, calls } = console0();
    expect(await c.exec('echo 7 > /sys/kernel/vgt/control/foreground_vm')).toEqual({ output: '', exitCode: 0 });
    expect(await c.exec('cat /sys/kernel/vgt/control/foreground_vm')).toEqual({ output: '7\n', exitCode: 0 });
    expect(calls[0]).toEqual(['sysfs.write', { path: '/sys/kernel/vgt/control/foreground_vm', value: '7' }]);
    const bad = await c.exec('echo x > /sys/kernel/vgt/control/foreground_vm');
    expect(bad.exitCode).toBe(1);
    expect(bad.output).toMatch(/Invalid argument/);
  });

  it('xl create FILE imports the file (relative to the cwd) and starts it; a library name also works', async () => {
    const { c, calls, dir } = console0();
    writeFileSync(join(dir, 'xlexample.hvm'), "name='vgtHVMDomain'\n");
    const r = await c.exec('xl create xlexample.hvm');
    expect(r).toEqual({ output: 'Parsing config from xlexample.hvm\nDomain vgtHVMDomain created with domid 7\n', exitCode: 0 });
    expect(calls.map((x) => x[0])).toEqual(['library.import', 'domain.start']);
    expect((await c.exec('xl create known')).exitCode).toBe(0);
    const missing = await c.exec('xl create /nope/x.cfg');
    expect(missing.exitCode).toBe(1);
    expect(missing.output).toMatch(/Failed to read config file: \/nope\/x.cfg: No such file or directory/);
  });

  it('xl create of a FIFO, a device, a directory or an oversized file is refused at once, nothing imported', async () => {
    const { c, calls, dir } = console0();
    execFileSync('mkfifo', [join(dir, 'fifo.hvm')]);
    writeFileSync(join(dir, 'big.hvm'), '');
    truncateSync(join(dir, 'big.hvm'), FILE_LIMITS.config + 1);
    const cases: [string, RegExp][] = [
      ['xl create fifo.hvm', /fifo.hvm: is a FIFO, not a regular file/],
      ['xl create /dev/zero', /\/dev\/zero: is a character device, not a regular file/],
      [`xl create ${dir}`, /is a directory, not a regular file/],
      ['xl create big.hvm', /big.hvm: is 1048577 bytes; the limit is 1048576 bytes/],
    ];
    for (const [line, message] of cases) {
      const r = await c.exec(line);
      expect(r.exitCode, line).toBe(1);
      expect(r.output, line).toMatch(message);
    }
    expect(calls).toEqual([]);
  });

  it('xl pause / unpause / shutdown / reboot go to the lifecycle API with xl\'s own messages', async () => {
    const { c, calls } = console0();
    expect(await c.exec('xl pause vgtHVMDomain')).toEqual({ output: '', exitCode: 0 });
    expect(await c.exec('xl unpause 7')).toEqual({ output: '', exitCode: 0 });
    expect((await c.exec('xl shutdown vgtHVMDomain')).output).toBe('Shutting down domain 7\n');
    expect((await c.exec('xl shutdown -w 7')).output).toBe('Shutting down domain 7\nWaiting for 1 domains\nDomain 7 has been shut down, reason code 0\n');
    expect((await c.exec('xl reboot -w vgtHVMDomain')).output).toBe('Rebooting domain 7\nWaiting for 1 domains\nDomain 7 has been shut down, reason code 1\nDomain 8 is up again\n');
    expect(calls.filter(([m]) => m.startsWith('domain.'))).toEqual([
      ['domain.pause', { ref: 'vgtHVMDomain' }],
      ['domain.unpause', { ref: 7 }],
      ['domain.shutdown', { ref: 'vgtHVMDomain', wait: false }],
      ['domain.shutdown', { ref: 7, wait: true }],
      ['domain.reboot', { ref: 'vgtHVMDomain', wait: true }],
    ]);
    expect((await c.exec('xl pause')).exitCode).toBe(2);
  });

  it('xl console NAME asks the console to attach to that domain; Domain-0 and unknown domains are refused', async () => {
    const { c } = console0();
    expect(await c.exec('xl console vgtHVMDomain')).toEqual({ output: '', exitCode: 0, attach: { domid: 7, name: 'vgtHVMDomain' } });
    expect(await c.exec('xl console 7')).toMatchObject({ attach: { domid: 7 } });
    expect(await c.exec('xl console nosuch')).toEqual({ output: "xl console: no running domain 'nosuch'\n", exitCode: 1 });
    expect((await c.exec('xl console 0')).exitCode).toBe(1);
  });

  it('xl destroy by id or name; unknown commands are reported, never thrown', async () => {
    const { c, calls } = console0();
    await c.exec('xl destroy 7');
    await c.exec('xl destroy vgtHVMDomain');
    expect(calls).toEqual([
      ['domain.destroy', { ref: 7 }],
      ['domain.destroy', { ref: 'vgtHVMDomain' }],
    ]);
    expect(await c.exec('rm -rf /')).toEqual({ output: "rm: command not found (try 'help')\n", exitCode: 127 });
    expect((await c.exec('xl frobnicate')).exitCode).toBe(2);
    expect(await c.exec('ls')).toEqual({ output: 'control  vm7\n', exitCode: 0 });
  });
});
