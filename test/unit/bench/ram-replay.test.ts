/**
 * The scaling benchmark's memmove reference (bench/lib/ram-replay.ts): what the blitter does to
 * guest RAM through its native ops is recorded call for call, and replaying a frame writes the
 * same bytes again; the counts it reports are the bytes the blits asked for.
 */
import { describe, expect, it } from 'vitest';
import { RamRecorder, distinctBytes, replayFrame } from '../../../bench/lib/ram-replay';
import { copySurface, fillSurface } from '../../../src/main/gpu/blitter';
import { Ggtt, encodePte } from '../../../src/main/gpu/ggtt';
import { HostMemory } from '../../../src/main/gpu/memory';
import { allocateGuestRam } from '../../../src/main/gpu/ram-ops';

const PAGE = 4096;
const PAGES = 128;

/** One wasm-backed RAM region at host 0, GM page i → host page i, bytes a fixed pattern. */
function rig(): { memory: HostMemory; ggtt: Ggtt; bytes: Uint8Array } {
  const memory = new HostMemory();
  const ram = allocateGuestRam(PAGES * PAGE);
  const region = memory.attach(0, ram.buffer, undefined, ram.memory);
  if (!region.ops) throw new Error('no native ops (wasm memory unavailable)');
  const ggtt = new Ggtt(PAGES * PAGE, memory);
  for (let i = 0; i < PAGES; i++) ggtt.setPte(i, ...encodePte(i * PAGE));
  const bytes = new Uint8Array(ram.buffer);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.imul(i, 0x9e3779b1) >>> 24;
  return { memory, ggtt, bytes };
}

describe('RamRecorder (scaling memmove reference)', () => {
  it('records the blits of a frame call for call; a replay writes the same bytes again', () => {
    const { memory, ggtt, bytes } = rig();
    const region = memory.list()[0];
    const own = region.ops;
    const rec = new RamRecorder([region]);
    // A frame: a fill crossing a page boundary (pitch 4096, x from 1000 to 1100 px = 4400 B), then
    // a copy of 40 x 30 px from a source surface at GM 400 KiB (its row 25 crosses a page).
    const dst = { base: 0, pitch: 8192, tiled: false, cpp: 4 };
    fillSurface(ggtt, dst, { x1: 1000, y1: 2, x2: 1100, y2: 5 }, 0xff112233);
    copySurface(ggtt, dst, { x1: 10, y1: 6, x2: 50, y2: 36 }, { base: 400 * 1024, pitch: 160, tiled: false, cpp: 4 }, 0, 0);
    rec.cut();
    rec.cut(); // nothing since: no empty frame
    rec.stop();
    expect(region.ops).toBe(own);
    expect(rec.frames).toHaveLength(1);
    // 3 rows of 400 B cut at a page boundary (two calls each); 30 rows of 160 B, one of them cut in two.
    expect(rec.stats()).toEqual({ frames: 1, copies: 31, copyBytes: 30 * 160, fills: 6, fillBytes: 3 * 400 });
    const after = bytes.slice();
    // Cache lines: fill rows 4000..4400 → lines 62..68 (7), copy dst rows 40..200 → lines 0..3 (4),
    // copy source 4800 B from a line boundary (75 lines); recording the same frame twice adds none.
    expect(distinctBytes(rec.frames)).toBe((3 * 7 + 30 * 4 + 75) * 64);
    expect(distinctBytes([rec.frames[0], rec.frames[0]])).toBe((3 * 7 + 30 * 4 + 75) * 64);
    // Undo the frame's writes, then replay: the same bytes as the blits wrote.
    for (let y = 2; y < 5; y++) bytes.fill(0, y * 8192 + 4000, y * 8192 + 4400);
    for (let y = 6; y < 36; y++) bytes.fill(0, y * 8192 + 40, y * 8192 + 200);
    expect(Buffer.compare(bytes, after)).not.toBe(0);
    replayFrame(rec.frames, 0);
    expect(Buffer.compare(bytes, after)).toBe(0);
    // Replaying again (the frame index wraps) changes nothing.
    replayFrame(rec.frames, 1);
    expect(Buffer.compare(bytes, after)).toBe(0);
  });

  it('refuses RAM without native ops, naming its base', () => {
    const memory = new HostMemory();
    const region = memory.attach(0x200000, new SharedArrayBuffer(PAGE));
    expect(() => new RamRecorder([region])).toThrow(/0x200000 has no native ops/);
  });
});
