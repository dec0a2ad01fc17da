/**
 * Export as the 2016 KVMGT command line: igvtg-qemu (Intel's QEMU fork with the `-vgt*` options)
 * started as the Intel GVT-g setup guide (Nov 2016) §4.1.2 shows it:
 *
 *   /usr/bin/qemu-system-x86_64 -m 2048 -smp 2 -enable-kvm -M pc -machine kernel_irqchip=on \
 *     -vgt -vga vgt -vgt_low_gm_sz 128 -vgt_high_gm_sz 384 -vgt_fence_sz 4
 *
 * plus §4.1.3's -vgt_monitor_config_file, -name, -k (keymap) and -usbdevice tablet where the domain
 * has them. The guide's disk, BIOS and network options are the user's own (GVT Desk domains have no
 * disks) and are left out. parseKvmgtArgs (../kvmgt-args.ts) reads the result back to the same
 * settings: the export → import round trip is tested.
 * source: Intel GVT-g setup guide 2016 §4.1.2, §4.1.3; qemu(1) for -name, -m, -smp, -k, -usbdevice
 */
import { DOMAIN_DEFAULTS, type DomainSpec } from '../domain-spec';
import { continuedCommand, shellWord } from './shell';

/** The program the guide runs. */
export const KVMGT_QEMU = '/usr/bin/qemu-system-x86_64';

/**
 * The domain as a KVMGT 2016 qemu command line (a shell script). A domain with a gvt_vgpu_type
 * gets that type's sizes written out: igvtg-qemu has no types. A domain without vgt=1 gets no -vgt
 * options (a plain KVM guest).
 */
export function exportQemuKvmgt(spec: DomainSpec): string {
  const lines: string[][] = [
    [KVMGT_QEMU, '-name', shellWord(spec.name), '-m', String(spec.memoryMiB), '-smp', String(spec.vcpus)],
    ['-enable-kvm', '-M', 'pc', '-machine', 'kernel_irqchip=on'],
  ];
  if (spec.vgt) {
    lines.push(['-vgt', '-vga', 'vgt', '-vgt_low_gm_sz', String(spec.lowGmMiB)]);
    lines.push(['-vgt_high_gm_sz', String(spec.highGmMiB), '-vgt_fence_sz', String(spec.fences)]);
    if (spec.monitorConfigFile !== null) lines.push(['-vgt_monitor_config_file', shellWord(spec.monitorConfigFile)]);
  }
  const extra: string[] = [];
  if (spec.keymap !== DOMAIN_DEFAULTS.keymap) extra.push('-k', shellWord(spec.keymap));
  if (spec.tablet) extra.push('-usb', '-usbdevice', 'tablet');
  if (extra.length > 0) lines.push(extra);
  const what = spec.vgt ? 'a KVMGT guest (igvtg-qemu, Intel GVT-g setup guide 2016 §4.1.2)' : 'a KVM guest without a vGPU (vgt=1 is not set)';
  return `#!/bin/sh\n# ${spec.name} as ${what}, exported by GVT Desk.\n# Add the guest's disk and network as the guide does (-hda …, -net …).\n${continuedCommand(lines)}\n`;
}
