/**
 * The settings GVT Desk runs a domain with, read and checked from its xl config.
 *
 * source: xl.cfg(5) for name/memory/vcpus; the Intel GVT-g setup guide (Nov 2016, §4.1.1) for the
 * XenGT keys vgt, vgt_low_gm_sz, vgt_high_gm_sz, vgt_fence_sz, vgt_monitor_config_file; gvt_workload,
 * gvt_vgpu_type (a GVT-g vGPU type instead of explicit sizes) and gvt_display_layout (extended or
 * clone desktop over several monitors) are GVT Desk's own keys, ignored by real xl. Numbers are read as xl reads them (xlu_cfg_get_long, via xlLong): `memory = "2048"`
 * is 2048.
 */
import { KEYMAP_NAMES } from '../../shared/keymap';
import { HOSTILE_SCENARIOS, WORKLOAD_NAMES } from '../../shared/workloads';
import { DEFAULT_WEIGHT, VGPU_TYPES, findVgpuType } from '../mediator/vgpu-types';
import { describeXlValue, parseXlConfig, xlLong, type ConfigFinding, type XlConfig } from './xlcfg';

export interface DomainSpec {
  /** name=, required, /^[A-Za-z0-9_.-]{1,64}$/ */
  name: string;
  /** memory=, MiB, default 512, 16..65536 */
  memoryMiB: number;
  /** vcpus=, default 1, 1..64 */
  vcpus: number;
  /** vgt=1 (default 0: the domain has no vGPU and still runs with a serial console) */
  vgt: boolean;
  /** vgt_low_gm_sz, MiB of aperture (CPU-visible low GM), default 64, multiple of 4, 8..4096 */
  lowGmMiB: number;
  /** vgt_high_gm_sz, MiB of hidden (high) GM, default 448, multiple of 4, 0..16384 */
  highGmMiB: number;
  /** vgt_fence_sz, fence registers, default 4, 0..32 */
  fences: number;
  /** vgt_monitor_config_file (indirect display mode), or null */
  monitorConfigFile: string | null;
  /** gvt_workload, one of WORKLOADS, default 'desktop' */
  workload: string;
  /** gvt_vgpu_type (e.g. 'GVTg_V5_4'): sizes and weight come from the type; null = explicit vgt_* sizes */
  vgpuType: string | null;
  /** Scheduler weight: the type's, or DEFAULT_WEIGHT for explicit sizes */
  weight: number;
  /** keymap=, the keyboard layout input is translated with (QEMU keymap names), default 'en-us' */
  keymap: string;
  /** usbdevice='tablet' (or a list holding it): an absolute USB tablet; else a PS/2 mouse */
  tablet: boolean;
  /** gvt_display_layout, how a guest with several monitors lays its desktop out: one desktop spanning the heads left to right ('extended', default) or the same image on each ('clone') */
  displayLayout: DisplayLayout;
}

/** gvt_display_layout values. */
export const DISPLAY_LAYOUTS = ['extended', 'clone'] as const;
export type DisplayLayout = (typeof DISPLAY_LAYOUTS)[number];

/** Domain names as xl and the API accept them. */
export const DOMAIN_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** Simulated guest workloads a domain may run (gvt_workload=). */
export const WORKLOADS: readonly string[] = WORKLOAD_NAMES;

/** Values used for keys a config leaves out. */
export const DOMAIN_DEFAULTS: Readonly<Omit<DomainSpec, 'name'>> = {
  memoryMiB: 512,
  vcpus: 1,
  vgt: false,
  lowGmMiB: 64,
  highGmMiB: 448,
  fences: 4,
  monitorConfigFile: null,
  workload: 'desktop',
  vgpuType: null,
  weight: DEFAULT_WEIGHT,
  keymap: 'en-us',
  tablet: false,
  displayLayout: 'extended',
};

type NumberProp = 'memoryMiB' | 'vcpus' | 'lowGmMiB' | 'highGmMiB' | 'fences';

interface NumberRule {
  key: string;
  prop: NumberProp;
  /** "a number of <what>" */
  what: string;
  unit: string;
  min: number;
  max: number;
  multipleOf?: number;
}

const NUMBER_RULES: readonly NumberRule[] = [
  { key: 'memory', prop: 'memoryMiB', what: 'MiB', unit: ' MiB', min: 16, max: 65536 },
  { key: 'vcpus', prop: 'vcpus', what: 'virtual CPUs', unit: '', min: 1, max: 64 },
  { key: 'vgt_low_gm_sz', prop: 'lowGmMiB', what: 'MiB', unit: ' MiB', min: 8, max: 4096, multipleOf: 4 },
  { key: 'vgt_high_gm_sz', prop: 'highGmMiB', what: 'MiB', unit: ' MiB', min: 0, max: 16384, multipleOf: 4 },
  { key: 'vgt_fence_sz', prop: 'fences', what: 'fence registers', unit: '', min: 0, max: 32 },
];

/** Keys that only mean something with vgt=1. */
const VGT_KEYS = ['vgt_low_gm_sz', 'vgt_high_gm_sz', 'vgt_fence_sz', 'vgt_monitor_config_file', 'gvt_vgpu_type'];

/**
 * Read a DomainSpec from a parsed config. Only the config's values are checked here: combine with
 * the findings of parseXlConfig (or use readDomainConfig) before trusting a config.
 * @returns spec = null when any finding is an error; findings name file, line, column (of the key;
 *   1:1 for a missing name) and field, e.g. `xlexample.hvm:18:1: error: vgt_low_gm_sz: must be a
 *   number of MiB, got 'abc'`
 * source: xl.cfg(5); Intel GVT-g setup guide 2016 §4.1.1
 */
export function domainSpecFromXl(config: XlConfig, fileName: string): { spec: DomainSpec | null; findings: ConfigFinding[] } {
  const findings: ConfigFinding[] = [];
  const at = (key: string, severity: ConfigFinding['severity'], message: string): void => {
    const e = config.entry(key);
    findings.push({ severity, file: fileName, line: e?.line ?? 1, column: e?.column ?? 1, field: key, message });
  };
  const spec: DomainSpec = { name: '', ...DOMAIN_DEFAULTS };

  const name = config.get('name');
  if (name === undefined) at('name', 'error', `required: add name = '…' (1-64 letters, digits, '.', '_' or '-')`);
  else if (name.kind !== 'string') at('name', 'error', `must be a quoted string, got ${describeXlValue(name)}`);
  else if (!DOMAIN_NAME.test(name.value)) at('name', 'error', `must be 1-64 letters, digits, '.', '_' or '-', got ${describeXlValue(name)}`);
  else spec.name = name.value;

  for (const rule of NUMBER_RULES) {
    const v = config.get(rule.key);
    if (v === undefined) continue;
    const n = xlLong(v);
    if (n === null) at(rule.key, 'error', `must be a number of ${rule.what}, got ${describeXlValue(v)}`);
    else if (n < rule.min || n > rule.max) at(rule.key, 'error', `must be ${rule.min}..${rule.max}${rule.unit}, got ${n}`);
    else if (rule.multipleOf && n % rule.multipleOf !== 0) at(rule.key, 'error', `must be a multiple of ${rule.multipleOf}${rule.unit}, got ${n}`);
    else spec[rule.prop] = n;
  }

  const vgt = config.get('vgt');
  const vgtNumber = vgt === undefined ? null : xlLong(vgt);
  if (vgt !== undefined) {
    if (vgtNumber !== 0 && vgtNumber !== 1) at('vgt', 'error', `must be 0 or 1, got ${describeXlValue(vgt)}`);
    else spec.vgt = vgtNumber === 1;
  }

  const monitor = config.get('vgt_monitor_config_file');
  if (monitor !== undefined) {
    if (monitor.kind !== 'string') at('vgt_monitor_config_file', 'error', `must be a quoted file path, got ${describeXlValue(monitor)}`);
    else if (monitor.value === '') at('vgt_monitor_config_file', 'warning', 'empty path: no monitor.config is used');
    else spec.monitorConfigFile = monitor.value;
  }

  const workload = config.get('gvt_workload');
  if (workload !== undefined) {
    const allowed = `'desktop', 'idle', 'hostile:all' or 'hostile:<scenario>' (${HOSTILE_SCENARIOS.join(', ')})`;
    if (workload.kind !== 'string' || !WORKLOADS.includes(workload.value)) at('gvt_workload', 'error', `must be one of ${allowed}, got ${describeXlValue(workload)}`);
    else spec.workload = workload.value;
  }

  const layout = config.get('gvt_display_layout');
  if (layout !== undefined) {
    if (layout.kind !== 'string' || !(DISPLAY_LAYOUTS as readonly string[]).includes(layout.value)) at('gvt_display_layout', 'error', `must be ${DISPLAY_LAYOUTS.map((l) => `'${l}'`).join(' or ')}, got ${describeXlValue(layout)}`);
    else spec.displayLayout = layout.value as DisplayLayout;
  }

  const keymap = config.get('keymap');
  if (keymap !== undefined) {
    if (keymap.kind !== 'string' || !KEYMAP_NAMES.includes(keymap.value)) at('keymap', 'error', `must be one of ${KEYMAP_NAMES.map((k) => `'${k}'`).join(', ')}, got ${describeXlValue(keymap)}`);
    else spec.keymap = keymap.value;
  }

  // usbdevice='tablet' or usbdevice=['tablet', …] (xl.cfg(5)); other devices are not emulated.
  const usb = config.get('usbdevice');
  if (usb !== undefined) {
    const devices = usb.kind === 'string' ? [usb.value] : usb.kind === 'list' ? usb.items.flatMap((i) => (i.kind === 'string' ? [i.value] : [])) : [];
    spec.tablet = devices.includes('tablet');
  }

  const vgpuType = config.get('gvt_vgpu_type');
  if (vgpuType !== undefined) {
    const type = vgpuType.kind === 'string' ? findVgpuType(vgpuType.value) : undefined;
    const explicit = ['vgt_low_gm_sz', 'vgt_high_gm_sz', 'vgt_fence_sz'].filter((k) => config.has(k));
    if (!type) at('gvt_vgpu_type', 'error', `must be one of ${VGPU_TYPES.map((t) => `'${t.name}'`).join(', ')}, got ${describeXlValue(vgpuType)}`);
    else if (explicit.length > 0) at('gvt_vgpu_type', 'error', `conflicts with ${explicit.join(', ')}: a vGPU type fixes the sizes; remove one or the other`);
    else Object.assign(spec, { vgpuType: type.name, weight: type.weight, lowGmMiB: type.lowGmBytes / 2 ** 20, highGmMiB: type.highGmBytes / 2 ** 20, fences: type.fences });
  }

  if (vgtNumber === 0) {
    for (const key of VGT_KEYS) if (config.has(key)) at(key, 'warning', 'has no effect with vgt=0 (the domain gets no vGPU)');
  } else if (vgt === undefined) {
    for (const key of VGT_KEYS) if (config.has(key)) at(key, 'warning', 'has no effect without vgt=1 (the domain gets no vGPU)');
  }
  if (spec.vgt && spec.lowGmMiB < 64 && config.has('vgt_low_gm_sz') && !findings.some((f) => f.field === 'vgt_low_gm_sz')) {
    at('vgt_low_gm_sz', 'warning', `${spec.lowGmMiB} MiB of aperture is below what the GVT-g guide asks for (64 MiB for a Linux guest, 128 MiB for Windows)`);
  }

  findings.sort((a, b) => a.line - b.line || a.column - b.column);
  return { spec: findings.some((f) => f.severity === 'error') ? null : spec, findings };
}

/**
 * Parse xl text and read its DomainSpec in one go.
 * @returns the config, spec (null when the parse or the spec has any error) and all findings in
 *   file order
 */
export function readDomainConfig(text: string, fileName: string): { config: XlConfig; spec: DomainSpec | null; findings: ConfigFinding[] } {
  const parsed = parseXlConfig(text, fileName);
  const checked = domainSpecFromXl(parsed.config, fileName);
  const findings = [...parsed.findings, ...checked.findings].sort((a, b) => a.line - b.line || a.column - b.column);
  return { config: parsed.config, spec: findings.some((f) => f.severity === 'error') ? null : checked.spec, findings };
}
