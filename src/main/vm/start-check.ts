/**
 * What keeps a vGPU from being created now, in words, from the host's own resource accounting
 * (ResourcePool.free(): the free totals vgpuTypes counts available instances from, and the live
 * vGPU count GVT_MAX_VGPU limits). Like GVT-g's available_instances this is not a promise: ranges
 * are contiguous, so with the free space fragmented a create can still be refused
 * (ApiError 'no_resources' from ResourcePool.allocate, which has the last word).
 */
import { GVT_MAX_VGPU, MiB } from '../../shared/platform';
import type { FreeResources, ResourceRequest } from '../mediator/resources';
import type { DomainSpec } from './domain-spec';

/**
 * @returns null when `req` fits `free`, else every shortfall joined by '; ', e.g.
 *   "needs 128 MiB aperture (low GM), 64 MiB free; needs 4 fences, 2 free"
 */
export function vgpuShortfall(req: ResourceRequest, free: FreeResources): string | null {
  const short: string[] = [];
  if (free.liveVgpus >= GVT_MAX_VGPU) short.push(`${free.liveVgpus} vGPUs already run, the most GVT-g allows (GVT_MAX_VGPU ${GVT_MAX_VGPU})`);
  if (req.lowGmBytes > free.lowGmBytes) short.push(`needs ${req.lowGmBytes / MiB} MiB aperture (low GM), ${Math.floor(free.lowGmBytes / MiB)} MiB free`);
  if (req.highGmBytes > free.highGmBytes) short.push(`needs ${req.highGmBytes / MiB} MiB high GM, ${Math.floor(free.highGmBytes / MiB)} MiB free`);
  if (req.fences > free.fences) short.push(`needs ${req.fences} fence${req.fences === 1 ? '' : 's'}, ${free.fences} free`);
  return short.length > 0 ? short.join('; ') : null;
}

/** Why a domain with this spec cannot start now (see vgpuShortfall); null when it fits or has no vGPU (vgt=0). */
export function startShortfall(spec: DomainSpec, free: FreeResources): string | null {
  if (!spec.vgt) return null;
  return vgpuShortfall({ lowGmBytes: spec.lowGmMiB * MiB, highGmBytes: spec.highGmMiB * MiB, fences: spec.fences }, free);
}
