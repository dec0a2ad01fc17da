/**
 * Export as an upstream KVMGT command line: mainline Linux's i915 GVT-g exposes each vGPU as a VFIO
 * mediated device (/sys/bus/mdev/devices/UUID) and mainline QEMU assigns it with vfio-pci:
 *
 *   -device vfio-pci,sysfsdev=/sys/bus/mdev/devices/UUID,display=on,x-igd-opregion=on,ramfb=on,driver=vfio-pci-nohotplug
 *
 * display=on shows the vGPU's framebuffer (dma-buf) in QEMU's own display, which needs OpenGL
 * (-display gtk,gl=on); x-igd-opregion=on gives the guest i915 the OpRegion it looks for; ramfb=on
 * is a boot display until the guest driver loads. QEMU has the ramfb property only on
 * vfio-pci-nohotplug (a ramfb device cannot be hot-plugged), so the trailing driver= turns the
 * vfio-pci device into that variant: QEMU takes the last driver= given, as the GVT-g guides do.
 * -vga none leaves the vGPU the guest's only display. The vGPU must exist before QEMU starts: the
 * script says how to create it (or use the mdevctl export).
 * source: Intel GVT-g setup guide (github.com/intel/gvt-linux wiki, KVMGT); QEMU hw/vfio/pci.c and
 * docs (vfio-pci sysfsdev, display, x-igd-opregion, vfio-pci-nohotplug ramfb); qemu(1)
 */
import { MiB } from '../../../shared/platform';
import { DOMAIN_DEFAULTS, type DomainSpec } from '../domain-spec';
import { continuedCommand, shellWord } from './shell';
import { vgpuUuid } from './uuid';
import { GVT_PARENT, mdevTypeName, vgpuTypeFor } from './vgpu-type';

/** The vGPU's VFIO device path: /sys/bus/mdev/devices/UUID. */
export function mdevSysfsPath(uuid: string): string {
  return `/sys/bus/mdev/devices/${uuid}`;
}

/**
 * The domain as an upstream QEMU + KVMGT command line (a shell script): name, memory, vCPUs, the
 * vGPU as a vfio-pci mediated device with a stable UUID (vgpuUuid), keymap and USB tablet.
 * @throws ApiError('config') for a domain without a vGPU or whose sizes no GVT-g type covers (vgpuTypeFor)
 */
export function exportQemu(spec: DomainSpec): string {
  const type = vgpuTypeFor(spec);
  const mdevType = mdevTypeName(type);
  const uuid = vgpuUuid(spec.name);
  const lines: string[][] = [
    ['exec', 'qemu-system-x86_64'],
    ['-name', shellWord(spec.name)],
    ['-machine', 'pc,accel=kvm'],
    ['-m', String(spec.memoryMiB)],
    ['-smp', String(spec.vcpus)],
    ['-vga', 'none', '-display', 'gtk,gl=on'],
    ['-device', `vfio-pci,sysfsdev=${mdevSysfsPath(uuid)},display=on,x-igd-opregion=on,ramfb=on,driver=vfio-pci-nohotplug`],
  ];
  if (spec.keymap !== DOMAIN_DEFAULTS.keymap) lines.push(['-k', shellWord(spec.keymap)]);
  if (spec.tablet) lines.push(['-usb', '-device', 'usb-tablet']);
  const header = [
    '#!/bin/sh',
    `# ${spec.name} for upstream KVMGT (i915 GVT-g + VFIO mdev, QEMU with OpenGL), exported by GVT Desk.`,
    `# vGPU: mdev type ${mdevType} (${type.lowGmBytes / MiB} MiB aperture, ${type.highGmBytes / MiB} MiB high GM, ${type.fences} fences) on ${GVT_PARENT},`,
    `# UUID ${uuid} (derived from the domain name: every export names the same vGPU).`,
    '# Create the vGPU once, as root, before the first start (or define it with the mdevctl export):',
    `#   echo ${uuid} > /sys/bus/pci/devices/${GVT_PARENT}/mdev_supported_types/${mdevType}/create`,
    "# Add the guest's disk and network (-drive …, -nic …).",
  ];
  return `${header.join('\n')}\n${continuedCommand(lines)}\n`;
}
