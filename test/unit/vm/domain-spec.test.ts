import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DOMAIN_DEFAULTS, domainSpecFromXl, readDomainConfig, type DomainSpec } from '../../../src/main/vm/domain-spec';
import { formatFinding, parseXlConfig, type ConfigFinding } from '../../../src/main/vm/xlcfg';

const SHARED = path.resolve(__dirname, '../../../../shared');
const read = (p: string): string => readFileSync(p, 'utf8');

function specOf(text: string, file = 'd.cfg'): { spec: DomainSpec | null; findings: ConfigFinding[] } {
  const { config, findings } = parseXlConfig(text, file);
  expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
  return domainSpecFromXl(config, file);
}
const errors = (fs: ConfigFinding[]): string[] => fs.filter((f) => f.severity === 'error').map(formatFinding);

describe('domainSpecFromXl', () => {
  it('reads the 2016 guide xlexample.hvm', () => {
    const { spec, findings } = specOf(read(`${SHARED}/examples/xlexample.hvm`), 'xlexample.hvm');
    expect(findings).toEqual([]);
    expect(spec).toEqual({
      name: 'vgtHVMDomain',
      memoryMiB: 2048,
      vcpus: 1,
      vgt: true,
      lowGmMiB: 128,
      highGmMiB: 384,
      fences: 4,
      monitorConfigFile: '/path/to/monitor.config',
      workload: 'desktop',
      keymap: 'en-us',
      tablet: true,
      vgpuType: null,
      weight: 4,
      displayLayout: 'extended',
    });
  });

  it("refuses the 2013 guide config for its upper-case Kernel (as xl does); its other keys still read, typographic quotes only warnings", () => {
    const text = read(`${SHARED}/examples/xmexample-2013.conf`);
    const r = readDomainConfig(text, 'xmexample-2013.conf');
    expect(errors(r.findings)).toEqual([expect.stringMatching(/^xmexample-2013\.conf:1:1: error: invalid key 'Kernel': .*did you mean 'kernel'\?$/)]);
    expect(r.findings).toHaveLength(7);
    expect(r.spec).toBeNull();
    const rest = domainSpecFromXl(parseXlConfig(text, 'xmexample-2013.conf').config, 'xmexample-2013.conf');
    expect(rest.findings).toEqual([]);
    expect(rest.spec).toMatchObject({ name: 'vgtHVMDomain', memoryMiB: 2048, vgt: true, lowGmMiB: 64, highGmMiB: 448, fences: 4, monitorConfigFile: null });
  });

  it('reads a Xen example without vGPU: vgt defaults to 0', () => {
    const { spec, findings } = specOf(read(`${SHARED}/testdata/xl/xlexample.pvlinux`));
    expect(findings).toEqual([]);
    expect(spec).toEqual({ ...DOMAIN_DEFAULTS, name: 'example.pvlinux', memoryMiB: 128, vcpus: 2 });
  });

  it('fills defaults for a name-only config', () => {
    expect(specOf("name = 'tiny'\n").spec).toEqual({
      name: 'tiny', memoryMiB: 512, vcpus: 1, vgt: false, lowGmMiB: 64, highGmMiB: 448, fences: 4, monitorConfigFile: null, workload: 'desktop', vgpuType: null, weight: 4, keymap: 'en-us', tablet: false, displayLayout: 'extended',
    });
  });

  it('names file, line, column and field in errors (the string-for-number case from the brief)', () => {
    const text = read(`${SHARED}/examples/xlexample.hvm`).replace('vgt_low_gm_sz=128', "vgt_low_gm_sz='abc'");
    const { spec, findings } = specOf(text, 'xlexample.hvm');
    expect(spec).toBeNull();
    expect(findings.map(formatFinding)).toEqual(["xlexample.hvm:18:1: error: vgt_low_gm_sz: must be a number of MiB, got 'abc'"]);
  });

  const bad: [string, string, string][] = [
    ['memory as text', "name='a'\nmemory = '2048 MiB'\n", "d.cfg:2:1: error: memory: must be a number of MiB, got '2048 MiB'"],
    ['memory with a trailing space (xlu_cfg_get_long wants the whole string a number)', "name='a'\nmemory = '2048 '\n", "d.cfg:2:1: error: memory: must be a number of MiB, got '2048 '"],
    ['memory 08 (xlu_cfg_get_long: strtol base 0 reads a leading 0 as octal)', "name='a'\nmemory = '08'\n", "d.cfg:2:1: error: memory: must be a number of MiB, got '08'"],
    ['memory too small', "name='a'\nmemory = 8\n", 'd.cfg:2:1: error: memory: must be 16..65536 MiB, got 8'],
    ['vcpus 0', "name='a'\nvcpus = 0\n", 'd.cfg:2:1: error: vcpus: must be 1..64, got 0'],
    ['vcpus list', "name='a'\nvcpus = [ 1 ]\n", 'd.cfg:2:1: error: vcpus: must be a number of virtual CPUs, got a list'],
    ['aperture not a multiple of 4', "name='a'\nvgt=1\nvgt_low_gm_sz = 130\n", 'd.cfg:3:1: error: vgt_low_gm_sz: must be a multiple of 4 MiB, got 130'],
    ['aperture too large', "name='a'\nvgt=1\nvgt_low_gm_sz = 8192\n", 'd.cfg:3:1: error: vgt_low_gm_sz: must be 8..4096 MiB, got 8192'],
    ['high GM too large', "name='a'\nvgt=1\nvgt_high_gm_sz = 16388\n", 'd.cfg:3:1: error: vgt_high_gm_sz: must be 0..16384 MiB, got 16388'],
    ['too many fences', "name='a'\nvgt=1\nvgt_fence_sz = 33\n", 'd.cfg:3:1: error: vgt_fence_sz: must be 0..32, got 33'],
    ['vgt 2', "name='a'\nvgt = 2\n", 'd.cfg:2:1: error: vgt: must be 0 or 1, got 2'],
    ['vgt as a word', "name='a'\nvgt = 'yes'\n", "d.cfg:2:1: error: vgt: must be 0 or 1, got 'yes'"],
    ['monitor path as a number', "name='a'\nvgt=1\nvgt_monitor_config_file = 1\n", 'd.cfg:3:1: error: vgt_monitor_config_file: must be a quoted file path, got 1'],
    ['unknown workload', "name='a'\n  gvt_workload = 'gaming'\n", "d.cfg:2:3: error: gvt_workload: must be one of 'desktop', 'idle', 'hostile:all' or 'hostile:<scenario>' (ggtt-outside, ggtt-foreign-frame, fence-steal, lri-privileged, batch-foreign, batch-loop, blit-foreign, malformed, oversized, pvinfo-reserved, irq-storm, mmio-sweep, ppgtt-outside, ppgtt-foreign-frame, ppgtt-shadow-tables, ppgtt-batch-foreign), got 'gaming'"],
    ['missing name', 'memory = 64\n', "d.cfg:1:1: error: name: required: add name = '…' (1-64 letters, digits, '.', '_' or '-')"],
    ['name with a space', "name = 'my vm'\n", "d.cfg:1:1: error: name: must be 1-64 letters, digits, '.', '_' or '-', got 'my vm'"],
    ['name as a number', 'name = 7\n', 'd.cfg:1:1: error: name: must be a quoted string, got 7'],
    ['name too long (quoted as a 40-character excerpt)', `name = '${'x'.repeat(65)}'\n`, `d.cfg:1:1: error: name: must be 1-64 letters, digits, '.', '_' or '-', got '${'x'.repeat(40)}…'`],
  ];
  it.each(bad)('%s is an error', (_name, text, message) => {
    const { spec, findings } = specOf(text);
    expect(spec).toBeNull();
    expect(errors(findings)).toEqual([message]);
  });

  it('accepts the allowed workloads and the range limits', () => {
    const { spec, findings } = specOf("name='a.b_c-1'\nmemory=65536\nvcpus=64\nvgt=1\nvgt_low_gm_sz=4096\nvgt_high_gm_sz=0\nvgt_fence_sz=0\ngvt_workload='idle'\n");
    expect(findings).toEqual([]);
    expect(spec).toMatchObject({ name: 'a.b_c-1', memoryMiB: 65536, vcpus: 64, lowGmMiB: 4096, highGmMiB: 0, fences: 0, workload: 'idle' });
  });

  it('warns about vGPU keys that have no effect without vgt=1, and a small aperture', () => {
    const off = specOf("name='a'\nvgt=0\nvgt_low_gm_sz=128\n");
    expect(off.spec).toMatchObject({ vgt: false, lowGmMiB: 128 });
    expect(off.findings.map(formatFinding)).toEqual(['d.cfg:3:1: warning: vgt_low_gm_sz: has no effect with vgt=0 (the domain gets no vGPU)']);
    const small = specOf("name='a'\nvgt=1\nvgt_low_gm_sz=32\n");
    expect(small.spec?.lowGmMiB).toBe(32);
    expect(small.findings.map((f) => `${f.line} ${f.severity} ${f.field}`)).toEqual(['3 warning vgt_low_gm_sz']);
  });

  it('reads quoted numbers as xlu_cfg_get_long does (strtol base 0 over the whole string: decimal, 0x hex, leading-0 octal)', () => {
    const { spec, findings } = specOf(`name='q'\nmemory = "2048"\nvcpus = ' 0x2'\nvgt = '1'\nvgt_low_gm_sz = '0200'\nvgt_fence_sz = "+4"\n`);
    expect(findings).toEqual([]);
    expect(spec).toMatchObject({ memoryMiB: 2048, vcpus: 2, vgt: true, lowGmMiB: 128, fences: 4 });
    const off = specOf("name='q'\nvgt = '0'\nvgt_fence_sz = 2\n");
    expect(off.spec?.vgt).toBe(false);
    expect(off.findings.map(formatFinding)).toEqual(['d.cfg:3:1: warning: vgt_fence_sz: has no effect with vgt=0 (the domain gets no vGPU)']);
    expect(errors(specOf("name='q'\nvcpus = '-1'\n").findings)).toEqual(['d.cfg:2:1: error: vcpus: must be 1..64, got -1']);
  });

  it('uses the last of duplicate keys', () => {
    expect(specOf("name='a'\nmemory=1024\nmemory=2048\n").spec?.memoryMiB).toBe(2048);
  });
});

describe('readDomainConfig', () => {
  it('gives no spec when the parse has an error, and merges findings in file order', () => {
    const r = readDomainConfig("memory = 12abc\nname = 'a'\nvcpus = 99\n", 'm.cfg');
    expect(r.spec).toBeNull();
    expect(r.findings.map((f) => `${f.line}:${f.column} ${f.field}`)).toEqual(['1:10 memory', '3:1 vcpus']);
  });
});

describe('gvt_vgpu_type', () => {
  it('takes sizes and weight from a GVT-g type', () => {
    const { spec, findings } = readDomainConfig("name='t'\nvgt=1\ngvt_vgpu_type='GVTg_V5_2'\n", 't.cfg');
    expect(findings).toEqual([]);
    expect(spec).toMatchObject({ vgpuType: 'GVTg_V5_2', lowGmMiB: 256, highGmMiB: 1024, fences: 4, weight: 8 });
  });

  it('refuses unknown types and types combined with explicit sizes, naming the line', () => {
    const bad = readDomainConfig("name='t'\nvgt=1\ngvt_vgpu_type='GVTg_V9_3'\n", 't.cfg');
    expect(bad.spec).toBeNull();
    expect(formatFinding(bad.findings[0])).toMatch(/^t\.cfg:3:1: error: gvt_vgpu_type: must be one of 'GVTg_V5_8', 'GVTg_V5_4', 'GVTg_V5_2', 'GVTg_V5_1'/);
    const both = readDomainConfig("name='t'\nvgt=1\nvgt_low_gm_sz=128\ngvt_vgpu_type='GVTg_V5_4'\n", 't.cfg');
    expect(both.spec).toBeNull();
    expect(both.findings[0].message).toMatch(/conflicts with vgt_low_gm_sz/);
  });
});
