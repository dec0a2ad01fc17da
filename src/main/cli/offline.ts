/**
 * CLI commands that work on files alone, without a running instance:
 *   gvt-desk edid decode FILE [--json]             decode an EDID (binary, hex text or edid-decode output)
 *   gvt-desk monitor-config check FILE [--json]    check a XenGT monitor.config (text or binary)
 * Both exit 0 when the input has no error findings and 1 otherwise (warnings alone keep 0); a file
 * that cannot be read (missing, not a regular file, over the size limit) is a plain failure (exit 1,
 * message on stderr).
 */
import { realpath } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { Command } from 'commander';
import { decodeEdid, edidToHex, modeLine, parseEdidText } from '../../shared/edid';
import type { DetailedTiming, Edid, EdidFinding } from '../../shared/edid-types';
import { formatMonitorConfigFinding, parseMonitorConfig } from '../../shared/monitor-config';
import type { CliIo } from './program';
import { FILE_LIMITS, readRegularFile } from '../files/checked-io';

/** Register `edid` and `monitor-config` on `program`; `setExit` receives the command's exit code. */
export function registerOfflineCommands(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const println = (text: string) => io.stdout(text.endsWith('\n') ? text : `${text}\n`);
  // The local user's own path: canonicalised (a symlink is followed here, once), then the checked reader.
  const load = async (file: string, limit: number, what: string): Promise<Buffer> => {
    const abs = isAbsolute(file) ? file : resolve(io.cwd, file);
    return readRegularFile(await realpath(abs).catch(() => abs), limit, what);
  };

  const edid = program.command('edid').description('EDID tools (no running instance needed)');
  edid
    .command('decode')
    .description('decode an EDID: binary, hex text (.hex) or edid-decode output; exit 1 when it has errors')
    .argument('<file>', 'EDID file')
    .option('--json', 'print JSON instead of a summary')
    .action(async (file: string, opts: { json?: boolean }) => {
      const raw = await load(file, FILE_LIMITS.edid, 'EDID file');
      const data = raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf ? raw.subarray(3) : raw; // a UTF-8 BOM
      let bytes: Uint8Array;
      if (looksBinary(data)) bytes = new Uint8Array(data);
      else {
        const parsed = parseEdidText(data.toString('latin1'));
        if (!parsed.bytes) {
          if (opts.json) println(JSON.stringify({ file, valid: false, error: parsed.error }, null, 2));
          else io.stderr(`${file}:${parsed.error.line}: ${parsed.error.message}\n`);
          setExit(1);
          return;
        }
        bytes = parsed.bytes;
      }
      const { edid: decoded, findings } = decodeEdid(bytes);
      const valid = !findings.some((f) => f.severity === 'error');
      if (opts.json) {
        const preferred = decoded?.detailedTimings[0];
        println(JSON.stringify({ file, valid, length: bytes.length, hex: edidToHex(bytes), preferredMode: preferred ? modeLine(preferred) : null, edid: decoded, findings }, jsonBytes, 2));
      } else println(edidSummary(file, bytes, decoded, findings));
      setExit(valid ? 0 : 1);
    });

  const mc = program.command('monitor-config').description('XenGT monitor.config tools (no running instance needed)');
  mc.command('check')
    .description('check a monitor.config (indirect display mode); exit 1 when it has errors')
    .argument('<file>', 'monitor.config file (text or binary)')
    .option('--json', 'print JSON instead of findings and a summary')
    .action(async (file: string, opts: { json?: boolean }) => {
      const data = await load(file, FILE_LIMITS.monitorConfig, 'monitor.config');
      const { config, findings } = parseMonitorConfig(new Uint8Array(data), file);
      const valid = config !== null;
      const records = (config?.records ?? []).map((r) => {
        const { edid: e } = decodeEdid(r.edid);
        const t = e?.detailedTimings[0];
        return { virtualPort: r.virtualPort, portType: r.portType, vgtPortType: r.vgtPortType, overridePort: r.overridePort, monitorName: e?.monitorName ?? null, vendor: e?.vendor ?? null, preferredMode: t ? modeLine(t) : null, edid: edidToHex(r.edid) };
      });
      if (opts.json) println(JSON.stringify({ file, valid, mode: config?.mode ?? null, records, findings }, null, 2));
      else {
        for (const f of findings) println(formatMonitorConfigFinding(file, f));
        const errors = findings.filter((f) => f.severity === 'error').length;
        const warnings = findings.length - errors;
        if (config) {
          const list = records.map((r) => `${r.virtualPort} (${r.portType}) overrides ${r.overridePort}: ${r.monitorName ?? 'unnamed monitor'}${r.preferredMode ? ` ${fmtMode(r.preferredMode)}` : ''}`);
          println(`${file}: OK, ${config.mode} mode, ${config.records.length} record(s)${warnings ? `, ${warnings} warning(s)` : ''}`);
          for (const l of list) println(`  ${l}`);
        } else println(`${file}: ${errors} error(s)${warnings ? `, ${warnings} warning(s)` : ''}`);
      }
      setExit(valid ? 0 : 1);
    });
}

/** A buffer is binary EDID when it starts with 00h or holds bytes other than printable ASCII and whitespace. */
function looksBinary(data: Uint8Array): boolean {
  if (data.length === 0) return false;
  if (data[0] === 0) return true;
  return data.some((c) => !(c === 0x09 || c === 0x0a || c === 0x0d || (c >= 0x20 && c <= 0x7e)));
}

/** JSON.stringify replacer: byte arrays as lowercase hex strings. */
function jsonBytes(_key: string, value: unknown): unknown {
  return value instanceof Uint8Array ? Array.from(value, (b) => b.toString(16).padStart(2, '0')).join('') : value;
}

const fmtMode = (m: { width: number; height: number; refreshHz: number }) => `${m.width}x${m.height}@${m.refreshHz.toFixed(2)}`;

function syncText(t: DetailedTiming): string {
  if ((t.flags & 0x18) !== 0x18) return (t.flags & 0x18) === 0x10 ? 'digital composite sync' : 'analog composite sync';
  return `${t.flags & 0x02 ? '+' : '-'}hsync ${t.flags & 0x04 ? '+' : '-'}vsync`;
}

function timingLines(t: DetailedTiming): string[] {
  const m = modeLine(t);
  const back = (blank: number, border: number, off: number, width: number) => blank - 2 * border - off - width;
  return [
    `${fmtMode(m)} Hz${t.interlaced ? ' interlaced' : ''}, pixel clock ${(t.pixelClockKHz / 1000).toFixed(3)} MHz, ${syncText(t)}`,
    `h: ${t.hActive} active, ${t.hBlank} blank (front ${t.hSyncOffset}, sync ${t.hSyncWidth}, back ${back(t.hBlank, t.hBorder, t.hSyncOffset, t.hSyncWidth)}${t.hBorder ? `, border ${t.hBorder}` : ''})`,
    `v: ${t.vActive} active, ${t.vBlank} blank (front ${t.vSyncOffset}, sync ${t.vSyncWidth}, back ${back(t.vBlank, t.vBorder, t.vSyncOffset, t.vSyncWidth)}${t.vBorder ? `, border ${t.vBorder}` : ''})`,
    `image ${t.hImageMm} x ${t.vImageMm} mm`,
  ];
}

function edidSummary(file: string, bytes: Uint8Array, e: Edid | null, findings: EdidFinding[]): string {
  const out: string[] = [`${file}: ${bytes.length} bytes`];
  const row = (label: string, value: string) => out.push(`${`${label}:`.padEnd(14)}${value}`);
  if (e) {
    row('Vendor', `${e.vendor}, product 0x${e.productCode.toString(16).padStart(4, '0')} (${e.productCode})`);
    row('Serial', `${e.serialNumber || 'none'}${e.monitorSerial !== null ? `, "${e.monitorSerial}"` : ''}`);
    row('Made', e.modelYear ? `model year ${e.year}` : e.week === 0 ? `${e.year}` : `week ${e.week} of ${e.year}`);
    const input = e.input.digital
      ? `digital${e.input.bitsPerColor ? `, ${e.input.bitsPerColor} bits per color` : ''}${e.input.interface && e.input.interface !== 'undefined' ? `, ${e.input.interface}` : ''}`
      : `analog, ${e.input.analog?.signalLevel ?? ''}`;
    row('Version', `EDID ${e.version.major}.${e.version.minor}, ${input}`);
    row('Screen', e.screenSizeCm.h && e.screenSizeCm.v ? `${e.screenSizeCm.h} x ${e.screenSizeCm.v} cm` : 'size not given');
    const t = e.detailedTimings[0];
    if (t) {
      const [first, ...rest] = timingLines(t);
      row('Preferred', first!);
      for (const l of rest) out.push(`${''.padEnd(14)}${l}`);
    } else row('Preferred', 'none (no detailed timing in block 0)');
    row('Name', e.monitorName ?? 'none');
    const r = e.rangeLimits;
    row('Range limits', r ? `${r.minVRateHz}-${r.maxVRateHz} Hz V, ${r.minHRateKHz}-${r.maxHRateKHz} kHz H${r.maxPixelClockMHz ? `, max ${r.maxPixelClockMHz} MHz` : ''} (${r.support})` : 'none');
    if (e.establishedTimings.length) row('Established', e.establishedTimings.join(' '));
    if (e.standardTimings.length) row('Standard', e.standardTimings.map((s) => `${s.width}x${s.height}@${s.refreshHz}`).join(' '));
    const ext = e.extensions.map((x, i) => {
      if (x.kind !== 'CTA-861') return `${i + 1}: ${x.kind} (tag 0x${x.tag.toString(16).padStart(2, '0')})`;
      const vics = x.vics.length ? `, VICs ${x.vics.join(' ')}` : '';
      return `${i + 1}: CTA-861 rev ${x.revision}, ${x.detailedTimings.length} DTD(s)${vics}${x.hdmiVendorBlock ? ', HDMI' : ''}`;
    });
    row('Extensions', ext.length ? ext[0]! : `none (count byte ${e.extensionCount})`);
    for (const l of ext.slice(1)) out.push(`${''.padEnd(14)}${l}`);
  }
  if (!findings.length) row('Findings', 'none');
  else {
    row('Findings', `${findings.filter((f) => f.severity === 'error').length} error(s), ${findings.filter((f) => f.severity === 'warning').length} warning(s)`);
    for (const f of findings) out.push(`  ${f.severity} at byte ${f.offset}: ${f.message}`);
  }
  return out.join('\n');
}
