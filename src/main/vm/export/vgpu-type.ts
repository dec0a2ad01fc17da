/**
 * Which GVT-g vGPU type (mdev type) a domain's vGPU is on a KVMGT host, and where that vGPU lives.
 *
 * XenGT configs give explicit sizes (vgt_low_gm_sz, vgt_high_gm_sz, vgt_fence_sz); upstream KVMGT
 * only creates vGPUs of fixed types (GVTg_V5_8/_4/_2/_1, the table in src/main/mediator/vgpu-types.ts,
 * from GVT-g's vgpu.c). A domain with gvt_vgpu_type keeps its type; one with explicit sizes gets the
 * smallest type that gives it at least what it asks for in each of aperture, high GM and fences, so
 * the guest never has less than its config promised. The guide's 128/384/4 becomes GVTg_V5_4
 * (128/512/4).
 */
import { ApiError } from '../../../shared/api';
import { MiB } from '../../../shared/platform';
import { VGPU_TYPES, findVgpuType, type VgpuTypeDef } from '../../mediator/vgpu-types';
import type { DomainSpec } from '../domain-spec';

/**
 * The vGPU's parent device: GVT-g runs on the integrated GPU, which is always PCI 0000:00:02.0
 * (the i915 driver's iGD slot; mdev parents are named by their PCI address).
 */
export const GVT_PARENT = '0000:00:02.0';

/**
 * The mdev type name of a GVT-g type: `i915-GVTg_V5_4`. The kernel names mdev types
 * `<parent driver>-<type>` (drivers/vfio/mdev/mdev_sysfs.c, mdev_type_add) and GVT-g's parent
 * driver is i915.
 */
export function mdevTypeName(type: Pick<VgpuTypeDef, 'name'>): string {
  return `i915-${type.name}`;
}

/** The GVT-g type of an mdev type name (`i915-GVTg_V5_4` → GVTg_V5_4), or undefined. */
export function typeFromMdevTypeName(mdevType: string): VgpuTypeDef | undefined {
  return mdevType.startsWith('i915-') ? findVgpuType(mdevType.slice('i915-'.length)) : undefined;
}

/**
 * The GVT-g type a domain's vGPU gets on a KVMGT host: its gvt_vgpu_type, else the smallest type
 * (by aperture) whose aperture, high GM and fences each cover the domain's vgt_* sizes.
 * @throws ApiError('config') for a domain without a vGPU (vgt=1 not set) or whose sizes no type covers
 */
export function vgpuTypeFor(spec: DomainSpec): VgpuTypeDef {
  if (!spec.vgt) throw new ApiError('config', `${spec.name} has no vGPU (vgt=1 is not set), so there is no mdev to describe; set vgt = 1 or export it as xl`);
  if (spec.vgpuType !== null) {
    const named = findVgpuType(spec.vgpuType);
    if (named) return named;
  }
  const bySize = [...VGPU_TYPES].sort((a, b) => a.lowGmBytes - b.lowGmBytes);
  const fits = bySize.find((t) => t.lowGmBytes >= spec.lowGmMiB * MiB && t.highGmBytes >= spec.highGmMiB * MiB && t.fences >= spec.fences);
  if (fits) return fits;
  const largest = bySize[bySize.length - 1]!;
  throw new ApiError(
    'config',
    `${spec.name}: no GVT-g vGPU type holds vgt_low_gm_sz=${spec.lowGmMiB}, vgt_high_gm_sz=${spec.highGmMiB}, vgt_fence_sz=${spec.fences} ` +
      `(the largest, ${largest.name}, has ${largest.lowGmBytes / MiB} MiB aperture, ${largest.highGmBytes / MiB} MiB high GM, ${largest.fences} fences); lower them or set gvt_vgpu_type`,
  );
}
