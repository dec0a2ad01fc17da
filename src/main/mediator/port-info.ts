/**
 * A vGPU's ports as the API reports them (src/shared/api.ts PortInfo): the monitor's EDID as hex,
 * its name and preferred mode, and which pipe drives it.
 */
import type { PortInfo } from '../../shared/api';
import { decodeEdid, edidToHex, modeLine, preferredTiming } from '../../shared/edid';
import { PORT_NAMES, portTypeName } from '../../shared/ports';
import { PIPE_NAMES } from '../../shared/regs';
import type { Vgpu } from './vgpu';

/** The vGPU's ports in port order (PORT_A..PORT_E), only those it has. */
export function portInfos(v: Vgpu): PortInfo[] {
  const pipes = v.display.pipePorts();
  return PORT_NAMES.filter((n) => v.display.ports.has(n)).map((n) => {
    const p = v.display.ports.get(n)!;
    const decoded = p.edid ? decodeEdid(p.edid).edid : null;
    const timing = decoded && preferredTiming(decoded);
    return {
      name: n,
      type: p.type,
      typeName: portTypeName(p.type) ?? `type ${p.type}`,
      overridePort: p.overridePort,
      connected: p.connected,
      edidHex: p.edid ? edidToHex(p.edid) : null,
      monitorName: decoded?.monitorName ?? null,
      preferredMode: timing ? modeLine(timing) : null,
      active: pipes[0] === n,
      pipe: pipes.includes(n) ? PIPE_NAMES[pipes.indexOf(n)] : null,
    };
  });
}
