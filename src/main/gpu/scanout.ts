/**
 * Plane scanout: turn universal-plane register values into RGBA pixels, reading the surface through
 * the GGTT, and blend the cursor plane over them. Used by the physical display engine and by the
 * mediator's framebuffer decoder.
 * Source: i915 skl_plane_ctl / PLANE_STRIDE units (64 B linear, 512 B X-tiled); X tile = 512 B x 8 rows;
 * cursor: i915 intel_cursor.c (i9xx_cursor_ctl, intel_cursor_position), GVT-g
 * intel_vgpu_decode_cursor_plane.
 */
import {
  CURSOR_POS_SIGN,
  CURSOR_POS_X_MASK,
  CURSOR_POS_Y_MASK,
  CURSOR_X_SHIFT,
  CURSOR_Y_SHIFT,
  MCURSOR_MODE_64_ARGB_AX,
  MCURSOR_MODE_MASK,
  PLANE_CTL_ENABLE,
  PLANE_CTL_FORMAT_MASK,
  PLANE_CTL_FORMAT_XRGB_8888,
  PLANE_CTL_TILED_LINEAR,
  PLANE_CTL_TILED_MASK,
  PLANE_CTL_TILED_X,
} from '../../shared/regs';
import type { Ggtt } from './ggtt';

/** Raw plane register values (PLANE_CTL, PLANE_STRIDE, PLANE_SIZE, PLANE_SURF, PLANE_OFFSET). */
export interface PlaneRegs {
  ctl: number;
  stride: number;
  size: number;
  surf: number;
  offset: number;
}

export interface DecodedPlane {
  width: number;
  height: number;
  /** GM address of the plane's first pixel (PLANE_SURF plus PLANE_OFFSET), stride in bytes, tiling. */
  surf: number;
  pitch: number;
  tiling: 'linear' | 'x';
}

/** Plane geometry from its registers, or null when disabled or in a format we cannot show (reason). */
export function decodePlaneRegs(p: PlaneRegs): DecodedPlane | { error: string } | null {
  if ((p.ctl & PLANE_CTL_ENABLE) === 0) return null;
  if ((p.ctl & PLANE_CTL_FORMAT_MASK) !== PLANE_CTL_FORMAT_XRGB_8888) return { error: `PLANE_CTL format 0x${((p.ctl & PLANE_CTL_FORMAT_MASK) >>> 24).toString(16)} not supported` };
  const tilingBits = p.ctl & PLANE_CTL_TILED_MASK;
  if (tilingBits !== PLANE_CTL_TILED_LINEAR && tilingBits !== PLANE_CTL_TILED_X) return { error: `PLANE_CTL tiling ${tilingBits >>> 10} not supported` };
  const tiling = tilingBits === PLANE_CTL_TILED_X ? 'x' : 'linear';
  const width = (p.size & 0x1fff) + 1;
  const height = ((p.size >>> 16) & 0x1fff) + 1;
  const pitch = (p.stride & 0x3ff) * (tiling === 'x' ? 512 : 64);
  if (pitch < width * 4) return { error: `PLANE_STRIDE ${pitch} B is narrower than ${width} px` };
  // PLANE_OFFSET (y << 16 | x): where in the surface the plane starts, e.g. a CRTC showing its part
  // of a desktop spanning several heads (i915 skl_program_plane writes it from the fb's src x/y).
  const x = p.offset & 0x1fff;
  const y = (p.offset >>> 16) & 0xfff;
  if (tiling === 'x' && (x | y) !== 0) return { error: `PLANE_OFFSET ${x},${y} on an X-tiled plane is not supported` };
  if (x * 4 + width * 4 > pitch) return { error: `PLANE_OFFSET x ${x} + ${width} px runs past PLANE_STRIDE ${pitch} B` };
  return { width, height, surf: ((p.surf & 0xfffff000) + y * pitch + x * 4) >>> 0, pitch, tiling };
}

/**
 * Copy the plane's pixels as stored (XRGB8888 dwords: 0x00RRGGBB) into `out32` (width*height,
 * row-packed), a GGTT page at a time; unmapped pages read as black.
 */
export function readPlaneXrgb(ggtt: Ggtt, plane: DecodedPlane, out32: Uint32Array): void {
  const { width, height, surf, pitch } = plane;
  for (let y = 0; y < height; y++) {
    const rowOut = y * width;
    if (plane.tiling === 'linear') {
      copySpan(ggtt, surf + y * pitch, width, out32, rowOut);
    } else {
      // X tiles are 512 B wide and 8 rows tall, 4 KiB each, laid out row of tiles by row of tiles.
      const tilesPerRow = pitch / 512;
      const tileRowBase = surf + Math.floor(y / 8) * tilesPerRow * 4096 + (y % 8) * 512;
      for (let t = 0; t * 128 < width; t++) copySpan(ggtt, tileRowBase + t * 4096, Math.min(128, width - t * 128), out32, rowOut + t * 128);
    }
  }
}

function copySpan(ggtt: Ggtt, gm: number, pixels: number, out32: Uint32Array, at: number): void {
  let done = 0;
  while (done < pixels) {
    const addr = gm + done * 4;
    const chunk = Math.min(pixels - done, (4096 - (addr % 4096)) >>> 2);
    const r = ggtt.resolve(addr);
    if (r) out32.set(r.region.words.subarray(r.offset >>> 2, (r.offset >>> 2) + chunk), at + done);
    else out32.fill(0, at + done, at + done + chunk);
    done += chunk;
  }
}

/**
 * Convert rectangle (x, y, w, h) of an XRGB8888 frame `width` pixels wide to packed RGBA bytes
 * (w*h*4), alpha forced opaque.
 */
export function xrgbToRgba(xrgb: Uint32Array, width: number, x: number, y: number, w: number, h: number): Uint8Array {
  const out = new Uint8Array(w * h * 4);
  // Int32 views on both sides: a Uint32 load above 2^31 is a double in V8, an Int32 one stays a
  // small integer (about a third faster per pixel), and the bits are the same.
  const src = new Int32Array(xrgb.buffer, xrgb.byteOffset, xrgb.length);
  const out32 = new Int32Array(out.buffer);
  let o = 0;
  for (let row = y; row < y + h; row++) {
    const end = row * width + x + w;
    for (let i = row * width + x; i < end; i++) {
      const p = src[i];
      // 0x00RRGGBB -> 0xFFBBGGRR (RGBA bytes in memory): swapping the 16-bit halves moves R and B.
      out32[o++] = (((p << 16) | (p >>> 16)) & 0x00ff00ff) | (p & 0xff00) | -0x1000000;
    }
  }
  return out;
}

/** The plane as RGBA bytes (width*height*4), e.g. for a screenshot. */
export function scanoutPlane(ggtt: Ggtt, plane: DecodedPlane, out: Uint8Array): void {
  const xrgb = new Uint32Array(plane.width * plane.height);
  readPlaneXrgb(ggtt, plane, xrgb);
  out.set(xrgbToRgba(xrgb, plane.width, 0, 0, plane.width, plane.height));
}

/** Raw cursor plane register values (CUR_CTL, CUR_BASE, CUR_POS). */
export interface CursorRegs {
  ctl: number;
  base: number;
  pos: number;
}

/** A 64x64 ARGB cursor: image at GM `base` (4 KiB aligned, 256 B per row), top-left at (x, y) pipe pixels. */
export interface DecodedCursor {
  width: number;
  height: number;
  base: number;
  /** Signed: a cursor may hang off the top or left edge. */
  x: number;
  y: number;
}

/** Side of the only cursor mode modelled (MCURSOR_MODE_64_ARGB_AX), pixels. */
export const CURSOR_64 = 64;
/** Bytes of a 64x64 ARGB8888 cursor image (16 KiB, four GGTT pages). */
export const CURSOR_64_BYTES = CURSOR_64 * CURSOR_64 * 4;

/**
 * Cursor geometry from its registers: null when CUR_CTL's mode is MCURSOR_MODE_DISABLE, an error
 * naming CUR_CTL and the mode for anything but MCURSOR_MODE_64_ARGB_AX. CUR_CTL's alpha fields are
 * ignored, as GVT-g does (it only logs them). GVT-g also reports PVINFO cursor_x_hot/y_hot to the
 * host's pointer; a composited cursor does not need them: the plane is drawn at CUR_POS.
 * Source: GVT-g fb_decoder.c intel_vgpu_decode_cursor_plane (mode, base & page mask, sign bits).
 */
export function decodeCursorRegs(c: CursorRegs): DecodedCursor | { error: string } | null {
  const mode = c.ctl & MCURSOR_MODE_MASK;
  if (mode === 0) return null;
  if (mode !== MCURSOR_MODE_64_ARGB_AX) return { error: `CUR_CTL mode 0x${mode.toString(16)} not supported (only MCURSOR_MODE_64_ARGB_AX 0x27)` };
  return { width: CURSOR_64, height: CURSOR_64, base: (c.base & 0xfffff000) >>> 0, x: cursorCoord(c.pos, CURSOR_X_SHIFT, CURSOR_POS_X_MASK), y: cursorCoord(c.pos, CURSOR_Y_SHIFT, CURSOR_POS_Y_MASK) };
}

/** One sign-magnitude CUR_POS coordinate: the inverse of i915 intel_cursor_position, fields as GVT-g reads them. */
function cursorCoord(pos: number, shift: number, mask: number): number {
  const magnitude = (pos & mask) >>> shift;
  return (pos >>> shift) & CURSOR_POS_SIGN ? -magnitude : magnitude;
}

/**
 * Blend `cursor` (premultiplied ARGB8888, DRM_MODE_BLEND_PREMULTI: the cursor plane's default)
 * over `frame` (XRGB8888, width x height, row-packed) in place: out = src + dst * (255 - a) / 255
 * per channel, clamped to 255. Clipped to the frame; rows on unmapped GGTT pages are transparent.
 * Source: the display engine's plane blending; image layout as i9xx_update_cursor programs it.
 */
export function compositeCursor(ggtt: Ggtt, cursor: DecodedCursor, frame: Uint32Array, width: number, height: number): void {
  blendCursorImage(readCursorImage(ggtt, cursor), cursor.x, cursor.y, frame, width, height);
}

/**
 * The cursor's 64x64 premultiplied ARGB image (4096 words, 256 B per row as i9xx_update_cursor
 * lays it out), read through `ggtt`; rows on unmapped pages read as transparent (0).
 */
export function readCursorImage(ggtt: Ggtt, cursor: DecodedCursor): Uint32Array {
  const image = new Uint32Array(cursor.width * cursor.height);
  for (let row = 0; row < cursor.height; row++) {
    // A row (256 B) never straddles a page: the base is page aligned and 4096 is a multiple of 256.
    const r = ggtt.resolve(cursor.base + row * cursor.width * 4);
    if (r) image.set(r.region.words.subarray(r.offset >>> 2, (r.offset >>> 2) + cursor.width), row * cursor.width);
  }
  return image;
}

/**
 * Blend a CURSOR_64 x CURSOR_64 premultiplied ARGB `image` with its top-left at (x, y) (signed,
 * pixels) over `frame` (XRGB8888, width x height, row-packed) in place, clipped to the frame.
 */
export function blendCursorImage(image: Uint32Array, x: number, y: number, frame: Uint32Array, width: number, height: number): void {
  const x0 = Math.max(0, -x);
  const x1 = Math.min(CURSOR_64, width - x);
  const y0 = Math.max(0, -y);
  const y1 = Math.min(CURSOR_64, height - y);
  for (let row = y0; row < y1 && x0 < x1; row++) blendRow(image, row * CURSOR_64 + x0, frame, (y + row) * width + x + x0, x1 - x0);
}

/** Blend `n` premultiplied ARGB pixels from src[at..] over XRGB dst[to..]; all-zero pixels are skipped. */
function blendRow(src: Uint32Array, at: number, dst: Uint32Array, to: number, n: number): void {
  for (let i = 0; i < n; i++) {
    const s = src[at + i];
    if (s === 0) continue;
    const a = s >>> 24;
    if (a === 0xff) {
      dst[to + i] = s & 0xffffff;
      continue;
    }
    const d = dst[to + i];
    const inv = 0xff - a;
    const r = Math.min(0xff, ((s >>> 16) & 0xff) + div255(((d >>> 16) & 0xff) * inv));
    const g = Math.min(0xff, ((s >>> 8) & 0xff) + div255(((d >>> 8) & 0xff) * inv));
    const b = Math.min(0xff, (s & 0xff) + div255((d & 0xff) * inv));
    dst[to + i] = (r << 16) | (g << 8) | b;
  }
}

/** round(v / 255) for v in 0..255*255, without a division. */
const div255 = (v: number): number => ((v + 128) * 257) >>> 16;
