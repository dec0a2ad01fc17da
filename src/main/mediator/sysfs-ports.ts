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

/**
 * Read vm<domid>/PORT_X/<node> as XenGT prints it; undefined when the node does not exist. `type`
 * reads the vgt_port_type name (VGT_PORT_TYPE_NAME: `VGT_DP_C`), `port_override` the port name
 * (VGT_PORT_NAME: `PORT_B`, `PORT_X` for none), `pipe` `PIPE_EDP` for port A else VGT_PIPE_NAME
 * (`Pipe A`..`Pipe C`, `PIPE X` for none); `edid` is XenGT's 128-byte binary attribute, shown here
 * as hex text (16 bytes a line) because the API carries text; `edid_text` is write-only (XenGT
 * gives it no show: a read fails with EIO). Source: Igvtg-kernel vgt/sysfs.c vgt_port_type_show,
 * vgt_vport_port_override_show, vgt_vport_pipe_show, port_edid_attr, vport_edid_text_attrs.
 */
export function readPortNode(v: Vgpu, port: string, node: string): string | undefined {
  if (!isPort(port) || !PORT_NODES.includes(node)) return undefined;
  const p = v.display.ports.get(port);
  switch (node) {
    case 'edid':
      return p?.edid ? edidToHex(p.edid.subarray(0, EDID_BLOCK)) + '\n' : '';
    case 'edid_text':
      throw new ApiError('invalid', `${port}/edid_text: read error: Input/output error (write-only: read the EDID from ${port}/edid)`);
    case 'type':
      return `VGT_${portTypeName(p?.type ?? 0) ?? 'PORT_MAX'}\n`;
    case 'port_override':
      return `${p?.overridePort ?? 'PORT_X'}\n`;
    case 'connection':
      return p?.connected ? 'connected\n' : 'disconnected\n';
    case 'pipe': {
      if (port === 'PORT_A') return 'PIPE_EDP\n';
      const pipe = v.display.pipeOfPort(port);
      return pipe === null ? 'PIPE X\n' : `Pipe ${PIPE_NAMES[pipe]}\n`;
    }
  }
  return undefined;
}

/** XenGT's EDID attribute size (EDID_SIZE): the base block. */
const EDID_BLOCK = 128;

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
      // vgt_port_type_store: sscanf("%d") — the number, not the name it reads back as.
      const t = Number(text);
      if (!/^\d+$/.test(text) || portTypeName(t) === undefined) throw new ApiError('invalid', `${port}/type: write error: Invalid argument (expected a number 0..7: 0 VGT_CRT, 1-4 VGT_DP_A..VGT_DP_D, 5-7 VGT_HDMI_B..VGT_HDMI_D; got '${text}')`);
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
      return p?.edid ? edidToHex(p.edid.subarray(0, EDID_BLOCK)) + '\n' : '';
    case 'type':
      return `VGT_${portTypeName(p?.type ?? 0) ?? 'PORT_MAX'}\n`;
  }
  return undefined;
}
