/**
 * The pipe / primary-plane / cursor-plane registers of pipes A, B and C that make up a display
 * state. In direct display mode the foreground VM's values are applied to the physical pipes, every
 * pipe at once; background VMs keep theirs in vreg. Source: GVT-g display.c (vgpu display state),
 * XenGT foreground_vm switching (vgt_switch_display_owner, all pipes).
 */
import {
  CUR_BASE_A,
  CUR_CTL_A,
  CUR_POS_A,
  HBLANK_A,
  HSYNC_A,
  HTOTAL_A,
  PIPECONF_A,
  PIPECONF_ENABLE,
  PIPE_COUNT,
  pipeReg,
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

/** Pipe A's registers in the order they are applied; B's and C's are these plus 0x1000 / 0x2000. */
const PIPE_A_REGS: readonly number[] = [
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
/** Every pipe's display registers, pipe by pipe (A, B, C). */
export const DISPLAY_REGS: readonly number[] = Array.from({ length: PIPE_COUNT }, (_, pipe) => PIPE_A_REGS.map((o) => pipeReg(o, pipe))).flat();
const DISPLAY_PIPE = new Map(DISPLAY_REGS.map((o, i) => [o, Math.floor(i / PIPE_A_REGS.length)]));
/** The pipe (0 = A) a display register belongs to, or undefined. */
export const displayRegPipe = (offset: number): number | undefined => DISPLAY_PIPE.get(offset);

/** Plane registers of `pipe` (0 = A) out of a register file indexed by dword. */
export function planeFrom(regs: Uint32Array, pipe = 0): PlaneRegs {
  const r = (o: number): number => regs[pipeReg(o, pipe) >>> 2];
  return { ctl: r(PLANE_CTL_1_A), stride: r(PLANE_STRIDE_1_A), size: r(PLANE_SIZE_1_A), surf: r(PLANE_SURF_1_A), offset: r(PLANE_OFFSET_1_A) };
}

/** Cursor plane registers of `pipe` out of a register file indexed by dword. Source: i915 CURCNTR/CURBASE/CURPOS(pipe). */
export function cursorFrom(regs: Uint32Array, pipe = 0): CursorRegs {
  const r = (o: number): number => regs[pipeReg(o, pipe) >>> 2];
  return { ctl: r(CUR_CTL_A), base: r(CUR_BASE_A), pos: r(CUR_POS_A) };
}

/** TRANSCONF (PIPECONF) of `pipe` in a register file has its enable bit set. */
export const pipeOnIn = (regs: Uint32Array, pipe = 0): boolean => (regs[pipeReg(PIPECONF_A, pipe) >>> 2] & PIPECONF_ENABLE) !== 0;
