/**
 * The virtual monitors a domain starts with. Indirect display mode (`vgt_monitor_config_file` set):
 * the ports of its monitor.config. Otherwise the vGPU type's built-in monitor on PORT_B (HDMI):
 * 1024x768 for GVTg_V5_8 and explicit vgt_* sizes, 1920x1200 for the other types.
 * Source: seeds 001 §4.1.3 (indirect display mode), GVT-g vgpu_types[] (GVT_EDID_1024_768 /
 * GVT_EDID_1920_1200).
 */
import { ApiError } from '../../shared/api';
import { FileAccessError } from '../files/checked-io';
import { libraryMonitor } from '../../shared/edid-library';
import { formatMonitorConfigFinding, parseMonitorConfig } from '../../shared/monitor-config';
import { PORT_TYPES } from '../../shared/ports';
import type { VirtualPort } from '../mediator/vdisplay';
import { findVgpuType } from '../mediator/vgpu-types';
import type { DomainSpec } from './domain-spec';

export interface DomainDisplay {
  ports: VirtualPort[];
  maxResolution: { width: number; height: number };
  /** Lines for the domain's serial log (e.g. why the built-in monitor is used). */
  notes: string[];
}

/** The built-in monitor for a spec: the vGPU type's resolution. */
export function builtInDisplay(spec: DomainSpec): DomainDisplay {
  const res = (spec.vgpuType && findVgpuType(spec.vgpuType)?.resolution) || { width: 1024, height: 768 };
  const monitor = libraryMonitor(res.width >= 1920 ? 'generic-1920x1200' : 'generic-1024x768')!;
  return { ports: [{ name: 'PORT_B', type: PORT_TYPES.HDMI_B, overridePort: null, edid: monitor.bytes, connected: true }], maxResolution: res, notes: [] };
}

/**
 * Reads a monitor.config a config key names, through the host's file boundary (data dir or a file
 * the user chose; regular files of at most FILE_LIMITS.monitorConfig bytes). Throws
 * FileAccessError when the file is outside the boundary, missing, special or too large.
 */
export type MonitorConfigReader = (path: string) => Promise<Uint8Array>;

/**
 * Ports for starting `spec`. A monitor.config that cannot be used (missing, like the seeds'
 * placeholder path, outside the file boundary, not a regular file, too large) falls back to the
 * built-in monitor with a note saying why; one that is read but malformed refuses the start:
 * ApiError('config') with line-numbered findings.
 */
export async function domainDisplay(spec: DomainSpec, read: MonitorConfigReader): Promise<DomainDisplay> {
  const builtIn = builtInDisplay(spec);
  const file = spec.monitorConfigFile;
  if (!file) return builtIn;
  let bytes: Uint8Array;
  try {
    bytes = await read(file);
  } catch (e) {
    if (!(e instanceof FileAccessError)) throw e;
    const why = e.reason === 'not_found' ? `${file}: not found` : e.message;
    return { ...builtIn, notes: [`vgt_monitor_config_file ${why}; using the built-in monitor (direct display mode)`] };
  }
  const parsed = parseMonitorConfig(bytes, file);
  if (!parsed.config) throw new ApiError('config', `${spec.name} cannot start: monitor.config is malformed:\n${parsed.findings.filter((f) => f.severity === 'error').map((f) => formatMonitorConfigFinding(file, f)).join('\n')}`);
  return {
    ports: parsed.config.records.map((r) => ({ name: r.virtualPort, type: r.vgtPortType, overridePort: r.overridePort, edid: r.edid, connected: true })),
    maxResolution: { width: 1920, height: 1200 },
    notes: [`indirect display mode: ${parsed.config.records.length} monitor(s) from ${file}`],
  };
}
