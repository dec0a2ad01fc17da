/** New VM: the xl.cfg writer, checked by the parser every library config goes through. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NewVmFormSchema, methods, type NewVmForm } from '../../../src/shared/api';
import { MONITOR_LIBRARY } from '../../../src/shared/edid-library';
import { parseMonitorConfig } from '../../../src/shared/monitor-config';
import { DOMAIN_NAME, WORKLOADS, readDomainConfig } from '../../../src/main/vm/domain-spec';
import { VGPU_TYPES } from '../../../src/main/mediator/vgpu-types';
import { checkNewVmForm, libraryMonitorConfig, writeNewVmConfig } from '../../../src/main/vm/new-vm';
import { parseXlConfig } from '../../../src/main/vm/xlcfg';

const base: NewVmForm = { name: 'guest1', memoryMiB: 2048, vcpus: 2, vgpu: { kind: 'type', type: 'GVTg_V5_4' }, display: { kind: 'builtin' }, workload: 'desktop' };
const free = (): boolean => false;

describe('writeNewVmConfig', () => {
  it('writes the xlexample.hvm keys xl reads, and the parser reads back the same values', () => {
    const text = writeNewVmConfig(base);
    expect(text).toContain("name = 'guest1'\nbuilder = 'hvm'\nmemory = 2048\nvcpus = 2\n");
    expect(text).toContain("vgt = 1\ngvt_vgpu_type = 'GVTg_V5_4'\n");
    const { spec, findings } = readDomainConfig(text, 'guest1.cfg');
    expect(findings).toEqual([]);
    expect(spec).toMatchObject({ name: 'guest1', memoryMiB: 2048, vcpus: 2, vgt: true, vgpuType: 'GVTg_V5_4', lowGmMiB: 128, highGmMiB: 512, fences: 4, tablet: true, workload: 'desktop', monitorConfigFile: null });
  });

  it('writes explicit XenGT sizes as vgt_low_gm_sz / vgt_high_gm_sz / vgt_fence_sz (GVT-g setup guide 2016 §4.1.1)', () => {
    const text = writeNewVmConfig({ ...base, vgpu: { kind: 'explicit', lowGmMiB: 128, highGmMiB: 384, fences: 4 } });
    expect(text).toContain('vgt_low_gm_sz = 128\nvgt_high_gm_sz = 384\nvgt_fence_sz = 4\n');
    expect(text).not.toContain('gvt_vgpu_type');
    expect(readDomainConfig(text, 'x.cfg').spec).toMatchObject({ vgpuType: null, lowGmMiB: 128, highGmMiB: 384, fences: 4 });
  });

  it('names the monitor.config of a library monitor or a path given, and none for the built-in monitor', () => {
    expect(writeNewVmConfig({ ...base, display: { kind: 'library', monitor: 'asus-pa238' } }, '/data/monitors/guest1.config')).toContain("vgt_monitor_config_file = '/data/monitors/guest1.config'\n");
    expect(writeNewVmConfig({ ...base, display: { kind: 'file', path: "/it's/mon.config" } })).toContain(`vgt_monitor_config_file = "/it's/mon.config"\n`);
    expect(writeNewVmConfig(base)).not.toContain('vgt_monitor_config_file');
    expect(() => writeNewVmConfig({ ...base, display: { kind: 'library', monitor: 'asus-pa238' } })).toThrow(RangeError);
  });

  it('a library monitor becomes a one-record monitor.config with that EDID on virtual PORT_B', () => {
    const parsed = parseMonitorConfig(libraryMonitorConfig('generic-1280x1024'));
    expect(parsed.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(parsed.config?.records).toHaveLength(1);
    expect(parsed.config?.records[0]).toMatchObject({ virtualPort: 'PORT_B', portType: 'DP', overridePort: 'PORT_B' });
    expect([...parsed.config!.records[0]!.edid]).toEqual([...MONITOR_LIBRARY.find((m) => m.id === 'generic-1280x1024')!.bytes]);
  });

  // Every value the dialog offers (its inputs' ranges and lists) gives a config the parser
  // accepts with exactly those values.
  it('property: every form the dialog allows writes a config the parser accepts with the same values', () => {
    const name = fc.stringMatching(/^[A-Za-z0-9_.-]{1,64}$/).filter((n) => DOMAIN_NAME.test(n) && n !== 'Domain-0');
    const vgpu = fc.oneof(
      fc.constantFrom(...VGPU_TYPES.map((t) => t.name)).map((type) => ({ kind: 'type' as const, type })),
      fc.record({ kind: fc.constant('explicit' as const), lowGmMiB: fc.integer({ min: 2, max: 1024 }).map((n) => n * 4), highGmMiB: fc.integer({ min: 0, max: 4096 }).map((n) => n * 4), fences: fc.integer({ min: 0, max: 32 }) }),
    );
    const display = fc.oneof(
      fc.constant({ kind: 'builtin' as const }),
      fc.constantFrom(...MONITOR_LIBRARY.map((m) => m.id)).map((monitor) => ({ kind: 'library' as const, monitor })),
      fc.string({ minLength: 1, maxLength: 200, unit: 'grapheme' }).filter((p) => p.trim() !== '').map((path) => ({ kind: 'file' as const, path })),
    );
    const form = fc.record({ name, memoryMiB: fc.integer({ min: 16, max: 65536 }), vcpus: fc.integer({ min: 1, max: 64 }), vgpu, display, workload: fc.constantFrom(...WORKLOADS) });
    fc.assert(
      fc.property(form, (f) => {
        expect(NewVmFormSchema.safeParse(f).success).toBe(true);
        const monitorPath = f.display.kind === 'library' ? `/data/monitors/${f.name}.config` : null;
        const { text, spec, problems } = checkNewVmForm(f, free, monitorPath);
        expect(problems).toEqual([]);
        expect(parseXlConfig(text, 'x.cfg').findings).toEqual([]);
        const type = f.vgpu.kind === 'type' ? VGPU_TYPES.find((t) => t.name === (f.vgpu as { type: string }).type)! : null;
        expect(spec).toMatchObject({
          name: f.name,
          memoryMiB: f.memoryMiB,
          vcpus: f.vcpus,
          vgt: true,
          workload: f.workload,
          vgpuType: type?.name ?? null,
          lowGmMiB: type ? type.lowGmBytes / 2 ** 20 : (f.vgpu as { lowGmMiB: number }).lowGmMiB,
          highGmMiB: type ? type.highGmBytes / 2 ** 20 : (f.vgpu as { highGmMiB: number }).highGmMiB,
          fences: type ? type.fences : (f.vgpu as { fences: number }).fences,
          monitorConfigFile: f.display.kind === 'builtin' ? null : f.display.kind === 'library' ? monitorPath : f.display.path,
        });
      }),
      { numRuns: 300 },
    );
  });
});

describe('checkNewVmForm', () => {
  it('says why, field by field, with the parser\'s own messages', () => {
    const { problems, spec } = checkNewVmForm({ ...base, name: 'bad name', memoryMiB: 8, vcpus: 0, vgpu: { kind: 'explicit', lowGmMiB: 130, highGmMiB: 384, fences: 40 }, workload: 'mining' }, free);
    expect(spec).toBeNull();
    const by = Object.fromEntries(problems.map((p) => [p.field, p.message]));
    expect(by.name).toMatch(/must be 1-64 letters, digits/);
    expect(by.memoryMiB).toBe('must be 16..65536 MiB, got 8');
    expect(by.vcpus).toBe('must be 1..64, got 0');
    expect(by.lowGmMiB).toBe('must be a multiple of 4 MiB, got 130');
    expect(by.fences).toBe('must be 0..32, got 40');
    expect(by.workload).toMatch(/^must be one of 'desktop', 'idle'/);
  });

  it('refuses an unknown vGPU type, an unknown library monitor and an empty monitor.config path on their fields', () => {
    expect(checkNewVmForm({ ...base, vgpu: { kind: 'type', type: 'GVTg_V9_3' } }, free).problems).toEqual([{ field: 'vgpu', message: expect.stringContaining("must be one of 'GVTg_V5_8'") }]);
    expect(checkNewVmForm({ ...base, display: { kind: 'library', monitor: 'crt-9000' } }, free).problems).toEqual([{ field: 'display', message: "'crt-9000' is not a monitor of the EDID library" }]);
    expect(checkNewVmForm({ ...base, display: { kind: 'file', path: '  ' } }, free).problems[0]?.field).toBe('display');
  });

  it('refuses a name that is taken, and Domain-0\'s', () => {
    expect(checkNewVmForm(base, (n) => n === 'guest1').problems).toEqual([{ field: 'name', message: expect.stringContaining("a domain named 'guest1' already exists") }]);
    expect(checkNewVmForm({ ...base, name: 'Domain-0' }, free).problems[0]?.field).toBe('name');
  });
});

describe('NewVmFormSchema (library.create params)', () => {
  it('refuses unknown keys, fractions, negative numbers and unknown kinds', () => {
    expect(NewVmFormSchema.safeParse({ ...base, extra: 1 }).success).toBe(false);
    expect(NewVmFormSchema.safeParse({ ...base, memoryMiB: 1.5 }).success).toBe(false);
    expect(NewVmFormSchema.safeParse({ ...base, vcpus: -1 }).success).toBe(false);
    expect(NewVmFormSchema.safeParse({ ...base, vgpu: { kind: 'mdev', type: 'x' } }).success).toBe(false);
    expect(NewVmFormSchema.safeParse({ ...base, display: { kind: 'file' } }).success).toBe(false);
    expect(NewVmFormSchema.safeParse({ ...base, name: 'x'.repeat(300) }).success).toBe(false);
  });
});

describe('library.create / clone / importCopy / freeName schemas', () => {
  const ok = (m: keyof typeof methods, p: unknown): boolean => methods[m].safeParse(p).success;
  it('take what the UI sends', () => {
    expect(ok('library.create', { form: base })).toBe(true);
    expect(ok('library.create', { form: base, dryRun: true })).toBe(true);
    expect(ok('library.clone', { name: 'a', newName: 'a-clone' })).toBe(true);
    expect(ok('library.importCopy', { fileName: 'x.hvm', text: "name='x'\n" })).toBe(true);
    expect(ok('library.freeName', { name: 'a', suffix: 'clone' })).toBe(true);
  });
  it('refuse malformed names, unknown keys, a missing form, oversized text and unknown suffixes', () => {
    expect(ok('library.create', {})).toBe(false);
    expect(ok('library.create', { form: base, extra: true })).toBe(false);
    expect(ok('library.clone', { name: 'a', newName: 'has space' })).toBe(false);
    expect(ok('library.clone', { name: '../etc/passwd', newName: 'b' })).toBe(false);
    expect(ok('library.clone', { name: 'a' })).toBe(false);
    expect(ok('library.importCopy', { fileName: '', text: '' })).toBe(false);
    expect(ok('library.importCopy', { fileName: 'x', text: 'a'.repeat((1 << 20) + 1) })).toBe(false);
    expect(ok('library.freeName', { name: 'a', suffix: 'copy' })).toBe(false);
  });
});
