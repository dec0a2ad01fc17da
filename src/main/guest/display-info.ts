/**
 * The guest driver's display state as i915's debugfs `i915_display_info` prints it (Linux v4.10
 * drivers/gpu/drm/i915/i915_debugfs.c: i915_display_info, intel_crtc_info, intel_plane_info,
 * intel_connector_info; the layout is the kernel's, see proc-files.ts formatI915DisplayInfo).
 *
 * - Every CRTC (pipes A–C): a pipe driving a head of the desktop is active at its monitor's mode,
 *   its primary plane showing that head's part of the one desktop framebuffer (extended: `fb: N,
 *   pos: 1920x0, size: 3200x1080` and the plane's src_pos; clone: every head from 0,0), its cursor
 *   plane where the driver put it on that pipe; the others are off.
 * - Every plane of an active pipe (primary, two sprites, cursor on Skylake).
 * - Every connector the driver has found: i915 creates one per port at load and keeps it, so a
 *   monitor unplugged later leaves its connector "disconnected" with no modes
 *   (drm_helper_probe_single_connector_modes prunes them). Names are DRM's: the type and a number
 *   per type from 1 (drm_connector_init's connector_type_id), "HDMI-A-1", "DP-1", "DP-2".
 *   A port first found after load gets its connector then (i915 creates connectors only at load,
 *   for the ports the vGPU reports present; the guest's ports come and go with virtual hotplug).
 *
 * DRM object ids follow the order i915 creates objects in at load (per pipe: primary plane,
 * sprite planes, cursor plane, CRTC; then encoder and connector pairs); the numbers are ours.
 */
import { decodeEdid } from '../../shared/edid';
import type { PortName } from '../../shared/ports';
import { PIPE_NAMES } from '../../shared/regs';
import type { DesktopLayout } from './display-layout';
import type { ProbedMonitor } from './display-probe';
import type { CursorState, DisplayMode } from './driver';
import { CURSOR_SIZE } from './driver';
import { type ConnectorInfo, type CrtcInfo, type ModeInfo, formatI915DisplayInfo, modeInfoFromTiming } from './proc-files';

/** First DRM object id i915 hands out for display objects, and ids per pipe. */
const FIRST_ID = 26;
const IDS_PER_PIPE = 6;
const SPRITES_PER_PIPE = 2;
/** The first connector's id: after every pipe's objects; each connector follows its encoder. */
const FIRST_CONNECTOR_ID = FIRST_ID + PIPE_NAMES.length * IDS_PER_PIPE + 1;

interface Connector {
  port: PortName;
  id: number;
  type: ConnectorInfo['type'];
  name: string;
  /** The monitor last probed on the port (its EDID gives dimensions; DPCD rev for DP). */
  last: ProbedMonitor;
}

/** i915_display_info for one guest driver: keeps the connectors it has created across probes. */
export class DisplayInfo {
  private readonly connectors: Connector[] = [];

  /**
   * The text of /sys/kernel/debug/dri/0/i915_display_info: `layout` is the desktop over the heads
   * (null: every pipe off), `monitors` the connected monitors in probe (pipe) order, `cursor(pipe)`
   * the driver's cursor on that pipe (GuestDriver.cursorState).
   */
  text(layout: DesktopLayout | null, monitors: readonly ProbedMonitor[], cursor: (pipe: number) => CursorState): string {
    for (const m of monitors) this.connectorFor(m).last = m;
    const connected = new Set(monitors.map((m) => m.port));
    const connectors = this.connectors.map((k) => connectorInfo(k, connected.has(k.port)));
    const fbId = FIRST_CONNECTOR_ID + 2 * this.connectors.length;
    const crtcs = PIPE_NAMES.map((pipe, i): CrtcInfo => {
      const base = FIRST_ID + i * IDS_PER_PIPE;
      const head = layout?.heads.find((h) => h.pipe === i);
      const monitor = head ? monitors[i] : undefined;
      const connector = monitor ? connectors[this.connectors.findIndex((k) => k.port === monitor.port)] : undefined;
      const active = head !== undefined && connector !== undefined;
      const c = cursor(i);
      const planes = { spritePlaneIds: Array.from({ length: SPRITES_PER_PIPE }, (_, s) => base + 1 + s) };
      const cursorPlane = { planeId: base + 1 + SPRITES_PER_PIPE, visible: active && c.visible, x: c.x, y: c.y, width: CURSOR_SIZE, height: CURSOR_SIZE, addr: c.base };
      if (!active) {
        return { id: base + 2 + SPRITES_PER_PIPE, pipe, active: false, width: 0, height: 0, dither: false, bpp: 0, connectorId: null, mode: null, primary: { planeId: base, fb: null }, ...planes, cursor: cursorPlane };
      }
      const preferred = connector.modes.find((m) => m.hdisplay === head.mode.width && m.vdisplay === head.mode.height);
      return {
        id: base + 2 + SPRITES_PER_PIPE,
        pipe,
        active: true,
        width: head.mode.width,
        height: head.mode.height,
        dither: false,
        bpp: 24,
        connectorId: connector.id,
        mode: { ...(preferred ?? fallbackMode(head.mode)), id: 0 },
        primary: { planeId: base, fb: { id: fbId, width: layout!.width, height: layout!.height, format: 'XR24' }, src: { x: head.x, y: head.y, w: head.w, h: head.h } },
        ...planes,
        cursor: cursorPlane,
      };
    });
    return formatI915DisplayInfo({ crtcs, connectors });
  }

  /** The connector of `m`'s port, created (next ids, next number of its type) the first time the port is seen. */
  private connectorFor(m: ProbedMonitor): Connector {
    const known = this.connectors.find((k) => k.port === m.port);
    if (known) return known;
    const type: ConnectorInfo['type'] = m.port === 'PORT_A' ? 'eDP' : m.bus === 'dp-aux' ? 'DP' : 'HDMI-A';
    const n = this.connectors.filter((k) => k.type === type).length + 1;
    const k: Connector = { port: m.port, id: FIRST_CONNECTOR_ID + 2 * this.connectors.length, type, name: `${type}-${n}`, last: m };
    this.connectors.push(k);
    return k;
  }
}

/** A connector as intel_connector_info sees it: DP over AUX (eDP on port A), HDMI when read over GMBUS. */
function connectorInfo(k: Connector, connected: boolean): ConnectorInfo {
  const edid = decodeEdid(k.last.edid).edid;
  const modes = (edid?.detailedTimings ?? [])
    .map((t, i) => modeInfoFromTiming(t, k.id + 100 + i, i === 0))
    .filter((x): x is ModeInfo => x !== null);
  return {
    id: k.id,
    type: k.type,
    name: k.name,
    connected,
    widthMm: (edid?.screenSizeCm.h ?? 0) * 10,
    heightMm: (edid?.screenSizeCm.v ?? 0) * 10,
    audio: false,
    ...(k.type === 'HDMI-A' ? {} : { dpcdRev: 0x12 }),
    // A disconnected connector's modes were pruned at its last probe.
    modes: connected ? (modes.length > 0 ? modes : [{ ...fallbackMode(k.last.mode), id: k.id + 100 }]) : [],
    encoder: `DDI ${k.port.slice(-1)}`,
    encoderId: k.id - 1,
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
