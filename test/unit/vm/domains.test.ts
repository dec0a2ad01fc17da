import { describe, expect, it } from 'vitest';
import { FileAccessError } from '../../../src/main/files/checked-io';
import { ApiError } from '../../../src/shared/api';
import { Domains, type GpuBackend, type GuestLaunch } from '../../../src/main/vm/domains';
import { DOMAIN_DEFAULTS, type DomainSpec } from '../../../src/main/vm/domain-spec';
import { rig } from '../helpers/system';

/** The vm layer over a real in-thread mediator, with guests that only record their launch. */
function setup() {
  const r = rig();
  const backend: GpuBackend = {
    async createVgpu(req) {
      const v = r.m.createVgpu(req);
      return { domid: v.domid, lowGm: v.alloc.lowGm, highGm: v.alloc.highGm, fenceBase: v.alloc.fenceBase, fenceCount: v.alloc.fenceCount, failsafe: v.failsafe, stats: v.stats };
    },
    async destroyVgpu(domid) {
      r.m.destroyVgpu(domid);
    },
    async vgpus() {
      return r.m.vgpus().map((v) => ({ domid: v.domid, lowGm: v.alloc.lowGm, highGm: v.alloc.highGm, fenceBase: v.alloc.fenceBase, fenceCount: v.alloc.fenceCount, failsafe: v.failsafe, stats: v.stats }));
    },
  };
  const launches: GuestLaunch[] = [];
  const stopped: number[] = [];
  let changes = 0;
  const domains = new Domains(
    backend,
    {
      mailboxBytes: 32,
      launch(l) {
        launches.push(l);
        return { stop: async () => void stopped.push(l.domid) };
      },
    },
    { changed: () => changes++, serial: () => undefined },
    () => ({ hvmBootForeground: true }),
    async (path) => {
      throw new FileAccessError('not_found', path, `${path}: No such file or directory`);
    },
  );
  return { r, domains, launches, stopped, changes: () => changes };
}

const spec = (name: string, over: Partial<DomainSpec> = {}): DomainSpec => ({ ...DOMAIN_DEFAULTS, name, vgt: true, lowGmMiB: 128, highGmMiB: 384, memoryMiB: 64, ...over });

describe('Domains (xl semantics)', () => {
  it('counts domids up from 1 and never reuses them', async () => {
    const { domains } = setup();
    expect(await domains.create(spec('a'))).toBe(1);
    expect(await domains.create(spec('b'))).toBe(2);
    await domains.destroy('a');
    expect(await domains.create(spec('a'))).toBe(3);
  });

  it('refuses a fourth 128 MiB guest with the mediator\'s message and consumes no domid', async () => {
    const { domains, launches } = setup();
    for (const n of ['a', 'b', 'c']) await domains.create(spec(n));
    await expect(domains.create(spec('d'))).rejects.toThrow('not enough aperture (low GM): requested 128 MiB, 0 MiB free (short by 128 MiB)');
    expect(launches).toHaveLength(3);
    await domains.destroy(2);
    expect(await domains.create(spec('d'))).toBe(4);
  });

  it('destroy stops the guest, frees the vGPU and resolves by name or domid', async () => {
    const { r, domains, stopped } = setup();
    await domains.create(spec('a'));
    expect(r.m.vgpus()).toHaveLength(1);
    await domains.destroy(1);
    expect(stopped).toEqual([1]);
    expect(r.m.vgpus()).toHaveLength(0);
    await expect(domains.destroy('a')).rejects.toBeInstanceOf(ApiError);
    await expect(domains.destroy(0)).rejects.toThrow(/Domain-0 cannot be destroyed/);
  });

  it('lists Domain-0 first, then running guests with their vGPU slice', async () => {
    const { domains } = setup();
    await domains.create(spec('a', { vcpus: 2 }));
    const list = await domains.list();
    expect(list.map((d) => [d.name, d.domid, d.state])).toEqual([
      ['Domain-0', 0, 'running'],
      ['a', 1, 'running'],
    ]);
    expect(list[1].vgpu).toMatchObject({ lowGmSize: 128 << 20, highGmSize: 384 << 20, fenceCount: 4 });
    expect(list[1].vcpus).toBe(2);
  });

  it('a second domain with a running name is refused; vgt=0 domains start without a vGPU', async () => {
    const { r, domains } = setup();
    await domains.create(spec('a'));
    await expect(domains.create(spec('a'))).rejects.toThrow(/already exists/);
    await domains.create(spec('novgpu', { vgt: false }));
    expect(r.m.vgpus()).toHaveLength(1);
  });

  it('keeps the newest serial output and marks crashed guests', async () => {
    const { domains, launches } = setup();
    await domains.create(spec('a'));
    launches[0].onSerial('hello\n');
    expect(domains.serial(1)).toBe('hello\n');
    launches[0].onExit('boom');
    expect((await domains.list())[1].state).toBe('crashed');
  });
});

describe('concurrent creation', () => {
  it('two simultaneous creates of one name: one succeeds, one is refused; domids stay distinct', async () => {
    const { domains } = setup();
    const results = await Promise.allSettled([domains.create(spec('a')), domains.create(spec('a')), domains.create(spec('b'))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(results[0]).toMatchObject({ value: 1 });
    expect(results[2]).toMatchObject({ value: 2 });
    expect((results[1] as PromiseRejectedResult).reason.message).toMatch(/already exists/);
  });
});
