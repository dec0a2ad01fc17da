/**
 * A Dom0 console over real parts, in-thread: the real mediator (sysfs, hotplug, the kernel log),
 * the real library in a temporary data dir, the real Domains with an in-thread GPU backend and a
 * guest launcher that runs no guest (a test plays the guest driver with `displayReady`), and the
 * API schemas validating every call as the host does. The handlers below are the host's
 * (src/main/host/host.ts) for the methods the console uses.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiError, type DomainInfo, type MethodName, type Params, type Results, methods } from '../../../src/shared/api';
import { libraryMonitor } from '../../../src/shared/edid-library';
import { PORT_TYPES } from '../../../src/shared/ports';
import { PVINFO, VGT_DRV_DISPLAY_READY } from '../../../src/shared/pvinfo';
import { VGT_PVINFO_PAGE } from '../../../src/shared/regs';
import { FileBoundary } from '../../../src/main/files/boundary';
import { FILE_LIMITS } from '../../../src/main/files/checked-io';
import { sysfsList, sysfsRead, sysfsWrite } from '../../../src/main/mediator/sysfs';
import type { Vgpu } from '../../../src/main/mediator/vgpu';
import { Domains, type GpuBackend, type VgpuSummary } from '../../../src/main/vm/domains';
import { Library } from '../../../src/main/vm/library';
import { formatFinding } from '../../../src/main/vm/xlcfg';
import { Dom0Console } from '../../../src/main/host/dom0/console';
import { dataDirMount } from '../../../src/main/host/dom0/data-dir';
import type { Call, Dom0Host } from '../../../src/main/host/dom0/deps';
import { rig } from '../helpers/system';

export interface Dom0Rig {
  console: Dom0Console;
  /** Run one input in the rig's session. */
  sh(input: string): Promise<{ output: string; exitCode: number; attach?: { domid: number; name: string } }>;
  mediator: ReturnType<typeof rig>['m'];
  library: Library;
  dataDir: string;
  /** API calls the console made (after validation), in order. */
  calls: [string, unknown][];
  /** The guest driver of domain `domid` reports its display ready (PVINFO display_ready). */
  displayReady(domid: number): void;
  vgpu(domid: number): Vgpu;
}

export function dom0Rig(opts: { hvmBootForeground?: boolean } = {}): Dom0Rig {
  const r = rig();
  r.m.physicalPorts.set('PORT_B', { name: 'PORT_B', type: PORT_TYPES.DP_B, overridePort: null, edid: libraryMonitor('asus-pa238')!.bytes, connected: true });
  const dataDir = mkdtempSync(join(tmpdir(), 'dom0-'));
  const files = new FileBoundary(dataDir);
  const library = new Library(join(dataDir, 'domains'));
  const summary = (v: Vgpu): VgpuSummary => ({ domid: v.domid, lowGm: v.alloc.lowGm, highGm: v.alloc.highGm, fenceBase: v.alloc.fenceBase, fenceCount: v.alloc.fenceCount, failsafe: v.failsafe, stats: { ...v.stats } });
  const backend: GpuBackend = {
    createVgpu: async (req) => summary(r.m.createVgpu(req)),
    destroyVgpu: async (domid) => r.m.destroyVgpu(domid),
    vgpus: async () => r.m.vgpus().map(summary),
  };
  const domains = new Domains(
    backend,
    { mailboxBytes: 64, launch: () => ({ stop: async () => undefined }) },
    { changed: () => undefined, serial: () => undefined },
    () => ({ hvmBootForeground: opts.hvmBootForeground ?? true }),
    async (path) => (await files.read(path, FILE_LIMITS.monitorConfig, 'monitor.config')).bytes,
  );
  const listAll = async (): Promise<DomainInfo[]> => [
    ...(await domains.list()),
    ...library
      .list()
      .filter((e) => !domains.isRunning(e.name))
      .map((e): DomainInfo => ({ name: e.name, domid: null, state: 'stopped', xlState: '', shutdownRequest: null, memoryMiB: e.spec?.memoryMiB ?? 0, vcpus: e.spec?.vcpus ?? 0, timeS: 0, vgpu: null, configErrors: [], workload: '' })),
  ];
  const handlers: Partial<{ [M in MethodName]: (p: Params<M>) => Promise<Results[M]> | Results[M] }> = {
    'domains.list': () => listAll(),
    'library.import': ({ fileName, text, replace }) => ({ name: library.import(fileName, text, { replace }).name }),
    'library.get': ({ name }) => {
      const e = library.get(name);
      return { name: e.name, fileName: e.fileName, text: e.text };
    },
    'domain.start': async ({ name }) => {
      const e = library.get(name);
      if (!e.spec) throw new ApiError('config', `${name} cannot start:\n${e.findings.filter((f) => f.severity === 'error').map(formatFinding).join('\n')}`);
      return { domid: await domains.create(e.spec) };
    },
    'domain.destroy': async ({ ref }) => ({ domid: await domains.destroy(ref) }),
    'domain.pause': ({ ref }) => ({ domid: domains.pause(ref) }),
    'domain.unpause': ({ ref }) => ({ domid: domains.unpause(ref) }),
    'sysfs.read': ({ path }) => ({ value: sysfsRead(r.m, path) }),
    'sysfs.write': ({ path, value }) => {
      sysfsWrite(r.m, path, value);
      return { ok: true as const };
    },
    'gpu.info': () => {
      const g = r.gpu.geometry;
      const free = r.m.pool.free();
      return { apertureBytes: g.apertureBytes, totalGmBytes: g.totalGmBytes, fences: g.fences, freeLowGmBytes: free.lowGmBytes, freeHighGmBytes: free.highGmBytes, freeFences: free.fences, liveVgpus: free.liveVgpus, foreground: r.m.foreground };
    },
  };
  const calls: [string, unknown][] = [];
  const call = (async (method: MethodName, params: unknown) => {
    const parsed = methods[method].safeParse(params);
    if (!parsed.success) throw new ApiError('invalid', `${method}: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    calls.push([method, parsed.data]);
    const handler = handlers[method] as ((p: unknown) => unknown) | undefined;
    if (!handler) throw new Error(`the rig has no ${method}`);
    return handler(parsed.data);
  }) as Call;
  const host: Dom0Host = {
    call,
    sysfsList: async (path) => sysfsList(r.m, path) ?? null,
    readConfig: async (path) => (await files.read(path, FILE_LIMITS.config, 'config file', 'user')).bytes,
    dataDir: dataDirMount(files),
    dmesg: async () => r.m.klog.lines(),
    machine: { hostname: 'skl-host', cpus: 8, cpuMhz: 3408, totalMemoryMiB: 16384 },
  };
  const console = new Dom0Console(host);
  const vgpu = (domid: number): Vgpu => {
    const v = r.m.vgpu(domid);
    if (!v) throw new Error(`no vGPU for domain ${domid}`);
    return v;
  };
  return {
    console,
    sh: (input) => console.exec(input, 'test-session'),
    mediator: r.m,
    library,
    dataDir: files.dataDir,
    calls,
    displayReady: (domid) => r.m.mmioWrite(vgpu(domid), VGT_PVINFO_PAGE + PVINFO.display_ready, VGT_DRV_DISPLAY_READY, 0),
    vgpu,
  };
}
