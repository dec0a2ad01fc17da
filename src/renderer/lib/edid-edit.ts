/**
 * Editing helpers for the EDID editor, on top of the shared codec (src/shared/edid.ts): a simple
 * timing for a new preferred mode, whole-EDID field edits with checksums recomputed, checksum
 * status per block, reading an imported file, and where a byte offset sits in the hex view.
 * Browser-safe and DOM-free so they are unit-tested directly.
 */
import { blockChecksum, decodeEdid, EDID_BLOCK_SIZE, encodeEdid, fixChecksums, parseEdidText, type DetailedTiming, type Edid } from '../../shared/edid';

/**
 * Timing rule for a preferred mode typed in as width x height @ refresh. Modelled on VESA CVT
 * reduced blanking (CVT 1.2 "RB" v1), simplified:
 *   horizontal: blanking 160 px = front porch 48 + sync 32 + back porch 80;
 *   vertical:   front porch 3, sync 5, back porch ≥ 6 lines, and the whole vertical blanking at
 *               least 460 µs (CVT-RB's minimum), i.e. vBlank = max(14, ceil(460 µs / line time))
 *               with line time = (1 s / refresh − 460 µs) / height;
 *   clock:      htotal × vtotal × refresh, rounded to 10 kHz (EDID stores 10 kHz units), so the
 *               decoded refresh can differ from the typed one in the second decimal.
 * Image size (mm), borders and the sync flags (sync type, polarities) are kept from `base` when
 * given (interlace is cleared); without a base the flags are CVT-RB's digital separate sync,
 * +hsync −vsync (0x1a), and the image size is 0 (unknown).
 */
export const SIMPLE_TIMING = { hBlank: 160, hSyncOffset: 48, hSyncWidth: 32, vSyncOffset: 3, vSyncWidth: 5, vBackPorchMin: 6, vBlankMinUs: 460 } as const;

export function simpleTiming(width: number, height: number, refreshHz: number, base?: DetailedTiming | null): DetailedTiming {
  const int = (name: string, v: number, min: number, max: number): number => {
    if (!Number.isInteger(v) || v < min || v > max) throw new RangeError(`${name} must be an integer ${min}..${max}, got ${v}`);
    return v;
  };
  int('width', width, 64, 4095);
  int('height', height, 64, 4095);
  if (!Number.isFinite(refreshHz) || refreshHz < 1 || refreshHz > 240) throw new RangeError(`refresh must be 1..240 Hz, got ${refreshHz}`);
  const T = SIMPLE_TIMING;
  const lineUs = (1e6 / refreshHz - T.vBlankMinUs) / height;
  const vBlank = Math.max(T.vSyncOffset + T.vSyncWidth + T.vBackPorchMin, Math.ceil(T.vBlankMinUs / lineUs));
  const htotal = width + T.hBlank;
  const vtotal = height + vBlank;
  const pixelClockKHz = Math.round((htotal * vtotal * refreshHz) / 10_000) * 10;
  if (pixelClockKHz > 655_350) throw new RangeError(`${width}x${height}@${refreshHz} needs a ${pixelClockKHz / 1000} MHz pixel clock; an EDID timing holds at most 655.35 MHz`);
  return {
    pixelClockKHz,
    hActive: width,
    hBlank: T.hBlank,
    hSyncOffset: T.hSyncOffset,
    hSyncWidth: T.hSyncWidth,
    vActive: height,
    vBlank,
    vSyncOffset: T.vSyncOffset,
    vSyncWidth: T.vSyncWidth,
    hImageMm: base?.hImageMm ?? 0,
    vImageMm: base?.vImageMm ?? 0,
    hBorder: base?.hBorder ?? 0,
    vBorder: base?.vBorder ?? 0,
    interlaced: false,
    flags: base ? base.flags & 0x7f : 0x1a,
  };
}

/**
 * Edit fields the codec has no setter for (vendor, product code, week/year, screen size): decode,
 * change, encode; every checksum recomputed. Throws RangeError for a value that does not fit.
 */
export function editEdid(bytes: Uint8Array, mutate: (edid: Edid) => void): Uint8Array {
  const { edid } = decodeEdid(bytes);
  if (!edid) throw new RangeError(`not an EDID: ${bytes.length} bytes, block 0 needs 128`);
  mutate(edid);
  edid.checksumValid = true;
  for (const ext of edid.extensions) ext.checksumValid = true;
  return fixChecksums(encodeEdid(edid));
}

/** PNP vendor id: three letters A..Z (the encoder would write other 5-bit codes as '@', '[' …). */
export function checkVendor(vendor: string): string {
  const v = vendor.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(v)) throw new RangeError(`vendor must be 3 letters A..Z (a PNP id), got ${JSON.stringify(vendor)}`);
  return v;
}

export interface BlockChecksum {
  block: number;
  /** Byte offset of the checksum byte (128 n + 127). */
  offset: number;
  stored: number;
  expected: number;
  ok: boolean;
}

/** The checksum of every complete 128-byte block. */
export function checksumStatus(bytes: Uint8Array): BlockChecksum[] {
  const out: BlockChecksum[] = [];
  for (let o = 0; o + EDID_BLOCK_SIZE <= bytes.length; o += EDID_BLOCK_SIZE) {
    const expected = blockChecksum(bytes, o);
    out.push({ block: o / EDID_BLOCK_SIZE, offset: o + 127, stored: bytes[o + 127]!, expected, ok: expected === bytes[o + 127] });
  }
  return out;
}

/** Where byte `offset` is in the hex view (16 bytes per line): "byte 127 (0x7f, line 8)". */
export function describeOffset(offset: number): string {
  return `byte ${offset} (0x${offset.toString(16).padStart(2, '0')}, line ${Math.floor(offset / 16) + 1})`;
}

/** 0x-prefixed two-digit hex of a byte. */
export const hex2 = (n: number): string => `0x${n.toString(16).padStart(2, '0')}`;

/**
 * An imported EDID file: `.bin` (raw bytes), `.hex` / `.txt` (hex text) or edid-decode output.
 * Anything that is not text (a byte outside tab, LF, CR and printable ASCII) is read as raw bytes.
 */
export function readEdidFile(fileName: string, data: Uint8Array): { bytes: Uint8Array; error: null } | { bytes: null; error: string } {
  const binary = /\.bin$/i.test(fileName) || data.some((c) => c !== 9 && c !== 10 && c !== 13 && (c < 0x20 || c > 0x7e));
  if (binary) {
    if (data.length < EDID_BLOCK_SIZE) return { bytes: null, error: `${fileName}: ${data.length} bytes; an EDID has at least 128` };
    return { bytes: data.slice(), error: null };
  }
  const parsed = parseEdidText(new TextDecoder().decode(data));
  if (!parsed.bytes) return { bytes: null, error: `${fileName}: line ${parsed.error.line}: ${parsed.error.message}` };
  return { bytes: parsed.bytes, error: null };
}
