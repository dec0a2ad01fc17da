/**
 * Shapes of a decoded EDID (VESA E-EDID 1.3/1.4 base block + CTA-861 extension basics), shared by
 * the codec (src/shared/edid.ts), the mediator (virtual ports), the CLI and the EDID editor.
 * Problems are findings with a byte offset, never exceptions.
 *
 * Sources: VESA E-EDID Release A Rev. 2 (EDID 1.4) and EDID 1.3 (field layout, bit meanings);
 * CTA-861 (extension block 02h); edid-decode (the reference decoder our tests agree with).
 *
 * Encoding model (src/shared/edid.ts encodeEdid): every block keeps its `raw` bytes; the encoder
 * starts from them and writes the modelled fields over them, so bytes the object does not model
 * (reserved bits, unknown descriptors and extension blocks, a corrupt header) survive a
 * decode → encode round trip unchanged. Fields documented as "derived" are views for readers; the
 * encoder ignores them (write the field they are derived from instead).
 */

export interface EdidFinding {
  severity: 'error' | 'warning';
  /** Byte offset in the EDID (block n starts at 128 * n). */
  offset: number;
  message: string;
}

/** A detailed timing descriptor. Clock in kHz; sizes in pixels / lines; image size in mm. */
export interface DetailedTiming {
  /** Pixel clock in kHz; stored in 10 kHz units, so a multiple of 10 (10..655350). */
  pixelClockKHz: number;
  hActive: number;
  /** Horizontal blanking in pixels (includes any border, as EDIDs in the wild do). */
  hBlank: number;
  /** Horizontal front porch (sync offset from the end of the active area), pixels. */
  hSyncOffset: number;
  hSyncWidth: number;
  /** Active lines (per field when interlaced). */
  vActive: number;
  vBlank: number;
  vSyncOffset: number;
  vSyncWidth: number;
  hImageMm: number;
  vImageMm: number;
  hBorder: number;
  vBorder: number;
  /** Bit 7 of `flags`; the encoder writes bit 7 from this field. */
  interlaced: boolean;
  /** Raw sync/stereo flags byte (byte 17 of the descriptor). Bits 4:3 = 11b digital separate sync, bit 2 +vsync, bit 1 +hsync. */
  flags: number;
}

/** Byte 10 of a range limits descriptor (video timing support), named as edid-decode prints it. */
export type RangeLimitsSupport = 'GTF' | 'Bare Limits' | 'Secondary GTF' | 'CVT' | 'Unknown';

/**
 * Display range limits (descriptor tag FDh). Rates in Hz / kHz, clock in MHz (stored in 10 MHz
 * units). EDID 1.4 stores rates above 255 with the +255 offset flags of byte 4; the codec applies
 * and chooses them.
 */
export interface RangeLimits {
  minVRateHz: number;
  maxVRateHz: number;
  minHRateKHz: number;
  maxHRateKHz: number;
  /** 0 = not given. */
  maxPixelClockMHz: number;
  /** Video timing support (byte 10); always set by the decoder; on input, absent = keep / default. */
  support?: RangeLimitsSupport;
}

/** Standard timing aspect ratio (bits 7:6 of the second byte). 00b is 16:10 from EDID 1.3 on, 1:1 before. */
export type StandardTimingAspect = '16:10' | '4:3' | '5:4' | '16:9' | '1:1';

export interface StandardTiming {
  /** Pixels: (byte + 31) * 8. */
  width: number;
  /** Lines, derived from width and aspect (integer division, as edid-decode does). */
  height: number;
  /** 60..123 Hz. */
  refreshHz: number;
  /** Always set by the decoder; on input, absent = derived from width / height. */
  aspect?: StandardTimingAspect;
  /** Slot 0..7 (bytes 38 + 2 * slot); always set by the decoder; on input, absent = first free slot. */
  slot?: number;
}

/**
 * One of the four 18-byte descriptors of the base block (bytes 54, 72, 90, 108). `raw` is the
 * descriptor as read; for text and range descriptors the encoder keeps `raw` when the decoded value
 * is unchanged and writes the value canonically otherwise.
 */
export type EdidDescriptor =
  | { kind: 'timing'; timing: DetailedTiming }
  | {
      kind: 'text';
      /** FCh monitor name, FFh serial number, FEh unspecified text. */
      tag: 0xfc | 0xff | 0xfe;
      /** Up to 13 printable ASCII characters, up to the first LF (as edid-decode reads it). */
      text: string;
      raw: Uint8Array;
    }
  | { kind: 'range'; tag: 0xfd; limits: RangeLimits; raw: Uint8Array }
  | {
      kind: 'other';
      /** Byte 3 (e.g. 10h dummy, FBh white point, FAh standard timings, F7h established timings III, 00h..0Fh manufacturer). */
      tag: number;
      /** Human name of the tag. Derived. */
      name: string;
      raw: Uint8Array;
    };

/** Decoded input definition byte (20). Only `raw` is encoded; the rest is derived from it. */
export interface EdidInput {
  digital: boolean;
  raw: number;
  /** Analog input (bit 7 = 0). */
  analog?: {
    /** Video white / sync levels in V, e.g. "0.700 : 0.300 : 1.000 V p-p" as edid-decode prints them. */
    signalLevel: string;
    blankToBlackSetup: boolean;
    separateSync: boolean;
    compositeSyncOnH: boolean;
    syncOnGreen: boolean;
    serrationVSync: boolean;
  };
  /** Digital input, EDID 1.4: bits per primary colour (null = undefined or reserved). */
  bitsPerColor?: number | null;
  /** Digital input, EDID 1.4: interface standard. */
  interface?: 'undefined' | 'DVI' | 'HDMI-a' | 'HDMI-b' | 'MDDI' | 'DisplayPort' | 'reserved';
  /** Digital input, EDID 1.0–1.3: VESA DFP 1.x compatible (bit 0). */
  dfp1?: boolean;
}

/** Decoded feature support byte (24). Derived from `Edid.features`. */
export interface EdidFeatureInfo {
  standby: boolean;
  suspend: boolean;
  activeOff: boolean;
  /** Analog: "monochrome", "RGB color", "non-RGB color", "undefined"; digital 1.4: supported colour encodings. */
  displayType: string;
  sRgbDefault: boolean;
  /** EDID 1.3: the first DTD is the preferred timing (must be set); 1.4: it includes the native format. */
  preferredTimingMode: boolean;
  /** EDID 1.4: continuous frequency; 1.0–1.3: default GTF supported. */
  continuousFrequency: boolean;
}

export interface Edid {
  /** PNP id, 3 letters (e.g. "ACI"); 5-bit codes outside 1..26 show as '@', '[', '\\', ']', '^', '_'. */
  vendor: string;
  productCode: number;
  serialNumber: number;
  /** 0 = unspecified, 1..54, or 255 for a model year. */
  week: number;
  /** Year of manufacture (or model year when week is 255): 1990 + byte 17. */
  year: number;
  /** week === 255 (EDID 1.4 model year). Derived. */
  modelYear: boolean;
  version: { major: number; minor: number };
  input: EdidInput;
  /** cm; 0 = unknown / aspect ratio encoding. */
  screenSizeCm: { h: number; v: number };
  /** EDID 1.4 aspect ratio (width / height) when exactly one of the sizes is 0; else null. Derived. */
  screenAspectRatio: number | null;
  /** null when the byte is 0xFF (defined in an extension). */
  gamma: number | null;
  /** Raw feature support byte (24). */
  features: number;
  /** Derived from `features`. */
  featureInfo: EdidFeatureInfo;
  /** CIE 1931 x, y of the primaries and white point as 10-bit binary fractions (n / 1024). */
  chromaticity: { red: [number, number]; green: [number, number]; blue: [number, number]; white: [number, number] };
  /** Named established timings I & II (bytes 35–36 and bit 7 of 37), e.g. "640x480@60". */
  establishedTimings: string[];
  /** Manufacturer's reserved timings: bits 6..0 of byte 37. */
  manufacturerTimings: number;
  standardTimings: StandardTiming[];
  /** The four 18-byte descriptors in order. The views below are derived from them. */
  descriptors: EdidDescriptor[];
  /** DTDs of the base block in order; the first is the preferred timing. Derived. */
  detailedTimings: DetailedTiming[];
  /** Derived (first FCh descriptor). */
  monitorName: string | null;
  /** Derived (first FFh descriptor). */
  monitorSerial: string | null;
  /** Derived (first FDh descriptor). */
  rangeLimits: RangeLimits | null;
  /** Derived (FEh descriptors). */
  texts: string[];
  /** Byte 126 as stored (may disagree with `extensions.length`; the decoder reports that). */
  extensionCount: number;
  /** Block 0 checksum byte as stored. */
  checksum: number;
  /** When true the encoder recomputes the checksum; when false it keeps the stored (bad) byte. */
  checksumValid: boolean;
  /** Extension blocks actually present (blocks 1..n), whatever byte 126 says. */
  extensions: EdidExtension[];
  /** Block 0 as read (128 bytes): the base the encoder writes the fields over. */
  raw: Uint8Array;
  /** Bytes after the last complete block (a truncated block); normally empty. */
  trailingBytes: Uint8Array;
}

interface EdidExtensionCommon {
  /** Byte offset of the block (128 * n). */
  offset: number;
  /** The 128 bytes as read. */
  raw: Uint8Array;
  /** Byte 127 as stored. */
  checksum: number;
  /** When true the encoder recomputes the checksum; when false it keeps the stored byte. */
  checksumValid: boolean;
}

/** A CTA-861 data block in the data block collection (header byte: tag in bits 7:5, length in 4:0). */
export interface CtaDataBlock {
  tag: number;
  /** For tag 7 (extended), the extended tag (first payload byte). */
  extendedTag?: number;
  name: string;
  /** Offset of the header byte within the extension block. */
  offset: number;
  /** Payload length in bytes. */
  length: number;
}

export interface CtaExtension extends EdidExtensionCommon {
  tag: 0x02;
  kind: 'CTA-861';
  /** Byte 1. Encoded. */
  revision: number;
  /** DTDs from the DTD offset on. Encoded in place (only as many as fit before byte 127). */
  detailedTimings: DetailedTiming[];
  /** VICs of the video data blocks (native flag stripped for SVD bytes 129..192). Derived. */
  vics: number[];
  /** VICs flagged native. Derived. */
  nativeVics: number[];
  /** A vendor-specific data block with IEEE OUI 00-0C-03 (HDMI Licensing) is present. Derived. */
  hdmiVendorBlock: boolean;
  /** Byte 2: offset of the first DTD (0 = none, 4 = no data blocks). Derived. */
  dtdOffset: number;
  /** Byte 3 (revision 2+): underscan, basic audio, YCbCr 4:4:4, YCbCr 4:2:2, native DTD count. Derived. */
  flags: number;
  dataBlocks: CtaDataBlock[];
}

export interface OtherExtension extends EdidExtensionCommon {
  tag: number;
  /** By tag: 10h VTB, 40h DI, 50h LS, 60h DPVL, 70h DisplayID, F0h block map, FFh manufacturer. */
  kind: 'VTB' | 'DI' | 'LS' | 'DPVL' | 'DisplayID' | 'Block Map' | 'Manufacturer' | 'Unknown';
  /** Block map (F0h): the tags of the blocks it lists (bytes 1..126, 0 = unused). Derived. */
  blockMapTags?: number[];
  /** DisplayID (70h): section header and data block list. Derived. */
  displayId?: { version: number; productType: number; sectionLength: number; blocks: { tag: number; offset: number; length: number }[] };
}

export type EdidExtension = CtaExtension | OtherExtension;
