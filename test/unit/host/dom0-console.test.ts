/**
 * The Dom0 console's xl lifecycle commands against a recording fake of the host API (guests that
 * act on shutdown and reboot requests are faked here; dom0-rig.ts has none): the calls made and
 * xl's own messages.
 */
import { describe, expect, it } from 'vitest';
import { ApiError, type DomainInfo } from '../../../src/shared/api';
import { Dom0Console } from '../../../src/main/host/dom0/console';
import type { Call, Dom0Host } from '../../../src/main/host/dom0/deps';
import { XL_LIST_HEADER, formatXlList } from '../../../src/main/host/dom0/xl-list';

const dom = (name: string, domid: number | null, memoryMiB: number, timeS: number): DomainInfo => ({ name, domid, state: domid === null ? 'stopped' : 'running', xlState: domid === 0 ? 'r-----' : '-b----', shutdownRequest: null, memoryMiB, vcpus: 1, timeS, vgpu: null, configErrors: [], workload: 'desktop' });

function console0() {
  const calls: [string, unknown][] = [];
  const call = (async (method: string, params: Record<string, unknown>) => {
    calls.push([method, params]);
    switch (method) {
      case 'domains.list':
        return [dom('Domain-0', 0, 730, 1139.2), dom('vgtHVMDomain', 7, 2048, 1)];
      case 'domain.destroy':
      case 'domain.pause':
      case 'domain.unpause':
      case 'domain.shutdown':
        if (params.ref === 'nosuch') throw new ApiError('not_found', "no running domain 'nosuch'");
        return { domid: 7 };
      case 'domain.reboot':
        return { domid: 7, newDomid: params.wait ? 8 : null };
    }
    throw new Error(method);
  }) as Call;
  const host: Dom0Host = {
    call,
    sysfsList: async () => null,
    readConfig: async () => new Uint8Array(),
    dataDir: { list: async () => [], read: async () => '' },
    dmesg: async () => [],
    machine: { hostname: 'h', cpus: 1, cpuMhz: 1, totalMemoryMiB: 1 },
  };
  return { c: new Dom0Console(host), calls: () => calls.filter(([m]) => m !== 'domains.list') };
}

describe('Dom0 console: xl lifecycle', () => {
  it("xl list prints xl 4.6's table (its header has two tabs), running domains only", () => {
    const out = formatXlList([dom('Domain-0', 0, 730, 1139.2), dom('ExampleHVMDomain', 7, 2048, 1), dom('stopped', null, 64, 0)]);
    expect(out).toBe(`${XL_LIST_HEADER}\nDomain-0${' '.repeat(37)}0   730     1     r-----    1139.2\nExampleHVMDomain${' '.repeat(29)}7  2048     1     -b----       1.0\n`);
    expect(XL_LIST_HEADER).toBe('Name                                        ID   Mem VCPUs\tState\tTime(s)');
  });

  it("xl pause / unpause / shutdown / reboot go to the lifecycle API with xl's own messages", async () => {
    const { c, calls } = console0();
    expect(await c.exec('xl pause vgtHVMDomain')).toEqual({ output: '', exitCode: 0 });
    expect(await c.exec('xl unpause 7')).toEqual({ output: '', exitCode: 0 });
    expect((await c.exec('xl shutdown vgtHVMDomain')).output).toBe('Shutting down domain 7\n');
    expect((await c.exec('xl shutdown -w 7')).output).toBe('Shutting down domain 7\nWaiting for 1 domains\nDomain 7 has been shut down, reason code 0\n');
    expect((await c.exec('xl reboot -w vgtHVMDomain')).output).toBe('Rebooting domain 7\nWaiting for 1 domains\nDomain 7 has been shut down, reason code 1\nDomain 8 is up again\n');
    expect(calls()).toEqual([
      ['domain.pause', { ref: 'vgtHVMDomain' }],
      ['domain.unpause', { ref: 7 }],
      ['domain.shutdown', { ref: 'vgtHVMDomain', wait: false }],
      ['domain.shutdown', { ref: 7, wait: true }],
      ['domain.reboot', { ref: 'vgtHVMDomain', wait: true }],
    ]);
    expect((await c.exec('xl pause')).exitCode).toBe(2);
    expect((await c.exec('xl frobnicate')).exitCode).toBe(2);
  });

  it('xl console NAME asks the console to attach to that domain; Domain-0 and unknown domains are refused', async () => {
    const { c } = console0();
    expect(await c.exec('xl console vgtHVMDomain')).toEqual({ output: '', exitCode: 0, attach: { domid: 7, name: 'vgtHVMDomain' } });
    expect(await c.exec('xl console 7')).toMatchObject({ attach: { domid: 7 } });
    expect(await c.exec('xl console nosuch')).toEqual({ output: "xl console: no running domain 'nosuch'\n", exitCode: 1 });
    expect(await c.exec('xl console 0')).toEqual({ output: "xl console: this console already is Domain-0's\n", exitCode: 1 });
  });

  it('xl destroy by id or name; a refusal is printed, never thrown', async () => {
    const { c, calls } = console0();
    await c.exec('xl destroy 7');
    await c.exec('xl destroy vgtHVMDomain');
    expect(await c.exec('xl destroy nosuch')).toEqual({ output: "no running domain 'nosuch'\n", exitCode: 1 });
    expect(calls()).toEqual([
      ['domain.destroy', { ref: 7 }],
      ['domain.destroy', { ref: 'vgtHVMDomain' }],
      ['domain.destroy', { ref: 'nosuch' }],
    ]);
  });
});
