/**
 * The reset register in the MMIO table: a guest's GEN6_GDRST write resets only its own vGPU's
 * engines (watchdog.ts guestReset) and completes at once, so the register reads back 0 (i915 polls
 * for the domain bits to clear). Source: GVT-g handlers.c gdrst_mmio_write
 * (intel_gvt_reset_vgpu_locked with the engine mask, vgpu_vreg = 0 after the reset).
 */
import { GEN6_GDRST } from '../../../shared/regs';
import type { Gvt } from '../gvt';
import type { MmioTable } from '../mmio-info';
import type { Vgpu } from '../vgpu';

/** gdrst_mmio_write. */
function gdrstMmioWrite(gvt: Gvt, v: Vgpu, offset: number, value: number): void {
  v.vreg[offset >>> 2] = 0;
  gvt.hangs.guestReset(v, value);
}

/** GEN6_GDRST (part of intel_gvt_setup_mmio_info). */
export function registerResetMmio(t: MmioTable): void {
  t.add({ offset: GEN6_GDRST, name: 'GEN6_GDRST', write: gdrstMmioWrite });
}
