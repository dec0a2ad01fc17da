/**
 * The emulated GPU's own monitors — what the host's i915 would find on the physical ports. Two
 * heads by default, so the display switch has more than one pipe to move: the seeds' ASUS PA238
 * (1920x1080) on PORT_B over DP and a 1280x1024 monitor on PORT_D over HDMI. Connected monitors
 * in port order get physical pipes A, B, C (Mediator.physicalPipePorts); the first is the
 * `physical` frame source, the others `physical:<port letter>` (src/shared/heads.ts).
 */
import { libraryMonitor } from '../../shared/edid-library';
import { PORT_TYPES } from '../../shared/ports';
import type { VirtualPort } from './vdisplay';

export function defaultPhysicalMonitors(): VirtualPort[] {
  return [
    { name: 'PORT_B', type: PORT_TYPES.DP_B, overridePort: null, edid: libraryMonitor('asus-pa238')!.bytes, connected: true },
    { name: 'PORT_D', type: PORT_TYPES.HDMI_D, overridePort: null, edid: libraryMonitor('generic-1280x1024')!.bytes, connected: true },
  ];
}
