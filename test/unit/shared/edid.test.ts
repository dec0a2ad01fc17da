/**
 * EDID codec tests. The oracle is Debian's edid-decode (installed by .ci/run): for every real EDID
 * in shared/testdata/edid our decoder must agree with it on the identification, version, preferred
 * timing, name, serial and range limits; decode → encode must give the same bytes back.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  blockChecksum,
  decodeEdid,
  edidToHex,
  encodeEdid,
  fixChecksums,
  modeLine,
  parseEdidText,
  setMonitorName,
  setPreferredTiming,
  setRangeLimits,
  setSerialNumber,
  setSerialText,
  type DetailedTiming,
  type Edid,
} from '../../../src/shared/edid';
import { DMT_1024x768_60, DMT_1280x1024_60, DMT_1920x1080_60, DMT_1920x1200_60_RB, MONITOR_LIBRARY, buildMonitorEdid, libraryMonitor } from '../../../src/shared/edid-library';

const DIR = path.resolve(__dirname, '../../../../shared/testdata/edid');
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.hex')).sort();
const bytesOf = (file: string): Uint8Array => {
  const r = parseEdidText(readFileSync(path.join(DIR, file), 'utf8'));
  if (!r.bytes) throw new Error(`${file}: ${r.error.message}`);
  return r.bytes;
};
const decoded = (bytes: Uint8Array): Edid => {
  const { edid } = decodeEdid(bytes);
  if (!edid) throw new Error('no EDID');
  return edid;
};
const checksumsOk = (b: Uint8Array): boolean => {
  for (let o = 0; o + 128 <= b.length; o += 128) if (blockChecksum(b, o) !== b[o + 127]) return false;
  return true;
};
const same = (a: Uint8Array, b: Uint8Array) => expect(Buffer.from(a).toString('hex')).toBe(Buffer.from(b).toString('hex'));

// ---------------------------------------------------------------------------------------------
// The edid-decode oracle

const MISSING =
  "Debian's edid-decode is not installed: it is the oracle of these tests. Install it with `apt-get install -y edid-decode` (.ci/run does this).";
const HAVE_EDID_DECODE = !spawnSync('edid-decode', ['--help'], { encoding: 'utf8' }).error;
const tmp = mkdtempSync(path.join(tmpdir(), 'gvt-edid-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Run edid-decode; throws (failing the test) when it is not installed. */
function runEdidDecode(args: string[]): string {
  if (!HAVE_EDID_DECODE) throw new Error(MISSING);
  const r = spawnSync('edid-decode', args, { encoding: 'utf8' });
  if (r.error) throw r.error;
  return r.stdout;
}

let tmpCount = 0;
/** edid-decode on `bytes` (written to a temp file). */
function edidDecode(bytes: Uint8Array, args: string[] = []): string {
  const file = path.join(tmp, `e${tmpCount++}.bin`);
  writeFileSync(file, bytes);
  return runEdidDecode([...args, file]);
}

interface OracleTiming {
  pixelClockKHz: number;
  hActive: number;
  hBlank: number;
  hSyncOffset: number;
  hSyncWidth: number;
  vActive: number;
  vBlank: number;
  vSyncOffset: number;
  vSyncWidth: number;
  interlaced: boolean;
  imageMm: [number, number] | null;
}

/** The fields we compare, parsed from edid-decode's block 0 section (not its text layout). */
function oracleFields(out: string) {
  const block0 = out.slice(out.indexOf('Block 0,'), out.search(/^Checksum:/m));
  const m = (re: RegExp) => block0.match(re);
  const version = m(/^\s+EDID Structure Version & Revision: (\d+)\.(\d+)$/m);
  const made = m(/^\s+Made in: (?:week (\d+) of )?(\d+)$/m);
  const modelYear = m(/^\s+Model year: (\d+)$/m);
  let dtd: OracleTiming | null = null;
  const d = m(/^\s+DTD 1:\s+(\d+)x(\d+)(i?)\s.*?([\d.]+) MHz(?: \((.*)\))?\n\s+Hfront\s+(-?\d+) Hsync\s+(\d+) Hback\s+(-?\d+) Hpol [PN](?: Hborder (\d+))?\n\s+Vfront\s+(-?\d+) Vsync\s+(\d+) Vback\s+(-?\d+) Vpol [PN](?: Vborder (\d+))?/m);
  if (d) {
    const n = (i: number) => Number(d[i] ?? 0);
    const interlaced = d[3] === 'i';
    const mm = d[5]?.match(/(\d+) mm x (\d+) mm/);
    dtd = {
      pixelClockKHz: Math.round(Number(d[4]) * 1000),
      hActive: n(1),
      vActive: interlaced ? n(2) / 2 : n(2),
      interlaced,
      hSyncOffset: n(6),
      hSyncWidth: n(7),
      hBlank: n(6) + n(7) + n(8) + 2 * n(9),
      vSyncOffset: n(10),
      vSyncWidth: n(11),
      vBlank: n(10) + n(11) + n(12) + 2 * n(13),
      imageMm: mm ? [Number(mm[1]), Number(mm[2])] : null,
    };
  }
  const range = m(/Monitor ranges \(([^)]*)\): (\d+)-(\d+) Hz V, (\d+)-(\d+) kHz H(?:, max dotclock (\d+) MHz)?/);
  return {
    hasBlock0: block0.startsWith('Block 0,'),
    vendor: m(/^\s+Manufacturer: (.{3})$/m)?.[1] ?? null,
    productCode: Number(m(/^\s+Model: (\d+)$/m)?.[1]),
    serialNumber: Number(m(/^\s+Serial Number: (\d+)$/m)?.[1] ?? 0),
    version: version ? { major: Number(version[1]), minor: Number(version[2]) } : null,
    made: modelYear ? { modelYear: true, week: 255, year: Number(modelYear[1]) } : made ? { modelYear: false, week: Number(made[1] ?? 0), year: Number(made[2]) } : null,
    dtd,
    monitorName: m(/^\s+Display Product Name: '(.*)'$/m)?.[1] ?? null,
    monitorSerial: m(/^\s+Display Product Serial Number: '(.*)'$/m)?.[1] ?? null,
    range: range
      ? { support: range[1], minVRateHz: Number(range[2]), maxVRateHz: Number(range[3]), minHRateKHz: Number(range[4]), maxHRateKHz: Number(range[5]), maxPixelClockMHz: Number(range[6] ?? 0) }
      : null,
  };
}

describe('oracle: Debian edid-decode', () => {
  it('is installed', () => {
    expect(HAVE_EDID_DECODE, MISSING).toBe(true);
  });

  it('the test data holds 100 EDIDs', () => {
    expect(FILES).toHaveLength(100);
  });

  it.each(FILES)('%s: our decoder agrees with edid-decode', (file) => {
    const bytes = bytesOf(file);
    const o = oracleFields(edidDecode(bytes));
    const e = decoded(bytes);
    expect(o.hasBlock0).toBe(true);
    expect(e.vendor).toBe(o.vendor);
    expect(e.productCode).toBe(o.productCode);
    expect(e.serialNumber).toBe(o.serialNumber);
    expect(e.version).toEqual(o.version);
    expect(o.made).not.toBeNull();
    expect({ modelYear: e.modelYear, week: e.week, year: e.year }).toEqual(o.made);
    expect(o.dtd).not.toBeNull();
    const t = e.detailedTimings[0]!;
    const { imageMm, ...timing } = o.dtd!;
    expect({
      pixelClockKHz: t.pixelClockKHz,
      hActive: t.hActive,
      hBlank: t.hBlank,
      hSyncOffset: t.hSyncOffset,
      hSyncWidth: t.hSyncWidth,
      vActive: t.vActive,
      vBlank: t.vBlank,
      vSyncOffset: t.vSyncOffset,
      vSyncWidth: t.vSyncWidth,
      interlaced: t.interlaced,
    }).toEqual(timing);
    if (imageMm) expect([t.hImageMm, t.vImageMm]).toEqual(imageMm);
    expect(e.monitorName).toBe(o.monitorName);
    expect(e.monitorSerial).toBe(o.monitorSerial);
    if (o.range === null) expect(e.rangeLimits).toBeNull();
    else {
      const { support, ...limits } = o.range;
      expect(e.rangeLimits).toMatchObject(limits);
      if (['GTF', 'Bare Limits', 'CVT'].includes(support)) expect(e.rangeLimits!.support).toBe(support);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Round trips and text formats

describe('decode → encode', () => {
  it.each(FILES)('%s: byte-identical', (file) => {
    const bytes = bytesOf(file);
    same(encodeEdid(decoded(bytes)), bytes);
  });

  it('random bytes: decode never throws, and encode gives them back', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 700 }), (bytes) => {
        const { edid, findings } = decodeEdid(bytes);
        if (bytes.length < 128) {
          expect(edid).toBeNull();
          expect(findings[0]).toMatchObject({ severity: 'error', offset: bytes.length });
        } else same(encodeEdid(edid!), bytes);
      }),
      { numRuns: 500 },
    );
  });

  it('mutated real EDIDs: decode never throws, and encode gives them back', () => {
    const samples = FILES.map(bytesOf);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: samples.length - 1 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 12 }), (i, edits) => {
        const b = samples[i]!.slice();
        for (const [at, v] of edits) b[at % b.length] = v;
        const { edid } = decodeEdid(b);
        same(encodeEdid(edid!), b);
      }),
      { numRuns: 500 },
    );
  });

  it('a JSON-less object (no raw bytes) encodes from a template', () => {
    const bytes = bytesOf(FILES[0]!);
    const e = decoded(bytes);
    const stripped: Edid = { ...e, raw: new Uint8Array(0), extensions: e.extensions.map((x) => ({ ...x, raw: new Uint8Array(0) })) };
    same(encodeEdid(stripped, bytes), bytes);
  });
});

describe('parseEdidText and edidToHex', () => {
  it('quotes at most 40 escaped characters of an offending line or token', () => {
    const long = parseEdidText(`${'0'.repeat(999)}\n`);
    expect(long.bytes).toBeNull();
    expect(long.bytes === null && long.error.message).toBe(`odd number of hex digits in "${'0'.repeat(40)}…"`);
    const junk = parseEdidText(`root:$6$${'x'.repeat(80)}SECRET\n`);
    expect(junk.bytes === null && junk.error.message).not.toContain('SECRET');
  });

  it.each(FILES)('%s: the .hex file parses, and edidToHex writes it back verbatim', (file) => {
    const text = readFileSync(path.join(DIR, file), 'utf8');
    expect(edidToHex(bytesOf(file))).toBe(text);
  });

  it.each(FILES)('%s: the stored edid-decode output parses to the same bytes', (file) => {
    const r = parseEdidText(readFileSync(path.join(DIR, file.replace(/\.hex$/, '.decode.txt')), 'utf8'));
    expect(r.error).toBeNull();
    same(r.bytes!, bytesOf(file));
  });

  it("parses Debian edid-decode's own output", () => {
    const bytes = bytesOf(FILES[7]!);
    const r = parseEdidText(edidDecode(bytes));
    same(r.bytes!, bytes);
  });

  it('accepts 0x prefixes, commas, comments and any line length', () => {
    const r = parseEdidText('# an EDID\n0x00, 0xff,0xFF  ff\n  ffff ff00 # end of header\n\n0x0A');
    expect(Array.from(r.bytes!)).toEqual([0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x0a]);
  });

  it('reports the line of bad input', () => {
    expect(parseEdidText('00ff\nffffff\n00ff zz\n')).toEqual({ bytes: null, error: { line: 3, message: 'bad hex "zz"' } });
    expect(parseEdidText('00ff\n0ff\n').error).toEqual({ line: 2, message: 'odd number of hex digits in "0ff"' });
    expect(parseEdidText('hello world\n00ff').error?.line).toBe(1);
    expect(parseEdidText('00ff\nnot hex at all\n').error?.line).toBe(2);
    expect(parseEdidText('\n\n# nothing\n').error).toEqual({ line: 4, message: 'no EDID hex data found' });
  });

  it('parseEdidText never throws', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        const r = parseEdidText(s);
        expect(r.bytes === null).toBe(r.error !== null);
      }),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Findings

describe('findings', () => {
  const asus = libraryMonitor('asus-pa238')!.bytes;
  const withExt = bytesOf(FILES.find((f) => decoded(bytesOf(f)).extensions.length === 1 && decodeEdid(bytesOf(f)).findings.length === 0)!);

  it('a valid EDID has none', () => {
    expect(decodeEdid(asus).findings).toEqual([]);
    expect(decodeEdid(withExt).findings).toEqual([]);
  });

  it('a corrupted header byte is an error at its offset', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 1, max: 255 }), (at, delta) => {
        const b = asus.slice();
        b[at] = (b[at]! + delta) & 0xff;
        const { edid, findings } = decodeEdid(fixChecksums(b));
        expect(edid).not.toBeNull();
        expect(findings.filter((f) => f.severity === 'error')).toEqual([expect.objectContaining({ offset: at, message: expect.stringMatching(/bad header/) })]);
      }),
    );
  });

  it('a corrupted byte in block n is a checksum error at 128n + 127', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: 255 }), (at, delta) => {
        fc.pre(at % 128 !== 126 || at >= 128); // block 0's extension count has its own finding
        const b = withExt.slice();
        b[at] = (b[at]! + delta) & 0xff;
        const { findings } = decodeEdid(b);
        const block = Math.floor(at / 128);
        expect(findings).toContainEqual(expect.objectContaining({ severity: 'error', offset: block * 128 + 127, message: expect.stringMatching(/bad checksum/) }));
      }),
    );
  });

  it('truncated input', () => {
    expect(decodeEdid(new Uint8Array(0))).toEqual({ edid: null, findings: [{ severity: 'error', offset: 0, message: 'no EDID data' }] });
    expect(decodeEdid(asus.subarray(0, 100)).findings).toEqual([{ severity: 'error', offset: 100, message: 'truncated: 100 bytes, block 0 needs 128' }]);
    const { edid, findings } = decodeEdid(withExt.subarray(0, 200));
    expect(edid!.extensions).toEqual([]);
    expect(edid!.trailingBytes).toHaveLength(72);
    expect(findings).toEqual([
      { severity: 'error', offset: 128, message: 'truncated: block 1 has 72 of 128 bytes' },
      { severity: 'error', offset: 126, message: 'extension count 1 but the data holds 0 extension block(s)' },
    ]);
    same(encodeEdid(edid!), withExt.subarray(0, 200));
  });

  it('extension count not matching the data length', () => {
    const extra = new Uint8Array(256);
    extra.set(asus);
    expect(decodeEdid(extra).findings).toEqual([{ severity: 'warning', offset: 128, message: '1 block(s) beyond the extension count 0 (readers ignore them)' }]);
    const claims = fixChecksums(Uint8Array.from(asus, (v, i) => (i === 126 ? 2 : v)));
    expect(decodeEdid(claims).findings).toEqual([{ severity: 'error', offset: 126, message: 'extension count 2 but the data holds 0 extension block(s)' }]);
  });

  it('impossible timings', () => {
    const t: DetailedTiming = { ...DMT_1920x1080_60 };
    const zero = decodeEdid(setPreferredTiming(asus, { ...t, hActive: 0 })).findings;
    expect(zero).toEqual([{ severity: 'error', offset: 54, message: 'detailed timing 1: zero active area (0x1080)' }]);
    const shortH = decodeEdid(setPreferredTiming(asus, { ...t, hBlank: 100 })).findings;
    expect(shortH).toEqual([{ severity: 'error', offset: 54, message: 'detailed timing 1: horizontal blanking 100 is smaller than sync offset + width (88 + 44)' }]);
    const shortV = decodeEdid(setPreferredTiming(asus, { ...t, vBlank: 8 })).findings;
    expect(shortV[0]).toMatchObject({ severity: 'error', offset: 54, message: expect.stringMatching(/vertical blanking 8 is smaller/) });
  });
});

// ---------------------------------------------------------------------------------------------
// Decoded details

describe('decoded fields', () => {
  it('the ASUS PA238 of the setup guide', () => {
    const e = decoded(libraryMonitor('asus-pa238')!.bytes);
    expect(e).toMatchObject({
      vendor: 'ACI',
      productCode: 0x23b1,
      serialNumber: 63533,
      week: 15,
      year: 2012,
      version: { major: 1, minor: 3 },
      input: { digital: true, raw: 0x81, dfp1: true },
      screenSizeCm: { h: 51, v: 29 },
      gamma: 2.2,
      monitorName: 'ASUS PA238',
      monitorSerial: 'C4LMTF063533',
      rangeLimits: { minVRateHz: 50, maxVRateHz: 75, minHRateKHz: 24, maxHRateKHz: 83, maxPixelClockMHz: 170, support: 'GTF' },
      extensionCount: 0,
      checksumValid: true,
    });
    expect(e.establishedTimings).toContain('1024x768@60');
    expect(e.standardTimings[0]).toEqual({ width: 1920, height: 1080, refreshHz: 60, aspect: '16:9', slot: 0 });
    expect(e.chromaticity.white).toEqual([321 / 1024, 337 / 1024]);
    expect(e.descriptors.map((d) => d.kind)).toEqual(['timing', 'text', 'range', 'text']);
    expect(modeLine(e.detailedTimings[0]!)).toEqual({ width: 1920, height: 1080, refreshHz: 60 });
  });

  it('CTA-861 extensions: revision, DTDs, VICs, HDMI vendor block', () => {
    const hdmi = FILES.map((f) => decoded(bytesOf(f))).filter((e) => e.extensions[0]?.kind === 'CTA-861');
    expect(hdmi.length).toBeGreaterThan(20);
    const withHdmi = hdmi.find((e) => e.extensions[0]!.kind === 'CTA-861' && e.extensions[0]!.hdmiVendorBlock)!;
    const cta = withHdmi.extensions[0]!;
    if (cta.kind !== 'CTA-861') throw new Error('narrowing');
    expect(cta.revision).toBe(3);
    expect(cta.vics.length).toBeGreaterThan(0);
    expect(cta.dataBlocks.some((b) => b.tag === 3)).toBe(true);
    // edid-decode agrees on the first CTA DTD (its DTD numbering continues after block 0's).
    const out = edidDecode(encodeEdid(withHdmi));
    const ctaOut = out.slice(out.indexOf('Block 1,'));
    if (cta.detailedTimings[0]) {
      const m = ctaOut.match(/DTD \d+:\s+(\d+)x(\d+)i?\s.*?([\d.]+) MHz/)!;
      expect([cta.detailedTimings[0].hActive, Math.round(Number(m[3]) * 1000)]).toEqual([Number(m[1]), cta.detailedTimings[0].pixelClockKHz]);
    }
  });

  it('other extension blocks are recognised by tag', () => {
    const kinds = new Set(FILES.flatMap((f) => decoded(bytesOf(f)).extensions.map((x) => x.kind)));
    for (const k of ['CTA-861', 'DisplayID', 'Block Map', 'VTB', 'DI', 'Manufacturer']) expect(kinds).toContain(k);
    const map = FILES.map((f) => decoded(bytesOf(f))).find((e) => e.extensions[0]?.kind === 'Block Map')!;
    const bm = map.extensions[0]!;
    expect(bm.kind === 'Block Map' && bm.blockMapTags!.slice(0, 2)).toEqual([0x02, 0x70]);
    const did = FILES.map((f) => decoded(bytesOf(f))).flatMap((e) => e.extensions).find((x) => x.kind === 'DisplayID')!;
    expect(did.kind === 'DisplayID' && did.displayId!.blocks.length).toBeGreaterThan(0);
  });

  it('standard timing aspect ratios follow the version (00b = 1:1 before EDID 1.3)', () => {
    const old = FILES.map((f) => decoded(bytesOf(f))).filter((e) => e.version.minor < 3 && e.standardTimings.length);
    expect(old.length).toBeGreaterThan(0);
    for (const e of old) {
      const out = edidDecode(encodeEdid(e));
      const std = out.slice(out.indexOf('Standard Timings:'), out.indexOf('Detailed Timing Descriptors:'));
      for (const st of e.standardTimings) expect(std).toContain(`${st.width}x${st.height}`);
    }
  });

  it('modeLine: interlaced modes count two fields and report the field rate', () => {
    const i1080: DetailedTiming = { ...DMT_1920x1080_60, pixelClockKHz: 74250, vActive: 540, vBlank: 22, vSyncOffset: 2, interlaced: true, flags: 0x9e };
    expect(modeLine(i1080)).toEqual({ width: 1920, height: 1080, refreshHz: 60 });
    expect(modeLine(DMT_1920x1200_60_RB).refreshHz).toBe(59.95);
    expect(modeLine({ ...DMT_1024x768_60, hBlank: 0, hActive: 0 }).refreshHz).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// Editing helpers

describe('editing helpers', () => {
  const asus = libraryMonitor('asus-pa238')!.bytes;
  const v14 = libraryMonitor('generic-1920x1080')!.bytes;
  const samples = [asus, v14, ...FILES.slice(0, 30).map(bytesOf)];

  const timingArb: fc.Arbitrary<DetailedTiming> = fc.record({
    pixelClockKHz: fc.integer({ min: 1000, max: 65535 }).map((n) => n * 10),
    hActive: fc.integer({ min: 1, max: 4095 }),
    hBlank: fc.integer({ min: 0, max: 4095 }),
    hSyncOffset: fc.integer({ min: 0, max: 1023 }),
    hSyncWidth: fc.integer({ min: 0, max: 1023 }),
    vActive: fc.integer({ min: 1, max: 4095 }),
    vBlank: fc.integer({ min: 0, max: 4095 }),
    vSyncOffset: fc.integer({ min: 0, max: 63 }),
    vSyncWidth: fc.integer({ min: 0, max: 63 }),
    hImageMm: fc.integer({ min: 0, max: 4095 }),
    vImageMm: fc.integer({ min: 0, max: 4095 }),
    hBorder: fc.integer({ min: 0, max: 255 }),
    vBorder: fc.integer({ min: 0, max: 255 }),
    interlaced: fc.boolean(),
    flags: fc.integer({ min: 0, max: 127 }),
  });
  const nameArb = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 13 });

  it('setPreferredTiming writes descriptor 1 and keeps every checksum valid', () => {
    fc.assert(
      fc.property(fc.constantFrom(...samples), timingArb, (base, t) => {
        const out = setPreferredTiming(base, t);
        expect(checksumsOk(out)).toBe(true);
        const e = decoded(out);
        expect(e.detailedTimings[0]).toEqual({ ...t, flags: (t.flags & 0x7f) | (t.interlaced ? 0x80 : 0) });
        expect(out.length).toBe(base.length);
      }),
      { numRuns: 200 },
    );
  });

  it('setMonitorName / setSerialText / setSerialNumber keep checksums valid', () => {
    fc.assert(
      fc.property(fc.constantFrom(asus, v14), nameArb, nameArb, fc.integer({ min: 0, max: 0xffffffff }), (base, name, serial, n) => {
        const out = setSerialNumber(setSerialText(setMonitorName(base, name), serial), n);
        expect(checksumsOk(out)).toBe(true);
        const e = decoded(out);
        expect([e.monitorName, e.monitorSerial, e.serialNumber]).toEqual([name, serial, n]);
        expect(decodeEdid(out).findings.filter((f) => f.severity === 'error')).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('setRangeLimits: offsets above 255 in EDID 1.4, RangeError before', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 510 }), fc.integer({ min: 0, max: 510 }), fc.integer({ min: 1, max: 510 }), fc.integer({ min: 0, max: 510 }), fc.integer({ min: 0, max: 255 }), (vMax, vMinRaw, hMax, hMinRaw, clk) => {
        const limits = { minVRateHz: Math.min(vMinRaw, vMax), maxVRateHz: vMax, minHRateKHz: Math.min(hMinRaw, hMax), maxHRateKHz: hMax, maxPixelClockMHz: clk * 10 };
        const out = setRangeLimits(v14, limits);
        expect(checksumsOk(out)).toBe(true);
        expect(decoded(out).rangeLimits).toEqual({ ...limits, support: 'Bare Limits' });
      }),
      { numRuns: 200 },
    );
    const r = setRangeLimits(v14, { minVRateHz: 48, maxVRateHz: 300, minHRateKHz: 256, maxHRateKHz: 300, maxPixelClockMHz: 600 });
    expect(r[54 + 18 + 4]).toBe(0x02 | 0x04 | 0x08);
    expect(() => setRangeLimits(asus, { minVRateHz: 48, maxVRateHz: 300, minHRateKHz: 30, maxHRateKHz: 83, maxPixelClockMHz: 170 })).toThrow(RangeError);
    expect(decoded(setRangeLimits(asus, { minVRateHz: 56, maxVRateHz: 76, minHRateKHz: 30, maxHRateKHz: 83, maxPixelClockMHz: 165 })).rangeLimits).toEqual({
      minVRateHz: 56,
      maxVRateHz: 76,
      minHRateKHz: 30,
      maxHRateKHz: 83,
      maxPixelClockMHz: 170,
      support: 'GTF',
    });
    expect(decoded(setRangeLimits(asus, null)).rangeLimits).toBeNull();
  });

  it('names: removal frees a slot, too long is a RangeError, a new one takes a dummy slot', () => {
    const noName = setMonitorName(v14, null);
    expect(decoded(noName).monitorName).toBeNull();
    expect(decoded(setMonitorName(noName, 'Virtual')).monitorName).toBe('Virtual');
    expect(() => setMonitorName(asus, 'a name too long')).toThrow(RangeError);
    expect(() => setMonitorName(asus, 'tab\there')).toThrow(RangeError);
    // The ASUS has all 4 descriptors in use: a second text needs a free slot.
    expect(() => setSerialText(setMonitorName(asus, null), 'x')).not.toThrow();
    expect(() => setRangeLimits(setRangeLimits(asus, null), null)).not.toThrow();
  });

  it('setPreferredTiming moves a display descriptor out of slot 1', () => {
    const e = decoded(v14);
    e.descriptors = [e.descriptors[2]!, e.descriptors[1]!, e.descriptors[3]!, e.descriptors[0]!];
    e.descriptors[3] = { kind: 'other', tag: 0x10, name: 'Dummy Descriptor', raw: Uint8Array.from({ length: 18 }, (_, i) => (i === 3 ? 0x10 : 0)) };
    const nameFirst = encodeEdid(e);
    expect(decoded(nameFirst).detailedTimings).toEqual([]);
    const out = decoded(setPreferredTiming(nameFirst, DMT_1280x1024_60));
    expect(out.descriptors.map((d) => d.kind)).toEqual(['timing', 'range', 'text', 'other']);
    expect(out.monitorName).toBe('GVT 1920x1080');
  });

  it('fixChecksums repairs every block', () => {
    const b = bytesOf(FILES.find((f) => decodeEdid(bytesOf(f)).findings.some((x) => /checksum/.test(x.message)))!);
    expect(checksumsOk(b)).toBe(false);
    const fixed = fixChecksums(b);
    expect(checksumsOk(fixed)).toBe(true);
    expect(decodeEdid(fixed).findings.some((x) => /checksum/.test(x.message))).toBe(false);
  });

  it('encodeEdid rejects values that do not fit', () => {
    const e = decoded(asus);
    expect(() => encodeEdid({ ...e, vendor: 'AB' })).toThrow(RangeError);
    expect(() => encodeEdid({ ...e, year: 1989 })).toThrow(RangeError);
    expect(() => encodeEdid({ ...e, descriptors: [{ kind: 'timing', timing: { ...DMT_1024x768_60, hActive: 5000 } }] })).toThrow(RangeError);
    expect(() => encodeEdid({ ...e, establishedTimings: ['1x1@1'] })).toThrow(RangeError);
    expect(() => encodeEdid({ ...e, standardTimings: [{ width: 1366, height: 768, refreshHz: 60 }] })).toThrow(RangeError);
  });
});

// ---------------------------------------------------------------------------------------------
// Library

describe('monitor library', () => {
  const seed = readFileSync(path.resolve(__dirname, '../../../../shared/examples/monitor.config'), 'utf8');

  it('has the seed ASUS PA238 and 1024x768, 1280x1024, 1920x1080, 1920x1200 at 60 Hz', () => {
    expect(MONITOR_LIBRARY.map((m) => m.id)).toEqual(['asus-pa238', 'generic-1024x768', 'generic-1280x1024', 'generic-1920x1080', 'generic-1920x1200']);
    const seedHex = seed.split('\n').filter((l) => /^[0-9a-f]{32}$/.test(l)).join('');
    expect(Buffer.from(libraryMonitor('asus-pa238')!.bytes).toString('hex')).toBe(seedHex);
    const modes = MONITOR_LIBRARY.map((m) => modeLine(decoded(m.bytes).detailedTimings[0]!));
    expect(modes.map((m) => `${m.width}x${m.height}@${Math.round(m.refreshHz)}`)).toEqual(['1920x1080@60', '1024x768@60', '1280x1024@60', '1920x1080@60', '1920x1200@60']);
  });

  it.each(MONITOR_LIBRARY.map((m) => [m.id, m] as const))('%s: 128 bytes, valid, no extension, and edid-decode finds it conformant', (_id, m) => {
    expect(m.bytes).toHaveLength(128);
    expect(checksumsOk(m.bytes)).toBe(true);
    expect(decodeEdid(m.bytes).findings).toEqual([]);
    expect(m.bytes[126]).toBe(0);
    const out = edidDecode(m.bytes, ['-c']);
    expect(out).toMatch(/EDID conformity: PASS/);
    // edid-decode's DMT table knows our generated preferred timings (VESA DMT ids 0x10, 0x23, 0x52, 0x44).
    if (m.id !== 'asus-pa238') {
      const dtd = oracleFields(out).dtd!;
      const { imageMm: _mm, ...timing } = dtd;
      const t = decoded(m.bytes).detailedTimings[0]!;
      expect(timing).toEqual({
        pixelClockKHz: t.pixelClockKHz,
        hActive: t.hActive,
        hBlank: t.hBlank,
        hSyncOffset: t.hSyncOffset,
        hSyncWidth: t.hSyncWidth,
        vActive: t.vActive,
        vBlank: t.vBlank,
        vSyncOffset: t.vSyncOffset,
        vSyncWidth: t.vSyncWidth,
        interlaced: false,
      });
    }
  });

  it('the generated timings are the VESA DMT ones (edid-decode --dmt)', () => {
    for (const [id, t] of [['0x10', DMT_1024x768_60], ['0x23', DMT_1280x1024_60], ['0x52', DMT_1920x1080_60], ['0x44', DMT_1920x1200_60_RB]] as const) {
      const out = runEdidDecode(['--dmt', id]);
      const m = out.match(/(\d+)x(\d+)\s.*?([\d.]+) MHz[^\n]*\n\s+Hfront\s+(\d+) Hsync\s+(\d+) Hback\s+(\d+) Hpol ([PN])\n\s+Vfront\s+(\d+) Vsync\s+(\d+) Vback\s+(\d+) Vpol ([PN])/)!;
      expect(m, out).not.toBeNull();
      expect([t.hActive, t.vActive, t.pixelClockKHz, t.hSyncOffset, t.hSyncWidth, t.hBlank, t.vSyncOffset, t.vSyncWidth, t.vBlank, t.flags & 0x02 ? 'P' : 'N', t.flags & 0x04 ? 'P' : 'N']).toEqual([
        Number(m[1]),
        Number(m[2]),
        Math.round(Number(m[3]) * 1000),
        Number(m[4]),
        Number(m[5]),
        Number(m[4]) + Number(m[5]) + Number(m[6]),
        Number(m[8]),
        Number(m[9]),
        Number(m[8]) + Number(m[9]) + Number(m[10]),
        m[7],
        m[11],
      ]);
    }
  });

  it('buildMonitorEdid: analog input for VGA ports, serial string, RangeError for a long name', () => {
    const vga = decoded(buildMonitorEdid({ name: 'VGA', timing: DMT_1024x768_60, rangeLimits: { minVRateHz: 50, maxVRateHz: 75, minHRateKHz: 30, maxHRateKHz: 62, maxPixelClockMHz: 80 }, analog: true, serialText: 'S1' }));
    expect(vga.input.digital).toBe(false);
    expect(vga.featureInfo.displayType).toBe('RGB color');
    expect(vga.monitorSerial).toBe('S1');
    expect(() => buildMonitorEdid({ name: 'x'.repeat(14), timing: DMT_1024x768_60, rangeLimits: { minVRateHz: 50, maxVRateHz: 75, minHRateKHz: 30, maxHRateKHz: 62, maxPixelClockMHz: 80 } })).toThrow(RangeError);
  });
});
