/**
 * XenGT's per-port sysfs nodes, /sys/kernel/vgt/vm<domid>/PORT_X/{edid,edid_text,type,
 * port_override,connection,pipe}, and the physical ports' /sys/kernel/vgt/control/PORT_X/.
 * Writes to edid/edid_text, type and port_override are staged; `connection` takes connect (apply
 * the staged settings and plug), disconnect (unplug) or flush (apply the staged settings and send
 * the hotplug again). Source: XenGT sysfs.c (vgt_port_*_store/show) and the setup guide §5.2.
 */
import { PIPE_NAMES } from '../../shared/regs';
import { ApiError } from '../../shared/api';
import { decodeEdid, edidToHex, parseEdidText } from '../../shared/edid';
import { PORT_NAMES, type PortName, portTypeName } from '../../shared/ports';
import type { Mediator } from './mediator';
import type { Vgpu } from './vgpu';

export const PORT_NODES = ['connection', 'edid', 'edid_text', 'pipe', 'port_override', 'type'];

const isPort = (s: string): s is PortName => (PORT_NAMES as readonly string[]).includes(s);

/** Read vm<domid>/PORT_X/<node>; undefined when the node does not exist. */
export function readPortNode(v: Vgpu, port: string, node: string): string | undefined {
  if (!isPort(port) || !PORT_NODES.includes(node)) return undefined;
  const p = v.display.ports.get(port);
  switch (node) {
    case 'edid':
    case 'edid_text':
      return p?.edid ? edidToHex(p.edid) + '\n' : '';
    case 'type':
      return `${p?.type ?? 0}\n`;
    case 'port_override':
      return p?.overridePort ? `${p.overridePort}\n` : '\n';
    case 'connection':
      return p?.connected ? 'connected\n' : 'disconnected\n';
    case 'pipe':
      return v.display.pipeOfPort(port) !== null ? `PIPE_${PIPE_NAMES[v.display.pipeOfPort(port)!]}\n` : 'none\n';
  }
  return undefined;
}

/**
 * Write vm<domid>/PORT_X/<node>. Throws ApiError('invalid') with XenGT-like wording for values it
 * refuses (a malformed EDID names the line and the problem).
 */
export function writePortNode(m: Mediator, v: Vgpu, port: string, node: string, value: string): void {
  if (!isPort(port)) throw new ApiError('not_found', `${port}: No such file or directory`);
  const staged = v.display.pending.get(port) ?? {};
  const text = value.trim();
  switch (node) {
    case 'edid':
    case 'edid_text': {
      const parsed = parseEdidText(value);
      if (parsed.bytes === null) throw new ApiError('invalid', `${port}/${node}: write error: Invalid argument (line ${parsed.error.line}: ${parsed.error.message})`);
      const { findings } = decodeEdid(parsed.bytes);
      const bad = findings.find((f) => f.severity === 'error');
      if (bad) throw new ApiError('invalid', `${port}/${node}: write error: Invalid argument (EDID byte ${bad.offset}: ${bad.message})`);
      staged.edid = parsed.bytes;
      break;
    }
    case 'type': {
      const t = Number(text);
      if (!/^\d+$/.test(text) || portTypeName(t) === undefined) throw new ApiError('invalid', `${port}/type: write error: Invalid argument (expected 0..7: CRT, DP_A..DP_D, HDMI_B..HDMI_D; got '${text}')`);
      staged.type = t;
      break;
    }
    case 'port_override':
      if (!isPort(text)) throw new ApiError('invalid', `${port}/port_override: write error: Invalid argument (expected PORT_A..PORT_E, got '${text}')`);
      staged.overridePort = text;
      break;
    case 'connection': {
      if (text !== 'connect' && text !== 'disconnect' && text !== 'flush') throw new ApiError('invalid', `${port}/connection: write error: Invalid argument (connect, disconnect or flush; got '${text}')`);
      const take = v.display.takePending(port);
      const current = v.display.ports.get(port);
      const connected = text === 'connect' || (text === 'flush' && (current?.connected ?? false));
      if (text === 'connect' && !(take.edid ?? current?.edid)) throw new ApiError('invalid', `${port}/connection: write error: No such device (no EDID: write edid_text first)`);
      m.hotplug(v.domid, port, connected, take.edid, take.type, take.overridePort);
      return;
    }
    case 'pipe':
      throw new ApiError('invalid', `${port}/pipe: write error: Permission denied (read-only attribute)`);
    default:
      throw new ApiError('not_found', `${port}/${node}: No such file or directory`);
  }
  v.display.pending.set(port, staged);
}

/** The physical ports of the emulated GPU (read-only): control/PORT_X/{connection,edid,type}. */
export function readPhysicalPortNode(m: Mediator, port: string, node: string): string | undefined {
  if (!isPort(port)) return undefined;
  const p = m.physicalPorts.get(port);
  switch (node) {
    case 'connection':
      return p?.connected ? 'connected\n' : 'disconnected\n';
    case 'edid':
      return p?.edid ? edidToHex(p.edid) + '\n' : '';
    case 'type':
      return `${p?.type ?? 0}\n`;
  }
  return undefined;
}
