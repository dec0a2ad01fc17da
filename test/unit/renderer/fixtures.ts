import type { DomainInfo, VgpuInfo } from '../../../src/shared/api';
import type { Handlers } from './fake-client';

const MiB = 1 << 20;

export function vgpu(partial: Partial<VgpuInfo> = {}): VgpuInfo {
  return {
    lowGmBase: 128 * MiB,
    lowGmSize: 128 * MiB,
    highGmBase: 1024 * MiB,
    highGmSize: 384 * MiB,
    fenceBase: 4,
    fenceCount: 4,
    droppedPtes: 0,
    workloads: 0,
    rejectedCommands: 0,
    untrackedMmio: 0,
    failsafe: null,
    gpuTimeMs: 0,
    ...partial,
  };
}

export function domain(partial: Partial<DomainInfo> & Pick<DomainInfo, 'name'>): DomainInfo {
  const state = partial.state ?? 'stopped';
  const xlState = { running: 'r-----', paused: '--p---', shutdown: '---s--', crashed: '----c-', stopped: '' }[state];
  return { domid: null, state, xlState, shutdownRequest: null, memoryMiB: 2048, vcpus: 2, timeS: 0, vgpu: null, configErrors: [], workload: 'desktop', ...partial };
}

/** Dom0, a running guest (domid 1), a second running guest (domid 3) and a stopped library entry. */
export function sampleDomains(): DomainInfo[] {
  return [
    domain({ name: 'Domain-0', domid: 0, state: 'running', memoryMiB: 2048, vgpu: null, workload: '' }),
    domain({ name: 'vgtHVMDomain', domid: 1, state: 'running', vgpu: vgpu() }),
    domain({ name: 'win7', domid: 3, state: 'running', vgpu: vgpu({ lowGmBase: 256 * MiB, fenceBase: 8 }) }),
    domain({ name: 'ubuntu', domid: null, state: 'stopped' }),
  ];
}

/** gpu.info of a 512 MiB-aperture GPU with two live vGPUs. */
export const GPU = { apertureBytes: 512 << 20, totalGmBytes: 4096 << 20, fences: 32, freeLowGmBytes: 128 << 20, freeHighGmBytes: 2304 << 20, freeFences: 20, liveVgpus: 2 };

/** What a mounted CompositorView asks before any frame: sampleDomains, domid 1 in the foreground, no pictures yet. Tests spread it and add their own. */
export function compositorHandlers(): Handlers {
  return {
    'domains.list': () => sampleDomains(),
    'gpu.info': () => ({ ...GPU, foreground: 1 }),
    'gpu.types': () => [],
    'settings.get': () => ({ hvmBootForeground: true, apertureMiB: 512 as const }),
    'frame.resync': () => null,
    'frame.watch': ({ sources }) => ({ watching: sources.length }),
  };
}
