/**
 * The `vgt_monitor_config_file='…'` key of a domain's xl config text, read and rewritten with a
 * line regex (the renderer does not use the host's xl parser). Only an uncommented key at the
 * start of a line counts, as xl reads it; the rest of the line (e.g. a trailing # comment) is kept.
 */
import type { PortInfo } from '../../shared/api';
import type { MonitorPortType } from '../../shared/monitor-config';
import { PORT_TYPES, type PortName } from '../../shared/ports';

const KEY_LINE = /^([ \t]*vgt_monitor_config_file[ \t]*=[ \t]*)(['"])([^'"\n]*)\2/m;

/** The monitor.config path the config names, or null when the key is absent (or empty). */
export function monitorConfigPath(configText: string): string | null {
  const m = KEY_LINE.exec(configText);
  return m && m[3] ? m[3] : null;
}

/** The config text with the key set to `path`: the existing line's value replaced, or a line appended. */
export function setMonitorConfigPath(configText: string, path: string): string {
  if (/['"\n\\]/.test(path)) throw new RangeError(`a monitor.config path for an xl config cannot contain quotes, backslashes or newlines: ${JSON.stringify(path)}`);
  if (KEY_LINE.test(configText)) return configText.replace(KEY_LINE, (_all, head: string, q: string) => `${head}${q}${path}${q}`);
  const sep = configText === '' || configText.endsWith('\n') ? '' : '\n';
  return `${configText}${sep}vgt_monitor_config_file='${path}'\n`;
}

/** Connector types a virtual port can have in a monitor.config (PORT_A is eDP/DP, PORT_E VGA). */
export function allowedPortTypes(port: PortName): MonitorPortType[] {
  if (port === 'PORT_E') return ['VGA'];
  if (port === 'PORT_A') return ['DP'];
  return ['DP', 'HDMI'];
}

/** The connector of a XenGT vgt_port_type number (CRT 0, DP_A..DP_D 1..4, HDMI_B..HDMI_D 5..7). */
export function connectorOf(type: number): MonitorPortType {
  if (type === PORT_TYPES.CRT) return 'VGA';
  return type >= PORT_TYPES.HDMI_B ? 'HDMI' : 'DP';
}

/** A port's connector as the API reports it, or the port's default when it has none yet. */
export function connectorOfPort(port: PortName, info: PortInfo | undefined): MonitorPortType {
  const allowed = allowedPortTypes(port);
  if (info) {
    const c = connectorOf(info.type);
    if (allowed.includes(c)) return c;
  }
  return allowed.includes('HDMI') ? 'HDMI' : allowed[0]!;
}
