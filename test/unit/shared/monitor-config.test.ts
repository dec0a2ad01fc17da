import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { edidToHex, fixChecksums } from '../../../src/shared/edid';
import { MONITOR_LIBRARY, libraryMonitor } from '../../../src/shared/edid-library';
import {
  MONITOR_RECORD_SIZE,
  formatMonitorConfigFinding,
  parseMonitorConfig,
  vgtPortType,
  writeMonitorConfig,
  type MonitorConfig,
  type MonitorConfigRecord,
} from '../../../src/shared/monitor-config';
import { PORT_NAMES, PORT_TYPES } from '../../../src/shared/ports';

const SEED = readFileSync(path.resolve(__dirname, '../../../../shared/examples/monitor.config'), 'utf8');
const ASUS = libraryMonitor('asus-pa238')!.bytes;
const HD = libraryMonitor('generic-1920x1080')!.bytes;

/** A text config: header "1N", then per record the port line and 8 EDID lines (the guide's layout). */
function textConfig(records: { port: string; edid: Uint8Array }[], header = `1${records.length}`): string {
  return ['# test', header, ...records.flatMap((r) => [r.port, edidToHex(r.edid).trimEnd()])].join('\n') + '\n';
}

describe('the seed monitor.config', () => {
  it('is one record: virtual PORT_E (VGA) overriding physical PORT_B, the ASUS PA238', () => {
    const r = parseMonitorConfig(SEED, 'monitor.config');
    expect(r.findings).toEqual([]);
    expect(r.config).toEqual({
      mode: 'text',
      records: [{ virtualPort: 'PORT_E', portType: 'VGA', vgtPortType: PORT_TYPES.CRT, overridePort: 'PORT_B', edid: ASUS }],
    });
  });

  it('reads the same from bytes', () => {
    expect(parseMonitorConfig(new TextEncoder().encode(SEED)).config).toEqual(parseMonitorConfig(SEED).config);
  });

  it('writes back to an equivalent file, in the guide layout with comments', () => {
    const config = parseMonitorConfig(SEED).config!;
    const text = writeMonitorConfig(config, 'text');
    expect(parseMonitorConfig(text)).toEqual({ config, findings: [], fileName: 'monitor.config' });
    const lines = text.split('\n');
    expect(lines.slice(0, 5)).toEqual([
      '# monitor.config file.',
      '# first bit 1 for text mode, and second bit 1 for number of ports in the config',
      '11',
      '# 04 for PORT_E; and 01 for PORT_B to be override (virtual VGA on physical PORT_B)',
      '0401',
    ]);
    expect(lines[5]).toBe('# Virtual VGA monitor EDID: ASUS PA238 (ACI 23b1), 1920x1080@60.00');
    // The EDID lines are the seed's, verbatim.
    expect(lines.slice(6, 14)).toEqual(SEED.trimEnd().split('\n').slice(-8));
  });

  it('binary mode: 00, count, 130-byte records', () => {
    const config = parseMonitorConfig(SEED).config!;
    const bin = writeMonitorConfig(config, 'binary');
    expect(bin).toHaveLength(2 + MONITOR_RECORD_SIZE);
    expect(Array.from(bin.subarray(0, 4))).toEqual([0x00, 0x01, 0x04, 0x01]);
    expect(parseMonitorConfig(bin)).toEqual({ config: { ...config, mode: 'binary' }, findings: [], fileName: 'monitor.config' });
    // A string whose first character is NUL is binary too.
    expect(parseMonitorConfig(String.fromCharCode(...bin)).config).toEqual({ ...config, mode: 'binary' });
  });
});

describe('record fields', () => {
  it('low digit = virtual port, high digit = DP (B/C/D), second byte = override', () => {
    const r = parseMonitorConfig(
      textConfig([
        { port: '1201', edid: HD }, // DP on PORT_C over PORT_B
        { port: '0303', edid: HD }, // HDMI on PORT_D over PORT_D
        { port: '0000', edid: HD }, // PORT_A (eDP / DP_A)
      ]),
    );
    expect(r.findings).toEqual([]);
    expect(r.config!.records.map(({ edid: _e, ...x }) => x)).toEqual([
      { virtualPort: 'PORT_C', portType: 'DP', vgtPortType: PORT_TYPES.DP_C, overridePort: 'PORT_B' },
      { virtualPort: 'PORT_D', portType: 'HDMI', vgtPortType: PORT_TYPES.HDMI_D, overridePort: 'PORT_D' },
      { virtualPort: 'PORT_A', portType: 'DP', vgtPortType: PORT_TYPES.DP_A, overridePort: 'PORT_A' },
    ]);
  });

  it('vgtPortType matches the guide: 3 = VGT_DP_C, 6 = VGT_HDMI_C', () => {
    expect(vgtPortType('PORT_C', 'DP')).toBe(3);
    expect(vgtPortType('PORT_C', 'HDMI')).toBe(6);
    expect(vgtPortType('PORT_E', 'VGA')).toBe(0);
  });

  it('a header without a leading comment ("1N" at the very start)', () => {
    const text = `11\n0401\n${edidToHex(ASUS)}`;
    expect(parseMonitorConfig(text).config?.records[0]?.virtualPort).toBe('PORT_E');
  });

  it('digit pairs may span any layout, with inline comments', () => {
    const hex = edidToHex(ASUS).replace(/\n/g, '');
    const text = `# x\n1 1 # header split\n04 01 ${hex.slice(0, 100)} # part\n${hex.slice(100)}`;
    const r = parseMonitorConfig(text);
    expect(r.config?.records[0]?.edid).toEqual(ASUS);
    expect(r.findings).toEqual([{ line: 2, column: 1, severity: 'warning', message: 'header: the two digits of the header byte are separated' }]);
  });
});

describe('malformed files: findings with line numbers', () => {
  const errors = (text: string | Uint8Array) => parseMonitorConfig(text, 'm.config').findings.map((f) => formatMonitorConfigFinding('m.config', f));

  it('empty file', () => {
    expect(errors('')).toEqual(['m.config:1: error: empty file']);
  });

  it('a blank line before the header (QEMU would read "\\n1" as the header)', () => {
    expect(errors(`\n11\n0401\n${edidToHex(ASUS)}`)).toEqual([
      'm.config:1:1: error: header: QEMU reads the first two characters ("\\n1") as the header "1N" unless the file starts with a # comment; put "1N" (text mode, N records) at the very start',
    ]);
  });

  it('record count out of range, and a header without text-mode digit', () => {
    expect(errors(textConfig([{ port: '0401', edid: ASUS }], '14'))).toEqual(['m.config:2:2: error: header "14": 4 records; QEMU accepts 1..3 (second digit)']);
    expect(errors(textConfig([{ port: '0401', edid: ASUS }], '10'))[0]).toMatch(/^m\.config:2:2: error: header "10": 0 records/);
    expect(errors(textConfig([{ port: '0401', edid: ASUS }], '21'))).toEqual(['m.config:2:1: warning: header "21": the first digit should be 1 (text mode); QEMU does not check it']);
  });

  it('count mismatch: fewer records than announced is an error, more is a warning', () => {
    const two = textConfig([{ port: '0401', edid: ASUS }], '12');
    expect(errors(two)).toEqual(['m.config:11:33: error: record 2 of 2: the file ends after 0 of 130 bytes (port byte, override byte, 128-byte EDID)']);
    const extra = textConfig([
      { port: '0401', edid: ASUS },
      { port: '0202', edid: HD },
    ]).replace('\n12\n', '\n11\n');
    expect(errors(extra)).toEqual(['m.config:12:1: warning: 130 byte(s) after the 1 record(s) the header announces; QEMU ignores them (1 more complete record(s): should the header say 2?)']);
  });

  it('bad hex: the character, its line and column', () => {
    const text = textConfig([{ port: '0x04', edid: ASUS }]);
    const f = parseMonitorConfig(text).findings;
    expect(f[0]).toEqual({ line: 3, column: 2, severity: 'error', message: expect.stringMatching(/^unexpected character 'x'/) });
    expect(parseMonitorConfig(text).config).toBeNull();
  });

  it('a short EDID', () => {
    const text = textConfig([{ port: '0401', edid: ASUS.subarray(0, 100) }]);
    expect(errors(text)).toEqual(['m.config:10:9: error: record 1 of 1: the file ends after 102 of 130 bytes (port byte, override byte, 128-byte EDID): the EDID has 100 of 128 bytes']);
  });

  it('an EDID with extension blocks is an error at EDID byte 126', () => {
    const ext = fixChecksums(Uint8Array.from(HD, (v, i) => (i === 126 ? 1 : v)));
    const f = parseMonitorConfig(textConfig([{ port: '0401', edid: ext }])).findings;
    // EDID line 8 (file line 4 + 7), byte 14 of it: column 29.
    expect(f).toEqual([{ line: 11, column: 29, severity: 'error', message: 'record 1: EDID extension count is 1; QEMU rejects EDIDs with extension blocks (EDID[126] must be 0)' }]);
  });

  it('a bad EDID checksum is only a warning', () => {
    const bad = Uint8Array.from(ASUS, (v, i) => (i === 127 ? v ^ 1 : v));
    const r = parseMonitorConfig(textConfig([{ port: '0401', edid: bad }]));
    expect(r.config).not.toBeNull();
    expect(r.findings).toEqual([{ line: 11, column: 31, severity: 'warning', message: expect.stringMatching(/^record 1, EDID: block 0: bad checksum 0xe1 \(should be 0xe0\) — QEMU does not check it/) }]);
  });

  it('a bad EDID header is an error', () => {
    const bad = fixChecksums(Uint8Array.from(ASUS, (v, i) => (i === 3 ? 0 : v)));
    expect(errors(textConfig([{ port: '0401', edid: bad }]))).toEqual(['m.config:4:7: error: record 1, EDID: bad header: byte 3 is 0x00, expected 0xff (00 ff ff ff ff ff ff 00)']);
  });

  it('ports out of range', () => {
    expect(errors(textConfig([{ port: '0501', edid: ASUS }]))).toEqual(['m.config:3:1: error: record 1: virtual port 5 (low digit of the port byte) is not PORT_A..PORT_E (0..4)']);
    expect(errors(textConfig([{ port: '0407', edid: ASUS }]))).toEqual(['m.config:3:3: error: record 1: override port 7 is not PORT_A..PORT_E (00..04)']);
  });

  it('DP digit warnings and duplicate ports', () => {
    expect(errors(textConfig([{ port: '2101', edid: ASUS }]))).toEqual(['m.config:3:1: warning: record 1: DP digit 2: QEMU treats any non-zero value as DP; use 1']);
    expect(errors(textConfig([{ port: '1401', edid: ASUS }]))).toEqual(['m.config:3:1: warning: record 1: the DP digit 1 is ignored for PORT_E (always VGA)']);
    expect(
      errors(
        textConfig([
          { port: '0401', edid: ASUS },
          { port: '0402', edid: ASUS },
        ]),
      ),
    ).toEqual(['m.config:12:1: error: record 2: PORT_E already has the monitor of record 1; one virtual port holds one monitor (give this one another port)']);
  });

  it('more than three records, or a preferred mode no Skylake pipe can drive (i915 intel_mode_valid), are refused with their line', () => {
    const four = [0, 1, 2, 3].map((i) => ({ port: `010${i + 1}`.slice(-4), edid: ASUS }));
    expect(errors(textConfig(four))[0]).toMatch(/^m\.config:2:2: error: header "14": 4 records; QEMU accepts 1\.\.3/);
    // Horizontal blanking of 16 px (EDID bytes 57/58 of the first detailed timing).
    const narrow = fixChecksums(Uint8Array.from(ASUS, (v, i) => (i === 57 ? 16 : i === 58 ? v & 0xf0 : v)));
    expect(errors(textConfig([{ port: '0401', edid: narrow }]))).toContain('m.config:7:13: error: record 1: no pipe can drive the preferred mode (horizontal blank 16 px is below 32; i915 intel_mode_valid)');
  });

  it('binary files: byte offsets', () => {
    expect(parseMonitorConfig(Uint8Array.of(0)).findings).toEqual([{ line: 1, column: 2, offset: 1, severity: 'error', message: 'binary header: file ends after the mode byte (00h); the record count byte is missing' }]);
    expect(parseMonitorConfig(Uint8Array.of(0, 4)).findings[0]).toMatchObject({ offset: 1, severity: 'error', message: 'binary header: 4 records; QEMU accepts 1..3' });
    const short = Uint8Array.from([0, 1, 4, 1, ...ASUS.subarray(0, 50)]);
    expect(parseMonitorConfig(short).findings).toEqual([
      { line: 1, column: 55, offset: 54, severity: 'error', message: 'record 1 of 1: the file ends after 52 of 130 bytes (port byte, override byte, 128-byte EDID): the EDID has 50 of 128 bytes' },
    ]);
    const badPort = Uint8Array.from([0, 1, 9, 1, ...ASUS]);
    expect(parseMonitorConfig(badPort).findings).toEqual([{ line: 1, column: 3, offset: 2, severity: 'error', message: 'record 1: virtual port 9 (low digit of the port byte) is not PORT_A..PORT_E (0..4)' }]);
  });
});

describe('writeMonitorConfig', () => {
  const rec = (over: Partial<MonitorConfigRecord> = {}): MonitorConfigRecord => ({ virtualPort: 'PORT_B', portType: 'HDMI', vgtPortType: 5, overridePort: 'PORT_B', edid: HD, ...over });

  it('rejects what it cannot write', () => {
    expect(() => writeMonitorConfig({ mode: 'text', records: [] }, 'text')).toThrow(RangeError);
    expect(() => writeMonitorConfig({ mode: 'text', records: [rec(), rec(), rec(), rec()] }, 'text')).toThrow(RangeError);
    expect(() => writeMonitorConfig({ mode: 'text', records: [rec({ edid: HD.subarray(0, 64) })] }, 'text')).toThrow(RangeError);
    expect(() => writeMonitorConfig({ mode: 'text', records: [rec({ virtualPort: 'PORT_E', portType: 'HDMI' })] }, 'text')).toThrow(RangeError);
    expect(() => writeMonitorConfig({ mode: 'text', records: [rec({ virtualPort: 'PORT_A', portType: 'VGA' })] }, 'binary')).toThrow(RangeError);
  });

  it('writes in the config mode by default', () => {
    expect(typeof writeMonitorConfig({ mode: 'text', records: [rec()] })).toBe('string');
    expect(writeMonitorConfig({ mode: 'binary', records: [rec()] })).toBeInstanceOf(Uint8Array);
  });

  const recordArb: fc.Arbitrary<MonitorConfigRecord> = fc
    .record({
      virtualPort: fc.constantFrom(...PORT_NAMES),
      dp: fc.boolean(),
      overridePort: fc.constantFrom(...PORT_NAMES),
      edid: fc.constantFrom(...MONITOR_LIBRARY.map((m) => m.bytes)),
    })
    .map(({ virtualPort, dp, overridePort, edid }) => {
      const portType = virtualPort === 'PORT_E' ? 'VGA' : virtualPort === 'PORT_A' || dp ? 'DP' : 'HDMI';
      return { virtualPort, portType, vgtPortType: vgtPortType(virtualPort, portType), overridePort, edid };
    });

  it('parse(write(config)) gives the config back, text and binary', () => {
    fc.assert(
      fc.property(fc.uniqueArray(recordArb, { minLength: 1, maxLength: 3, selector: (r) => r.virtualPort }), fc.constantFrom('text' as const, 'binary' as const), (records, mode) => {
        const config: MonitorConfig = { mode, records };
        const back = parseMonitorConfig(writeMonitorConfig(config, mode));
        expect(back.findings.filter((f) => f.severity === 'error')).toEqual([]);
        expect(back.config).toEqual(config);
        // parse(write(parse(x))) deep-equals parse(x)
        expect(parseMonitorConfig(writeMonitorConfig(back.config!, mode)).config).toEqual(back.config);
      }),
    );
  });
});

describe('parseMonitorConfig never throws', () => {
  it('on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (s) => {
        const r = parseMonitorConfig(s);
        expect(r.config === null).toBe(r.findings.some((f) => f.severity === 'error'));
      }),
    );
  });

  it('on arbitrary bytes, and on mutations of the seed', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 500 }), (b) => void parseMonitorConfig(b)));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 127 })), { maxLength: 6 }), (edits) => {
        const chars = [...SEED];
        for (const [at, c] of edits) chars[at % chars.length] = String.fromCharCode(c);
        const r = parseMonitorConfig(chars.join(''));
        for (const f of r.findings) expect(f.line).toBeGreaterThanOrEqual(1);
      }),
    );
  });
});
