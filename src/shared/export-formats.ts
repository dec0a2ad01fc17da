/**
 * The formats a library domain can be exported in (the `domain.export` method, `gvt-desk export`
 * and the UI's Export… dialog). Shared because the renderer lists them: browser-safe, no node code.
 */

/** Export formats, in the order the UI offers them. */
export const EXPORT_FORMATS = ['xl', 'qemu-kvmgt', 'qemu', 'libvirt', 'mdevctl'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportFormatInfo {
  /** Short name for menus and the dialog. */
  label: string;
  /** One line: what the file is and where it goes. */
  description: string;
  /** Media type of the exported text (for the browser download). */
  mimeType: string;
}

export const EXPORT_FORMAT_INFO: Readonly<Record<ExportFormat, ExportFormatInfo>> = {
  xl: { label: 'xl.cfg (XenGT)', description: "The domain's xl config as stored in the library; imports back unchanged.", mimeType: 'text/plain' },
  'qemu-kvmgt': {
    label: 'QEMU command line (KVMGT 2016)',
    description: "igvtg-qemu's -vgt -vga vgt -vgt_low_gm_sz … command line of the Intel GVT-g setup guide (2016, §4.1.2); imports back.",
    mimeType: 'text/x-shellscript',
  },
  qemu: {
    label: 'QEMU command line (upstream KVMGT)',
    description: 'Upstream QEMU with the vGPU as a VFIO mediated device: -device vfio-pci,sysfsdev=/sys/bus/mdev/devices/UUID,display=on,….',
    mimeType: 'text/x-shellscript',
  },
  libvirt: {
    label: 'libvirt domain XML',
    description: "For virsh define: the vGPU as <hostdev type='mdev' model='vfio-pci' display='on'>; imports back.",
    mimeType: 'application/xml',
  },
  mdevctl: {
    label: 'mdevctl JSON',
    description: 'The vGPU as mdevctl defines it (parent 0000:00:02.0, mdev_type i915-GVTg_V5_*, start auto), as mdevctl list --dumpjson prints it.',
    mimeType: 'application/json',
  },
};
