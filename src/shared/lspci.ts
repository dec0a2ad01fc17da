/**
 * PCI devices as `lspci` prints them, for Dom0's and the guests' shells.
 *
 * Format: pciutils lspci.c show_terse() — `SLOT CLASS: VENDOR DEVICE` plus ` (rev NN)` when the
 * revision is not 0; `-n` prints the numbers instead of the names (`SLOT CCCC: VVVV:DDDD`), `-nn`
 * both (`SLOT CLASS [CCCC]: VENDOR DEVICE [VVVV:DDDD]`). Names: pci.ids (pciutils/pciids snapshot
 * of 2025-12-30). A GVT-g vGPU presents the host IGD's vendor, device and revision to its guest
 * (the vGPU's config space is copied from the host's: XenGT create_vgt_instance, GVT-g
 * intel_vgpu_init_cfg_space), so Dom0 and the guests show the same 8086:1912.
 */

export interface PciDevice {
  /** bus:device.function, e.g. '00:02.0' */
  slot: string;
  /** Class and subclass, e.g. 0x0300 */
  classId: number;
  className: string;
  vendorId: number;
  vendor: string;
  deviceId: number;
  device: string;
  /** Revision ID; 0 is not printed. */
  rev: number;
}

/** The emulated GPU: Intel HD Graphics 530, Skylake GT2 (desktop), at 00:02.0 as every Intel IGD. */
/** An Intel device (vendor 8086) at `slot`, e.g. intelDevice('00:1f.0', 0x0601, 'ISA bridge', 0x7000, '82371SB PIIX3 ISA [Natoma/Triton II]', 0). */
export const intelDevice = (slot: string, classId: number, className: string, deviceId: number, device: string, rev: number): PciDevice => ({
  slot,
  classId,
  className,
  vendorId: 0x8086,
  vendor: 'Intel Corporation',
  deviceId,
  device,
  rev,
});

export const SKL_GT2_IGD: PciDevice = {
  slot: '00:02.0',
  classId: 0x0300,
  className: 'VGA compatible controller',
  vendorId: 0x8086,
  vendor: 'Intel Corporation',
  deviceId: 0x1912,
  device: 'Skylake-S GT2 [HD Graphics 530]',
  rev: 0x06,
};

const hex4 = (n: number): string => n.toString(16).padStart(4, '0');

/**
 * `lspci [-n | -nn]` over `devices`: the text and the exit status. Another option or an operand
 * gives getopt's message and lspci's usage, status 1 (lspci.c usage()).
 */
export function formatLspci(devices: readonly PciDevice[], args: readonly string[]): { out: string; status: number } {
  let numeric = 0;
  for (const a of args) {
    const bad = a.startsWith('-') && a.length > 1 ? [...a.slice(1)].find((c) => c !== 'n') : a;
    if (bad !== undefined) {
      const what = a.startsWith('-') && a.length > 1 ? `invalid option -- '${bad}'` : `unexpected argument '${a}'`;
      return { out: `lspci: ${what}\nUsage: lspci [-n | -nn]\n`, status: 1 };
    }
    numeric += a.length - 1;
  }
  const line = (d: PciDevice): string => {
    const ids = `${hex4(d.vendorId)}:${hex4(d.deviceId)}`;
    const rev = d.rev ? ` (rev ${d.rev.toString(16).padStart(2, '0')})` : '';
    if (numeric === 1) return `${d.slot} ${hex4(d.classId)}: ${ids}${rev}`;
    if (numeric >= 2) return `${d.slot} ${d.className} [${hex4(d.classId)}]: ${d.vendor} ${d.device} [${ids}]${rev}`;
    return `${d.slot} ${d.className}: ${d.vendor} ${d.device}${rev}`;
  };
  return { out: devices.map((d) => `${line(d)}\n`).join(''), status: 0 };
}
