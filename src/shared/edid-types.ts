/**
 * Shapes of a decoded EDID (VESA E-EDID 1.3/1.4 base block + CTA-861 extension basics), shared by
 * the codec (src/shared/edid.ts), the mediator (virtual ports), the CLI and the EDID editor.
 * Problems are findings with a byte offset, never exceptions.
 */

export interface EdidFinding {
  severity: 'error' | 'warning';
  /** Byte offset in the EDID (block n starts at 128 * n). */
  offset: number;
  message: string;
}

/** A detailed timing descriptor. Clock in kHz; sizes in pixels / lines; image size in mm. */
export interface DetailedTiming {
  pixelClockKHz: number;
  hActive: number;
  hBlank: number;
  hSyncOffset: number;
  hSyncWidth: number;
  vActive: number;
  vBlank: number;
  vSyncOffset: number;
  vSyncWidth: number;
  hImageMm: number;
  vImageMm: number;
  hBorder: number;
  vBorder: number;
  interlaced: boolean;
  /** Raw sync/stereo flags byte (byte 17 of the descriptor). */
  flags: number;
}

export interface RangeLimits {
  minVRateHz: number;
  maxVRateHz: number;
  minHRateKHz: number;
  maxHRateKHz: number;
  maxPixelClockMHz: number;
}

export interface StandardTiming {
  width: number;
  height: number;
  refreshHz: number;
}

export interface Edid {
  /** PNP id, 3 letters (e.g. "ACI"). */
  vendor: string;
  productCode: number;
  serialNumber: number;
  /** 0 = unspecified, 1..54, or 255 for a model year. */
  week: number;
  year: number;
  version: { major: number; minor: number };
  input: { digital: boolean; raw: number };
  /** cm; 0 = unknown / aspect ratio encoding. */
  screenSizeCm: { h: number; v: number };
  /** null when the byte is 0xFF (defined in an extension). */
  gamma: number | null;
  features: number;
  chromaticity: { red: [number, number]; green: [number, number]; blue: [number, number]; white: [number, number] };
  establishedTimings: string[];
  standardTimings: StandardTiming[];
  detailedTimings: DetailedTiming[];
  monitorName: string | null;
  monitorSerial: string | null;
  rangeLimits: RangeLimits | null;
  texts: string[];
  extensionCount: number;
  checksumValid: boolean;
  /** Extension blocks: CTA-861 basics, others recognised by tag. */
  extensions: EdidExtension[];
}

export type EdidExtension =
  | { tag: 0x02; kind: 'CTA-861'; revision: number; detailedTimings: DetailedTiming[]; vics: number[]; hdmiVendorBlock: boolean }
  | { tag: number; kind: string };
