/** Start disabled with a reason: what is short, from ResourcePool.free() (the host's accounting). */
import { describe, expect, it } from 'vitest';
import { GVTG_HOST_RESERVATION as HOST_RESERVATION, GVT_MAX_VGPU, MiB, SKL_GT2_DEFAULT as DEFAULT_GEOMETRY } from '../../../src/shared/platform';
import { ResourcePool } from '../../../src/main/mediator/resources';
import { vgpuTypes, findVgpuType } from '../../../src/main/mediator/vgpu-types';
import { startShortfall, vgpuShortfall } from '../../../src/main/vm/start-check';
import { guideSpec } from './export/helpers';

describe('vgpuShortfall', () => {
  it('says nothing while the request fits, and what is short once three 128 MiB-aperture guests run (the guide\'s limit)', () => {
    const pool = new ResourcePool(DEFAULT_GEOMETRY, HOST_RESERVATION);
    const req = { lowGmBytes: 128 * MiB, highGmBytes: 384 * MiB, fences: 4 };
    for (let i = 0; i < 3; i++) {
      expect(vgpuShortfall(req, pool.free())).toBeNull();
      pool.allocate(req);
    }
    expect(vgpuShortfall(req, pool.free())).toBe('needs 128 MiB aperture (low GM), 0 MiB free');
    // ResourcePool.allocate agrees that it does not fit.
    expect(() => pool.allocate(req)).toThrow(/not enough aperture/);
  });

  it('lists every shortfall, fences and GVT_MAX_VGPU included', () => {
    expect(vgpuShortfall({ lowGmBytes: 128 * MiB, highGmBytes: 512 * MiB, fences: 4 }, { lowGmBytes: 64 * MiB, highGmBytes: 100 * MiB, fences: 1, liveVgpus: GVT_MAX_VGPU })).toBe(
      `${GVT_MAX_VGPU} vGPUs already run, the most GVT-g allows (GVT_MAX_VGPU ${GVT_MAX_VGPU}); needs 128 MiB aperture (low GM), 64 MiB free; needs 512 MiB high GM, 100 MiB free; needs 4 fences, 1 free`,
    );
  });

  it('a type with no instance left (vgpuTypes) always has a reason', () => {
    const pool = new ResourcePool(DEFAULT_GEOMETRY, HOST_RESERVATION);
    const v54 = findVgpuType('GVTg_V5_4')!;
    while (vgpuTypes(pool).find((t) => t.name === 'GVTg_V5_4')!.availableInstances > 0) pool.allocate(v54);
    for (const t of vgpuTypes(pool)) expect(vgpuShortfall(t, pool.free()) === null).toBe(t.availableInstances > 0);
  });

  it('startShortfall: a domain without vgt=1 needs no vGPU', () => {
    const none = { lowGmBytes: 0, highGmBytes: 0, fences: 0, liveVgpus: 0 };
    expect(startShortfall(guideSpec({ vgt: false }), none)).toBeNull();
    expect(startShortfall(guideSpec(), none)).toBe('needs 128 MiB aperture (low GM), 0 MiB free; needs 384 MiB high GM, 0 MiB free; needs 4 fences, 0 free');
  });
});
