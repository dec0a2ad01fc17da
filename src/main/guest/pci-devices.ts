/**
 * The PCI devices a GVT Desk guest sees, for its shell's `lspci`: the machine QEMU emulates for a
 * Xen HVM guest (i440FX host bridge, PIIX3 ISA/IDE/USB, PIIX4 ACPI, the Xen platform device) with
 * the vGPU in slot 00:02.0, where XenGT's QEMU puts it and i915 expects an IGD. The vGPU presents
 * the host IGD's IDs (8086:1912, rev 06). A domain without a vGPU (vgt=0) has QEMU's default
 * Cirrus VGA there instead (xl's stdvga=0). Names from pci.ids (pciutils/pciids snapshot of
 * 2025-12-30); revisions as QEMU sets them (i440fx 02, PIIX3 UHCI 01, PIIX4 PM 03, xen-platform 01).
 */
import { SKL_GT2_IGD, intelDevice as intel, type PciDevice } from '../../shared/lspci';

const CIRRUS_VGA: PciDevice = { slot: '00:02.0', classId: 0x0300, className: 'VGA compatible controller', vendorId: 0x1013, vendor: 'Cirrus Logic', deviceId: 0x00b8, device: 'GD 5446', rev: 0 };

const GUEST_PCI_DEVICES: readonly PciDevice[] = [
  intel('00:00.0', 0x0600, 'Host bridge', 0x1237, '440FX - 82441FX PMC [Natoma]', 0x02),
  intel('00:01.0', 0x0601, 'ISA bridge', 0x7000, '82371SB PIIX3 ISA [Natoma/Triton II]', 0),
  intel('00:01.1', 0x0101, 'IDE interface', 0x7010, '82371SB PIIX3 IDE [Natoma/Triton II]', 0),
  intel('00:01.2', 0x0c03, 'USB controller', 0x7020, '82371SB PIIX3 USB [Natoma/Triton II]', 0x01),
  intel('00:01.3', 0x0680, 'Bridge', 0x7113, '82371AB/EB/MB PIIX4 ACPI', 0x03),
  SKL_GT2_IGD,
  { slot: '00:03.0', classId: 0xff80, className: 'Unassigned class', vendorId: 0x5853, vendor: 'XenSource, Inc.', deviceId: 0x0001, device: 'Xen Platform Device', rev: 0x01 },
];

/** The guest's devices, with the vGPU (vgt=1) or the emulated Cirrus VGA (vgt=0) at 00:02.0. */
export function guestPciDevices(vgt: boolean): readonly PciDevice[] {
  return GUEST_PCI_DEVICES.map((d) => (d === SKL_GT2_IGD && !vgt ? CIRRUS_VGA : d));
}
