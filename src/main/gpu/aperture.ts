/**
 * CPU access through the aperture (GMADR, BAR2): aperture offset X is GM address X (the aperture
 * maps the low GM 1:1). A valid fence register covering the address gives a linear view of a
 * tiled surface: the offset is detiled (X or Y major) before it goes through the GGTT.
 * Source: PRM tiling: X tile 512 B x 8 rows, Y tile 128 B x 32 rows (16 B columns).
 */
import { decodeFence } from '../../shared/fence';
import { FENCE_REG_GEN6_LO } from '../../shared/regs';

/** The GM address an aperture access at `offset` really touches, given the fences in `regs` (dwords of BAR0). */
export function apertureToGm(regs: Uint32Array, fenceCount: number, offset: number): number {
  for (let i = 0; i < fenceCount; i++) {
    const f = decodeFence(regs[FENCE_REG_GEN6_LO(i) >>> 2], regs[(FENCE_REG_GEN6_LO(i) + 4) >>> 2]);
    if (!f || offset < f.start || offset >= f.end) continue;
    const rel = offset - f.start;
    const row = Math.floor(rel / f.pitch);
    const col = rel % f.pitch;
    if (f.tiling === 'x') {
      const tilesPerRow = Math.floor(f.pitch / 512);
      return f.start + (Math.floor(row / 8) * tilesPerRow + Math.floor(col / 512)) * 4096 + (row % 8) * 512 + (col % 512);
    }
    const tilesPerRow = Math.floor(f.pitch / 128);
    // Y tile: 32 rows of 16-byte columns; columns of a tile are 512 B apart.
    return f.start + (Math.floor(row / 32) * tilesPerRow + Math.floor(col / 128)) * 4096 + Math.floor((col % 128) / 16) * 512 + (row % 32) * 16 + (col % 16);
  }
  return offset;
}
