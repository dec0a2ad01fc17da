import { describe, expect, it } from 'vitest';
import { exportMdevctl } from '../../../../src/main/vm/export/mdevctl';
import { vgpuUuid } from '../../../../src/main/vm/export/uuid';
import { apiError, guideSpec } from './helpers';

describe('mdevctl export', () => {
  it("is mdevctl list --dumpjson's form: parent → [{ uuid: { mdev_type, start, attrs } }]", () => {
    const text = exportMdevctl(guideSpec());
    const uuid = vgpuUuid('vgtHVMDomain');
    expect(JSON.parse(text)).toEqual([{ '0000:00:02.0': [{ [uuid]: { mdev_type: 'i915-GVTg_V5_4', start: 'auto', attrs: [] } }] }]);
    // mdevctl prints 2-space indented JSON, keys in this order (its testdata/list/defined-parent.json).
    expect(text).toBe(
      `[\n  {\n    "0000:00:02.0": [\n      {\n        "${uuid}": {\n          "mdev_type": "i915-GVTg_V5_4",\n          "start": "auto",\n          "attrs": []\n        }\n      }\n    ]\n  }\n]\n`,
    );
  });

  it('follows the vGPU type and refuses a domain without a vGPU', () => {
    expect(JSON.parse(exportMdevctl(guideSpec({ lowGmMiB: 64 })))[0]['0000:00:02.0'][0][vgpuUuid('vgtHVMDomain')].mdev_type).toBe('i915-GVTg_V5_8');
    expect(apiError(() => exportMdevctl(guideSpec({ vgt: false }))).message).toContain('has no vGPU');
  });
});
