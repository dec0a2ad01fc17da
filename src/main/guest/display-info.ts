/**
 * The guest driver's display state as i915's debugfs `i915_display_info` prints it: pipes A–C
 * (pipe A drives the first probed monitor, as the desktop does; B and C stay off), each pipe's
 * primary, sprite and cursor planes, and one connector per probed monitor with the modes of its
 * EDID. DRM object ids follow the order i915 creates objects in at load (per pipe: primary
 * plane, sprite planes, cursor plane, CRTC; then encoders and connectors) — the numbers are ours,
 * the layout is the kernel's (see proc-files.ts formatI915DisplayInfo).
 */
import { decodeEdid } from '../../shared/edid';
import type { CursorState, DisplayMode } from './driver';
import type { ProbedMonitor } from './display-probe';
import { type ConnectorInfo, type CrtcInfo, type ModeInfo, formatI915DisplayInfo, modeInfoFromTiming } from './proc-files';

const PIPES = ['A', 'B', 'C'] as const;
/** First DRM object id i915 hands out for display objects, and ids per pipe. */
const FIRST_ID = 26;
const IDS_PER_PIPE = 6;
const SPRITES_PER_PIPE = 2;
const CURSOR_SIZE = 64;

/** The text of /sys/kernel/debug/dri/0/i915_display_info for this driver state. */
export function displayInfoText(mode: DisplayMode | null, monitors: readonly ProbedMonitor[], cursor: CursorState): string {
  const connectors = monitors.map((m, i) => connectorOf(m, i, FIRST_ID + PIPES.length * IDS_PER_PIPE + 2 * i));
  const crtcs = PIPES.map((pipe, i): CrtcInfo => {
    const base = FIRST_ID + i * IDS_PER_PIPE;
    const active = i === 0 && mode !== null && connectors.length > 0;
    const current: ModeInfo | null = active ? { ...(connectors[0].modes[0] ?? fallbackMode(mode!)), id: 0 } : null;
    return {
      id: base + 2 + SPRITES_PER_PIPE,
      pipe,
      active,
      width: active ? mode!.width : 0,
      height: active ? mode!.height : 0,
      dither: false,
      bpp: 24,
      connectorId: active ? connectors[0].id : null,
      mode: current,
      primary: { planeId: base, fb: active ? { id: FIRST_ID + PIPES.length * IDS_PER_PIPE + 2 * connectors.length + 1, width: mode!.width, height: mode!.height, format: 'XR24' } : null },
      spritePlaneIds: Array.from({ length: SPRITES_PER_PIPE }, (_, s) => base + 1 + s),
      cursor: { planeId: base + 1 + SPRITES_PER_PIPE, visible: active && cursor.visible, x: cursor.x, y: cursor.y, width: CURSOR_SIZE, height: CURSOR_SIZE, addr: cursor.base },
    };
  });
  return formatI915DisplayInfo({ crtcs, connectors });
}

/** A probed monitor as an intel_connector: DP over AUX (eDP on port A), HDMI when read over GMBUS. */
function connectorOf(m: ProbedMonitor, index: number, id: number): ConnectorInfo {
  const letter = m.port.slice(-1);
  const type: ConnectorInfo['type'] = m.port === 'PORT_A' ? 'eDP' : m.bus === 'dp-aux' ? 'DP' : 'HDMI-A';
  const edid = decodeEdid(m.edid).edid;
  const modes = (edid?.detailedTimings ?? [])
    .map((t, i) => modeInfoFromTiming(t, id + 100 + i, i === 0))
    .filter((x): x is ModeInfo => x !== null);
  return {
    id,
    type,
    name: `${type}-${index + 1}`,
    connected: true,
    widthMm: (edid?.screenSizeCm.h ?? 0) * 10,
    heightMm: (edid?.screenSizeCm.v ?? 0) * 10,
    audio: false,
    ...(type === 'HDMI-A' ? {} : { dpcdRev: 0x12 }),
    modes: modes.length > 0 ? modes : [fallbackMode(m.mode)],
    encoder: `DDI ${letter}`,
    encoderId: id - 1,
  };
}

/** A mode without EDID timing details (the driver's own blanking). */
function fallbackMode(mode: DisplayMode): ModeInfo {
  const htotal = mode.width + 160;
  const vtotal = mode.height + 30;
  return {
    id: 0,
    name: `${mode.width}x${mode.height}`,
    refresh: mode.refresh,
    clockKHz: Math.round((htotal * vtotal * mode.refresh) / 1000),
    hdisplay: mode.width,
    hsyncStart: mode.width + 48,
    hsyncEnd: mode.width + 80,
    htotal,
    vdisplay: mode.height,
    vsyncStart: mode.height + 3,
    vsyncEnd: mode.height + 10,
    vtotal,
    type: 0x48,
    flags: 0x5,
  };
}
