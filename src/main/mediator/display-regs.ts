/**
 * The pipe A / primary-plane / cursor-plane registers that make up a display state. In direct
 * display mode the foreground VM's values are applied to the physical pipe; background VMs keep
 * theirs in vreg. Source: GVT-g display.c (vgpu display state) and XenGT foreground_vm switching.
 */
import {
  CUR_BASE_A,
  CUR_CTL_A,
  CUR_POS_A,
  HBLANK_A,
  HSYNC_A,
  HTOTAL_A,
  PIPECONF_A,
  PIPESRC_A,
  PLANE_CTL_1_A,
  PLANE_OFFSET_1_A,
  PLANE_POS_1_A,
  PLANE_SIZE_1_A,
  PLANE_STRIDE_1_A,
  PLANE_SURF_1_A,
  VBLANK_A,
  VSYNC_A,
  VTOTAL_A,
} from '../../shared/regs';
import type { CursorRegs, PlaneRegs } from '../gpu/scanout';

export const DISPLAY_REGS: readonly number[] = [
  HTOTAL_A,
  HBLANK_A,
  HSYNC_A,
  VTOTAL_A,
  VBLANK_A,
  VSYNC_A,
  PIPESRC_A,
  PIPECONF_A,
  PLANE_CTL_1_A,
  PLANE_STRIDE_1_A,
  PLANE_POS_1_A,
  PLANE_SIZE_1_A,
  PLANE_OFFSET_1_A,
  // PLANE_SURF last: on hardware the surface write arms the update of the whole plane.
  PLANE_SURF_1_A,
  CUR_CTL_A,
  CUR_POS_A,
  // CUR_BASE after CUR_CTL and CUR_POS: its write arms the cursor update (i9xx_update_cursor).
  CUR_BASE_A,
];
const DISPLAY_SET = new Set(DISPLAY_REGS);
export const isDisplayReg = (offset: number): boolean => DISPLAY_SET.has(offset);

/** Plane registers out of a register file indexed by dword. */
export function planeFrom(regs: Uint32Array): PlaneRegs {
  const r = (o: number): number => regs[o >>> 2];
  return { ctl: r(PLANE_CTL_1_A), stride: r(PLANE_STRIDE_1_A), size: r(PLANE_SIZE_1_A), surf: r(PLANE_SURF_1_A), offset: r(PLANE_OFFSET_1_A) };
}

/** Cursor plane registers out of a register file indexed by dword. Source: i915 CURCNTR/CURBASE/CURPOS(PIPE_A). */
export function cursorFrom(regs: Uint32Array): CursorRegs {
  const r = (o: number): number => regs[o >>> 2];
  return { ctl: r(CUR_CTL_A), base: r(CUR_BASE_A), pos: r(CUR_POS_A) };
}
