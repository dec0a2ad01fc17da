import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../src/shared/api';
import { addVm, rig } from '../helpers/system';
import { MiB } from '../../../src/shared/platform';

describe('admission control (GVT-g host reservation 128 MiB low / 384 MiB high / 4 fences)', () => {
  it('fits three 128 MiB-aperture guests and refuses a fourth, naming the short resource and by how much', () => {
    const r = rig();
    const vs = [1, 2, 3].map((d) => addVm(r, d).v);
    // Contiguous, disjoint ranges after the host's 128 MiB.
    expect(vs.map((v) => v.alloc.lowGm.base / MiB)).toEqual([128, 256, 384]);
    expect(vs.map((v) => v.alloc.highGm.base / MiB)).toEqual([896, 1280, 1664]);
    expect(vs.map((v) => v.alloc.fenceBase)).toEqual([4, 8, 12]);
    let err: unknown;
    try {
      addVm(r, 4);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('no_resources');
    expect((err as ApiError).message).toBe('not enough aperture (low GM): requested 128 MiB, 0 MiB free (short by 128 MiB)');
    expect(r.m.pool.free()).toEqual({ lowGmBytes: 0, highGmBytes: 4096 * MiB - 512 * MiB - 384 * MiB - 3 * 384 * MiB, fences: 16, liveVgpus: 3 });
  });

  it('reports fence shortage and frees everything on destroy', () => {
    const r = rig();
    addVm(r, 1, { lowMiB: 64, fences: 20 });
    expect(() => addVm(r, 2, { lowMiB: 64, fences: 10 })).toThrow('not enough fence registers: requested 10, 8 free (short by 2)');
    r.m.destroyVgpu(1);
    expect(r.m.pool.free().fences).toBe(28);
    expect(r.m.pool.free().lowGmBytes).toBe(384 * MiB);
    expect(addVm(r, 2, { lowMiB: 64, fences: 10 }).v.alloc.fenceBase).toBe(4);
  });

  it('caps live vGPUs at 7 (GVT_MAX_VGPU)', () => {
    const r = rig();
    for (let d = 1; d <= 7; d++) addVm(r, d, { lowMiB: 32, highMiB: 64, fences: 2 });
    expect(() => addVm(r, 8, { lowMiB: 32, highMiB: 64, fences: 2 })).toThrow(/at most 7 vGPUs/);
  });
});
