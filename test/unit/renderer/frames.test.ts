// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { FRAME_RLE32, PHYSICAL_SOURCE, decodeFrameCoded, encodeFrame, type FrameMessage } from '../../../src/shared/api';
import { useFramesStore } from '../../../src/renderer/stores/frames';
import { FrameSurfaces, MAX_DIRTY_RECTS } from '../../../src/renderer/lib/frame-surfaces';
import { rgbaRect } from '../helpers/frames';

function frame(p: Partial<FrameMessage> & Pick<FrameMessage, 'x' | 'y' | 'w' | 'h'>, seed = 7): FrameMessage {
  return { source: 1, width: 8, height: 6, seq: 1, flip: 0, vblankMs: 0, rgba: rgbaRect(p.w, p.h, seed), ...p };
}

function pixel(store: Pick<FrameSurfaces, 'surface'>, source: number, x: number, y: number): number[] {
  const s = store.surface(source)!;
  return [...s.rgba.subarray((y * s.width + x) * 4, (y * s.width + x) * 4 + 4)];
}

beforeEach(() => setActivePinia(createPinia()));

describe('frame surfaces (the paint worker\'s pixels)', () => {
  it('puts a damage rect at (x, y) and leaves the rest untouched', () => {
    const frames = new FrameSurfaces();
    frames.apply(frame({ x: 2, y: 1, w: 3, h: 2 }));

    expect(frames.surface(1)).toMatchObject({ width: 8, height: 6 });
    expect(frames.surface(1)!.rgba.length).toBe(8 * 6 * 4);
    expect(pixel(frames, 1, 2, 1)).toEqual([0, 0, 7, 255]); // rect's first pixel
    expect(pixel(frames, 1, 4, 1)).toEqual([2, 0, 7, 255]); // end of its first row
    expect(pixel(frames, 1, 3, 2)).toEqual([1, 1, 7, 255]); // second row
    expect(pixel(frames, 1, 4, 2)).toEqual([2, 1, 7, 255]); // last pixel
    expect(pixel(frames, 1, 1, 1)).toEqual([0, 0, 0, 0]); // left of it
    expect(pixel(frames, 1, 5, 1)).toEqual([0, 0, 0, 0]); // right of it
    expect(pixel(frames, 1, 2, 3)).toEqual([0, 0, 0, 0]); // below it
    expect(frames.takeDirty(1)).toEqual([{ x: 0, y: 0, w: 8, h: 6 }]); // first frame: the whole new surface
  });

  it('keeps earlier pixels and reports the union of damage since the last blit', () => {
    const frames = new FrameSurfaces();
    frames.apply(frame({ x: 0, y: 0, w: 8, h: 6 }, 1));
    frames.takeDirty(1);
    frames.apply(frame({ x: 1, y: 1, w: 1, h: 1, seq: 2 }, 50));
    frames.apply(frame({ x: 5, y: 3, w: 2, h: 2, seq: 2 }, 60));

    expect(pixel(frames, 1, 1, 1)).toEqual([0, 0, 50, 255]);
    expect(pixel(frames, 1, 6, 4)).toEqual([1, 1, 60, 255]);
    expect(pixel(frames, 1, 7, 5)).toEqual([7, 5, 1, 255]); // from the first full frame
    // Two separate rects, not their bounding box.
    expect(frames.takeDirty(1)).toEqual([
      { x: 1, y: 1, w: 1, h: 1 },
      { x: 5, y: 3, w: 2, h: 2 },
    ]);
    expect(frames.takeDirty(1)).toEqual([]);
  });

  it('merges overlapping dirty rects, and all of them beyond MAX_DIRTY_RECTS', () => {
    const frames = new FrameSurfaces();
    frames.apply(frame({ x: 0, y: 0, w: 8, h: 6 }));
    frames.takeDirty(1);
    frames.apply(frame({ x: 0, y: 0, w: 2, h: 2, seq: 2 }));
    frames.apply(frame({ x: 1, y: 1, w: 2, h: 2, seq: 2 }));
    expect(frames.takeDirty(1)).toEqual([{ x: 0, y: 0, w: 3, h: 3 }]);
    for (let i = 0; i <= MAX_DIRTY_RECTS; i++) frames.apply(frame({ x: i % 8, y: i === MAX_DIRTY_RECTS ? 3 : i % 2 === 0 ? 0 : 5, w: 1, h: 1, seq: 3 }));
    expect(frames.takeDirty(1)).toEqual([{ x: 0, y: 0, w: 8, h: 6 }]);
  });

  it('paints RLE32-coded rects in place exactly as raw ones, clipped ones included', () => {
    const raw = new FrameSurfaces();
    const coded = new FrameSurfaces();
    const rects = [
      { x: 0, y: 0, w: 8, h: 6, seq: 1 },
      { x: 2, y: 1, w: 3, h: 2, seq: 2 },
      { x: 6, y: 4, w: 4, h: 4, seq: 3 },
    ];
    rects.forEach((r, i) => {
      const f = frame(r, 10 + i);
      raw.apply(f);
      coded.apply(decodeFrameCoded(encodeFrame(f, new Uint8Array(f.rgba.buffer), FRAME_RLE32)));
    });
    expect(coded.surface(1)!.rgba).toEqual(raw.surface(1)!.rgba);
    expect(coded.takeDirty(1)).toEqual(raw.takeDirty(1));
  });

  it('clips a rect that runs past the frame edge', () => {
    const frames = new FrameSurfaces();
    frames.apply(frame({ x: 6, y: 4, w: 4, h: 4 }));
    expect(pixel(frames, 1, 7, 5)).toEqual([1, 1, 7, 255]);
    expect(frames.surface(1)!.rgba.length).toBe(8 * 6 * 4);
  });

  it('resizes on a new width/height and treats 0x0 as no signal', () => {
    const frames = new FrameSurfaces();
    frames.apply(frame({ x: 0, y: 0, w: 1, h: 1 }));
    frames.apply(frame({ width: 4, height: 2, x: 3, y: 1, w: 1, h: 1, seq: 2 }, 9));
    expect(frames.surface(1)).toMatchObject({ width: 4, height: 2 });
    expect(frames.surface(1)!.rgba.length).toBe(4 * 2 * 4);
    expect(pixel(frames, 1, 0, 0)).toEqual([0, 0, 0, 0]); // old pixels do not survive a mode change
    expect(pixel(frames, 1, 3, 1)).toEqual([0, 0, 9, 255]);

    frames.apply({ source: 1, width: 0, height: 0, x: 0, y: 0, w: 0, h: 0, seq: 3, flip: 0, vblankMs: 0, rgba: new Uint8ClampedArray(0) });
    expect(frames.surface(1)).toMatchObject({ width: 0, height: 0 });
    expect(frames.surface(1)!.rgba.length).toBe(0);
  });

  it('keeps sources apart', () => {
    const frames = new FrameSurfaces();
    frames.apply(frame({ source: PHYSICAL_SOURCE, x: 0, y: 0, w: 1, h: 1 }, 200));
    frames.apply(frame({ source: 3, x: 0, y: 0, w: 1, h: 1 }, 100));
    expect(pixel(frames, PHYSICAL_SOURCE, 0, 0)).toEqual([0, 0, 200, 255]);
    expect(pixel(frames, 3, 0, 0)).toEqual([0, 0, 100, 255]);
    expect(frames.surface(1)).toBeUndefined();
  });
});

describe('frames store', () => {
  it('counts frames (not rects) per second', () => {
    const frames = useFramesStore();
    frames.apply(frame({ x: 0, y: 0, w: 1, h: 1, seq: 1 }), 0);
    frames.apply(frame({ x: 1, y: 0, w: 1, h: 1, seq: 1 }), 10); // same frame, second rect
    frames.apply(frame({ x: 0, y: 0, w: 1, h: 1, seq: 2 }), 500);
    frames.apply(frame({ x: 0, y: 0, w: 1, h: 1, seq: 3 }), 900);
    frames.sampleFps(1000);
    expect(frames.info.get(1)!.fps).toBe(3);
    frames.sampleFps(2000);
    expect(frames.info.get(1)!.fps).toBe(0);
  });

  it('keeps each source\'s size as info (0x0: no signal) and hands the pixels to its painter', () => {
    const frames = useFramesStore();
    frames.apply(frame({ x: 2, y: 1, w: 3, h: 2 }));
    expect(frames.info.get(1)).toMatchObject({ width: 8, height: 6 });
    // No Worker/OffscreenCanvas here: the page paints itself, and its painter has the pixels.
    expect(frames.painter.inWorker).toBe(false);
    expect(pixel(frames.painter, 1, 2, 1)).toEqual([0, 0, 7, 255]);
    frames.apply({ source: 1, width: 0, height: 0, x: 0, y: 0, w: 0, h: 0, seq: 3, flip: 0, vblankMs: 0, rgba: new Uint8ClampedArray(0) });
    expect(frames.info.get(1)).toMatchObject({ width: 0, height: 0 });
    frames.forget(1);
    expect(frames.info.get(1)).toBeUndefined();
    expect(frames.painter.surface(1)).toBeUndefined();
  });
});
