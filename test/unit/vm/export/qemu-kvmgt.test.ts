import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DOMAIN_DEFAULTS } from '../../../../src/main/vm/domain-spec';
import { exportEntry } from '../../../../src/main/vm/export';
import { exportQemuKvmgt } from '../../../../src/main/vm/export/qemu-kvmgt';
import { kvmgtToXl, looksLikeKvmgt, parseKvmgtArgs } from '../../../../src/main/vm/kvmgt-args';
import { SHARED, guideSpec, hvm, specOf, withLibrary } from './helpers';

describe('qemu-kvmgt export (the 2016 guide command line)', () => {
  it("writes the guide's §4.1.2 options for the guide's domain", () => {
    const text = exportQemuKvmgt(guideSpec());
    expect(text.startsWith('#!/bin/sh\n# vgtHVMDomain as a KVMGT guest (igvtg-qemu, Intel GVT-g setup guide 2016 §4.1.2)')).toBe(true);
    expect(text).toContain('/usr/bin/qemu-system-x86_64 -name vgtHVMDomain -m 2048 -smp 1 \\\n');
    expect(text).toContain('-enable-kvm -M pc -machine kernel_irqchip=on \\\n');
    // The same option sequence as the guide's example (resources/examples/kvmgt-qemu.sh).
    expect(text).toContain('-vgt -vga vgt -vgt_low_gm_sz 128 \\\n  -vgt_high_gm_sz 384 -vgt_fence_sz 4');
    const guide = readFileSync(`${SHARED}/examples/kvmgt-qemu.sh`, 'utf8');
    expect(guide).toContain('-vgt -vga vgt -vgt_low_gm_sz 128 \\\n-vgt_high_gm_sz 384 -vgt_fence_sz 4');
    expect(text).toContain('-vgt_monitor_config_file /path/to/monitor.config');
    expect(text).toContain('-usb -usbdevice tablet');
    expect(looksLikeKvmgt(text)).toBe(true);
  });

  it('parses back (parseKvmgtArgs) to the same domain settings: export → parse round trip', () => {
    for (const spec of [
      guideSpec(),
      guideSpec({ name: 'k.2_x', memoryMiB: 4096, vcpus: 4, lowGmMiB: 64, highGmMiB: 448, fences: 2, monitorConfigFile: `/home/me/my "odd" monitor's.config`, keymap: 'de', tablet: false }),
      guideSpec({ monitorConfigFile: null, keymap: 'fr' }),
      guideSpec({ vgt: false }),
    ]) {
      const { settings, findings } = parseKvmgtArgs(exportQemuKvmgt(spec), 'x.kvmgt.sh');
      expect(findings).toEqual([]);
      // What the guide needs and xl has no key for (kept in a comment of the converted config).
      expect(settings.otherOptions.map((o) => o.option)).toEqual(['-enable-kvm', '-M', '-machine', ...(spec.tablet ? ['-usb'] : [])]);
      const back = specOf(kvmgtToXl(settings, settings.name!));
      // gvt_workload is GVT Desk's own xl key: a qemu command line has no place for it. Without a
      // vGPU the vgt_* settings mean nothing and are not written: they come back as defaults.
      const vgpu = spec.vgt ? {} : { lowGmMiB: DOMAIN_DEFAULTS.lowGmMiB, highGmMiB: DOMAIN_DEFAULTS.highGmMiB, fences: DOMAIN_DEFAULTS.fences, monitorConfigFile: null };
      expect(back).toEqual({ ...spec, ...vgpu, workload: back.workload });
    }
  });

  it('writes a type-based domain with its sizes (igvtg-qemu has no types)', () => {
    const spec = specOf("name = 't'\nvgt = 1\ngvt_vgpu_type = 'GVTg_V5_2'\n");
    const text = exportQemuKvmgt(spec);
    expect(text).toContain('-vgt_low_gm_sz 256');
    expect(text).toContain('-vgt_high_gm_sz 1024 -vgt_fence_sz 4');
  });

  it('imports back into the library under the domain name, whatever the file is called', () => {
    const exported = withLibrary((lib) => exportEntry(lib.import('xlexample.hvm', hvm), 'qemu-kvmgt'));
    expect(exported.suggestedName).toBe('vgtHVMDomain.kvmgt.sh');
    const entry = withLibrary((lib) => lib.import('renamed by the browser (1).sh', exported.text));
    expect(entry.name).toBe('vgtHVMDomain');
    expect(entry.findings).toEqual([]);
    expect(entry.spec).toMatchObject({ memoryMiB: 2048, vcpus: 1, vgt: true, lowGmMiB: 128, highGmMiB: 384, fences: 4, monitorConfigFile: '/path/to/monitor.config', tablet: true });
  });
});
