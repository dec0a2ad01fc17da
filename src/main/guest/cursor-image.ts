/**
 * The guest's default pointer image: a white arrow with a black outline, tip (hot spot) at 0,0,
 * drawn into the 64x64 premultiplied ARGB8888 layout the cursor plane scans out
 * (MCURSOR_MODE_64_ARGB_AX); everything outside the arrow is fully transparent (0x00000000).
 */
import { CURSOR_SIZE } from './driver';

/** The arrow, one string per row: 'B' black outline, 'W' white fill, anything else transparent. */
const ARROW = [
  'B',
  'BB',
  'BWB',
  'BWWB',
  'BWWWB',
  'BWWWWB',
  'BWWWWWB',
  'BWWWWWWB',
  'BWWWWWWWB',
  'BWWWWWWWWB',
  'BWWWWWWWWWB',
  'BWWWWWWBBBBB',
  'BWWWBWWB',
  'BWWBBWWB',
  'BWB  BWWB',
  'BB   BWWB',
  'B     BWWB',
  '      BWWB',
  '       BB',
];

/** Opaque pixels are their own premultiplied value. */
const PIXEL: Record<string, number> = { B: 0xff000000, W: 0xffffffff };

/** A fresh 64x64 premultiplied ARGB arrow cursor (CURSOR_SIZE² dwords, row-packed), hot spot at 0,0. */
export function arrowCursor(): Uint32Array {
  const image = new Uint32Array(CURSOR_SIZE * CURSOR_SIZE);
  ARROW.forEach((row, y) => {
    for (let x = 0; x < row.length; x++) image[y * CURSOR_SIZE + x] = PIXEL[row[x]] ?? 0;
  });
  return image;
}
