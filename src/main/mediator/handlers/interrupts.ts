/**
 * Interrupt registers in the MMIO table: GEN8_MASTER_IRQ and the ISR/IMR/IIR/IER banks of GT0, the
 * DE pipes A..C, the DE port and the PCH (SDE). IIR is write-1-to-clear, IMR and IER are stored,
 * ISR writes are ignored; every write re-checks whether an MSI is due. SDEISR reads the live
 * hotplug status of the virtual ports. Source: GVT-g interrupt.c (intel_vgpu_reg_imr_handler,
 * intel_vgpu_reg_ier_handler, intel_vgpu_reg_iir_handler, intel_vgpu_reg_master_irq_handler),
 * handlers.c (MMIO_DH of the GEN8_GT_* / GEN8_DE_* / SDE* registers).
 */
import { GEN8_DE_PIPE_ISR, GEN8_DE_PORT_ISR, GEN8_GT_ISR0, GEN8_MASTER_IRQ, PIPE_NAMES, SDEISR } from '../../../shared/regs';
import { type IrqBank, ackIir } from '../../gpu/irq';
import type { Gvt } from '../gvt';
import { type MmioReadHandler, type MmioTable, defaultMmioWrite } from '../mmio-info';
import type { Vgpu } from '../vgpu';

/**
 * Register one bank laid out as ISR, IMR, IIR, IER at base + 0, 4, 8, 0xC; `names` in that order.
 * `isrRead` overrides what ISR reads (default: the bank's latched ISR).
 */
function bank(t: MmioTable, base: number, names: readonly [string, string, string, string], of: (v: Vgpu) => IrqBank, isrRead?: MmioReadHandler): void {
  const written = (gvt: Gvt, v: Vgpu): void => gvt.irq.maybeMsi(v);
  t.add({ offset: base, name: names[0], read: isrRead ?? ((_, v) => of(v).isr >>> 0), write: written });
  // intel_vgpu_reg_imr_handler / intel_vgpu_reg_ier_handler: stored, then the pending state re-checked.
  t.add({ offset: base + 4, name: names[1], read: (_, v) => of(v).imr >>> 0, write: (gvt, v, _o, value) => ((of(v).imr = value), written(gvt, v)) });
  // intel_vgpu_reg_iir_handler: write 1 to clear.
  t.add({ offset: base + 8, name: names[2], read: (_, v) => of(v).iir >>> 0, write: (gvt, v, _o, value) => (ackIir(of(v), value), written(gvt, v)) });
  t.add({ offset: base + 12, name: names[3], read: (_, v) => of(v).ier >>> 0, write: (gvt, v, _o, value) => ((of(v).ier = value), written(gvt, v)) });
}

/** The interrupt registers (part of intel_gvt_setup_mmio_info). */
export function registerInterruptMmio(t: MmioTable): void {
  // intel_vgpu_reg_master_irq_handler: the enable bit is stored; the pending bits are derived.
  t.add({
    offset: GEN8_MASTER_IRQ,
    name: 'GEN8_MASTER_IRQ',
    read: (gvt, v) => gvt.irq.master(v),
    write: (gvt, v, offset, value, _now, info) => {
      defaultMmioWrite(v, offset, value, info);
      gvt.irq.maybeMsi(v);
    },
  });
  bank(t, GEN8_GT_ISR0, ['GEN8_GT_ISR0', 'GEN8_GT_IMR0', 'GEN8_GT_IIR0', 'GEN8_GT_IER0'], (v) => v.gt0);
  for (const pipe of PIPE_NAMES.keys()) {
    bank(t, GEN8_DE_PIPE_ISR(pipe), [`GEN8_DE_PIPE_ISR${pipe}`, `GEN8_DE_PIPE_IMR${pipe}`, `GEN8_DE_PIPE_IIR${pipe}`, `GEN8_DE_PIPE_IER${pipe}`], (v) => v.dePipe[pipe]);
  }
  // SDEISR: the live hotplug status of the connected virtual ports (display.c emulate_monitor_status_change).
  bank(t, SDEISR, ['SDEISR', 'SDEIMR', 'SDEIIR', 'SDEIER'], (v) => v.sde, (_, v) => v.display.liveSde());
  bank(t, GEN8_DE_PORT_ISR, ['GEN8_DE_PORT_ISR', 'GEN8_DE_PORT_IMR', 'GEN8_DE_PORT_IIR', 'GEN8_DE_PORT_IER'], (v) => v.dePort);
}
