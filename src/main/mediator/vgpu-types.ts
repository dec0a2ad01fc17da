/**
 * GVT-g's vGPU types for a Gen9 GPU (GVTg_V5_8 / _4 / _2 / _1) and how many instances of each
 * still fit. Sizes in bytes. Source: GVT-g vgpu.c (vgpu_types[], intel_gvt_init_vgpu_types,
 * intel_gvt_update_vgpu_types) and kvmgt.c intel_vgpu_get_available: a type exists only if at least
 * one instance fits the GPU after the host's reservation; available instances = min3(free low GM /
 * type low GM, free high GM / type high GM, free fences / type fences), over the free totals (the
 * allocated sizes subtracted from what the host left), as GVT-g counts them. Like GVT-g this is
 * not a promise: a vGPU's ranges are contiguous, so with the free space fragmented a create can
 * still fail (ApiError 'no_resources'), and GVT_MAX_VGPU is enforced at create, not counted here.
 */
import type { VgpuTypeInfo } from '../../shared/api';
import { MiB } from '../../shared/platform';
import type { ResourcePool } from './resources';

/** A type's fixed properties (the API's VgpuTypeInfo without the live instance count). */
export type VgpuTypeDef = Omit<VgpuTypeInfo, 'availableInstances' | 'description'>;

export const VGPU_TYPES: readonly VgpuTypeDef[] = [
  { name: 'GVTg_V5_8', lowGmBytes: 64 * MiB, highGmBytes: 384 * MiB, fences: 4, weight: 2, resolution: { width: 1024, height: 768 } },
  { name: 'GVTg_V5_4', lowGmBytes: 128 * MiB, highGmBytes: 512 * MiB, fences: 4, weight: 4, resolution: { width: 1920, height: 1200 } },
  { name: 'GVTg_V5_2', lowGmBytes: 256 * MiB, highGmBytes: 1024 * MiB, fences: 4, weight: 8, resolution: { width: 1920, height: 1200 } },
  { name: 'GVTg_V5_1', lowGmBytes: 512 * MiB, highGmBytes: 2048 * MiB, fences: 4, weight: 16, resolution: { width: 1920, height: 1200 } },
];

/** Weight of a vGPU created from explicit vgt_* sizes (XenGT had no types): that of GVTg_V5_4. */
export const DEFAULT_WEIGHT = 4;

/** The mdev `description` attribute. Source: GVT-g kvmgt.c description_show. */
export function typeDescription(t: VgpuTypeDef): string {
  return `low_gm_size: ${t.lowGmBytes / MiB}MB\nhigh_gm_size: ${t.highGmBytes / MiB}MB\nfence: ${t.fences}\nresolution: ${t.resolution.width}x${t.resolution.height}\nweight: ${t.weight}\n`;
}

/**
 * The types this GPU offers with their available instances now. A type whose aperture does not fit
 * the GPU at all (after the host reservation) is not offered, as in intel_gvt_init_vgpu_types.
 */
export function vgpuTypes(pool: ResourcePool): VgpuTypeInfo[] {
  const g = pool.geometry;
  const lowTotal = g.apertureBytes - pool.host.lowGm.size;
  const highTotal = g.totalGmBytes - g.apertureBytes - pool.host.highGm.size;
  const free = pool.free();
  return VGPU_TYPES.filter((t) => Math.floor(lowTotal / t.lowGmBytes) > 0 && Math.floor(highTotal / t.highGmBytes) > 0).map((t) => ({
    ...t,
    availableInstances: Math.min(Math.floor(free.lowGmBytes / t.lowGmBytes), Math.floor(free.highGmBytes / t.highGmBytes), Math.floor(free.fences / t.fences)),
    description: typeDescription(t),
  }));
}

/** The type named `name` (e.g. "GVTg_V5_4"), or undefined. */
export function findVgpuType(name: string): VgpuTypeDef | undefined {
  return VGPU_TYPES.find((t) => t.name === name);
}
