/**
 * GVT Desk 8x16 bitmap console font and text rasteriser.
 *
 * The glyphs below are original to this project: they were drawn by hand for GVT Desk in a
 * VGA-console style (2-pixel vertical stems, 1-pixel horizontals) and are not derived from any
 * existing font file. They are covered by the project's own licence.
 *
 * Cell geometry (pixels, row 0 at the top): capitals and ascenders occupy rows 2..11, the
 * x-height is rows 5..11, row 11 is the baseline row, descenders use rows 12..14, and column 7 is
 * left blank as inter-character spacing (only '_' reaches it, so underscores join up).
 *
 * Colours are 32-bit numbers in 0xAARRGGBB order. Written into a little-endian Uint32Array that is
 * exactly the XRGB8888 / ARGB8888 memory layout (bytes B, G, R, A/X).
 *
 * The module is pure (no DOM, no Node built-ins) so it can be used by the main process, guest
 * drivers and the renderer alike.
 */

/** Width of one character cell in pixels (at scale 1). */
export const FONT_WIDTH = 8;
/** Height of one character cell in pixels (at scale 1). */
export const FONT_HEIGHT = 16;

/** First and last code point with a real glyph: printable ASCII 0x20..0x7E. */
const FIRST_CODE = 0x20;
const LAST_CODE = 0x7e;

/**
 * Glyph data, one string per code point from 0x20 to 0x7E: 32 hex digits = 16 row bytes, top row
 * first, most significant bit = leftmost pixel. Original artwork for GVT Desk (see header).
 */
const GLYPH_HEX: readonly string[] = [
  '00000000000000000000000000000000', // 0x20 ' '
  '00001818181818181800181800000000', // 0x21 '!'
  '00006666662400000000000000000000', // 0x22 '"'
  '0000006c6cfe6c6cfe6c6c0000000000', // 0x23 '#'
  '0000107cd6d0d07c1616d67c10000000', // 0x24 '$'
  '000000c2c60c183060c6860000000000', // 0x25 '%'
  '0000306c6c3872deccccde7200000000', // 0x26 '&'
  '00001818300000000000000000000000', // 0x27 '\''
  '00000c1830303030303030180c000000', // 0x28 '('
  '000030180c0c0c0c0c0c0c1830000000', // 0x29 ')'
  '0000000000663c7e3c66000000000000', // 0x2a '*'
  '000000000018187e1818000000000000', // 0x2b '+'
  '00000000000000000000181830000000', // 0x2c ','
  '000000000000007e0000000000000000', // 0x2d '-'
  '00000000000000000000181800000000', // 0x2e '.'
  '000006060c0c18183030606000000000', // 0x2f '/'
  '0000386cc6c6d6d6c6c66c3800000000', // 0x30 '0'
  '00001838781818181818187e00000000', // 0x31 '1'
  '00007cc606060c183060c0fe00000000', // 0x32 '2'
  '00007cc606063c060606c67c00000000', // 0x33 '3'
  '00000c1c3c6cccfe0c0c0c0c00000000', // 0x34 '4'
  '0000fec0c0c0fc060606c67c00000000', // 0x35 '5'
  '00003c60c0c0fcc6c6c6c67c00000000', // 0x36 '6'
  '0000fe06060c18183030303000000000', // 0x37 '7'
  '00007cc6c66c386cc6c6c67c00000000', // 0x38 '8'
  '00007cc6c6c6c67e06060c7800000000', // 0x39 '9'
  '00000000181800000000181800000000', // 0x3a ':'
  '00000000181800000000181830000000', // 0x3b ';'
  '000000060c18306030180c0600000000', // 0x3c '<'
  '0000000000007e007e00000000000000', // 0x3d '='
  '0000006030180c060c18306000000000', // 0x3e '>'
  '00007cc6060c18181800181800000000', // 0x3f '?'
  '00007cc6c6ded6d6dec0c07e00000000', // 0x40 '@'
  '0000386cc6c6c6fec6c6c6c600000000', // 0x41 'A'
  '0000fcc6c6c6fcc6c6c6c6fc00000000', // 0x42 'B'
  '00007cc6c0c0c0c0c0c0c67c00000000', // 0x43 'C'
  '0000f8ccc6c6c6c6c6c6ccf800000000', // 0x44 'D'
  '0000fec0c0c0fcc0c0c0c0fe00000000', // 0x45 'E'
  '0000fec0c0c0fcc0c0c0c0c000000000', // 0x46 'F'
  '00007cc6c0c0c0dec6c6c67c00000000', // 0x47 'G'
  '0000c6c6c6c6fec6c6c6c6c600000000', // 0x48 'H'
  '00003c18181818181818183c00000000', // 0x49 'I'
  '00001e0c0c0c0c0ccccccc7800000000', // 0x4a 'J'
  '0000c6c6ccd8f0f0d8ccc6c600000000', // 0x4b 'K'
  '0000c0c0c0c0c0c0c0c0c0fe00000000', // 0x4c 'L'
  '0000c6eefed6d6c6c6c6c6c600000000', // 0x4d 'M'
  '0000c6e6e6f6dececec6c6c600000000', // 0x4e 'N'
  '00007cc6c6c6c6c6c6c6c67c00000000', // 0x4f 'O'
  '0000fcc6c6c6fcc0c0c0c0c000000000', // 0x50 'P'
  '00007cc6c6c6c6c6c6d6de7c0c060000', // 0x51 'Q'
  '0000fcc6c6c6fcd8ccccc6c600000000', // 0x52 'R'
  '00007cc6c0c07c060606c67c00000000', // 0x53 'S'
  '00007e18181818181818181800000000', // 0x54 'T'
  '0000c6c6c6c6c6c6c6c6c67c00000000', // 0x55 'U'
  '0000c6c6c6c6c66c6c38381000000000', // 0x56 'V'
  '0000c6c6c6c6d6d6d6feeec600000000', // 0x57 'W'
  '0000c6c66c6c38386c6cc6c600000000', // 0x58 'X'
  '0000666666663c181818181800000000', // 0x59 'Y'
  '0000fe06060c183060c0c0fe00000000', // 0x5a 'Z'
  '00003c3030303030303030303c000000', // 0x5b '['
  '00006060303018180c0c060600000000', // 0x5c '\\'
  '00003c0c0c0c0c0c0c0c0c0c3c000000', // 0x5d ']'
  '000010386cc600000000000000000000', // 0x5e '^'
  '00000000000000000000000000ff0000', // 0x5f '_'
  '00006030180000000000000000000000', // 0x60 '`'
  '00000000007c06067ec6c67e00000000', // 0x61 'a'
  '0000c0c0c0fcc6c6c6c6c6fc00000000', // 0x62 'b'
  '00000000007cc6c0c0c0c67c00000000', // 0x63 'c'
  '00000606067ec6c6c6c6c67e00000000', // 0x64 'd'
  '00000000007cc6c6fec0c67c00000000', // 0x65 'e'
  '00001c3630fc30303030303000000000', // 0x66 'f'
  '00000000007ec6c6c6c6c67e06067c00', // 0x67 'g'
  '0000c0c0c0fcc6c6c6c6c6c600000000', // 0x68 'h'
  '00001818003818181818183c00000000', // 0x69 'i'
  '00000606000e06060606060606c67c00', // 0x6a 'j'
  '0000c0c0c0c6ccd8f0d8ccc600000000', // 0x6b 'k'
  '00003818181818181818180e00000000', // 0x6c 'l'
  '0000000000ecd6d6d6d6d6d600000000', // 0x6d 'm'
  '0000000000fcc6c6c6c6c6c600000000', // 0x6e 'n'
  '00000000007cc6c6c6c6c67c00000000', // 0x6f 'o'
  '0000000000fcc6c6c6c6c6fcc0c0c000', // 0x70 'p'
  '00000000007ec6c6c6c6c67e06060600', // 0x71 'q'
  '0000000000dce6c0c0c0c0c000000000', // 0x72 'r'
  '00000000007cc6c07c06c67c00000000', // 0x73 's'
  '0000003030fc30303030361c00000000', // 0x74 't'
  '0000000000c6c6c6c6c6c67e00000000', // 0x75 'u'
  '0000000000c6c6c66c6c381000000000', // 0x76 'v'
  '0000000000c6c6d6d6d6fe6c00000000', // 0x77 'w'
  '0000000000c6c66c386cc6c600000000', // 0x78 'x'
  '0000000000c6c6c6c6c6c67e060cf800', // 0x79 'y'
  '0000000000fe0c183060c0fe00000000', // 0x7a 'z'
  '00000e1818181860181818180e000000', // 0x7b '{'
  '00001818181818181818181818180000', // 0x7c '|'
  '00007018181818061818181870000000', // 0x7d '}'
  '00000076dc0000000000000000000000', // 0x7e '~'
];

/** Shown for any code point outside 0x20..0x7E: a box with a question mark inside. */
const REPLACEMENT_HEX = '00fe8282baaa8a929282928282fe0000';

/** Index of the replacement glyph inside TABLE (it is stored right after 0x7E). */
const REPLACEMENT_INDEX = LAST_CODE - FIRST_CODE + 1;

/** All glyphs decoded once: (95 printable + 1 replacement) x 16 row bytes. */
const TABLE: Uint8Array = decodeTable();

function decodeTable(): Uint8Array {
  const all = [...GLYPH_HEX, REPLACEMENT_HEX];
  if (GLYPH_HEX.length !== LAST_CODE - FIRST_CODE + 1) throw new Error('font: glyph table has the wrong length');
  const table = new Uint8Array(all.length * FONT_HEIGHT);
  all.forEach((hex, g) => {
    if (!/^[0-9a-f]{32}$/.test(hex)) throw new Error(`font: malformed glyph ${g}`);
    for (let row = 0; row < FONT_HEIGHT; row++) {
      table[g * FONT_HEIGHT + row] = parseInt(hex.slice(row * 2, row * 2 + 2), 16);
    }
  });
  return table;
}

/** Offset into TABLE of the 16 row bytes used to draw `code` (replacement box if unknown). */
function glyphOffset(code: number): number {
  const known = Number.isInteger(code) && code >= FIRST_CODE && code <= LAST_CODE;
  return (known ? code - FIRST_CODE : REPLACEMENT_INDEX) * FONT_HEIGHT;
}

/**
 * The bitmap for one character code.
 *
 * @param code Unicode code point / ASCII code. Printable ASCII 0x20..0x7E has its own glyph;
 *   anything else (controls, DEL, non-ASCII, non-integers) yields a visible replacement box.
 * @returns A fresh 16-byte array, one byte per pixel row (top first); bit 7 (0x80) is the leftmost
 *   of the 8 pixels. Space is all zeros.
 */
export function glyph(code: number): Uint8Array {
  const off = glyphOffset(code);
  return TABLE.slice(off, off + FONT_HEIGHT);
}

/**
 * Pixel-level drawing sink. Coordinates are integer pixels with (0,0) at the top-left; `put` is
 * only ever called with 0 <= x < width and 0 <= y < height. `argb` is 0xAARRGGBB (unsigned).
 */
export interface TextTarget {
  width: number;
  height: number;
  put(x: number, y: number, argb: number): void;
}

function checkScale(scale: number): void {
  if (!Number.isInteger(scale) || scale < 1) throw new RangeError(`font: scale must be an integer >= 1, got ${scale}`);
}

/** Number of character cells `text` occupies: one per code point (a surrogate pair is one cell). */
function cellCount(text: string): number {
  let n = 0;
  for (const _ch of text) n++;
  return n;
}

/**
 * Width in pixels of `text` drawn at `scale`: FONT_WIDTH * scale per code point. No control
 * characters are interpreted ('\n' is drawn as a replacement box like any other unknown code).
 */
export function textWidth(text: string, scale = 1): number {
  checkScale(scale);
  return cellCount(text) * FONT_WIDTH * scale;
}

/**
 * Visit every visible pixel of `text` whose top-left cell corner is (x, y), clipped to
 * [0, width) x [0, height). Calls `emit(px, py, set)` once per pixel in the clipped area
 * (set = glyph bit is on). Skips pixels with set=false entirely when `withBg` is false.
 * Returns the x after the last glyph.
 */
function rasterise(
  width: number,
  height: number,
  x: number,
  y: number,
  text: string,
  scale: number,
  withBg: boolean,
  emit: (px: number, py: number, set: boolean) => void,
): number {
  checkScale(scale);
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const cellW = FONT_WIDTH * scale;
  const cellH = FONT_HEIGHT * scale;
  const rowStart = Math.max(0, y0);
  const rowEnd = Math.min(height, y0 + cellH); // exclusive
  let cx = x0;
  for (const ch of text) {
    const left = cx;
    cx += cellW;
    if (rowStart >= rowEnd || cx <= 0 || left >= width) continue;
    const off = glyphOffset(ch.codePointAt(0) ?? -1);
    const colStart = Math.max(0, left);
    const colEnd = Math.min(width, cx);
    for (let py = rowStart; py < rowEnd; py++) {
      const bits = TABLE[off + Math.floor((py - y0) / scale)];
      if (bits === 0 && !withBg) continue;
      for (let px = colStart; px < colEnd; px++) {
        const set = (bits & (0x80 >> Math.floor((px - left) / scale))) !== 0;
        if (set || withBg) emit(px, py, set);
      }
    }
  }
  return cx;
}

/**
 * Draw `text` with the top-left corner of its first cell at pixel (x, y) of `target`.
 *
 * @param target Pixel sink; `put` is never called outside 0..width-1 / 0..height-1.
 * @param x Left edge in pixels (may be negative or beyond the target; non-integers are floored).
 * @param y Top edge in pixels (same rules as x).
 * @param text Drawn one cell per code point; codes outside 0x20..0x7E show the replacement box.
 * @param fg Foreground colour, 0xAARRGGBB.
 * @param bg Background colour, 0xAARRGGBB, painted on the unset pixels of each cell;
 *   undefined = transparent (unset pixels are not touched).
 * @param scale Integer magnification >= 1: each glyph pixel becomes a scale x scale block.
 * @returns The x (pixels) just after the last glyph, i.e. floor(x) + textWidth(text, scale),
 *   regardless of clipping, so calls can be chained.
 * @throws RangeError if scale is not an integer >= 1.
 */
export function drawText(
  target: TextTarget,
  x: number,
  y: number,
  text: string,
  fg: number,
  bg?: number,
  scale = 1,
): number {
  const fgc = fg >>> 0;
  const bgc = bg === undefined ? 0 : bg >>> 0;
  const w = Math.floor(target.width);
  const h = Math.floor(target.height);
  return rasterise(w, h, x, y, text, scale, bg !== undefined, (px, py, set) => target.put(px, py, set ? fgc : bgc));
}

/**
 * Fast path of drawText writing straight into a 32-bit-per-pixel framebuffer.
 *
 * @param words Framebuffer, one element per pixel (0xAARRGGBB / XRGB8888 little-endian);
 *   pixel (px, py) is words[py * pitchPixels + px].
 * @param pitchPixels Distance between rows in pixels (elements), >= width.
 * @param width Visible width in pixels; columns width..pitchPixels-1 are never written.
 * @param height Visible height in pixels; needs (height-1) * pitchPixels + width <= words.length.
 * @param x Left edge of the first cell in pixels (may be negative; non-integers are floored).
 * @param y Top edge in pixels.
 * @param text, fg, bg, scale As for drawText (bg undefined = transparent).
 * @returns The x after the last glyph, exactly as drawText.
 * @throws RangeError on a bad scale, a pitch smaller than width, or a buffer too small for the
 *   given geometry.
 */
export function drawTextRows(
  words: Uint32Array,
  pitchPixels: number,
  width: number,
  height: number,
  x: number,
  y: number,
  text: string,
  fg: number,
  bg?: number,
  scale = 1,
): number {
  checkScale(scale);
  const w = Math.max(0, Math.floor(width));
  const h = Math.max(0, Math.floor(height));
  if (!Number.isInteger(pitchPixels) || pitchPixels < w) {
    throw new RangeError(`font: pitch ${pitchPixels} is smaller than width ${w}`);
  }
  if (w > 0 && h > 0 && (h - 1) * pitchPixels + w > words.length) {
    throw new RangeError(`font: ${w}x${h} at pitch ${pitchPixels} does not fit in ${words.length} words`);
  }
  const fgc = fg >>> 0;
  const transparent = bg === undefined;
  const bgc = transparent ? 0 : bg >>> 0;
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const cellW = FONT_WIDTH * scale;
  const cellH = FONT_HEIGHT * scale;
  const rowStart = Math.max(0, y0);
  const rowEnd = Math.min(h, y0 + cellH);
  let cx = x0;
  for (const ch of text) {
    const left = cx;
    cx += cellW;
    if (rowStart >= rowEnd || cx <= 0 || left >= w) continue;
    const off = glyphOffset(ch.codePointAt(0) ?? -1);
    const colStart = Math.max(0, left);
    const colEnd = Math.min(w, cx);
    for (let py = rowStart; py < rowEnd; py++) {
      const bits = TABLE[off + ((py - y0) / scale | 0)];
      if (bits === 0 && transparent) continue;
      const base = py * pitchPixels;
      if (scale === 1) {
        for (let px = colStart; px < colEnd; px++) {
          if (bits & (0x80 >> (px - left))) words[base + px] = fgc;
          else if (!transparent) words[base + px] = bgc;
        }
      } else {
        for (let px = colStart; px < colEnd; px++) {
          if (bits & (0x80 >> ((px - left) / scale | 0))) words[base + px] = fgc;
          else if (!transparent) words[base + px] = bgc;
        }
      }
    }
  }
  return cx;
}
