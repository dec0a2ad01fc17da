import { describe, expect, it } from 'vitest';
import { FileAccessError } from '../../../src/main/files/checked-io';
import { ApiError } from '../../../src/shared/api';
import { Domains, type GpuBackend, type GuestLaunch } from '../../../src/main/vm/domains';
import { DOMAIN_DEFAULTS, type DomainSpec } from '../../../src/main/vm/domain-spec';
import { rig } from '../helpers/system';
import { MAILBOX_BYTES, MB_HALTED, MB_PAUSE, MB_SHUTDOWN, MB_WAKE, SHUTDOWN_POWEROFF, SHUTDOWN_REBOOT } from '../../../src/shared/trap-mailbox';
import { InputQueue } from '../../../src/shared/input-queue';

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
      mailboxBytes: MAILBOX_BYTES,
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
    expect(domains.serial(1)).toEqual({ text: 'hello\n', next: 6 });
    launches[0].onExit({ kind: 'crash', message: 'boom' });
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

describe('xl lifecycle: pause, unpause, shutdown, reboot, input', () => {
  const mb = (l: GuestLaunch) => new Int32Array(l.mailbox);

  it('pause sets the vCPU pause flag and xl state p; unpause clears it; each refuses the wrong state', async () => {
    const { domains, launches } = setup();
    await domains.create(spec('a'));
    expect(domains.pause('a')).toBe(1);
    expect(Atomics.load(mb(launches[0]), MB_PAUSE)).toBe(1);
    const listed = (await domains.list())[1];
    expect([listed.state, listed.xlState]).toEqual(['paused', '--p---']);
    expect(() => domains.pause('a')).toThrow(/cannot pause domain 'a' \(domid 1\): it is paused \(xl unpause a first\)/);
    expect(() => domains.input('a', [{ type: 'pointer', x: 1, y: 1 }])).toThrow(ApiError);
    expect(() => domains.input('a', [{ type: 'pointer', x: 1, y: 1 }])).toThrow(/it is paused/);
    expect(() => domains.serialInput('a', 'ls\r')).toThrow(/it is paused/);
    const wakes = Atomics.load(mb(launches[0]), MB_WAKE);
    domains.unpause(1);
    expect(Atomics.load(mb(launches[0]), MB_PAUSE)).toBe(0);
    expect(Atomics.load(mb(launches[0]), MB_WAKE)).toBe(wakes + 1);
    expect(() => domains.unpause(1)).toThrow(/cannot unpause domain 'a' \(domid 1\): it is running/);
    expect(() => domains.pause(0)).toThrow(/Domain-0 cannot be paused/);
  });

  it('xl list shows b while the vCPU is halted, r while it runs', async () => {
    const { domains, launches } = setup();
    await domains.create(spec('a'));
    expect((await domains.list())[1].xlState).toBe('r-----');
    Atomics.store(mb(launches[0]), MB_HALTED, 1);
    expect((await domains.list())[1].xlState).toBe('-b----');
  });

  it('shutdown writes the request; the guest powering off removes the domain and frees its vGPU', async () => {
    const { r, domains, launches, stopped } = setup();
    await domains.create(spec('a'));
    const waiting = domains.requestShutdown('a', 'poweroff', 5);
    expect(Atomics.load(mb(launches[0]), MB_SHUTDOWN)).toBe(SHUTDOWN_POWEROFF);
    expect((await domains.list())[1].shutdownRequest).toBe('poweroff');
    launches[0].onExit({ kind: 'poweroff' });
    await expect(waiting).resolves.toEqual({ domid: 1, newDomid: null });
    expect(stopped).toEqual([1]);
    expect(r.m.vgpus()).toHaveLength(0);
    expect((await domains.list()).map((d) => d.name)).toEqual(['Domain-0']);
  });

  it('a guest that never answers: the waiting shutdown fails with timeout, the domain keeps running, destroy still works', async () => {
    const { domains } = setup();
    await domains.create(spec('a'));
    const err = await domains.requestShutdown('a', 'poweroff', 0.05).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('timeout');
    expect((err as ApiError).message).toMatch(/did not shut down within 0.05 s.*xl destroy a/);
    expect((await domains.list())[1]).toMatchObject({ state: 'running', shutdownRequest: 'poweroff' });
    await expect(domains.requestShutdown('a', 'reboot', null)).rejects.toThrow(/already has a poweroff request pending/);
    await domains.destroy('a');
  });

  it('reboot: the domain is destroyed and created again from its config with a new domid; the serial log carries over', async () => {
    const { r, domains, launches } = setup();
    await domains.create(spec('a'));
    launches[0].onSerial('first boot\n');
    const waiting = domains.requestShutdown(1, 'reboot', 5);
    expect(Atomics.load(mb(launches[0]), MB_SHUTDOWN)).toBe(SHUTDOWN_REBOOT);
    launches[0].onExit({ kind: 'reboot' });
    await expect(waiting).resolves.toEqual({ domid: 1, newDomid: 2 });
    expect(launches).toHaveLength(2);
    expect(r.m.vgpus().map((v) => v.domid)).toEqual([2]);
    launches[1].onSerial('second boot\n');
    expect(domains.serial(2).text).toMatch(/first boot\n[^]*domain rebooted[^]*second boot\n$/);
  });

  it('a guest-initiated poweroff (its own shell) also removes the domain', async () => {
    const { domains, launches } = setup();
    await domains.create(spec('a'));
    launches[0].onExit({ kind: 'poweroff' });
    await new Promise((ok) => setTimeout(ok, 10));
    expect(() => domains.resolve('a')).toThrow(/no running domain/);
  });

  it('serial offsets: since returns only newer output, and older output beyond the kept window is gone', async () => {
    const { domains, launches } = setup();
    await domains.create(spec('a'));
    launches[0].onSerial('abc');
    const { next } = domains.serial(1);
    launches[0].onSerial('def');
    expect(domains.serial(1, next)).toEqual({ text: 'def', next: 6 });
    launches[0].onSerial('x'.repeat(70 * 1024));
    const all = domains.serial(1, 0);
    expect(all.text.length).toBe(64 * 1024);
    expect(all.next).toBe(6 + 70 * 1024);
  });

  it('serialExec types the line after Ctrl+U and returns what comes between the echo and the next prompt', async () => {
    const { domains, launches } = setup();
    await domains.create(spec('a'));
    const subs = new Set<(t: string) => void>();
    const running = domains.serialExec('a', 'uname -a', 5, (_domid, on) => {
      subs.add(on);
      return () => subs.delete(on);
    });
    const typed = new TextDecoder().decode(new InputQueue(launches[0].input).serialRead());
    expect(typed).toBe('\x15uname -a\r');
    for (const on of subs) on('uname -a\nLinux a 4.3.0-vgt+\nroot@a:~# ');
    await expect(running).resolves.toBe('Linux a 4.3.0-vgt+\n');
    expect(subs.size).toBe(0);
    await expect(domains.serialExec('a', 'true', 0.05, () => () => undefined)).rejects.toThrow(/no shell prompt from 'a' within 0.05 s/);
  });
});
