/**
 * Dom0's PCI devices for `lspci`: a Skylake desktop (Z170 chipset) with the emulated HD Graphics
 * 530 at 00:02.0, the device the mediator shares. Names and IDs from pci.ids (pciutils/pciids
 * snapshot of 2025-12-30); revisions as a Skylake-S host bridge (07), GT2 (06) and 100-series
 * PCH (31) report them.
 */
import { SKL_GT2_IGD, intelDevice as intel, type PciDevice } from '../../../shared/lspci';

export const DOM0_PCI_DEVICES: readonly PciDevice[] = [
  intel('00:00.0', 0x0600, 'Host bridge', 0x191f, 'Xeon E3-1200 v5/E3-1500 v5/6th Gen Core Processor Host Bridge/DRAM Registers', 0x07),
  SKL_GT2_IGD,
  intel('00:14.0', 0x0c03, 'USB controller', 0xa12f, '100/C230 Series Chipset Family USB 3.0 xHCI Controller', 0x31),
  intel('00:16.0', 0x0780, 'Communication controller', 0xa13a, '100/C230 Series Chipset Family MEI #1', 0x31),
  intel('00:17.0', 0x0106, 'SATA controller', 0xa102, 'Q170/Q150/B150/H170/H110/Z170/CM236 Chipset SATA Controller [AHCI Mode]', 0x31),
  intel('00:1f.0', 0x0601, 'ISA bridge', 0xa145, 'Z170 Chipset LPC/eSPI Controller', 0x31),
  intel('00:1f.2', 0x0580, 'Memory controller', 0xa121, '100/C230 Series Chipset Family PMC', 0x31),
  intel('00:1f.3', 0x0403, 'Audio device', 0xa170, '100/C230 Series Chipset Family HD Audio', 0x31),
  intel('00:1f.4', 0x0c05, 'SMBus', 0xa123, '100/C230 Series Chipset Family SMBus', 0x31),
];
