import { describe, expect, it } from 'vitest';
import { checksumStatus, describeOffset, editEdid, readEdidFile, simpleTiming } from '../../../src/renderer/lib/edid-edit';
import { allowedPortTypes, connectorOf, monitorConfigPath, setMonitorConfigPath } from '../../../src/renderer/lib/monitor-path';
import { decodeEdid, edidToHex, modeLine, preferredTiming, setPreferredTiming } from '../../../src/shared/edid';
import { libraryMonitor } from '../../../src/shared/edid-library';

const GENERIC_1080 = () => libraryMonitor('generic-1920x1080')!.bytes.slice();

describe('simpleTiming (CVT reduced-blanking-like)', () => {
  it('gives 1280x720@60 with H blank 160, V blank ≥ 460 µs and a 10 kHz clock', () => {
    const t = simpleTiming(1280, 720, 60);
    expect(t).toMatchObject({ hActive: 1280, hBlank: 160, hSyncOffset: 48, hSyncWidth: 32, vActive: 720, vSyncOffset: 3, vSyncWidth: 5, interlaced: false, flags: 0x1a });
    expect(t.vBlank).toBe(21);
    expect(t.pixelClockKHz).toBe(64020); // 1440 * 741 * 60 = 64.0224 MHz, rounded to 10 kHz
    expect(modeLine(t)).toEqual({ width: 1280, height: 720, refreshHz: 60 });
    // The vertical blanking lasts at least 460 µs.
    expect((t.vBlank * (t.hActive + t.hBlank)) / (t.pixelClockKHz / 1000)).toBeGreaterThanOrEqual(460);
  });

  it('lands next to VESA CVT-RB for 1920x1080@60 (138.5 MHz, 2080x1111)', () => {
    const t = simpleTiming(1920, 1080, 60);
    expect(t.hActive + t.hBlank).toBe(2080);
    expect(t.vActive + t.vBlank).toBe(1111);
    expect(Math.abs(t.pixelClockKHz - 138500)).toBeLessThan(200);
  });

  it('keeps the image size, borders and sync flags of the timing it replaces', () => {
    const base = preferredTiming(decodeEdid(GENERIC_1080()).edid!)!;
    const t = simpleTiming(1280, 720, 60, base);
    expect([t.hImageMm, t.vImageMm, t.flags]).toEqual([base.hImageMm, base.vImageMm, base.flags]);
  });

  it('refuses modes outside the DTD fields', () => {
    expect(() => simpleTiming(5000, 720, 60)).toThrow(RangeError);
    expect(() => simpleTiming(1280, 10, 60)).toThrow(/height/);
    expect(() => simpleTiming(1280, 720, 0)).toThrow(/refresh/);
    expect(() => simpleTiming(4095, 4095, 240)).toThrow(/655.35 MHz/);
  });
});

describe('EDID edit helpers', () => {
  it('editEdid changes a field and recomputes the checksum', () => {
    const out = editEdid(GENERIC_1080(), (e) => (e.vendor = 'ABC'));
    const { edid, findings } = decodeEdid(out);
    expect(edid!.vendor).toBe('ABC');
    expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(checksumStatus(out)).toEqual([{ block: 0, offset: 127, stored: out[127], expected: out[127], ok: true }]);
  });

  it('checksumStatus names the bad block and the byte it should hold', () => {
    const bytes = GENERIC_1080();
    const good = bytes[127]!;
    bytes[127] = (good + 1) & 0xff;
    expect(checksumStatus(bytes)[0]).toMatchObject({ ok: false, expected: good, offset: 127 });
  });

  it('describeOffset points into the 16-bytes-per-line hex view', () => {
    expect(describeOffset(127)).toBe('byte 127 (0x7f, line 8)');
    expect(describeOffset(0)).toBe('byte 0 (0x00, line 1)');
  });

  it('readEdidFile takes .bin bytes, hex text and edid-decode output', () => {
    const bytes = setPreferredTiming(GENERIC_1080(), simpleTiming(1280, 720, 60));
    expect(readEdidFile('mon.bin', bytes).bytes).toEqual(bytes);
    const hex = new TextEncoder().encode(edidToHex(bytes));
    expect(readEdidFile('mon.hex', hex).bytes).toEqual(bytes);
    const decodeOut = new TextEncoder().encode(`edid-decode (hex):\n\n${edidToHex(bytes)}\n----------------\n\nBlock 0, Base EDID:\n  EDID Structure Version & Revision: 1.4\n`);
    expect(readEdidFile('mon.txt', decodeOut).bytes).toEqual(bytes);
    expect(readEdidFile('short.bin', bytes.slice(0, 64)).error).toMatch(/64 bytes/);
    expect(readEdidFile('bad.hex', new TextEncoder().encode('00ff\nzz\n')).error).toMatch(/line 2/);
  });
});

describe('vgt_monitor_config_file in xl config text', () => {
  const XL = "name = 'vm'\nvgt=1\nvgt_monitor_config_file='/path/to/monitor.config' #only valid for indirect display mode\nacpi_s3=0\n";

  it('reads the key, not a commented one', () => {
    expect(monitorConfigPath(XL)).toBe('/path/to/monitor.config');
    expect(monitorConfigPath("# vgt_monitor_config_file='/x'\nname='a'\n")).toBeNull();
    expect(monitorConfigPath('vgt_monitor_config_file = "/a b/m.config"\n')).toBe('/a b/m.config');
  });

  it('replaces the value in place (keeping the comment) or appends the key', () => {
    expect(setMonitorConfigPath(XL, '/tmp/m.config')).toBe(XL.replace('/path/to/monitor.config', '/tmp/m.config'));
    expect(setMonitorConfigPath("name = 'vm'", '/tmp/m.config')).toBe("name = 'vm'\nvgt_monitor_config_file='/tmp/m.config'\n");
    expect(monitorConfigPath(setMonitorConfigPath("name = 'vm'\n", '/tmp/m.config'))).toBe('/tmp/m.config');
    expect(() => setMonitorConfigPath(XL, "/tmp/it's")).toThrow(RangeError);
  });

  it('knows which connectors a port can have', () => {
    expect(allowedPortTypes('PORT_E')).toEqual(['VGA']);
    expect(allowedPortTypes('PORT_A')).toEqual(['DP']);
    expect(allowedPortTypes('PORT_C')).toEqual(['DP', 'HDMI']);
    expect([0, 1, 3, 6].map(connectorOf)).toEqual(['VGA', 'DP', 'DP', 'HDMI']);
  });
});
