import { describe, expect, it } from 'vitest';
import { ResourcePool } from '../../../src/main/mediator/resources';
import { typeDescription, vgpuTypes, VGPU_TYPES } from '../../../src/main/mediator/vgpu-types';
import { GVTG_HOST_RESERVATION, MiB, SKL_GT2_DEFAULT } from '../../../src/shared/platform';

const pool = (apertureMiB = 512) => new ResourcePool({ ...SKL_GT2_DEFAULT, apertureBytes: apertureMiB * MiB }, GVTG_HOST_RESERVATION);
const avail = (p: ResourcePool) => Object.fromEntries(vgpuTypes(p).map((t) => [t.name, t.availableInstances]));

describe('vGPU types (GVT-g vgpu_types[])', () => {
  it('a 512 MiB-aperture GPU offers V5_8/4/2 (V5_1 needs 512 MiB of the 384 left) with GVT-g counts', () => {
    // low avail 384 MiB, high avail 3584-384 = 3200 MiB, fences 28, at most 7 vGPUs.
    expect(avail(pool())).toEqual({ GVTg_V5_8: 6, GVTg_V5_4: 3, GVTg_V5_2: 1 });
  });

  it('a 1 GiB aperture offers all four; a 256 MiB one only V5_8 and V5_4', () => {
    // 1 GiB: low 896 MiB, high 4096-1024-384 = 2688 MiB: V5_4 = min(7, 5, 7), V5_2 = min(3, 2).
    expect(avail(pool(1024))).toEqual({ GVTg_V5_8: 7, GVTg_V5_4: 5, GVTg_V5_2: 2, GVTg_V5_1: 1 });
    expect(avail(pool(256))).toEqual({ GVTg_V5_8: 2, GVTg_V5_4: 1 });
  });

  it('available instances follow allocations', () => {
    const p = pool();
    const t = VGPU_TYPES[1];
    p.allocate({ lowGmBytes: t.lowGmBytes, highGmBytes: t.highGmBytes, fences: t.fences });
    // Left: low 256 MiB, high 2688 MiB, 24 fences.
    expect(avail(p)).toEqual({ GVTg_V5_8: 4, GVTg_V5_4: 2, GVTg_V5_2: 1 });
  });

  it('intel_vgpu_get_available: min3 of the free low GM, high GM and fence totals, even when the free low GM is fragmented', () => {
    const p = pool();
    const slice = { lowGmBytes: 64 * MiB, highGmBytes: 384 * MiB, fences: 4 };
    p.allocate(slice);
    const b = p.allocate(slice);
    p.allocate(slice);
    p.release(b);
    // Free low GM: 64 MiB between A and C plus 192 MiB after C = 256 MiB, no 256 MiB block.
    // Free high GM 3200 - 2 * 384 = 2432 MiB, fences 28 - 8 = 20. V5_4: min3(256/128, 2432/512, 20/4) = 2
    // (only one 128 MiB block is contiguous: GVT-g counts totals); V5_2: min3(1, 2, 5) = 1.
    expect(avail(p)).toEqual({ GVTg_V5_8: 4, GVTg_V5_4: 2, GVTg_V5_2: 1 });
  });

  it('intel_vgpu_get_available is not capped by the number of live vGPUs (GVT_MAX_VGPU is checked at create)', () => {
    const p = pool(1024);
    // Seven tiny vGPUs (the most GVT_MAX_VGPU allows) leave room for more V5_8s.
    for (let i = 0; i < 7; i++) p.allocate({ lowGmBytes: 1 * MiB, highGmBytes: 1 * MiB, fences: 0 });
    expect(avail(p).GVTg_V5_8).toBe(Math.min(Math.floor((896 - 7) / 64), Math.floor((2688 - 7) / 384), 7));
    expect(avail(p).GVTg_V5_8).toBeGreaterThan(0);
  });

  it('describes a type as the mdev description attribute does', () => {
    expect(typeDescription(VGPU_TYPES[0])).toBe('low_gm_size: 64MB\nhigh_gm_size: 384MB\nfence: 4\nresolution: 1024x768\nweight: 2\n');
    expect(VGPU_TYPES.map((t) => t.weight)).toEqual([2, 4, 8, 16]);
  });
});
