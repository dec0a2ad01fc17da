import { describe, expect, it } from 'vitest';
import { copySurface, fillSurface } from '../../../src/main/gpu/blitter';
import { Ggtt, encodePte } from '../../../src/main/gpu/ggtt';
import { HostMemory } from '../../../src/main/gpu/memory';
import { Ppgtt, tableIndex, writeEntry } from '../../../src/main/gpu/ppgtt';
import { COMPOSITOR_VIEW, CPU_LOG, GPU_LOG, PPGTT_VIEW, dirtyLogBytes, planeStart, planeWords } from '../../../src/shared/dirty-log';

const PAGE = 4096;

/** GM page i → RAM page i of one logged region; `logged()` lists (and clears) the 1 KiB blocks the GPU logged. */
function setup() {
  const memory = new HostMemory();
  const region = memory.attach(0, new SharedArrayBuffer(64 * PAGE), new SharedArrayBuffer(dirtyLogBytes(64 * PAGE)));
  const ggtt = new Ggtt(64 * PAGE, memory);
  for (let i = 0; i < 64; i++) ggtt.setPte(i, ...encodePte(i * PAGE));
  const logged = (): number[] => {
    const blocks: number[] = [];
    // The GPU writes its own plane (GPU_LOG) of each view, the same bits in both; the CPU's planes stay clear.
    const log = region.dirty!;
    const words = planeWords(log);
    const plane = (view: typeof COMPOSITOR_VIEW | typeof PPGTT_VIEW, writer: typeof GPU_LOG | typeof CPU_LOG): Uint32Array => log.subarray(planeStart(log, view, writer), planeStart(log, view, writer) + words);
    const gpu = plane(COMPOSITOR_VIEW, GPU_LOG);
    for (let b = 0; b < words * 32; b++) if (gpu[b >>> 5]! & (1 << (b & 31))) blocks.push(b);
    expect(plane(PPGTT_VIEW, GPU_LOG)).toEqual(gpu);
    expect(plane(COMPOSITOR_VIEW, CPU_LOG).every((w) => w === 0) && plane(PPGTT_VIEW, CPU_LOG).every((w) => w === 0)).toBe(true);
    log.fill(0);
    return blocks;
  };
  return { ggtt, memory, words: region.words, logged };
}

describe('the blitter logs its destination blocks (dirty log for the compositor)', () => {
  it('XY_COLOR_BLT on a linear surface: the blocks its rows touch, row by row', () => {
    const { ggtt, logged } = setup();
    // Pitch 8192: rows 8 blocks apart; columns 10..20 (bytes 40..80) lie in the first block of each row.
    fillSurface(ggtt, { base: 0, pitch: 8192, tiled: false, cpp: 4 }, { x1: 10, y1: 1, x2: 20, y2: 4 }, 0xff00ff);
    expect(logged()).toEqual([8, 16, 24]);
    // Columns 250..260 straddle bytes 1000..1040: two blocks.
    fillSurface(ggtt, { base: 0, pitch: 8192, tiled: false, cpp: 4 }, { x1: 250, y1: 0, x2: 260, y2: 1 }, 1);
    expect(logged()).toEqual([0, 1]);
  });

  it('XY_SRC_COPY_BLT: the destination only, never the source', () => {
    const { ggtt, logged } = setup();
    copySurface(ggtt, { base: 32 * PAGE, pitch: 4096, tiled: false, cpp: 4 }, { x1: 0, y1: 0, x2: 1024, y2: 2 }, { base: 0, pitch: 4096, tiled: false, cpp: 4 }, 0, 0);
    expect(logged()).toEqual([128, 129, 130, 131, 132, 133, 134, 135]);
  });

  it('an X-tiled destination: the blocks of the tiles its pixels land in', () => {
    const { ggtt, logged } = setup();
    // 1024 B pitch: 2 tiles per tile row (8 KiB); rows 9..10 are tile row 1 (pages 10, 11), tile
    // rows 1..2 of the first tile (bytes 512..1535 of page 10: blocks 40 and 41).
    fillSurface(ggtt, { base: 8 * PAGE, pitch: 1024, tiled: true, cpp: 4 }, { x1: 0, y1: 9, x2: 4, y2: 11 }, 1);
    expect(logged()).toEqual([40, 41]);
    // Row 9, columns 120..140: bytes 480..512 of tile 0 and 0..48 of tile 1 (page 11).
    fillSurface(ggtt, { base: 8 * PAGE, pitch: 1024, tiled: true, cpp: 4 }, { x1: 120, y1: 9, x2: 140, y2: 10 }, 1);
    expect(logged()).toEqual([40, 44]);
  });

  it('the reference row path (a channel-masked fill) logs through writeGm', () => {
    const { ggtt, logged } = setup();
    fillSurface(ggtt, { base: 0, pitch: 4096, tiled: false, cpp: 4 }, { x1: 0, y1: 5, x2: 8, y2: 6 }, 0xff0000ff, { alpha: false, rgb: true });
    expect(logged()).toEqual([20]);
  });

  it('a dword stored through the GGTT (MI_STORE_DATA_IMM, SRM, the HWSP CSB mirror, aperture writes) logs its block', () => {
    const { ggtt, logged } = setup();
    expect(ggtt.write32(5 * PAGE + 1028, 0xdeadbeef)).toBe(true);
    expect(logged()).toEqual([21]);
  });

  it('a dword stored through a PPGTT logs the block of the frame it lands in', () => {
    const { memory, words, logged } = setup();
    // Tables in RAM pages 40..43 (written directly, as a CPU write: not in the GPU half); VA page -> frame 9.
    const va = 2 ** 40 + 7 * PAGE;
    [41, 42, 43, 9].forEach((frame, level) => writeEntry(words, ((40 + level) * PAGE) / 4 + tableIndex(va, level) * 2, frame * PAGE));
    expect(new Ppgtt(memory, 40 * PAGE).write32(va + 2048, 1)).toBe(true);
    expect(logged()).toEqual([38]);
  });
});
