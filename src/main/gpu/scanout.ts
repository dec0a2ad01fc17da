/**
 * Plane scanout: turn universal-plane register values into RGBA pixels, reading the surface through
 * the GGTT. Used by the physical display engine and by the mediator's framebuffer decoder.
 * Source: i915 skl_plane_ctl / PLANE_STRIDE units (64 B linear, 512 B X-tiled); X tile = 512 B x 8 rows.
 */
import {
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
  /** Surface GM address, stride in bytes, tiling. */
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
  return { width, height, surf: p.surf & 0xfffff000, pitch, tiling };
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
  const out32 = new Uint32Array(out.buffer);
  let o = 0;
  for (let row = y; row < y + h; row++) {
    const end = row * width + x + w;
    for (let i = row * width + x; i < end; i++) {
      const p = xrgb[i];
      // Int32 result on purpose: the typed-array store wraps it, and V8 keeps it a small integer.
      out32[o++] = 0xff000000 | ((p & 0xff) << 16) | (p & 0xff00) | ((p >>> 16) & 0xff);
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
