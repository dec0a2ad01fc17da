/**
 * How the guest lays its desktop over its monitors (xl key gvt_display_layout). Monitors take
 * pipes A, B, C in probe (port) order, each at its preferred mode.
 * - extended: one desktop spanning the heads left to right, tops aligned; each pipe's plane shows
 *   its part of the one framebuffer through PLANE_OFFSET (as i915 does for a CRTC whose source
 *   rectangle starts at x, y of a shared fb: skl_program_plane).
 * - clone: every head shows the same desktop, as large as the smallest head; a larger head shows
 *   it in its top-left corner (the plane smaller than the pipe: no panel fitter is modelled).
 */
import { PIPE_COUNT, PIPE_NAMES } from '../../shared/regs';
import type { ProbedMonitor } from './display-probe';
import type { DisplayMode } from './driver';

export type DisplayLayoutName = 'extended' | 'clone';

/** One head: the pipe (0 = A), the monitor's mode, and the desktop rectangle its plane shows. */
export interface HeadLayout {
  pipe: number;
  mode: DisplayMode;
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface DesktopLayout {
  /** The desktop (framebuffer) size. */
  width: number;
  height: number;
  heads: HeadLayout[];
}

/** The layout for `modes` (at most one per pipe, in pipe order); null for no monitor. */
export function layoutHeads(modes: readonly DisplayMode[], layout: DisplayLayoutName): DesktopLayout | null {
  if (modes.length === 0) return null;
  if (layout === 'clone') {
    const w = Math.min(...modes.map((m) => m.width));
    const h = Math.min(...modes.map((m) => m.height));
    return { width: w, height: h, heads: modes.map((mode, pipe) => ({ pipe, mode, x: 0, y: 0, w, h })) };
  }
  let x = 0;
  const heads = modes.map((mode, pipe) => {
    const head = { pipe, mode, x, y: 0, w: mode.width, h: mode.height };
    x += mode.width;
    return head;
  });
  return { width: x, height: Math.max(...modes.map((m) => m.height)), heads };
}

/**
 * Show the desktop on the probed `monitors`: the first PIPE_COUNT take pipes A, B, C (a fourth is
 * logged and left dark), laid out as `name` says; `setMode` is DesktopScene.setMode. Returns the
 * layout (null: no monitor, every pipe off).
 */
export function layDesktop(setMode: (mode: DisplayMode | null, heads?: HeadLayout[]) => void, monitors: readonly ProbedMonitor[], name: DisplayLayoutName, log: (line: string) => void): DesktopLayout | null {
  for (const m of monitors.slice(PIPE_COUNT)) log(`[drm] ${m.port}: no free pipe (all ${PIPE_COUNT} in use); not shown`);
  const layout = layoutHeads(monitors.slice(0, PIPE_COUNT).map((m) => m.mode), name);
  if (!layout) {
    setMode(null);
    return null;
  }
  // One head: its own mode (with its timing); several: the desktop's size.
  setMode(layout.heads.length === 1 ? layout.heads[0].mode : { width: layout.width, height: layout.height, refresh: layout.heads[0].mode.refresh }, layout.heads);
  if (layout.heads.length > 1) log(`[drm] desktop ${layout.width}x${layout.height} (${name}) over ${layout.heads.map((h) => `pipe ${PIPE_NAMES[h.pipe]} ${h.mode.width}x${h.mode.height}`).join(', ')}`);
  return layout;
}

/**
 * Where pixel (x, y) of the head on `pipe` (0 = A) lies in the desktop: clamped to that head's
 * picture, then offset by its origin — extended: its place in the desktop (pipe B right of pipe
 * A); clone: 0,0, the same point as on the first head. This is the guest's half of per-display
 * absolute input, as spice-vdagent maps VDAgentMouseState (x, y, display_id) with its monitor
 * layout. Without a layout, or for a pipe no head uses (unplugged meanwhile), the point is taken
 * as the desktop's.
 */
export function desktopPoint(layout: DesktopLayout | null, pipe: number, x: number, y: number): { x: number; y: number } {
  const head = layout?.heads.find((h) => h.pipe === pipe);
  if (!head) return { x, y };
  return { x: head.x + Math.min(Math.max(0, x), head.w - 1), y: head.y + Math.min(Math.max(0, y), head.h - 1) };
}
