/**
 * Display registers in the MMIO table: the pipe, primary-plane and cursor registers of pipes A..C
 * (kept in vreg; a foreground VM's values go on to the physical pipes, checked, display-owner.ts),
 * and the virtual display's GMBUS (DDC/EDID), DP AUX channels and PCH hotplug control (vdisplay.ts).
 * Source: GVT-g handlers.c (MMIO_DH(PIPECONF / PLANE_* / CUR* (pipe)), gmbus_mmio_read /
 * gmbus_mmio_write (edid.c intel_gvt_i2c_handle_gmbus_*), dp_aux_ch_ctl_mmio_write,
 * MMIO_D(PCH_PORT_HOTPLUG)), display.c.
 */
import { CUR_BASE_A, CUR_CTL_A, CUR_POS_A, HBLANK_A, HSYNC_A, HTOTAL_A, PIPECONF_A, PIPESRC_A, PIPE_NAMES, PLANE_CTL_1_A, PLANE_OFFSET_1_A, PLANE_POS_1_A, PLANE_SIZE_1_A, PLANE_STRIDE_1_A, PLANE_SURF_1_A, VBLANK_A, VSYNC_A, VTOTAL_A, pipeReg } from '../../../shared/regs';
import { DP_AUX_CH_CTL, DP_AUX_CH_DATA, PCH_GMBUS0, PCH_GMBUS1, PCH_GMBUS2, PCH_GMBUS3, PCH_GMBUS4, PCH_GMBUS5, PCH_PORT_HOTPLUG, PCH_PORT_HOTPLUG2 } from '../../../shared/ports';
import { DISPLAY_REGS } from '../display-regs';
import type { Gvt } from '../gvt';
import { type MmioInfo, type MmioTable, defaultMmioWrite } from '../mmio-info';
import type { Vgpu } from '../vgpu';

/** Pipe A's display registers by the name IGT's Skylake list gives them (PIPESRC: i915's, IGT lists none); B and C end in _B / _C. */
const PIPE_A_NAMES: ReadonlyMap<number, string> = new Map([
  [HTOTAL_A, 'TRANS_HTOTAL'],
  [HBLANK_A, 'TRANS_HBLANK'],
  [HSYNC_A, 'TRANS_HSYNC'],
  [VTOTAL_A, 'TRANS_VTOTAL'],
  [VBLANK_A, 'TRANS_VBLANK'],
  [VSYNC_A, 'TRANS_VSYNC'],
  [PIPESRC_A, 'PIPESRC'],
  [PIPECONF_A, 'TRANS_CONF'],
  [PLANE_CTL_1_A, 'PLANE_CTL_1'],
  [PLANE_STRIDE_1_A, 'PLANE_STRIDE_1'],
  [PLANE_POS_1_A, 'PLANE_POS_1'],
  [PLANE_SIZE_1_A, 'PLANE_SIZE_1'],
  [PLANE_OFFSET_1_A, 'PLANE_OFFSET_1'],
  [PLANE_SURF_1_A, 'PLANE_SURF_1'],
  [CUR_CTL_A, 'CUR_CTL'],
  [CUR_POS_A, 'CUR_POS'],
  [CUR_BASE_A, 'CUR_BASE'],
]);

/** A pipe/plane/cursor register: stored, then shown if the VM is in the foreground. */
function displayRegWrite(gvt: Gvt, v: Vgpu, offset: number, value: number, _nowNs: number, info: MmioInfo): void {
  defaultMmioWrite(v, offset, value, info);
  gvt.displayOwner.written(v, offset, value);
}

/** The virtual display's own registers (GMBUS, AUX, hotplug control): emulated by vdisplay.ts, not vreg. */
const virtualDisplayReg = { read: (_: Gvt, v: Vgpu, offset: number) => v.display.read(offset), write: (_: Gvt, v: Vgpu, offset: number, value: number) => v.display.write(offset, value) };

/** The display registers (part of intel_gvt_setup_mmio_info). */
export function registerDisplayMmio(t: MmioTable): void {
  for (const [pipe, suffix] of PIPE_NAMES.entries()) {
    for (const [a, name] of PIPE_A_NAMES) t.add({ offset: pipeReg(a, pipe), name: `${name}_${suffix}`, write: displayRegWrite });
  }
  const gmbus: [number, string][] = [
    [PCH_GMBUS0, 'PCH_GMBUS0'],
    [PCH_GMBUS1, 'PCH_GMBUS1'],
    [PCH_GMBUS2, 'PCH_GMBUS2'],
    [PCH_GMBUS3, 'PCH_GMBUS3'],
    [PCH_GMBUS4, 'PCH_GMBUS4'],
    [PCH_GMBUS5, 'PCH_GMBUS5'],
  ];
  for (const [offset, name] of gmbus) t.add({ offset, name, ...virtualDisplayReg });
  for (let ch = 0; ch < 4; ch++) {
    const port = 'ABCD'[ch];
    t.add({ offset: DP_AUX_CH_CTL(ch), name: `DP${port}_AUX_CH_CTL`, ...virtualDisplayReg });
    for (let i = 0; i < 5; i++) t.add({ offset: DP_AUX_CH_DATA(ch, i), name: `DP${port}_AUX_CH_DATA${i + 1}`, ...virtualDisplayReg });
  }
  // DIGITAL_PORT_HOTPLUG_CNTRL (0x44030) is Broadwell's port A hotplug control; Skylake's is in PCH_PORT_HOTPLUG.
  t.add({ offset: PCH_PORT_HOTPLUG, name: 'PCH_PORT_HOTPLUG', ...virtualDisplayReg });
  t.add({ offset: PCH_PORT_HOTPLUG2, name: 'PCH_PORT_HOTPLUG2', ...virtualDisplayReg });
  if (DISPLAY_REGS.some((o) => !t.find(o)?.write)) throw new Error('MMIO table: a display register (display-regs.ts) has no entry');
}
