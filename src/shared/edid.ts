/**
 * EDID codec: VESA E-EDID 1.3/1.4 base block, CTA-861 extension basics and the other extension
 * blocks by tag; editing helpers; hex text in and out. Browser-safe (no Node imports): used by the
 * renderer's EDID editor, the mediator's virtual ports and the CLI.
 *
 * Sources: VESA Enhanced EDID Standard Release A Rev. 2 (EDID 1.4) and EDID 1.3 for the base block
 * layout; CTA-861-F/G for extension tag 02h (data block collection, SVDs, DTD offset); VESA
 * DisplayID 1.3 / 2.0 section header for tag 70h. Where the standards leave room (strings, DTD
 * borders, standard timing height rounding, range limit offsets) we read bytes exactly as
 * edid-decode does, and the unit tests hold our decoder to Debian's edid-decode on 100 real EDIDs.
 *
 * Decoding never throws: problems are findings with a byte offset. Encoding and the editing helpers
 * throw RangeError for values that do not fit their fields.
 */
import { excerpt } from './excerpt';
import type {
  CtaDataBlock,
  CtaExtension,
  DetailedTiming,
  Edid,
  EdidDescriptor,
  EdidExtension,
  EdidFeatureInfo,
  EdidFinding,
  EdidInput,
  OtherExtension,
  RangeLimits,
  RangeLimitsSupport,
  StandardTiming,
  StandardTimingAspect,
} from './edid-types';

export type * from './edid-types';

/** Size of every EDID block, bytes. */
export const EDID_BLOCK_SIZE = 128;
/** The fixed 8-byte header of block 0. */
export const EDID_HEADER: readonly number[] = [0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00];

/** Established timings I & II: bytes 35, 36 (bit 7 first) and bit 7 of byte 37. */
export const ESTABLISHED_TIMINGS: readonly string[] = [
  '720x400@70', '720x400@88', '640x480@60', '640x480@67', '640x480@72', '640x480@75', '800x600@56', '800x600@60',
  '800x600@72', '800x600@75', '832x624@75', '1024x768@87i', '1024x768@60', '1024x768@70', '1024x768@75', '1280x1024@75',
  '1152x870@75',
];

const DESCRIPTOR_OFFSETS = [54, 72, 90, 108] as const;
const RANGE_SUPPORT_CODES: Record<Exclude<RangeLimitsSupport, 'Unknown'>, number> = { GTF: 0x00, 'Bare Limits': 0x01, 'Secondary GTF': 0x02, CVT: 0x04 };

// ---------------------------------------------------------------------------------------------
// Small helpers

/** 8-bit sum of a block's bytes; 0 for a block with a valid checksum. */
function byteSum(b: Uint8Array, start: number, end: number): number {
  let s = 0;
  for (let i = start; i < end; i++) s = (s + b[i]!) & 0xff;
  return s;
}

/** The checksum byte that makes the 128-byte block at `offset` sum to 0 (mod 256). */
export function blockChecksum(bytes: Uint8Array, offset = 0): number {
  return (0x100 - byteSum(bytes, offset, offset + 127)) & 0xff;
}

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');
const isAtLeast13 = (v: { minor: number }): boolean => v.minor >= 3; // edid-decode keys on the minor revision
const isAtLeast14 = (v: { minor: number }): boolean => v.minor >= 4;

function checkRange(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) throw new RangeError(`${name} must be an integer ${min}..${max}, got ${value}`);
  return value;
}

// ---------------------------------------------------------------------------------------------
// Detailed timing descriptors

function decodeDtd(b: Uint8Array, o: number): DetailedTiming {
  const flags = b[o + 17]!;
  return {
    pixelClockKHz: (b[o]! | (b[o + 1]! << 8)) * 10,
    hActive: b[o + 2]! | ((b[o + 4]! & 0xf0) << 4),
    hBlank: b[o + 3]! | ((b[o + 4]! & 0x0f) << 8),
    vActive: b[o + 5]! | ((b[o + 7]! & 0xf0) << 4),
    vBlank: b[o + 6]! | ((b[o + 7]! & 0x0f) << 8),
    hSyncOffset: b[o + 8]! | ((b[o + 11]! & 0xc0) << 2),
    hSyncWidth: b[o + 9]! | ((b[o + 11]! & 0x30) << 4),
    vSyncOffset: (b[o + 10]! >> 4) | ((b[o + 11]! & 0x0c) << 2),
    vSyncWidth: (b[o + 10]! & 0x0f) | ((b[o + 11]! & 0x03) << 4),
    hImageMm: b[o + 12]! | ((b[o + 14]! & 0xf0) << 4),
    vImageMm: b[o + 13]! | ((b[o + 14]! & 0x0f) << 8),
    hBorder: b[o + 15]!,
    vBorder: b[o + 16]!,
    interlaced: (flags & 0x80) !== 0,
    flags,
  };
}

/** Write a DTD at `o`; RangeError when a field does not fit. */
function encodeDtd(t: DetailedTiming, b: Uint8Array, o: number): void {
  if (t.pixelClockKHz % 10 !== 0) throw new RangeError(`pixelClockKHz must be a multiple of 10 (stored in 10 kHz units), got ${t.pixelClockKHz}`);
  const clk = checkRange('pixelClockKHz / 10', t.pixelClockKHz / 10, 1, 0xffff);
  const ha = checkRange('hActive', t.hActive, 0, 4095);
  const hb = checkRange('hBlank', t.hBlank, 0, 4095);
  const va = checkRange('vActive', t.vActive, 0, 4095);
  const vb = checkRange('vBlank', t.vBlank, 0, 4095);
  const hso = checkRange('hSyncOffset', t.hSyncOffset, 0, 1023);
  const hsw = checkRange('hSyncWidth', t.hSyncWidth, 0, 1023);
  const vso = checkRange('vSyncOffset', t.vSyncOffset, 0, 63);
  const vsw = checkRange('vSyncWidth', t.vSyncWidth, 0, 63);
  const him = checkRange('hImageMm', t.hImageMm, 0, 4095);
  const vim = checkRange('vImageMm', t.vImageMm, 0, 4095);
  const flags = (checkRange('flags', t.flags, 0, 255) & 0x7f) | (t.interlaced ? 0x80 : 0);
  b[o] = clk & 0xff;
  b[o + 1] = clk >> 8;
  b[o + 2] = ha & 0xff;
  b[o + 3] = hb & 0xff;
  b[o + 4] = ((ha >> 8) << 4) | (hb >> 8);
  b[o + 5] = va & 0xff;
  b[o + 6] = vb & 0xff;
  b[o + 7] = ((va >> 8) << 4) | (vb >> 8);
  b[o + 8] = hso & 0xff;
  b[o + 9] = hsw & 0xff;
  b[o + 10] = ((vso & 0x0f) << 4) | (vsw & 0x0f);
  b[o + 11] = ((hso >> 8) << 6) | ((hsw >> 8) << 4) | ((vso >> 4) << 2) | (vsw >> 4);
  b[o + 12] = him & 0xff;
  b[o + 13] = vim & 0xff;
  b[o + 14] = ((him >> 8) << 4) | (vim >> 8);
  b[o + 15] = checkRange('hBorder', t.hBorder, 0, 255);
  b[o + 16] = checkRange('vBorder', t.vBorder, 0, 255);
  b[o + 17] = flags;
}

/** Findings for a DTD that cannot be displayed (zero active area, blanking too short for its sync). */
function checkDtd(t: DetailedTiming, offset: number, label: string, findings: EdidFinding[]): void {
  const err = (message: string) => findings.push({ severity: 'error', offset, message: `${label}: ${message}` });
  if (t.hActive === 0 || t.vActive === 0) err(`zero active area (${t.hActive}x${t.vActive})`);
  if (t.hBlank - 2 * t.hBorder < t.hSyncOffset + t.hSyncWidth) {
    err(`horizontal blanking ${t.hBlank}${t.hBorder ? ` minus borders 2*${t.hBorder}` : ''} is smaller than sync offset + width (${t.hSyncOffset} + ${t.hSyncWidth})`);
  }
  if (t.vBlank - 2 * t.vBorder < t.vSyncOffset + t.vSyncWidth) {
    err(`vertical blanking ${t.vBlank}${t.vBorder ? ` minus borders 2*${t.vBorder}` : ''} is smaller than sync offset + width (${t.vSyncOffset} + ${t.vSyncWidth})`);
  }
  if (t.hSyncWidth === 0 || t.vSyncWidth === 0) findings.push({ severity: 'warning', offset, message: `${label}: zero sync width` });
  if (t.pixelClockKHz < 10000) findings.push({ severity: 'warning', offset, message: `${label}: pixel clock ${t.pixelClockKHz / 1000} MHz is below 10 MHz` });
}

/**
 * Size and refresh rate of a timing. Progressive: clock / (htotal * vtotal). Interlaced: the height
 * is two fields and the rate is the field rate, clock / (htotal * (vtotal + 0.5)), as edid-decode
 * reports it. Totals are active + blanking (blanking includes borders). refreshHz has 2 decimals;
 * 0 when a total is 0.
 */
export function modeLine(timing: DetailedTiming): { width: number; height: number; refreshHz: number } {
  const htotal = timing.hActive + timing.hBlank;
  const vtotal = timing.vActive + timing.vBlank + (timing.interlaced ? 0.5 : 0);
  const hz = htotal > 0 && vtotal > 0 ? (timing.pixelClockKHz * 1000) / (htotal * vtotal) : 0;
  return { width: timing.hActive, height: timing.interlaced ? timing.vActive * 2 : timing.vActive, refreshHz: Math.round(hz * 100) / 100 };
}

// ---------------------------------------------------------------------------------------------
// Display descriptors

/**
 * A descriptor string as edid-decode reads it: printable ASCII up to the first LF; a non-printable
 * byte before the LF ends the string (and is reported by the caller).
 */
function decodeText(raw: Uint8Array): { text: string; clean: boolean } {
  let text = '';
  for (let i = 5; i < 18; i++) {
    const c = raw[i]!;
    if (c === 0x0a) return { text, clean: true };
    if (c < 0x20 || c > 0x7e) return { text, clean: false };
    text += String.fromCharCode(c);
  }
  return { text, clean: true };
}

/** Canonical text descriptor: the characters, then LF and space padding when shorter than 13. */
function encodeText(tag: number, text: string, out: Uint8Array, o: number): void {
  if (text.length > 13 || !/^[\x20-\x7e]*$/.test(text)) throw new RangeError(`descriptor text must be at most 13 printable ASCII characters, got ${JSON.stringify(text)}`);
  out.fill(0, o, o + 5);
  out[o + 3] = tag;
  for (let i = 0; i < 13; i++) out[o + 5 + i] = i < text.length ? text.charCodeAt(i) : i === text.length ? 0x0a : 0x20;
}

function rangeSupportName(code: number): RangeLimitsSupport {
  switch (code) {
    case 0x00: return 'GTF';
    case 0x01: return 'Bare Limits';
    case 0x02: return 'Secondary GTF';
    case 0x04: return 'CVT';
    default: return 'Unknown';
  }
}

/** Range limits; the +255 offset flags of byte 4 apply from EDID 1.4 on (as edid-decode reads them). */
function decodeRange(raw: Uint8Array, v14: boolean): RangeLimits {
  const f = v14 ? raw[4]! : 0;
  const vMax = f & 0x02 ? 255 : 0;
  const vMin = f & 0x02 && f & 0x01 ? 255 : 0;
  const hMax = f & 0x08 ? 255 : 0;
  const hMin = f & 0x08 && f & 0x04 ? 255 : 0;
  return {
    minVRateHz: raw[5]! + vMin,
    maxVRateHz: raw[6]! + vMax,
    minHRateKHz: raw[7]! + hMin,
    maxHRateKHz: raw[8]! + hMax,
    maxPixelClockMHz: raw[9]! * 10,
    support: rangeSupportName(raw[10]!),
  };
}

/** Write range limits over the 18 bytes at `o` (which hold the previous descriptor or zeros). */
function encodeRange(limits: RangeLimits, v14: boolean, out: Uint8Array, o: number): void {
  const fresh = out[o + 3] !== 0xfd || out[o] !== 0 || out[o + 1] !== 0;
  if (fresh) {
    out.fill(0, o, o + 18);
    out[o + 3] = 0xfd;
    out[o + 10] = v14 ? 0x01 : 0x00;
    out[o + 11] = 0x0a;
    out.fill(0x20, o + 12, o + 18);
  }
  const split = (name: string, min: number, max: number): { lo: number; hi: number; flags: number } => {
    checkRange(`${name} min`, min, 0, v14 ? 510 : 255);
    checkRange(`${name} max`, max, 0, v14 ? 510 : 255);
    const maxOff = max > 255 || min > 255 ? 255 : 0;
    const minOff = min > 255 ? 255 : 0;
    if (max - maxOff < 0) throw new RangeError(`${name}: max ${max} must not be below min ${min} when min needs the +255 offset`);
    return { lo: min - minOff, hi: max - maxOff, flags: (maxOff ? 0x02 : 0) | (minOff ? 0x01 : 0) };
  };
  const v = split('vertical rate', limits.minVRateHz, limits.maxVRateHz);
  const h = split('horizontal rate', limits.minHRateKHz, limits.maxHRateKHz);
  if (v14) out[o + 4] = (out[o + 4]! & 0xf0) | v.flags | (h.flags << 2);
  out[o + 5] = v.lo;
  out[o + 6] = v.hi;
  out[o + 7] = h.lo;
  out[o + 8] = h.hi;
  out[o + 9] = checkRange('maxPixelClockMHz / 10 (rounded up)', Math.ceil(limits.maxPixelClockMHz / 10), 0, 255);
  if (limits.support !== undefined && limits.support !== rangeSupportName(out[o + 10]!)) {
    if (limits.support === 'Unknown') throw new RangeError("range limits support 'Unknown' cannot be written; keep the decoded value");
    out[o + 10] = RANGE_SUPPORT_CODES[limits.support];
    if (limits.support === 'GTF' || limits.support === 'Bare Limits') {
      out[o + 11] = 0x0a;
      out.fill(0x20, o + 12, o + 18);
    }
  }
}

function sameRange(a: RangeLimits, b: RangeLimits): boolean {
  return (
    a.minVRateHz === b.minVRateHz &&
    a.maxVRateHz === b.maxVRateHz &&
    a.minHRateKHz === b.minHRateKHz &&
    a.maxHRateKHz === b.maxHRateKHz &&
    a.maxPixelClockMHz === b.maxPixelClockMHz &&
    (a.support === undefined || b.support === undefined || a.support === b.support)
  );
}

function descriptorName(tag: number): string {
  if (tag <= 0x0f) return 'Manufacturer-Specified Display Descriptor';
  switch (tag) {
    case 0x10: return 'Dummy Descriptor';
    case 0xf7: return 'Established Timings III';
    case 0xf8: return 'CVT 3 Byte Timing Codes';
    case 0xf9: return 'Display Color Management';
    case 0xfa: return 'Standard Timing Identifications';
    case 0xfb: return 'Color Point Data';
    case 0xfc: return 'Display Product Name';
    case 0xfd: return 'Display Range Limits';
    case 0xfe: return 'Alphanumeric Data String';
    case 0xff: return 'Display Product Serial Number';
    default: return `Reserved Display Descriptor 0x${hex2(tag)}`;
  }
}

function decodeDescriptor(b: Uint8Array, o: number, v14: boolean, findings: EdidFinding[], dtdIndex: number): EdidDescriptor {
  if (b[o] !== 0 || b[o + 1] !== 0) {
    const timing = decodeDtd(b, o);
    checkDtd(timing, o, `detailed timing ${dtdIndex}`, findings);
    return { kind: 'timing', timing };
  }
  const raw = b.slice(o, o + 18);
  const tag = raw[3]!;
  if (tag === 0xfc || tag === 0xfe || tag === 0xff) {
    const { text, clean } = decodeText(raw);
    if (!clean) findings.push({ severity: 'warning', offset: o + 5, message: `${descriptorName(tag)}: non-printable character; the string ends there` });
    return { kind: 'text', tag, text, raw };
  }
  if (tag === 0xfd) {
    const limits = decodeRange(raw, v14);
    if (limits.minVRateHz > limits.maxVRateHz) findings.push({ severity: 'warning', offset: o + 5, message: `range limits: min vertical rate ${limits.minVRateHz} Hz > max ${limits.maxVRateHz} Hz` });
    if (limits.minHRateKHz > limits.maxHRateKHz) findings.push({ severity: 'warning', offset: o + 7, message: `range limits: min horizontal rate ${limits.minHRateKHz} kHz > max ${limits.maxHRateKHz} kHz` });
    return { kind: 'range', tag: 0xfd, limits, raw };
  }
  return { kind: 'other', tag, name: descriptorName(tag), raw };
}

const DUMMY_DESCRIPTOR = (): Uint8Array => Uint8Array.from([0, 0, 0, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

function encodeDescriptor(d: EdidDescriptor, v14: boolean, out: Uint8Array, o: number): void {
  switch (d.kind) {
    case 'timing':
      encodeDtd(d.timing, out, o);
      return;
    case 'text': {
      const raw = rawDescriptor(d.raw);
      if (raw && raw[3] === d.tag && raw[0] === 0 && raw[1] === 0 && decodeText(raw).text === d.text) out.set(raw, o);
      else encodeText(d.tag, d.text, out, o);
      return;
    }
    case 'range': {
      const raw = rawDescriptor(d.raw);
      if (raw && raw[3] === 0xfd && raw[0] === 0 && raw[1] === 0) {
        out.set(raw, o);
        if (sameRange(decodeRange(raw, v14), d.limits)) return;
      } else out.fill(0xff, o, o + 18); // not a range descriptor: encodeRange starts fresh
      encodeRange(d.limits, v14, out, o);
      return;
    }
    case 'other': {
      const raw = rawDescriptor(d.raw) ?? DUMMY_DESCRIPTOR();
      out.set(raw, o);
      out[o + 3] = checkRange('descriptor tag', d.tag, 0, 255);
      return;
    }
  }
}

function rawDescriptor(raw: Uint8Array | undefined): Uint8Array | null {
  return raw instanceof Uint8Array && raw.length === 18 ? raw : null;
}

// ---------------------------------------------------------------------------------------------
// Base block fields

function decodeVendor(b: Uint8Array): string {
  const v = (b[8]! << 8) | b[9]!;
  return String.fromCharCode(64 + ((v >> 10) & 0x1f), 64 + ((v >> 5) & 0x1f), 64 + (v & 0x1f));
}

function encodeVendor(vendor: string, out: Uint8Array): void {
  if (vendor.length !== 3) throw new RangeError(`vendor must be 3 letters, got ${JSON.stringify(vendor)}`);
  const codes = [...vendor].map((c) => c.charCodeAt(0) - 64);
  if (codes.some((c) => c < 0 || c > 31)) throw new RangeError(`vendor letters must be A..Z, got ${JSON.stringify(vendor)}`);
  const v = (codes[0]! << 10) | (codes[1]! << 5) | codes[2]!;
  out[8] = (out[8]! & 0x80) | (v >> 8);
  out[9] = v & 0xff;
}

const ANALOG_LEVELS = ['0.700 : 0.300 : 1.000 V p-p', '0.714 : 0.286 : 1.000 V p-p', '1.000 : 0.400 : 1.400 V p-p', '0.700 : 0.000 : 0.700 V p-p'];
const INTERFACES: NonNullable<EdidInput['interface']>[] = ['undefined', 'DVI', 'HDMI-a', 'HDMI-b', 'MDDI', 'DisplayPort'];

function decodeInput(raw: number, version: { minor: number }): EdidInput {
  if (!(raw & 0x80)) {
    return {
      digital: false,
      raw,
      analog: {
        signalLevel: ANALOG_LEVELS[(raw >> 5) & 3]!,
        blankToBlackSetup: (raw & 0x10) !== 0,
        separateSync: (raw & 0x08) !== 0,
        compositeSyncOnH: (raw & 0x04) !== 0,
        syncOnGreen: (raw & 0x02) !== 0,
        serrationVSync: (raw & 0x01) !== 0,
      },
    };
  }
  if (!isAtLeast14(version)) return { digital: true, raw, dfp1: (raw & 0x01) !== 0 };
  const depth = (raw >> 4) & 7;
  return { digital: true, raw, bitsPerColor: depth === 0 || depth === 7 ? null : 4 + 2 * depth, interface: INTERFACES[raw & 0x0f] ?? 'reserved' };
}

function decodeFeatures(f: number, digital: boolean, version: { minor: number }): EdidFeatureInfo {
  const type = (f >> 3) & 3;
  const displayType =
    digital && isAtLeast14(version)
      ? ['RGB 4:4:4', 'RGB 4:4:4 + YCrCb 4:4:4', 'RGB 4:4:4 + YCrCb 4:2:2', 'RGB 4:4:4 + YCrCb 4:4:4 + YCrCb 4:2:2'][type]!
      : ['monochrome', 'RGB color', 'non-RGB color', 'undefined'][type]!;
  return {
    standby: (f & 0x80) !== 0,
    suspend: (f & 0x40) !== 0,
    activeOff: (f & 0x20) !== 0,
    displayType,
    sRgbDefault: (f & 0x04) !== 0,
    preferredTimingMode: (f & 0x02) !== 0,
    continuousFrequency: (f & 0x01) !== 0,
  };
}

const CHROMA_ORDER = ['red', 'green', 'blue', 'white'] as const;

function decodeChromaticity(b: Uint8Array): Edid['chromaticity'] {
  // Low 2 bits: byte 25 = Rx Ry Gx Gy, byte 26 = Bx By Wx Wy (bits 7:6 first); high 8 bits in 27..34.
  const lo = (i: number) => (b[25 + (i >> 2)]! >> (6 - 2 * (i & 3))) & 3;
  const val = (i: number) => ((b[27 + i]! << 2) | lo(i)) / 1024;
  const pair = (k: number): [number, number] => [val(2 * k), val(2 * k + 1)];
  return { red: pair(0), green: pair(1), blue: pair(2), white: pair(3) };
}

function encodeChromaticity(c: Edid['chromaticity'], out: Uint8Array): void {
  out[25] = 0;
  out[26] = 0;
  CHROMA_ORDER.forEach((name, k) => {
    c[name].forEach((v, j) => {
      const i = 2 * k + j;
      const n = checkRange(`chromaticity.${name}[${j}] * 1024`, Math.round(v * 1024), 0, 1023);
      out[27 + i] = n >> 2;
      out[25 + (i >> 2)] |= (n & 3) << (6 - 2 * (i & 3));
    });
  });
}

const ASPECTS: StandardTimingAspect[] = ['16:10', '4:3', '5:4', '16:9'];

function standardHeight(width: number, aspect: StandardTimingAspect): number {
  switch (aspect) {
    case '1:1': return width;
    case '16:10': return Math.floor((width * 10) / 16);
    case '4:3': return Math.floor((width * 3) / 4);
    case '5:4': return Math.floor((width * 4) / 5);
    case '16:9': return Math.floor((width * 9) / 16);
  }
}

/** A standard timing slot, or null when unused (first byte 00h or 01h, as edid-decode treats it). */
function decodeStandardTiming(b0: number, b1: number, slot: number, version: { minor: number }): StandardTiming | null {
  if (b0 <= 0x01) return null;
  const width = (b0 + 31) * 8;
  const code = b1 >> 6;
  const aspect: StandardTimingAspect = code === 0 && !isAtLeast13(version) ? '1:1' : ASPECTS[code]!;
  return { width, height: standardHeight(width, aspect), refreshHz: (b1 & 0x3f) + 60, aspect, slot };
}

function encodeStandardTiming(st: StandardTiming, version: { minor: number }): [number, number] {
  if (st.width % 8 !== 0) throw new RangeError(`standard timing width must be a multiple of 8, got ${st.width}`);
  const b0 = checkRange('standard timing width / 8 - 31', st.width / 8 - 31, 2, 255);
  const v13 = isAtLeast13(version);
  let aspect = st.aspect;
  if (aspect === undefined) {
    const candidates: StandardTimingAspect[] = v13 ? ASPECTS : ['1:1', '4:3', '5:4', '16:9'];
    aspect = candidates.find((a) => standardHeight(st.width, a) === st.height);
    if (aspect === undefined) throw new RangeError(`standard timing ${st.width}x${st.height} has no standard aspect ratio`);
  }
  if (aspect === '1:1' ? v13 : aspect === '16:10' && !v13) throw new RangeError(`aspect ${aspect} is not available in EDID 1.${version.minor} standard timings`);
  const code = aspect === '1:1' ? 0 : ASPECTS.indexOf(aspect);
  return [b0, (code << 6) | checkRange('standard timing refreshHz - 60', st.refreshHz - 60, 0, 63)];
}

// ---------------------------------------------------------------------------------------------
// Extension blocks

const CTA_BLOCK_NAMES: Record<number, string> = { 1: 'Audio Data Block', 2: 'Video Data Block', 3: 'Vendor-Specific Data Block', 4: 'Speaker Allocation Data Block', 5: 'VESA Display Transfer Characteristics Data Block' };
const CTA_EXT_BLOCK_NAMES: Record<number, string> = {
  0: 'Video Capability Data Block',
  1: 'Vendor-Specific Video Data Block',
  2: 'VESA Video Display Device Data Block',
  5: 'Colorimetry Data Block',
  6: 'HDR Static Metadata Data Block',
  7: 'HDR Dynamic Metadata Data Block',
  13: 'Video Format Preference Data Block',
  14: 'YCbCr 4:2:0 Video Data Block',
  15: 'YCbCr 4:2:0 Capability Map Data Block',
  17: 'Vendor-Specific Audio Data Block',
  18: 'HDMI Audio Data Block',
  19: 'Room Configuration Data Block',
  20: 'Speaker Location Data Block',
  32: 'InfoFrame Data Block',
  120: 'HDMI Forum EDID Extension Override Data Block',
  121: 'HDMI Forum Sink Capability Data Block',
};

/** IEEE OUI of HDMI Licensing, LLC (HDMI 1.x vendor-specific data block), stored little-endian. */
export const HDMI_OUI = 0x000c03;

function ctaDtdCount(b: Uint8Array, d: number): number {
  let n = 0;
  if (d < 4) return 0;
  for (let j = d; j + 18 <= 127 && (b[j] !== 0 || b[j + 1] !== 0); j += 18) n++;
  return n;
}

function decodeCta(raw: Uint8Array, offset: number, findings: EdidFinding[]): CtaExtension {
  const d = raw[2]!;
  const ext: CtaExtension = {
    tag: 0x02,
    kind: 'CTA-861',
    offset,
    raw,
    checksum: raw[127]!,
    checksumValid: byteSum(raw, 0, 128) === 0,
    revision: raw[1]!,
    detailedTimings: [],
    vics: [],
    nativeVics: [],
    hdmiVendorBlock: false,
    dtdOffset: d,
    flags: raw[3]!,
    dataBlocks: [],
  };
  if (d !== 0 && (d < 4 || d > 127)) {
    findings.push({ severity: 'error', offset: offset + 2, message: `CTA-861: invalid DTD offset ${d}` });
    return ext;
  }
  const end = d === 0 ? 4 : d;
  for (let i = 4; i < end; ) {
    const tag = raw[i]! >> 5;
    const len = raw[i]! & 0x1f;
    if (i + 1 + len > end) {
      findings.push({ severity: 'error', offset: offset + i, message: `CTA-861: data block (tag ${tag}, ${len} bytes) runs past the DTD offset ${d}` });
      break;
    }
    const block: CtaDataBlock = { tag, name: CTA_BLOCK_NAMES[tag] ?? `Reserved Data Block (tag ${tag})`, offset: i, length: len };
    if (tag === 7 && len >= 1) {
      block.extendedTag = raw[i + 1]!;
      block.name = CTA_EXT_BLOCK_NAMES[block.extendedTag] ?? `Extended Data Block (tag 0x${hex2(block.extendedTag)})`;
    }
    if (tag === 2) {
      for (let k = 1; k <= len; k++) {
        const svd = raw[i + k]!;
        if (svd >= 129 && svd <= 192) {
          ext.vics.push(svd & 0x7f);
          ext.nativeVics.push(svd & 0x7f);
        } else if (svd !== 0 && svd !== 128 && svd < 254) ext.vics.push(svd);
      }
    }
    if (tag === 3 && len >= 3 && (raw[i + 1]! | (raw[i + 2]! << 8) | (raw[i + 3]! << 16)) === HDMI_OUI) ext.hdmiVendorBlock = true;
    ext.dataBlocks.push(block);
    i += 1 + len;
  }
  const n = ctaDtdCount(raw, d);
  for (let k = 0; k < n; k++) {
    const t = decodeDtd(raw, d + 18 * k);
    checkDtd(t, offset + d + 18 * k, `CTA-861 detailed timing ${k + 1}`, findings);
    ext.detailedTimings.push(t);
  }
  return ext;
}

function otherKind(tag: number): OtherExtension['kind'] {
  switch (tag) {
    case 0x10: return 'VTB';
    case 0x40: return 'DI';
    case 0x50: return 'LS';
    case 0x60: return 'DPVL';
    case 0x70: return 'DisplayID';
    case 0xf0: return 'Block Map';
    case 0xff: return 'Manufacturer';
    default: return 'Unknown';
  }
}

function decodeExtension(raw: Uint8Array, offset: number, findings: EdidFinding[]): EdidExtension {
  const tag = raw[0]!;
  if (tag === 0x02) return decodeCta(raw, offset, findings);
  const ext: OtherExtension = { tag, kind: otherKind(tag), offset, raw, checksum: raw[127]!, checksumValid: byteSum(raw, 0, 128) === 0 };
  if (ext.kind === 'Block Map') ext.blockMapTags = Array.from(raw.subarray(1, 127));
  if (ext.kind === 'DisplayID') {
    const sectionLength = raw[2]!;
    const blocks: { tag: number; offset: number; length: number }[] = [];
    const end = Math.min(5 + sectionLength, 126);
    for (let k = 5; k + 3 <= end; ) {
      const length = raw[k + 2]!;
      if (raw[k] === 0 && length === 0) break; // padding
      if (k + 3 + length > end) {
        findings.push({ severity: 'error', offset: offset + k, message: `DisplayID: data block 0x${hex2(raw[k]!)} runs past the section (${length} bytes)` });
        break;
      }
      blocks.push({ tag: raw[k]!, offset: k, length });
      k += 3 + length;
    }
    ext.displayId = { version: raw[1]!, productType: raw[3]!, sectionLength, blocks };
  }
  return ext;
}

// ---------------------------------------------------------------------------------------------
// Decode

/**
 * Decode an EDID: block 0 plus every complete 128-byte block after it. Never throws. `edid` is
 * null only when there is no complete block 0. Findings (byte offsets into `bytes`):
 * errors for a bad header (offset of the first wrong byte), a bad checksum (offset 128n + 127),
 * byte 126 declaring more extension blocks than present, a truncated block, impossible detailed
 * timings, malformed CTA-861 / DisplayID structures; warnings for blocks beyond the declared count,
 * odd vendor letters, week / version values, strings with non-printable bytes, inverted ranges.
 */
export function decodeEdid(bytes: Uint8Array): { edid: Edid | null; findings: EdidFinding[] } {
  const findings: EdidFinding[] = [];
  if (bytes.length < EDID_BLOCK_SIZE) {
    findings.push({ severity: 'error', offset: bytes.length, message: bytes.length === 0 ? 'no EDID data' : `truncated: ${bytes.length} bytes, block 0 needs 128` });
    return { edid: null, findings };
  }
  const b = bytes.slice(0, EDID_BLOCK_SIZE);
  const badHeader = EDID_HEADER.findIndex((v, i) => b[i] !== v);
  if (badHeader >= 0) findings.push({ severity: 'error', offset: badHeader, message: `bad header: byte ${badHeader} is 0x${hex2(b[badHeader]!)}, expected 0x${hex2(EDID_HEADER[badHeader]!)} (00 ff ff ff ff ff ff 00)` });
  if (b[8]! & 0x80) findings.push({ severity: 'warning', offset: 8, message: 'vendor id: reserved bit 15 is set' });
  const vendor = decodeVendor(b);
  if (!/^[A-Z]{3}$/.test(vendor)) findings.push({ severity: 'warning', offset: 8, message: `vendor id "${vendor}" has letters outside A..Z` });
  const version = { major: b[18]!, minor: b[19]! };
  if (version.major !== 1 || version.minor > 4) findings.push({ severity: 'warning', offset: 18, message: `version ${version.major}.${version.minor}: this decoder knows EDID 1.0..1.4` });
  const v14 = isAtLeast14(version);
  const week = b[16]!;
  if (week > 54 && week !== 0xff) findings.push({ severity: 'warning', offset: 16, message: `week of manufacture ${week} is out of range (1..54, or 255 for a model year)` });
  if (week === 0xff && !v14) findings.push({ severity: 'warning', offset: 16, message: 'model year (week 255) needs EDID 1.4' });
  const input = decodeInput(b[20]!, version);

  const descriptors: EdidDescriptor[] = [];
  let dtdIndex = 0;
  for (const o of DESCRIPTOR_OFFSETS) {
    if (b[o] !== 0 || b[o + 1] !== 0) dtdIndex++;
    descriptors.push(decodeDescriptor(b, o, v14, findings, dtdIndex));
  }
  if (descriptors[0]!.kind !== 'timing' && version.minor < 4) findings.push({ severity: 'warning', offset: 54, message: 'the first descriptor is not a detailed timing (EDID 1.3 requires the preferred timing there)' });

  const standardTimings: StandardTiming[] = [];
  for (let s = 0; s < 8; s++) {
    const st = decodeStandardTiming(b[38 + 2 * s]!, b[39 + 2 * s]!, s, version);
    if (st) standardTimings.push(st);
  }
  const establishedTimings = ESTABLISHED_TIMINGS.filter((_, i) => (b[35 + (i >> 3)]! >> (7 - (i & 7))) & 1);

  const checksumValid = byteSum(b, 0, 128) === 0;
  if (!checksumValid) findings.push({ severity: 'error', offset: 127, message: `block 0: bad checksum 0x${hex2(b[127]!)} (should be 0x${hex2(blockChecksum(b))})` });

  const texts = descriptors.filter((d): d is Extract<EdidDescriptor, { kind: 'text' }> => d.kind === 'text');
  const range = descriptors.find((d): d is Extract<EdidDescriptor, { kind: 'range' }> => d.kind === 'range');
  const edid: Edid = {
    vendor,
    productCode: b[10]! | (b[11]! << 8),
    serialNumber: (b[12]! | (b[13]! << 8) | (b[14]! << 16) | (b[15]! << 24)) >>> 0,
    week,
    year: 1990 + b[17]!,
    modelYear: week === 0xff,
    version,
    input,
    screenSizeCm: { h: b[21]!, v: b[22]! },
    screenAspectRatio: v14 && (b[21] === 0) !== (b[22] === 0) ? (b[21] ? (b[21]! + 99) / 100 : 100 / (b[22]! + 99)) : null,
    gamma: b[23] === 0xff ? null : (b[23]! + 100) / 100,
    features: b[24]!,
    featureInfo: decodeFeatures(b[24]!, input.digital, version),
    chromaticity: decodeChromaticity(b),
    establishedTimings,
    manufacturerTimings: b[37]! & 0x7f,
    standardTimings,
    descriptors,
    detailedTimings: descriptors.flatMap((d) => (d.kind === 'timing' ? [d.timing] : [])),
    monitorName: texts.find((d) => d.tag === 0xfc)?.text ?? null,
    monitorSerial: texts.find((d) => d.tag === 0xff)?.text ?? null,
    rangeLimits: range ? { ...range.limits } : null,
    texts: texts.filter((d) => d.tag === 0xfe).map((d) => d.text),
    extensionCount: b[126]!,
    checksum: b[127]!,
    checksumValid,
    extensions: [],
    raw: b,
    trailingBytes: new Uint8Array(0),
  };

  const present = Math.floor(bytes.length / EDID_BLOCK_SIZE) - 1;
  for (let n = 1; n <= present; n++) {
    const offset = n * EDID_BLOCK_SIZE;
    const raw = bytes.slice(offset, offset + EDID_BLOCK_SIZE);
    const ext = decodeExtension(raw, offset, findings);
    if (!ext.checksumValid) findings.push({ severity: 'error', offset: offset + 127, message: `block ${n} (${ext.kind}): bad checksum 0x${hex2(raw[127]!)} (should be 0x${hex2(blockChecksum(raw))})` });
    edid.extensions.push(ext);
  }
  const tail = bytes.length % EDID_BLOCK_SIZE;
  if (tail !== 0) {
    edid.trailingBytes = bytes.slice(bytes.length - tail);
    findings.push({ severity: 'error', offset: bytes.length - tail, message: `truncated: block ${present + 1} has ${tail} of 128 bytes` });
  }
  if (edid.extensionCount > present) {
    findings.push({ severity: 'error', offset: 126, message: `extension count ${edid.extensionCount} but the data holds ${present} extension block(s)` });
  } else if (edid.extensionCount < present) {
    findings.push({ severity: 'warning', offset: (edid.extensionCount + 1) * EDID_BLOCK_SIZE, message: `${present - edid.extensionCount} block(s) beyond the extension count ${edid.extensionCount} (readers ignore them)` });
  }
  return { edid, findings };
}

/** The preferred timing: the first detailed timing of block 0, or null. */
export function preferredTiming(edid: Edid): DetailedTiming | null {
  return edid.detailedTimings[0] ?? null;
}

// ---------------------------------------------------------------------------------------------
// Encode

function blankBase(): Uint8Array {
  const b = new Uint8Array(EDID_BLOCK_SIZE);
  b.set(EDID_HEADER);
  b.fill(0x01, 38, 54); // unused standard timing slots are 01 01
  return b;
}

function block(raw: Uint8Array | undefined, template: Uint8Array | undefined, n: number): Uint8Array | null {
  if (raw instanceof Uint8Array && raw.length === EDID_BLOCK_SIZE) return raw.slice();
  if (template && template.length >= (n + 1) * EDID_BLOCK_SIZE) return template.slice(n * EDID_BLOCK_SIZE, (n + 1) * EDID_BLOCK_SIZE);
  return null;
}

/**
 * Encode an Edid to bytes: 128 * (1 + extensions.length) bytes plus `trailingBytes`. Each block
 * starts from its `raw` bytes (or, for a hand-built object without them, the matching block of
 * `template`, else a blank block with the standard header) and the modelled fields are written over
 * it; derived views (detailedTimings, monitorName, …, vics) are ignored — write `descriptors` and
 * the extension's `detailedTimings` instead. A block's checksum is recomputed when its
 * `checksumValid` is true and kept as stored otherwise, so decode → encode is byte-identical even
 * for corrupt input (use fixChecksums to repair). Throws RangeError when a value does not fit its
 * field (e.g. a 14-character name, a 5000-pixel DTD, more CTA DTDs than fit).
 */
export function encodeEdid(edid: Edid, template?: Uint8Array): Uint8Array {
  const out = new Uint8Array((1 + edid.extensions.length) * EDID_BLOCK_SIZE + (edid.trailingBytes?.length ?? 0));
  const b = block(edid.raw, template, 0) ?? blankBase();
  const version = edid.version;
  const v14 = isAtLeast14(version);

  encodeVendor(edid.vendor, b);
  checkRange('productCode', edid.productCode, 0, 0xffff);
  b[10] = edid.productCode & 0xff;
  b[11] = edid.productCode >> 8;
  const serial = checkRange('serialNumber', edid.serialNumber, 0, 0xffffffff);
  for (let i = 0; i < 4; i++) b[12 + i] = Math.floor(serial / 2 ** (8 * i)) & 0xff;
  b[16] = checkRange('week', edid.week, 0, 255);
  b[17] = checkRange('year - 1990', edid.year - 1990, 0, 255);
  b[18] = checkRange('version.major', version.major, 0, 255);
  b[19] = checkRange('version.minor', version.minor, 0, 255);
  b[20] = checkRange('input.raw', edid.input.raw, 0, 255);
  b[21] = checkRange('screenSizeCm.h', edid.screenSizeCm.h, 0, 255);
  b[22] = checkRange('screenSizeCm.v', edid.screenSizeCm.v, 0, 255);
  b[23] = edid.gamma === null ? 0xff : checkRange('gamma * 100 - 100', Math.round(edid.gamma * 100) - 100, 0, 254);
  b[24] = checkRange('features', edid.features, 0, 255);
  encodeChromaticity(edid.chromaticity, b);

  const est = [0, 0, 0];
  for (const name of edid.establishedTimings) {
    const i = ESTABLISHED_TIMINGS.indexOf(name);
    if (i < 0) throw new RangeError(`unknown established timing ${JSON.stringify(name)} (known: ${ESTABLISHED_TIMINGS.join(', ')})`);
    est[i >> 3] |= 0x80 >> (i & 7);
  }
  b[35] = est[0]!;
  b[36] = est[1]!;
  b[37] = est[2]! | checkRange('manufacturerTimings', edid.manufacturerTimings, 0, 0x7f);

  const slots: (StandardTiming | null)[] = new Array<StandardTiming | null>(8).fill(null);
  for (const st of edid.standardTimings.filter((s) => s.slot !== undefined)) {
    const s = checkRange('standard timing slot', st.slot!, 0, 7);
    if (slots[s]) throw new RangeError(`two standard timings in slot ${s}`);
    slots[s] = st;
  }
  for (const st of edid.standardTimings.filter((s) => s.slot === undefined)) {
    const s = slots.indexOf(null);
    if (s < 0) throw new RangeError('more than 8 standard timings');
    slots[s] = st;
  }
  slots.forEach((st, s) => {
    const o = 38 + 2 * s;
    if (st) b.set(encodeStandardTiming(st, version), o);
    else if (b[o]! > 0x01) b.set([0x01, 0x01], o); // a timing removed from the list; unused filler stays as read
  });

  if (edid.descriptors.length > 4) throw new RangeError(`block 0 holds 4 descriptors, got ${edid.descriptors.length}`);
  DESCRIPTOR_OFFSETS.forEach((o, i) => {
    const d = edid.descriptors[i];
    if (d) encodeDescriptor(d, v14, b, o);
    else b.set(DUMMY_DESCRIPTOR(), o);
  });
  b[126] = checkRange('extensionCount', edid.extensionCount, 0, 255);
  b[127] = edid.checksumValid ? blockChecksum(b) : checkRange('checksum', edid.checksum, 0, 255);
  out.set(b, 0);

  edid.extensions.forEach((ext, k) => {
    const n = k + 1;
    const e = block(ext.raw, template, n) ?? new Uint8Array(EDID_BLOCK_SIZE);
    e[0] = checkRange('extension tag', ext.tag, 0, 255);
    if (ext.kind === 'CTA-861') encodeCta(ext, e);
    e[127] = ext.checksumValid ? blockChecksum(e) : checkRange('checksum', ext.checksum, 0, 255);
    out.set(e, n * EDID_BLOCK_SIZE);
  });
  if (edid.trailingBytes?.length) out.set(edid.trailingBytes, (1 + edid.extensions.length) * EDID_BLOCK_SIZE);
  return out;
}

function encodeCta(ext: CtaExtension, e: Uint8Array): void {
  e[1] = checkRange('CTA-861 revision', ext.revision, 0, 255);
  const d = e[2]!;
  const list = ext.detailedTimings;
  if (d < 4 || d > 127) {
    if (list.length) throw new RangeError(`CTA-861 block has no DTD area (DTD offset ${d})`);
    return;
  }
  const had = ctaDtdCount(e, d);
  const capacity = Math.floor((127 - d) / 18);
  if (list.length > capacity) throw new RangeError(`CTA-861 block has room for ${capacity} DTDs after its data blocks, got ${list.length}`);
  for (let i = 0; i < capacity; i++) {
    const o = d + 18 * i;
    if (i < list.length) encodeDtd(list[i]!, e, o);
    else if (i < had) e.fill(0, o, o + 18);
    else break;
  }
}

// ---------------------------------------------------------------------------------------------
// Editing helpers (bytes in, new bytes out, every checksum recomputed)

/** Copy of `bytes` with the checksum of every complete 128-byte block recomputed. */
export function fixChecksums(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  for (let o = 0; o + EDID_BLOCK_SIZE <= out.length; o += EDID_BLOCK_SIZE) out[o + 127] = blockChecksum(out, o);
  return out;
}

function editable(bytes: Uint8Array): Edid {
  const { edid } = decodeEdid(bytes);
  if (!edid) throw new RangeError(`not an EDID: ${bytes.length} bytes, block 0 needs 128`);
  return edid;
}

function finish(edid: Edid): Uint8Array {
  edid.checksumValid = true;
  for (const ext of edid.extensions) ext.checksumValid = true;
  return fixChecksums(encodeEdid(edid));
}

/** Index of a descriptor slot a new display descriptor may take: a dummy (tag 10h) or all-zero one. */
function freeDescriptorSlot(edid: Edid): number {
  return edid.descriptors.findIndex((d) => d.kind === 'other' && (d.tag === 0x10 || d.raw.every((x) => x === 0)));
}

/**
 * Set the preferred timing: descriptor 1 of block 0 becomes `timing`. A display descriptor that
 * was there moves to a free (dummy) slot, or is dropped when there is none. For EDID < 1.4 the
 * "preferred timing mode" feature bit (required there) is set. Throws RangeError when the timing
 * does not fit a DTD or `bytes` has no complete block 0.
 */
export function setPreferredTiming(bytes: Uint8Array, timing: DetailedTiming): Uint8Array {
  const edid = editable(bytes);
  const old = edid.descriptors[0]!;
  edid.descriptors[0] = { kind: 'timing', timing: { ...timing } };
  if (old.kind !== 'timing') {
    const free = freeDescriptorSlot(edid);
    if (free > 0) edid.descriptors[free] = old;
  }
  if (!isAtLeast14(edid.version)) edid.features |= 0x02;
  return finish(edid);
}

function setTextDescriptor(bytes: Uint8Array, tag: 0xfc | 0xff | 0xfe, text: string | null, what: string): Uint8Array {
  const edid = editable(bytes);
  const i = edid.descriptors.findIndex((d) => d.kind === 'text' && d.tag === tag);
  if (text === null) {
    if (i >= 0) edid.descriptors[i] = { kind: 'other', tag: 0x10, name: descriptorName(0x10), raw: DUMMY_DESCRIPTOR() };
    return finish(edid);
  }
  if (text.length > 13 || !/^[\x20-\x7e]*$/.test(text)) throw new RangeError(`${what} must be at most 13 printable ASCII characters, got ${JSON.stringify(text)}`);
  const slot = i >= 0 ? i : freeDescriptorSlot(edid);
  if (slot < 0) throw new RangeError(`no free descriptor slot for the ${what} (all 4 are in use)`);
  edid.descriptors[slot] = { kind: 'text', tag, text, raw: new Uint8Array(0) };
  return finish(edid);
}

/** Set (or with null remove) the monitor name descriptor (FCh): ≤ 13 printable ASCII characters. */
export function setMonitorName(bytes: Uint8Array, name: string | null): Uint8Array {
  return setTextDescriptor(bytes, 0xfc, name, 'monitor name');
}

/** Set (or with null remove) the serial number string descriptor (FFh): ≤ 13 printable ASCII characters. */
export function setSerialText(bytes: Uint8Array, serial: string | null): Uint8Array {
  return setTextDescriptor(bytes, 0xff, serial, 'serial string');
}

/** Set the 32-bit ID serial number (bytes 12..15, 0 = unused). */
export function setSerialNumber(bytes: Uint8Array, serial: number): Uint8Array {
  const edid = editable(bytes);
  edid.serialNumber = checkRange('serial number', serial, 0, 0xffffffff);
  return finish(edid);
}

/**
 * Set (or with null remove) the range limits descriptor (FDh). Rates above 255 use the EDID 1.4
 * +255 offsets (RangeError before 1.4); the clock is rounded up to 10 MHz. A new descriptor is
 * "Bare Limits" (01h) in EDID 1.4 and "GTF" (00h) before, unless `limits.support` says otherwise.
 */
export function setRangeLimits(bytes: Uint8Array, limits: RangeLimits | null): Uint8Array {
  const edid = editable(bytes);
  const i = edid.descriptors.findIndex((d) => d.kind === 'range');
  if (limits === null) {
    if (i >= 0) edid.descriptors[i] = { kind: 'other', tag: 0x10, name: descriptorName(0x10), raw: DUMMY_DESCRIPTOR() };
    return finish(edid);
  }
  const slot = i >= 0 ? i : freeDescriptorSlot(edid);
  if (slot < 0) throw new RangeError('no free descriptor slot for range limits (all 4 are in use)');
  const old = edid.descriptors[slot]!;
  edid.descriptors[slot] = { kind: 'range', tag: 0xfd, limits: { ...limits }, raw: old.kind === 'range' ? old.raw : new Uint8Array(0) };
  return finish(edid);
}

// ---------------------------------------------------------------------------------------------
// Hex text

/** Result of parseEdidText: the bytes, or the first problem with its 1-based line. */
export type ParseEdidTextResult = { bytes: Uint8Array; error: null } | { bytes: null; error: { line: number; message: string } };

const HEX_TOKEN = /^(?:0x)?[0-9a-f]+$/i;

/**
 * Parse EDID hex text: plain hex (any whitespace, commas, optional 0x prefixes, `#` comments; the
 * `.hex` files of testdata), or edid-decode output / a linux-hardware.org dump, whose hex dump at
 * the top (after "edid-decode (hex):" or "EDID (hex):") is read up to the "----------------" rule
 * or the next line with a colon. Any other non-hex line (a bad token, an odd digit count, stray
 * text) is an error with its 1-based line number.
 */
export function parseEdidText(text: string): ParseEdidTextResult {
  const out: number[] = [];
  const lines = text.split(/\r\n|\r|\n/);
  let started = false;
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.replace(/#.*$/, '').trim();
    const lineNo = n + 1;
    if (line === '') continue;
    const tokens = line.split(/[\s,]+/).filter((t) => t !== '');
    if (!HEX_TOKEN.test(tokens[0]!) || line.includes(':')) {
      // After the dump: edid-decode's "----------------" rule, a "Block 0, …:" line or another section.
      if (started && (/^-{3,}$/.test(line) || line.includes(':'))) break;
      if (!started && /:\s*$/.test(line)) continue; // a section header such as "edid-decode (hex):"
      return { bytes: null, error: { line: lineNo, message: `not EDID hex: "${excerpt(line)}"` } };
    }
    for (const tok of tokens) {
      if (!HEX_TOKEN.test(tok)) return { bytes: null, error: { line: lineNo, message: `bad hex "${excerpt(tok)}"` } };
      const prefixed = /^0x/i.test(tok);
      const digits = prefixed ? tok.slice(2) : tok;
      if (prefixed && digits.length <= 2) {
        out.push(parseInt(digits, 16));
        continue;
      }
      if (digits.length % 2 !== 0) return { bytes: null, error: { line: lineNo, message: `odd number of hex digits in "${excerpt(tok)}"` } };
      for (let i = 0; i < digits.length; i += 2) out.push(parseInt(digits.slice(i, i + 2), 16));
    }
    started = true;
  }
  if (!out.length) return { bytes: null, error: { line: Math.max(1, lines.length), message: 'no EDID hex data found' } };
  return { bytes: Uint8Array.from(out), error: null };
}

/** Lowercase hex, 16 bytes (32 digits) per line, each line ending in "\n" (the `.hex` format of testdata). */
export function edidToHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 16) s += `${Array.from(bytes.subarray(i, i + 16), hex2).join('')}\n`;
  return s;
}
