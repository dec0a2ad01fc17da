/**
 * New VM: the dialog's form written as an ordinary xl.cfg, and checked by the parser every
 * library config goes through (readDomainConfig) before it may be saved.
 *
 * The text is what `xl create` accepts unchanged (xl.cfg(5) keys, XenGT's vgt_* keys from the
 * GVT-g setup guide 2016 §4.1.1; gvt_vgpu_type and gvt_workload are GVT Desk's own, which xl
 * ignores). It has no disk=: GVT Desk's guests are simulated; a real host adds its own.
 */
import type { NewVmField, NewVmForm, NewVmProblem } from '../../shared/api';
import { libraryMonitor } from '../../shared/edid-library';
import { vgtPortType, writeMonitorConfig } from '../../shared/monitor-config';
import { readDomainConfig, type DomainSpec } from './domain-spec';
import { formatXlValue, type XlValue } from './xlcfg';

/** Domain-0 is the host: no library domain may take its name. */
export const DOM0_NAME = 'Domain-0';

/** Which form field each config key comes from (findings carry the key as `field`). */
const FIELD_OF_KEY: Readonly<Record<string, NewVmField>> = {
  name: 'name',
  memory: 'memoryMiB',
  vcpus: 'vcpus',
  gvt_vgpu_type: 'vgpu',
  vgt_low_gm_sz: 'lowGmMiB',
  vgt_high_gm_sz: 'highGmMiB',
  vgt_fence_sz: 'fences',
  vgt_monitor_config_file: 'display',
  gvt_workload: 'workload',
};

/**
 * The xl.cfg for a form: name, builder='hvm', memory (MiB), vcpus, a serial console and USB tablet
 * as the seeds' xlexample.hvm has them, vgt=1 with gvt_vgpu_type or the explicit vgt_*_sz sizes,
 * vgt_monitor_config_file (display 'library': `monitorPath`, the file the caller writes; 'file':
 * the path given), gvt_workload.
 * @throws RangeError for a display 'library' without monitorPath
 */
export function writeNewVmConfig(form: NewVmForm, monitorPath: string | null = null): string {
  const lines = ["# Created by GVT Desk (File > New VM). xl.cfg(5); xl ignores the gvt_* keys, which are GVT Desk's own."];
  const put = (key: string, value: XlValue): void => void lines.push(`${key} = ${formatXlValue(value)}`);
  const str = (value: string): XlValue => ({ kind: 'string', value });
  const num = (value: number): XlValue => ({ kind: 'number', value });
  put('name', str(form.name));
  put('builder', str('hvm'));
  put('memory', num(form.memoryMiB));
  put('vcpus', num(form.vcpus));
  put('serial', str('pty'));
  put('usb', num(1));
  put('usbdevice', str('tablet'));
  put('vgt', num(1));
  if (form.vgpu.kind === 'type') put('gvt_vgpu_type', str(form.vgpu.type));
  else {
    put('vgt_low_gm_sz', num(form.vgpu.lowGmMiB));
    put('vgt_high_gm_sz', num(form.vgpu.highGmMiB));
    put('vgt_fence_sz', num(form.vgpu.fences));
  }
  if (form.display.kind === 'library') {
    if (monitorPath === null) throw new RangeError('a library monitor needs the path of the monitor.config written for it');
    put('vgt_monitor_config_file', str(monitorPath));
  } else if (form.display.kind === 'file') put('vgt_monitor_config_file', str(form.display.path));
  put('gvt_workload', str(form.workload));
  return `${lines.join('\n')}\n`;
}

/**
 * Write and check a form.
 * @param taken whether a name is already in the library (Domain-0 always is)
 * @param monitorPath where a library monitor's monitor.config will be written (display 'library')
 * @returns the text, the spec it parses to (null when it has errors) and the problems by field: the
 *   parser's errors (e.g. memoryMiB: "must be 16..65536 MiB, got 8"), a taken name, an unknown
 *   library monitor, an empty monitor.config path. Warnings (e.g. a small aperture) do not block.
 */
export function checkNewVmForm(form: NewVmForm, taken: (name: string) => boolean, monitorPath: string | null = null): { text: string; spec: DomainSpec | null; problems: NewVmProblem[] } {
  const problems: NewVmProblem[] = [];
  const display = form.display;
  if (display.kind === 'library' && !libraryMonitor(display.monitor)) problems.push({ field: 'display', message: `'${display.monitor}' is not a monitor of the EDID library` });
  if (display.kind === 'file' && display.path.trim() === '') problems.push({ field: 'display', message: 'give the path of a monitor.config, or choose the built-in monitor' });
  const text = writeNewVmConfig(form, display.kind === 'library' ? (monitorPath ?? `${form.name}.config`) : null);
  const { spec, findings } = readDomainConfig(text, `${form.name}.cfg`);
  for (const f of findings) {
    if (f.severity !== 'error') continue;
    problems.push({ field: FIELD_OF_KEY[f.field ?? ''] ?? 'name', message: f.message });
  }
  if (!problems.some((p) => p.field === 'name') && (form.name === DOM0_NAME || taken(form.name))) {
    problems.push({ field: 'name', message: `a domain named '${form.name}' already exists; choose another name (or clone it from its context menu)` });
  }
  return { text, spec: problems.length > 0 ? null : spec, problems };
}

/** The text of a one-monitor monitor.config for library monitor `id` on virtual PORT_B (DP, overriding physical PORT_B, where the built-in monitor sits). */
export function libraryMonitorConfig(id: string): string {
  const m = libraryMonitor(id);
  if (!m) throw new RangeError(`'${id}' is not a monitor of the EDID library`);
  return writeMonitorConfig({ mode: 'text', records: [{ virtualPort: 'PORT_B', portType: 'DP', vgtPortType: vgtPortType('PORT_B', 'DP'), overridePort: 'PORT_B', edid: m.bytes }] }, 'text');
}

/** One line per problem: `field: message`. */
export function describeProblems(problems: readonly NewVmProblem[]): string {
  return problems.map((p) => `${p.field}: ${p.message}`).join('\n');
}
