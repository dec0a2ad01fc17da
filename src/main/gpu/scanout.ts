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
import { readGm } from './gm-access';

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
 * Read the plane's pixels into `out` (RGBA, width*height*4 bytes). XRGB8888 in memory is
 * B, G, R, X; alpha is forced opaque.
 */
export function scanoutPlane(ggtt: Ggtt, plane: DecodedPlane, out: Uint8Array): void {
  const { width, height, surf, pitch } = plane;
  const rowBytes = width * 4;
  const row = new Uint8Array(plane.tiling === 'x' ? pitch : rowBytes);
  for (let y = 0; y < height; y++) {
    if (plane.tiling === 'linear') {
      readGm(ggtt, surf + y * pitch, rowBytes, row);
    } else {
      // X tiles are 512 B wide and 8 rows tall, 4 KiB each, laid out row of tiles by row of tiles.
      const tileRow = Math.floor(y / 8);
      const inTileY = y % 8;
      const tilesPerRow = pitch / 512;
      for (let t = 0; t < tilesPerRow && t * 512 < rowBytes; t++) {
        readGm(ggtt, surf + (tileRow * tilesPerRow + t) * 4096 + inTileY * 512, 512, row, t * 512);
      }
    }
    const o = y * rowBytes;
    for (let i = 0; i < rowBytes; i += 4) {
      out[o + i] = row[i + 2];
      out[o + i + 1] = row[i + 1];
      out[o + i + 2] = row[i];
      out[o + i + 3] = 255;
    }
  }
}
