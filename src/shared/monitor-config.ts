/**
 * XenGT / KVMGT `monitor.config` (indirect display mode, `vgt_monitor_config_file=`): the virtual
 * monitors QEMU plugs into a guest's virtual ports at vGPU creation. Browser-safe.
 *
 * Format, as QEMU's reader implements it (intel/Igvtg-qemu hw/display/vga-vgt.c,
 * config_vgt_guest_monitors / get_config_header / get_byte_from_txt_file / validate_monitor_configs;
 * the same code is in the XenGT qemu's hw/display/vgt_vga.c) and the setup guide shows it (seed 001
 * §4.1.3, shared/examples/monitor.config):
 *
 *   Header. Text mode: the file starts with a `#` comment line and the next hex byte is the header,
 *   whose low digit is the number of records (its high digit, "1" = text mode, is not checked); or
 *   the file starts with the two characters "1N" directly (any non-zero first byte means text mode,
 *   N - '0' records). Binary mode: the first byte is 00h and the second the number of records.
 *   1..3 records (MAX_INPUT_NUM).
 *
 *   Records, 130 bytes each (struct vgt_monitor_info):
 *     byte 0, low nibble  `port_type`: the virtual port, PORT_A = 0 … PORT_E = 4 (< MAX_PORTS);
 *     byte 0, high nibble `port_is_dp`: 0 = HDMI, non-zero = DP; only meaningful for PORT_B/C/D
 *       (PORT_A is always VGT_DP_A, PORT_E always VGT_CRT, i.e. VGA). Bit-field order is GCC's on
 *       x86 (first field in the low bits), so "04" is PORT_E and "12" would be DP on PORT_C;
 *     byte 1 `port_override`: the physical port the virtual one stands for (0..4);
 *     bytes 2..129: a 128-byte EDID whose extension count (EDID[126]) must be 0.
 *   QEMU then writes, per record, /sys/kernel/vgt/vmN/PORT_x/port_override ("PORT_y"),
 *   …/type (enum vgt_port_type: CRT 0, DP_A 1, DP_B..D 2..4, HDMI_B..D 5..7), …/edid (128 bytes)
 *   and "flush" to …/connection — the same knobs as the guide's virtual hotplug (§5.2).
 *
 *   In text mode the bytes are a stream of hex digit pairs: `#` starts a comment to the end of the
 *   line; QEMU skips every other non-hex character, so "0x04" would silently misalign the stream —
 *   we report such characters as errors instead. Digits pair up in order, whatever the layout; the
 *   guide's layout (one line "PPOO", then 8 lines of 16 EDID bytes) is what the writer produces.
 *
 * Parsing never throws: problems are findings with a 1-based line (and column); in binary files
 * line is 1 and column / offset give the byte position.
 */
import { decodeEdid, edidToHex, modeLine, preferredTiming } from './edid';
import type { DetailedTiming } from './edid-types';
import { PORT_NAMES, PORT_TYPES, type PortName } from './ports';

/** The connector a virtual port presents: PORT_E is VGA (CRT), PORT_A DP (eDP, VGT_DP_A), B/C/D DP or HDMI. */
export type MonitorPortType = 'VGA' | 'DP' | 'HDMI';

export interface MonitorConfigRecord {
  /** Virtual port (low nibble of byte 0). */
  virtualPort: PortName;
  /** Connector type: from the port and the DP nibble (high nibble of byte 0). */
  portType: MonitorPortType;
  /** XenGT enum vgt_port_type value QEMU writes to PORT_x/type (CRT 0, DP_A..DP_D 1..4, HDMI_B..HDMI_D 5..7). Derived. */
  vgtPortType: number;
  /** The physical port the virtual port overrides (byte 1). */
  overridePort: PortName;
  /** 128-byte EDID. */
  edid: Uint8Array;
}

export interface MonitorConfig {
  mode: 'text' | 'binary';
  /** 1..3 records. */
  records: MonitorConfigRecord[];
}

export interface MonitorConfigFinding {
  /** 1-based line (always 1 in a binary file). */
  line: number;
  /** 1-based column (byte offset + 1 in a binary file). */
  column?: number;
  /** Byte offset in a binary file. */
  offset?: number;
  severity: 'error' | 'warning';
  message: string;
}

export interface MonitorConfigParseResult {
  /** null when there is any error finding. */
  config: MonitorConfig | null;
  findings: MonitorConfigFinding[];
  fileName: string;
}

/** Records per file (QEMU MAX_INPUT_NUM). */
export const MAX_MONITOR_RECORDS = 3;
/** Bytes per record: port byte, override byte, 128-byte EDID. */
export const MONITOR_RECORD_SIZE = 130;

interface Pos {
  line: number;
  column: number;
  offset?: number;
}

/** The vgt_port_type QEMU derives from a port and its DP nibble (port_info_to_type). */
export function vgtPortType(port: PortName, portType: MonitorPortType): number {
  switch (port) {
    case 'PORT_A': return PORT_TYPES.DP_A;
    case 'PORT_E': return PORT_TYPES.CRT;
    default: {
      const letter = port.slice(-1) as 'B' | 'C' | 'D';
      return portType === 'DP' ? PORT_TYPES[`DP_${letter}`] : PORT_TYPES[`HDMI_${letter}`];
    }
  }
}

function portTypeFor(port: PortName, dpNibble: number): MonitorPortType {
  if (port === 'PORT_E') return 'VGA';
  if (port === 'PORT_A') return 'DP';
  return dpNibble !== 0 ? 'DP' : 'HDMI';
}

const isHex = (c: string): boolean => /^[0-9a-fA-F]$/.test(c);

/**
 * Parse a monitor.config (text, or the raw bytes of a text or binary file; a first byte 00h means
 * binary, as in QEMU). Never throws.
 */
export function parseMonitorConfig(input: string | Uint8Array, fileName = 'monitor.config'): MonitorConfigParseResult {
  const findings: MonitorConfigFinding[] = [];
  const result = (config: MonitorConfig | null): MonitorConfigParseResult => ({
    config: findings.some((f) => f.severity === 'error') ? null : config,
    findings,
    fileName,
  });
  if (input.length === 0) {
    findings.push({ line: 1, severity: 'error', message: 'empty file' });
    return result(null);
  }
  if (typeof input === 'string') {
    if (input.charCodeAt(0) === 0) return result(parseBinary(Uint8Array.from(input, (c) => c.charCodeAt(0) & 0xff), findings));
    return result(parseText(input, findings));
  }
  if (input[0] === 0) return result(parseBinary(input, findings));
  return result(parseText(Array.from(input, (c) => String.fromCharCode(c)).join(''), findings));
}

function parseBinary(b: Uint8Array, findings: MonitorConfigFinding[]): MonitorConfig | null {
  const at = (offset: number, severity: 'error' | 'warning', message: string) => findings.push({ line: 1, column: offset + 1, offset, severity, message });
  if (b.length < 2) {
    at(b.length, 'error', 'binary header: file ends after the mode byte (00h); the record count byte is missing');
    return null;
  }
  const count = b[1]!;
  if (count < 1 || count > MAX_MONITOR_RECORDS) {
    at(1, 'error', `binary header: ${count} records; QEMU accepts 1..${MAX_MONITOR_RECORDS}`);
    return null;
  }
  const data = b.subarray(2);
  const positions = Array.from({ length: data.length }, (_, i): Pos => ({ line: 1, column: i + 3, offset: i + 2 }));
  return buildRecords('binary', count, data, positions, { line: 1, column: b.length + 1, offset: b.length }, findings);
}

function parseText(text: string, findings: MonitorConfigFinding[]): MonitorConfig | null {
  // The hex digit stream, with positions; '#' comments run to the end of the line.
  const digits: { c: string; index: number; line: number; column: number }[] = [];
  let line = 1;
  let column = 1;
  let badOnLine = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '#') {
      while (i + 1 < text.length && text[i + 1] !== '\n') i++; // the '\n' itself is handled next
      continue;
    }
    if (c === '\n') {
      line++;
      column = 1;
      continue;
    }
    if (isHex(c)) digits.push({ c, index: i, line, column });
    else if (!/\s/.test(c) && badOnLine !== line) {
      badOnLine = line;
      const shown = c.charCodeAt(0) < 0x20 || c.charCodeAt(0) > 0x7e ? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}` : c;
      findings.push({ line, column, severity: 'error', message: `unexpected character '${shown}': only hex digits, whitespace and # comments belong here (QEMU skips other characters, which misaligns the hex stream)` });
    }
    column++;
  }
  // Where a "file ends early" finding points: just after the last hex digit (else the end of file).
  const last = digits[digits.length - 1];
  const end: Pos = last ? { line: last.line, column: last.column + 1 } : { line, column };

  // Header.
  const [h0, h1] = digits;
  if (text[0] !== '#' && !(h0 && h1 && h0.index === 0 && h1.index === 1)) {
    const shown = JSON.stringify(text.slice(0, 2));
    findings.push({ line: 1, column: 1, severity: 'error', message: `header: QEMU reads the first two characters (${shown}) as the header "1N" unless the file starts with a # comment; put "1N" (text mode, N records) at the very start` });
    return null;
  }
  if (!h0 || !h1) {
    findings.push({ ...end, severity: 'error', message: 'header: no "1N" header byte after the leading comment' });
    return null;
  }
  if (h1.index !== h0.index + 1) findings.push({ line: h0.line, column: h0.column, severity: 'warning', message: 'header: the two digits of the header byte are separated' });
  const count = parseInt(h1.c, 16);
  if (h0.c !== '1') findings.push({ line: h0.line, column: h0.column, severity: 'warning', message: `header "${h0.c}${h1.c}": the first digit should be 1 (text mode); QEMU does not check it` });
  if (count < 1 || count > MAX_MONITOR_RECORDS) {
    findings.push({ line: h1.line, column: h1.column, severity: 'error', message: `header "${h0.c}${h1.c}": ${count} records; QEMU accepts 1..${MAX_MONITOR_RECORDS} (second digit)` });
    return null;
  }

  // Bytes: digit pairs after the header.
  const data: number[] = [];
  const positions: Pos[] = [];
  let splitReported = false;
  for (let k = 2; k + 1 < digits.length; k += 2) {
    const a = digits[k]!;
    const b = digits[k + 1]!;
    if (b.index !== a.index + 1 && !splitReported) {
      splitReported = true;
      findings.push({ line: a.line, column: a.column, severity: 'warning', message: `the two hex digits of a byte are separated ('${a.c}' here, '${b.c}' at line ${b.line}:${b.column}); QEMU pairs them anyway — check the alignment` });
    }
    data.push(parseInt(a.c + b.c, 16));
    positions.push({ line: a.line, column: a.column });
  }
  const dangling = (digits.length - 2) % 2 === 1 ? digits[digits.length - 1]! : null;
  const needed = count * MONITOR_RECORD_SIZE;
  if (dangling && data.length >= needed) {
    findings.push({ line: dangling.line, column: dangling.column, severity: 'warning', message: 'a lone hex digit after the last record (ignored)' });
  }
  return buildRecords('text', count, Uint8Array.from(data), positions, dangling ? { line: dangling.line, column: dangling.column } : end, findings);
}

function buildRecords(mode: 'text' | 'binary', count: number, data: Uint8Array, positions: Pos[], end: Pos, findings: MonitorConfigFinding[]): MonitorConfig | null {
  const at = (i: number, severity: 'error' | 'warning', message: string) => findings.push({ ...(positions[i] ?? end), severity, message });
  const needed = count * MONITOR_RECORD_SIZE;
  if (data.length < needed) {
    const r = Math.floor(data.length / MONITOR_RECORD_SIZE);
    const got = data.length - r * MONITOR_RECORD_SIZE;
    findings.push({
      ...end,
      severity: 'error',
      message: `record ${r + 1} of ${count}: the file ends after ${got} of ${MONITOR_RECORD_SIZE} bytes (port byte, override byte, 128-byte EDID)${got > 2 ? `: the EDID has ${got - 2} of 128 bytes` : ''}`,
    });
    return null;
  }
  if (data.length > needed) {
    const extra = data.length - needed;
    const more = extra % MONITOR_RECORD_SIZE === 0 ? ` (${extra / MONITOR_RECORD_SIZE} more complete record(s): should the header say ${count + extra / MONITOR_RECORD_SIZE}?)` : '';
    at(needed, 'warning', `${extra} byte(s) after the ${count} record(s) the header announces; QEMU ignores them${more}`);
  }
  const records: MonitorConfigRecord[] = [];
  const seen = new Map<string, number>();
  for (let r = 0; r < count; r++) {
    const base = r * MONITOR_RECORD_SIZE;
    const portIdx = data[base]! & 0x0f;
    const dpNibble = data[base]! >> 4;
    const overrideIdx = data[base + 1]!;
    const label = `record ${r + 1}`;
    let ok = true;
    if (portIdx >= PORT_NAMES.length) {
      at(base, 'error', `${label}: virtual port ${portIdx} (low digit of the port byte) is not PORT_A..PORT_E (0..4)`);
      ok = false;
    }
    if (overrideIdx >= PORT_NAMES.length) {
      at(base + 1, 'error', `${label}: override port ${overrideIdx} is not PORT_A..PORT_E (00..04)`);
      ok = false;
    }
    const edid = data.slice(base + 2, base + MONITOR_RECORD_SIZE);
    checkRecordEdid(edid, label, (offset, severity, message) => at(base + 2 + offset, severity, message));
    if (!ok) continue;
    const virtualPort = PORT_NAMES[portIdx]!;
    if (virtualPort === 'PORT_A' || virtualPort === 'PORT_E') {
      if (dpNibble !== 0) at(base, 'warning', `${label}: the DP digit ${dpNibble} is ignored for ${virtualPort} (always ${virtualPort === 'PORT_E' ? 'VGA' : 'DP'})`);
    } else if (dpNibble > 1) {
      at(base, 'warning', `${label}: DP digit ${dpNibble}: QEMU treats any non-zero value as DP; use 1`);
    }
    // Ours: QEMU lets a later record override an earlier one; a multi-head guest would lose a monitor silently.
    if (seen.has(virtualPort)) at(base, 'error', `${label}: ${virtualPort} already has the monitor of record ${seen.get(virtualPort)}; one virtual port holds one monitor (give this one another port)`);
    seen.set(virtualPort, r + 1);
    const portType = portTypeFor(virtualPort, dpNibble);
    records.push({ virtualPort, portType, vgtPortType: vgtPortType(virtualPort, portType), overridePort: PORT_NAMES[overrideIdx]!, edid });
  }
  return { mode, records };
}

/**
 * Why no Skylake pipe can drive `t`, or null: i915 intel_mode_valid refuses hdisplay < 64, a
 * horizontal blank under 32 pixels or a vertical blank under 5 lines, and modes wider than 8192 or
 * taller than 4096 (display version 9); the dot clock is capped by SKL's highest CDCLK, 675 MHz
 * (intel_compute_max_dotclk: max_cdclk_freq on display version 9).
 */
export function pipeModeProblem(t: DetailedTiming): string | null {
  if (t.hActive < 64) return `hdisplay ${t.hActive} is below 64`;
  if (t.hBlank < 32) return `horizontal blank ${t.hBlank} px is below 32`;
  if (t.vBlank < 5) return `vertical blank ${t.vBlank} lines is below 5`;
  if (t.hActive > 8192 || t.vActive > 4096) return `${t.hActive}x${t.vActive} exceeds 8192x4096`;
  if (t.pixelClockKHz > SKL_MAX_DOTCLOCK_KHZ) return `pixel clock ${t.pixelClockKHz / 1000} MHz exceeds ${SKL_MAX_DOTCLOCK_KHZ / 1000} MHz`;
  return null;
}
const SKL_MAX_DOTCLOCK_KHZ = 675000;

/** EDID checks for a record: QEMU's EDID[126] == 0 rule, the codec's findings (checksum as a warning), a preferred mode a pipe can drive. */
function checkRecordEdid(edid: Uint8Array, label: string, report: (offset: number, severity: 'error' | 'warning', message: string) => void): void {
  if (edid[126] !== 0) report(126, 'error', `${label}: EDID extension count is ${edid[126]}; QEMU rejects EDIDs with extension blocks (EDID[126] must be 0)`);
  const { edid: decoded, findings } = decodeEdid(edid);
  const timing = decoded && preferredTiming(decoded);
  const problem = timing && pipeModeProblem(timing);
  // The first detailed timing descriptor (the preferred mode) starts at EDID byte 54.
  if (problem) report(54, 'error', `${label}: no pipe can drive the preferred mode (${problem}; i915 intel_mode_valid)`);
  for (const f of findings) {
    if (f.offset === 126) continue; // the extension count, reported above
    if (/checksum/.test(f.message)) {
      report(f.offset, 'warning', `${label}, EDID: ${f.message} — QEMU does not check it, but a guest driver may reject the EDID`);
    } else report(f.offset, f.severity, `${label}, EDID: ${f.message}`);
  }
}

/** One line per finding: "file:line[:column]: severity: message". */
export function formatMonitorConfigFinding(fileName: string, f: MonitorConfigFinding): string {
  return `${fileName}:${f.line}${f.column !== undefined ? `:${f.column}` : ''}: ${f.severity}: ${f.message}`;
}

function checkWritable(config: MonitorConfig): void {
  const n = config.records.length;
  if (n < 1 || n > MAX_MONITOR_RECORDS) throw new RangeError(`a monitor.config holds 1..${MAX_MONITOR_RECORDS} records, got ${n}`);
  config.records.forEach((r, i) => {
    const first = config.records.findIndex((o) => o.virtualPort === r.virtualPort);
    if (first < i) throw new RangeError(`record ${i + 1}: ${r.virtualPort} already has the monitor of record ${first + 1}`);
    if (!PORT_NAMES.includes(r.virtualPort) || !PORT_NAMES.includes(r.overridePort)) throw new RangeError(`record ${i + 1}: ports must be PORT_A..PORT_E`);
    if (r.edid.length !== 128) throw new RangeError(`record ${i + 1}: the EDID must be 128 bytes, got ${r.edid.length}`);
    const allowed: MonitorPortType[] = r.virtualPort === 'PORT_E' ? ['VGA'] : r.virtualPort === 'PORT_A' ? ['DP'] : ['DP', 'HDMI'];
    if (!allowed.includes(r.portType)) throw new RangeError(`record ${i + 1}: ${r.virtualPort} cannot be ${r.portType} (allowed: ${allowed.join(', ')})`);
  });
}

/** The two port bytes of a record. */
function portBytes(r: MonitorConfigRecord): [number, number] {
  const dp = r.portType === 'DP' && r.virtualPort !== 'PORT_A' ? 1 : 0;
  return [(dp << 4) | PORT_NAMES.indexOf(r.virtualPort), PORT_NAMES.indexOf(r.overridePort)];
}

function describeEdid(edid: Uint8Array): string {
  const { edid: e } = decodeEdid(edid);
  if (!e) return 'undecodable EDID';
  const t = e.detailedTimings[0];
  const mode = t ? `, ${modeLine(t).width}x${modeLine(t).height}@${modeLine(t).refreshHz.toFixed(2)}` : '';
  return `${e.monitorName ?? 'unnamed monitor'} (${e.vendor} ${e.productCode.toString(16).padStart(4, '0')})${mode}`;
}

/**
 * Write a config. Text mode gives the setup guide's layout with a comment before every line;
 * binary mode gives 00h, the record count, then the 130-byte records. Throws RangeError for a
 * config that cannot be written (0 or more than 3 records, an EDID that is not 128 bytes, a port
 * type the port cannot have).
 */
export function writeMonitorConfig(config: MonitorConfig, mode: 'text'): string;
export function writeMonitorConfig(config: MonitorConfig, mode: 'binary'): Uint8Array;
export function writeMonitorConfig(config: MonitorConfig, mode?: 'text' | 'binary'): string | Uint8Array;
export function writeMonitorConfig(config: MonitorConfig, mode: 'text' | 'binary' = config.mode): string | Uint8Array {
  checkWritable(config);
  const n = config.records.length;
  if (mode === 'binary') {
    const out = new Uint8Array(2 + n * MONITOR_RECORD_SIZE);
    out[1] = n;
    config.records.forEach((r, i) => {
      out.set(portBytes(r), 2 + i * MONITOR_RECORD_SIZE);
      out.set(r.edid, 4 + i * MONITOR_RECORD_SIZE);
    });
    return out;
  }
  const hex = (v: number) => v.toString(16).padStart(2, '0');
  const lines = ['# monitor.config file.', `# first bit 1 for text mode, and second bit ${n} for number of ports in the config`, `1${n}`];
  config.records.forEach((r) => {
    const [b0, b1] = portBytes(r);
    const kind = r.portType;
    lines.push(`# ${hex(b0)} for ${r.virtualPort}${r.virtualPort === 'PORT_A' || r.virtualPort === 'PORT_E' ? '' : ` as ${kind} (high digit 1 = DP, 0 = HDMI)`}; and ${hex(b1)} for ${r.overridePort} to be override (virtual ${kind} on physical ${r.overridePort})`);
    lines.push(`${hex(b0)}${hex(b1)}`);
    lines.push(`# Virtual ${kind} monitor EDID: ${describeEdid(r.edid)}`);
    lines.push(edidToHex(r.edid).trimEnd());
  });
  return `${lines.join('\n')}\n`;
}
