/**
 * A vGPU's virtual interrupt tree: events latch into its virtual banks (GT0, DE pipe A..C, DE port,
 * PCH/SDE), GEN8_MASTER_IRQ is derived from what is pending, and an MSI goes to the guest when
 * something new is pending with the master enabled. PVMMIO's shared page is refreshed whenever a
 * bank changes. Source: GVT-g interrupt.c (intel_vgpu_trigger_virtual_event, update_upstream_irq,
 * gen8_check_pending_irq, inject_virtual_interrupt).
 */
import { GEN8_DE_PCH_IRQ, GEN8_DE_PIPE_IRQ, GEN8_DE_PORT_IRQ, GEN8_GT_BCS_IRQ, GEN8_GT_RCS_IRQ, GEN8_MASTER_IRQ, GEN8_MASTER_IRQ_CONTROL, PIPE_NAMES } from '../../shared/regs';
import { PV_MMIO } from '../../shared/pvinfo';
import { type IrqBank, gt0MasterBits, pending, raise } from '../gpu/irq';
import { syncPvmmio } from './pvmmio';
import type { Vgpu } from './vgpu';

/** Every pipe's master bit (GEN8_DE_PIPE_IRQ(A|B|C)). */
const DE_PIPE_IRQS = PIPE_NAMES.reduce((m, _, pipe) => m | GEN8_DE_PIPE_IRQ(pipe), 0);

export class VirtualInterrupts {
  /** `msi`: deliver an MSI to the guest owning the vGPU (MediatorPorts.msi). */
  constructor(private readonly msi: (v: Vgpu) => void) {}

  /** Latch `bits` into one of `v`'s virtual banks, keep PVMMIO current, and send an MSI if something new is pending. */
  raise(v: Vgpu, bank: IrqBank, bits: number): void {
    const fresh = raise(bank, bits);
    this.syncPvmmio(v);
    if (fresh) this.maybeMsi(v);
  }

  /** GEN8_MASTER_IRQ as the guest reads it: its enable bit plus one bit per bank with something pending (gen8_check_pending_irq). */
  master(v: Vgpu): number {
    let m = v.vreg[GEN8_MASTER_IRQ >>> 2] & GEN8_MASTER_IRQ_CONTROL;
    m |= gt0MasterBits(v.gt0);
    for (let pipe = 0; pipe < v.dePipe.length; pipe++) if (pending(v.dePipe[pipe]!)) m |= GEN8_DE_PIPE_IRQ(pipe);
    if (pending(v.sde)) m |= GEN8_DE_PCH_IRQ;
    if (pending(v.dePort)) m |= GEN8_DE_PORT_IRQ;
    return m >>> 0;
  }

  /** Send an MSI when the master is enabled and a bank has something pending (inject_virtual_interrupt). */
  maybeMsi(v: Vgpu): void {
    const m = this.master(v);
    if (m & GEN8_MASTER_IRQ_CONTROL && m & (GEN8_GT_RCS_IRQ | GEN8_GT_BCS_IRQ | DE_PIPE_IRQS | GEN8_DE_PCH_IRQ | GEN8_DE_PORT_IRQ)) this.msi(v);
  }

  /** Mirror the PVMMIO registers into `v`'s shared page (when PV_MMIO is negotiated); they read as a trapped read would. */
  syncPvmmio(v: Vgpu): void {
    const page = v.pv.page;
    if (!page || !v.pv.enabled(PV_MMIO)) return;
    syncPvmmio(page, v.pv.mirror);
  }
}
