/**
 * The modern equivalent of XenGT's port nodes: a VFIO-style EDID region per vGPU (QEMU's
 * `-device vfio-pci,...,display=on` with an EDID region): edid_max_size, edid_size, max_xres,
 * max_yres, link_state (1 = up, 2 = down) and the EDID blob. The blob may only change while the
 * link is down; setting the link up plugs the blob into the vGPU's primary port (hotplug), down
 * unplugs it. Source: linux include/uapi/linux/vfio.h (struct vfio_region_gfx_edid,
 * VFIO_DEVICE_GFX_LINK_STATE_UP/DOWN), GVT-g kvmgt.c handle_edid_regs / handle_edid_blob.
 */
import { ApiError } from '../../shared/api';
import { decodeEdid, modeLine, preferredTiming } from '../../shared/edid';
import type { PortName } from '../../shared/ports';
import type { Mediator } from './mediator';
import type { Vgpu } from './vgpu';

export const VFIO_DEVICE_GFX_LINK_STATE_UP = 1;
export const VFIO_DEVICE_GFX_LINK_STATE_DOWN = 2;
export const EDID_MAX_SIZE = 512;

export interface EdidRegion {
  edidMaxSize: number;
  edidSize: number;
  maxXres: number;
  maxYres: number;
  linkState: 1 | 2;
  /** The blob (edid_size bytes). */
  edid: Uint8Array;
}

/** The region as the guest's device model sees it now. */
export function readEdidRegion(v: Vgpu): EdidRegion {
  const port = v.display.ports.get(primaryPort(v));
  const blob = v.edidBlob ?? port?.edid ?? new Uint8Array(0);
  return { edidMaxSize: EDID_MAX_SIZE, edidSize: blob.length, maxXres: v.maxResolution.width, maxYres: v.maxResolution.height, linkState: port?.connected ? VFIO_DEVICE_GFX_LINK_STATE_UP : VFIO_DEVICE_GFX_LINK_STATE_DOWN, edid: blob };
}

/**
 * Write the region: a new blob (only while the link is down), then/or a link state. Throws
 * ApiError('busy') for a blob write with the link up and ApiError('invalid') for a blob that is
 * not a valid EDID or whose preferred mode exceeds max_xres x max_yres.
 */
export function writeEdidRegion(m: Mediator, v: Vgpu, change: { edid?: Uint8Array; linkState?: 1 | 2 }): EdidRegion {
  const region = readEdidRegion(v);
  if (change.edid) {
    if (region.linkState === VFIO_DEVICE_GFX_LINK_STATE_UP) throw new ApiError('busy', 'EDID region: set link_state down (2) before writing a new EDID blob');
    if (change.edid.length > EDID_MAX_SIZE) throw new ApiError('invalid', `EDID region: ${change.edid.length} B exceeds edid_max_size ${EDID_MAX_SIZE}`);
    const { edid, findings } = decodeEdid(change.edid);
    const bad = findings.find((f) => f.severity === 'error');
    if (!edid || bad) throw new ApiError('invalid', `EDID region: not a valid EDID (byte ${bad?.offset ?? 0}: ${bad?.message ?? 'undecodable'})`);
    const t = preferredTiming(edid);
    const mode = t && modeLine(t);
    if (mode && (mode.width > v.maxResolution.width || mode.height > v.maxResolution.height)) {
      throw new ApiError('invalid', `EDID region: preferred mode ${mode.width}x${mode.height} exceeds max_xres x max_yres ${v.maxResolution.width}x${v.maxResolution.height}`);
    }
    v.edidBlob = change.edid;
  }
  if (change.linkState === VFIO_DEVICE_GFX_LINK_STATE_UP) {
    m.hotplug(v.domid, primaryPort(v), true, v.edidBlob ?? undefined);
    v.edidBlob = null;
  } else if (change.linkState === VFIO_DEVICE_GFX_LINK_STATE_DOWN) {
    m.hotplug(v.domid, primaryPort(v), false);
  }
  return readEdidRegion(v);
}

/** The port the region drives: the vGPU's first port (its built-in or first monitor.config monitor). */
export function primaryPort(v: Vgpu): PortName {
  return v.display.ports.keys().next().value ?? 'PORT_B';
}
