import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readDomainConfig } from '../../../src/main/vm/domain-spec';
import { kvmgtToXl, looksLikeKvmgt, parseKvmgtArgs } from '../../../src/main/vm/kvmgt-args';
import { formatFinding } from '../../../src/main/vm/xlcfg';

const SHARED = path.resolve(__dirname, '../../../../shared');
const seed = readFileSync(`${SHARED}/examples/kvmgt-qemu.sh`, 'utf8');

describe('parseKvmgtArgs', () => {
  it('reads the 2016 guide KVMGT command line', () => {
    const { settings, findings } = parseKvmgtArgs(seed, 'kvmgt-qemu.sh');
    expect(findings).toEqual([]);
    expect(settings).toEqual({
      program: '/usr/bin/qemu-system-x86_64',
      memoryMiB: 2048,
      vcpus: 2,
      vgt: true,
      lowGmMiB: 128,
      highGmMiB: 384,
      fences: 4,
      otherOptions: [
        { option: '-bios', value: '/usr/bin/bios.bin', line: 2, column: 1 },
        { option: '-enable-kvm', value: null, line: 2, column: 25 },
        { option: '-M', value: 'pc', line: 3, column: 1 },
        { option: '-machine', value: 'kernel_irqchip=on', line: 3, column: 7 },
        { option: '-hda', value: '/path/to/Guest_OS.img', line: 4, column: 1 },
        { option: '-net', value: 'nic', line: 5, column: 1 },
        { option: '-net', value: 'tap,script=/path/to/qemu-ifup', line: 5, column: 10 },
      ],
    });
  });

  it('reads the command as printed in the guide: a # prompt, tabs, and the monitor.config option', () => {
    const text = '\t# /usr/bin/qemu-system-x86_64 -m 2G -smp cpus=4,cores=2 \\\n\t-vga vgt -vgt_low_gm_sz 64 \\\n\t-vgt_monitor_config_file "/etc/my monitor.config"\n';
    const { settings, findings } = parseKvmgtArgs(text, 'guide.txt');
    expect(findings).toEqual([]);
    expect(settings).toEqual({
      program: '/usr/bin/qemu-system-x86_64',
      memoryMiB: 2048,
      vcpus: 4,
      vgt: true,
      lowGmMiB: 64,
      monitorConfigFile: '/etc/my monitor.config',
      otherOptions: [],
    });
  });

  it('keeps -vga with another adapter as an unmapped option', () => {
    const { settings } = parseKvmgtArgs('qemu-system-x86_64 -vga std -m 1024M', 'q');
    expect(settings.vgt).toBeUndefined();
    expect(settings.memoryMiB).toBe(1024);
    expect(settings.otherOptions).toEqual([{ option: '-vga', value: 'std', line: 1, column: 20 }]);
  });

  it('reports malformed values, missing values and unterminated quotes with their position, never throwing', () => {
    const text = "qemu-system-x86_64 -m lots \\\n  -smp many -vgt_low_gm_sz 12x \\\n  -hda 'unterminated -vgt_fence_sz\n";
    const { findings } = parseKvmgtArgs(text, 'bad.sh');
    expect(findings.map(formatFinding)).toEqual([
      "bad.sh:1:23: error: -m: must be a size in MiB (e.g. 2048, 2048M or 2G), got 'lots'",
      "bad.sh:2:8: error: -smp: must give a number of CPUs (e.g. 2 or cpus=2), got 'many'",
      "bad.sh:2:28: error: -vgt_low_gm_sz: must be a number of MiB, got '12x'",
      'bad.sh:3:8: error: unterminated single-quoted string',
    ]);
    const missing = parseKvmgtArgs('qemu-system-x86_64 -vgt -vgt_fence_sz', 'm.sh');
    expect(missing.findings.map(formatFinding)).toEqual(['m.sh:1:25: error: -vgt_fence_sz: missing value']);
  });

  it('warns about an option given twice (the last wins) and about a missing program', () => {
    const twice = parseKvmgtArgs('qemu-kvm -m 1024 -m 2048', 't.sh');
    expect(twice.settings.memoryMiB).toBe(2048);
    expect(twice.findings.map(formatFinding)).toEqual(['t.sh:1:18: warning: -m: given again (also at line 1); the last one wins, as in qemu']);
    const noProgram = parseKvmgtArgs('-m 512 -vgt', 'n.sh');
    expect(noProgram.settings).toMatchObject({ program: null, memoryMiB: 512, vgt: true });
    expect(noProgram.findings.map((f) => f.severity)).toEqual(['warning']);
    expect(parseKvmgtArgs('# nothing here\n', 'e.sh').findings.map((f) => f.severity)).toEqual(['error']);
    expect(parseKvmgtArgs('', 'e.sh').findings).toHaveLength(1);
  });

  it('reads -name (plain or guest=), -k and the USB tablet (-usbdevice tablet, -device usb-tablet)', () => {
    const { settings, findings } = parseKvmgtArgs('qemu-system-x86_64 -name vm.1 -k de -usb -usbdevice tablet -vgt', 'n.sh');
    expect(findings).toEqual([]);
    expect(settings).toMatchObject({ name: 'vm.1', keymap: 'de', tablet: true, vgt: true });
    expect(settings.otherOptions.map((o) => o.option)).toEqual(['-usb']);
    expect(parseKvmgtArgs('qemu-system-x86_64 -name guest=g2,debug-threads=on -device usb-tablet', 'g.sh').settings).toMatchObject({ name: 'g2', tablet: true });
    // -name process=… only: no guest name. A keymap GVT Desk does not translate, and other devices, stay unmapped.
    const other = parseKvmgtArgs('qemu-system-x86_64 -name process=q -k xx -device e1000', 'o.sh').settings;
    expect(other.name).toBeUndefined();
    expect(other.keymap).toBeUndefined();
    expect(other.tablet).toBeUndefined();
    expect(other.otherOptions.map((o) => `${o.option} ${o.value}`)).toEqual(['-k xx', '-device e1000']);
  });

  it('warns about a -name that cannot be a domain name (the file name is used instead)', () => {
    const { settings, findings } = parseKvmgtArgs("qemu-system-x86_64 -name 'my guest' -vgt", 'w.sh');
    expect(settings.name).toBeUndefined();
    expect(findings.map(formatFinding)).toEqual(["w.sh:1:26: warning: -name: 'my guest' is not a domain name GVT Desk can use (1-64 letters, digits, '.', '_' or '-'); the domain is named after the file"]);
  });

  it('picks the qemu command out of a script', () => {
    const { settings, findings } = parseKvmgtArgs('#!/bin/bash\nset -e\nsudo /opt/qemu-system-x86_64 -m 4096 -vgt; echo done\n', 's.sh');
    expect(findings).toEqual([]);
    expect(settings).toMatchObject({ program: '/opt/qemu-system-x86_64', memoryMiB: 4096, vgt: true, otherOptions: [] });
  });
});

describe('kvmgtToXl', () => {
  it('turns the guide command line into an xl config with the same domain settings', () => {
    const text = kvmgtToXl(parseKvmgtArgs(seed, 'kvmgt-qemu.sh').settings, 'kvmgt-guest');
    const { spec, findings, config } = readDomainConfig(text, 'kvmgt-guest.cfg');
    expect(findings).toEqual([]);
    expect(spec).toEqual({
      name: 'kvmgt-guest', memoryMiB: 2048, vcpus: 2, vgt: true, lowGmMiB: 128, highGmMiB: 384, fences: 4, monitorConfigFile: null, workload: 'desktop', vgpuType: null, weight: 4, keymap: 'en-us', tablet: false, displayLayout: 'extended',
    });
    expect(config.keys()).toEqual(['name', 'builder', 'memory', 'vcpus', 'vgt', 'vgt_low_gm_sz', 'vgt_high_gm_sz', 'vgt_fence_sz']);
    expect(text).toContain('#   -bios /usr/bin/bios.bin\n#   -enable-kvm\n');
    expect(text).toContain('#   -net tap,script=/path/to/qemu-ifup\n');
  });

  it('quotes awkward paths safely and keeps comments on one line', () => {
    const settings = { program: 'qemu-system-x86_64', vgt: true, monitorConfigFile: `/tmp/it's "x"`, otherOptions: [{ option: '-name', value: 'a\nvgt = 0', line: 1, column: 1 }] };
    const text = kvmgtToXl(settings, 'q');
    const { spec, findings } = readDomainConfig(text, 'q.cfg');
    expect(findings).toEqual([]);
    expect(spec?.monitorConfigFile).toBe(`/tmp/it's "x"`);
    expect(spec?.vgt).toBe(true);
  });

  it('writes keymap and usbdevice for -k and the tablet', () => {
    const text = kvmgtToXl(parseKvmgtArgs('qemu-system-x86_64 -name t -k fr -usbdevice tablet -vgt', 't.sh').settings, 't');
    expect(readDomainConfig(text, 't.cfg').spec).toMatchObject({ name: 't', keymap: 'fr', tablet: true, vgt: true });
  });

  it('refuses an invalid domain name', () => {
    expect(() => kvmgtToXl({ program: null, otherOptions: [] }, 'bad name')).toThrow(RangeError);
  });
});

describe('looksLikeKvmgt', () => {
  it('tells a qemu command line from an xl config that mentions qemu', () => {
    expect(looksLikeKvmgt(seed)).toBe(true);
    expect(looksLikeKvmgt('# /usr/bin/qemu-system-x86_64 -m 2048')).toBe(true);
    expect(looksLikeKvmgt('-m 2048 -vgt')).toBe(true);
    expect(looksLikeKvmgt(readFileSync(`${SHARED}/examples/xlexample.hvm`, 'utf8'))).toBe(false);
    expect(looksLikeKvmgt("device_model_override = '/usr/bin/qemu-system-i386'\n")).toBe(false);
  });
});
