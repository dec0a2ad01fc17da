import { parse } from 'shell-quote';
import { describe, expect, it } from 'vitest';
import { exportQemu } from '../../../../src/main/vm/export/qemu';
import { vgpuUuid } from '../../../../src/main/vm/export/uuid';
import { apiError, guideSpec } from './helpers';

/** The words of the exported command (comments and line continuations removed), as sh splits them. */
function words(script: string): string[] {
  const body = script.split('\n').filter((l) => !l.startsWith('#')).join('\n').replace(/\\\n/g, ' ');
  return parse(body).map((w) => String(w));
}

describe('qemu export (upstream KVMGT)', () => {
  it('assigns the vGPU as a vfio-pci mdev with display, OpRegion and ramfb, plus name, memory and vCPUs', () => {
    const uuid = vgpuUuid('vgtHVMDomain');
    const script = exportQemu(guideSpec({ vcpus: 2 }));
    const w = words(script);
    expect(w.slice(0, 2)).toEqual(['exec', 'qemu-system-x86_64']);
    const opt = (name: string): string | undefined => w[w.indexOf(name) + 1];
    expect(opt('-name')).toBe('vgtHVMDomain');
    expect(opt('-m')).toBe('2048');
    expect(opt('-smp')).toBe('2');
    expect(opt('-machine')).toBe('pc,accel=kvm');
    expect(opt('-vga')).toBe('none');
    expect(opt('-display')).toBe('gtk,gl=on');
    const device = opt('-device')!;
    expect(device.startsWith(`vfio-pci,sysfsdev=/sys/bus/mdev/devices/${uuid},display=on,x-igd-opregion=on,ramfb=on`)).toBe(true);
    // ramfb exists only on vfio-pci-nohotplug: the last driver= picks it.
    expect(device.split(',').at(-1)).toBe('driver=vfio-pci-nohotplug');
    expect(w.slice(-3)).toEqual(['-usb', '-device', 'usb-tablet']);
    // How to create that vGPU, with its type.
    expect(script).toContain(`#   echo ${uuid} > /sys/bus/pci/devices/0000:00:02.0/mdev_supported_types/i915-GVTg_V5_4/create\n`);
  });

  it('uses the same UUID on every export of a domain, another for another domain', () => {
    expect(exportQemu(guideSpec())).toBe(exportQemu(guideSpec()));
    expect(exportQemu(guideSpec({ name: 'other' }))).toContain(vgpuUuid('other'));
    expect(exportQemu(guideSpec({ name: 'other' }))).not.toContain(vgpuUuid('vgtHVMDomain'));
  });

  it('passes a keymap with -k and leaves out the tablet when the domain has none', () => {
    const w = words(exportQemu(guideSpec({ keymap: 'de', tablet: false })));
    expect(w[w.indexOf('-k') + 1]).toBe('de');
    expect(w).not.toContain('usb-tablet');
  });

  it('refuses a domain without a vGPU', () => {
    expect(apiError(() => exportQemu(guideSpec({ vgt: false }))).code).toBe('config');
  });
});
