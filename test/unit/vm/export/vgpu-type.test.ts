import { describe, expect, it } from 'vitest';
import { mdevTypeName, typeFromMdevTypeName, vgpuTypeFor } from '../../../../src/main/vm/export/vgpu-type';
import { apiError, guideSpec } from './helpers';

describe('vgpuTypeFor', () => {
  it('picks the smallest GVT-g type covering aperture, high GM and fences', () => {
    // The guide's 128/384/4: GVTg_V5_8 has too little aperture, GVTg_V5_4 (128/512/4) covers it.
    expect(vgpuTypeFor(guideSpec()).name).toBe('GVTg_V5_4');
    expect(vgpuTypeFor(guideSpec({ lowGmMiB: 64, highGmMiB: 384 })).name).toBe('GVTg_V5_8');
    expect(vgpuTypeFor(guideSpec({ lowGmMiB: 64, highGmMiB: 388 })).name).toBe('GVTg_V5_4');
    expect(vgpuTypeFor(guideSpec({ lowGmMiB: 8, highGmMiB: 0, fences: 0 })).name).toBe('GVTg_V5_8');
    expect(vgpuTypeFor(guideSpec({ lowGmMiB: 512, highGmMiB: 2048 })).name).toBe('GVTg_V5_1');
  });

  it("keeps a domain's gvt_vgpu_type", () => {
    expect(vgpuTypeFor(guideSpec({ vgpuType: 'GVTg_V5_2', lowGmMiB: 256, highGmMiB: 1024 })).name).toBe('GVTg_V5_2');
  });

  it('refuses sizes no type covers, and a domain without a vGPU, saying why', () => {
    const big = apiError(() => vgpuTypeFor(guideSpec({ fences: 8 })));
    expect(big.code).toBe('config');
    expect(big.message).toBe(
      'vgtHVMDomain: no GVT-g vGPU type holds vgt_low_gm_sz=128, vgt_high_gm_sz=384, vgt_fence_sz=8 (the largest, GVTg_V5_1, has 512 MiB aperture, 2048 MiB high GM, 4 fences); lower them or set gvt_vgpu_type',
    );
    const none = apiError(() => vgpuTypeFor(guideSpec({ vgt: false })));
    expect(none.code).toBe('config');
    expect(none.message).toContain('vgtHVMDomain has no vGPU (vgt=1 is not set)');
  });
});

describe('mdev type names', () => {
  it('are i915-<type>, and read back', () => {
    expect(mdevTypeName({ name: 'GVTg_V5_4' })).toBe('i915-GVTg_V5_4');
    expect(typeFromMdevTypeName('i915-GVTg_V5_8')?.name).toBe('GVTg_V5_8');
    expect(typeFromMdevTypeName('GVTg_V5_8')).toBeUndefined();
    expect(typeFromMdevTypeName('i915-GVTg_V4_1')).toBeUndefined();
    expect(typeFromMdevTypeName('nvidia-63')).toBeUndefined();
  });
});
