/**
 * Built-in monitor library: EDIDs a user can plug into a virtual port without bringing their own.
 * Browser-safe. Each entry is { id, label, bytes } with 128 bytes, no extension, valid checksum.
 *
 * - `asus-pa238`: the ASUS PA238 of the XenGT setup guide's indirect display example (seed 001
 *   §4.1.3, shared/examples/monitor.config), byte for byte.
 * - Generic monitors built by buildMonitorEdid from VESA DMT timings. Source of the timings: VESA
 *   Display Monitor Timing Standard v1.0 rev. 13 as tabulated in Linux drivers/gpu/drm/drm_edid.c
 *   (drm_dmt_modes: DMT ids 0x10, 0x23, 0x52, 0x44), cross-checked with `edid-decode --dmt <id>`.
 */
import { encodeEdid, parseEdidText } from './edid';
import type { DetailedTiming, Edid, EdidDescriptor, RangeLimits, StandardTiming } from './edid-types';

export interface LibraryMonitor {
  /** Stable id, e.g. "generic-1920x1080". */
  id: string;
  /** Human label for menus. */
  label: string;
  /** The EDID (128 bytes). */
  bytes: Uint8Array;
}

/** What buildMonitorEdid needs; everything not given gets a plain default. */
export interface MonitorEdidSpec {
  /** Monitor name descriptor, ≤ 13 printable ASCII characters. */
  name: string;
  /** The preferred (and native) timing. */
  timing: DetailedTiming;
  rangeLimits: RangeLimits;
  /** PNP vendor id; default "GVT" (GVT Desk's emulated monitors; not a UEFI-registered id). */
  vendor?: string;
  productCode?: number;
  serialNumber?: number;
  /** Serial number string descriptor (FFh); default none. */
  serialText?: string;
  /** Default week 1 of 2025. */
  week?: number;
  year?: number;
  /** Analog (VGA) input instead of 8-bit digital; VGA ports want an analog EDID. Default false. */
  analog?: boolean;
  /** Default: from the DTD's image size, rounded to cm. */
  screenSizeCm?: { h: number; v: number };
  establishedTimings?: string[];
  standardTimings?: StandardTiming[];
}

/** sRGB primaries and D65 white point (IEC 61966-2-1). */
const SRGB: Edid['chromaticity'] = { red: [0.64, 0.33], green: [0.3, 0.6], blue: [0.15, 0.06], white: [0.3127, 0.329] };

/**
 * Build a 128-byte EDID 1.4 for a monitor: digital 8 bpc (or analog), sRGB, DPMS, the timing as
 * descriptor 1 (preferred, native), then range limits ("Bare Limits"), the name and the serial
 * string (or a dummy descriptor). Throws RangeError when a value does not fit its field.
 */
export function buildMonitorEdid(spec: MonitorEdidSpec): Uint8Array {
  const t = spec.timing;
  const descriptors: EdidDescriptor[] = [
    { kind: 'timing', timing: t },
    { kind: 'range', tag: 0xfd, limits: { support: 'Bare Limits', ...spec.rangeLimits }, raw: new Uint8Array(0) },
    { kind: 'text', tag: 0xfc, text: spec.name, raw: new Uint8Array(0) },
    spec.serialText !== undefined
      ? { kind: 'text', tag: 0xff, text: spec.serialText, raw: new Uint8Array(0) }
      : { kind: 'other', tag: 0x10, name: 'Dummy Descriptor', raw: Uint8Array.from({ length: 18 }, (_, i) => (i === 3 ? 0x10 : 0)) },
  ];
  const analog = spec.analog ?? false;
  // Input: analog 0.700/0.300 V, separate sync; digital: 8 bits per colour, interface undefined.
  const inputRaw = analog ? 0x08 : 0xa0;
  // Features: standby, suspend, active-off; RGB colour (analog) / RGB 4:4:4 (digital); sRGB default; preferred timing is native.
  const features = 0xe0 | (analog ? 0x08 : 0x00) | 0x04 | 0x02;
  const edid: Edid = {
    vendor: spec.vendor ?? 'GVT',
    productCode: spec.productCode ?? 0,
    serialNumber: spec.serialNumber ?? 0,
    week: spec.week ?? 1,
    year: spec.year ?? 2025,
    modelYear: false,
    version: { major: 1, minor: 4 },
    input: { digital: !analog, raw: inputRaw },
    screenSizeCm: spec.screenSizeCm ?? { h: Math.round(t.hImageMm / 10), v: Math.round(t.vImageMm / 10) },
    screenAspectRatio: null,
    gamma: 2.2,
    features,
    featureInfo: { standby: true, suspend: true, activeOff: true, displayType: '', sRgbDefault: true, preferredTimingMode: true, continuousFrequency: false },
    chromaticity: SRGB,
    establishedTimings: spec.establishedTimings ?? ['640x480@60', '800x600@60', '1024x768@60'],
    manufacturerTimings: 0,
    standardTimings: spec.standardTimings ?? [],
    descriptors,
    detailedTimings: [t],
    monitorName: spec.name,
    monitorSerial: spec.serialText ?? null,
    rangeLimits: spec.rangeLimits,
    texts: [],
    extensionCount: 0,
    checksum: 0,
    checksumValid: true,
    extensions: [],
    raw: new Uint8Array(0),
    trailingBytes: new Uint8Array(0),
  };
  return encodeEdid(edid);
}

/** Digital separate sync (flags bits 4:3 = 11b) with the given polarities (bit 2 vsync, bit 1 hsync). */
const syncFlags = (hPositive: boolean, vPositive: boolean): number => 0x18 | (vPositive ? 0x04 : 0) | (hPositive ? 0x02 : 0);

/**
 * A DTD from modeline numbers: clock in kHz, then active / sync start / sync end / total per axis
 * (the layout of drm_edid.c's DRM_MODE entries).
 */
function dmt(clockKHz: number, h: [number, number, number, number], v: [number, number, number, number], flags: number, mm: [number, number]): DetailedTiming {
  return {
    pixelClockKHz: clockKHz,
    hActive: h[0],
    hSyncOffset: h[1] - h[0],
    hSyncWidth: h[2] - h[1],
    hBlank: h[3] - h[0],
    vActive: v[0],
    vSyncOffset: v[1] - v[0],
    vSyncWidth: v[2] - v[1],
    vBlank: v[3] - v[0],
    hImageMm: mm[0],
    vImageMm: mm[1],
    hBorder: 0,
    vBorder: 0,
    interlaced: false,
    flags,
  };
}

/** DMT 0x10, 1024x768@60 Hz: 65.000 MHz, 1024 1048 1184 1344 / 768 771 777 806, -hsync -vsync. */
export const DMT_1024x768_60 = dmt(65000, [1024, 1048, 1184, 1344], [768, 771, 777, 806], syncFlags(false, false), [304, 228]);
/** DMT 0x23, 1280x1024@60 Hz: 108.000 MHz, 1280 1328 1440 1688 / 1024 1025 1028 1066, +hsync +vsync. */
export const DMT_1280x1024_60 = dmt(108000, [1280, 1328, 1440, 1688], [1024, 1025, 1028, 1066], syncFlags(true, true), [338, 270]);
/**
 * DMT 0x52, 1920x1080@60 Hz (= CTA-861 VIC 16): 148.500 MHz, 1920 2008 2052 2200 / 1080 1084 1089
 * 1125, +hsync +vsync as in the DMT standard and CTA-861 (drm_edid.c's DMT table lists -/-; its
 * CTA table, and edid-decode's DMT table, +/+).
 */
export const DMT_1920x1080_60 = dmt(148500, [1920, 2008, 2052, 2200], [1080, 1084, 1089, 1125], syncFlags(true, true), [527, 296]);
/** DMT 0x44, 1920x1200@60 Hz CVT reduced blanking: 154.000 MHz, 1920 1968 2000 2080 / 1200 1203 1209 1235, +hsync -vsync. */
export const DMT_1920x1200_60_RB = dmt(154000, [1920, 1968, 2000, 2080], [1200, 1203, 1209, 1235], syncFlags(true, false), [518, 324]);

/** The seed's monitor.config EDID: ASUS PA238 (ACI 0x23b1), 1920x1080@60, EDID 1.3. */
const ASUS_PA238_HEX = `
00ffffffffffff000469b1232df80000
0f16010381331d782a5ea5a2554da026
115054bfef00d1c095008140818081c0
950fb300714f023a801871382d40582c
4500fd1e1100001e000000ff0043344c
4d54463036333533330a000000fd0032
4b185311000a202020202020000000fc
00415355532050413233380a202000e0
`;

function fromHex(text: string): Uint8Array {
  const r = parseEdidText(text);
  if (!r.bytes) throw new Error(`built-in EDID: ${r.error.message} (line ${r.error.line})`);
  return r.bytes;
}

/** The built-in monitors, in menu order. */
export const MONITOR_LIBRARY: readonly LibraryMonitor[] = [
  { id: 'asus-pa238', label: 'ASUS PA238 (1920x1080@60, from the XenGT guide)', bytes: fromHex(ASUS_PA238_HEX) },
  {
    id: 'generic-1024x768',
    label: 'Generic 1024x768@60 (DMT)',
    bytes: buildMonitorEdid({ name: 'GVT 1024x768', productCode: 0x0001, timing: DMT_1024x768_60, rangeLimits: { minVRateHz: 50, maxVRateHz: 75, minHRateKHz: 30, maxHRateKHz: 62, maxPixelClockMHz: 80 } }),
  },
  {
    id: 'generic-1280x1024',
    label: 'Generic 1280x1024@60 (DMT)',
    bytes: buildMonitorEdid({
      name: 'GVT 1280x1024',
      productCode: 0x0002,
      timing: DMT_1280x1024_60,
      rangeLimits: { minVRateHz: 50, maxVRateHz: 75, minHRateKHz: 30, maxHRateKHz: 82, maxPixelClockMHz: 140 },
      standardTimings: [{ width: 1280, height: 1024, refreshHz: 60, aspect: '5:4' }],
    }),
  },
  {
    id: 'generic-1920x1080',
    label: 'Generic 1920x1080@60 (DMT)',
    bytes: buildMonitorEdid({
      name: 'GVT 1920x1080',
      productCode: 0x0003,
      timing: DMT_1920x1080_60,
      rangeLimits: { minVRateHz: 50, maxVRateHz: 75, minHRateKHz: 30, maxHRateKHz: 83, maxPixelClockMHz: 170 },
      standardTimings: [
        { width: 1280, height: 1024, refreshHz: 60, aspect: '5:4' },
        { width: 1280, height: 720, refreshHz: 60, aspect: '16:9' },
        { width: 1920, height: 1080, refreshHz: 60, aspect: '16:9' },
      ],
    }),
  },
  {
    id: 'generic-1920x1200',
    label: 'Generic 1920x1200@60 (DMT, reduced blanking)',
    bytes: buildMonitorEdid({
      name: 'GVT 1920x1200',
      productCode: 0x0004,
      timing: DMT_1920x1200_60_RB,
      rangeLimits: { minVRateHz: 50, maxVRateHz: 75, minHRateKHz: 30, maxHRateKHz: 94, maxPixelClockMHz: 170 },
      standardTimings: [
        { width: 1280, height: 1024, refreshHz: 60, aspect: '5:4' },
        { width: 1680, height: 1050, refreshHz: 60, aspect: '16:10' },
        { width: 1920, height: 1080, refreshHz: 60, aspect: '16:9' },
      ],
    }),
  },
];

/** A library monitor by id, or undefined. */
export function libraryMonitor(id: string): LibraryMonitor | undefined {
  return MONITOR_LIBRARY.find((m) => m.id === id);
}
