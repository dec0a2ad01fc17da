/**
 * Framebuffers of every source (a domid or PHYSICAL_SOURCE), rebuilt from damage rectangles.
 * Pixels live in plain RGBA buffers outside Vue's reactivity (megabytes per source, changed per
 * frame); only small per-source info (size, version, fps) is reactive. Canvases blit from here.
 */
import { defineStore } from 'pinia';
import { reactive } from 'vue';
import type { FrameMessage } from '../../shared/api';

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface SourceInfo {
  /** 0x0 means the plane or pipe is off: no signal. */
  width: number;
  height: number;
  /** Bumped on every change so views know to blit. */
  version: number;
  /** Frames received per second over the last sample window. */
  fps: number;
}

export interface Surface {
  width: number;
  height: number;
  /** width*height*4 bytes, row-major RGBA. */
  rgba: Uint8ClampedArray<ArrayBuffer>;
  /** Union of rectangles changed since the last takeDirty. */
  dirty: Rect | null;
  lastSeq: number | null;
  /** The flip count and vblank time (epoch ms) of the newest frame applied (see FrameMessage). */
  flip: number;
  vblankMs: number;
  framesInWindow: number;
  windowStart: number;
}

function union(a: Rect | null, b: Rect): Rect {
  if (!a) return { ...b };
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, w: Math.max(a.x + a.w, b.x + b.w) - x, h: Math.max(a.y + a.h, b.y + b.h) - y };
}

export const useFramesStore = defineStore('frames', () => {
  const info = reactive(new Map<number, SourceInfo>());
  const surfaces = new Map<number, Surface>();

  function surfaceFor(source: number, width: number, height: number, now: number): Surface {
    let s = surfaces.get(source);
    if (!s) {
      s = { width: 0, height: 0, rgba: new Uint8ClampedArray(0), dirty: null, lastSeq: null, flip: 0, vblankMs: 0, framesInWindow: 0, windowStart: now };
      surfaces.set(source, s);
    }
    if (s.width !== width || s.height !== height) {
      // A mode change: the old pixels mean nothing at the new size; the host repaints.
      s.width = width;
      s.height = height;
      s.rgba = new Uint8ClampedArray(width * height * 4);
      s.dirty = width && height ? { x: 0, y: 0, w: width, h: height } : null;
    }
    return s;
  }

  function touch(source: number, s: Surface): void {
    const cur = info.get(source);
    if (cur) {
      cur.width = s.width;
      cur.height = s.height;
      cur.version++;
    } else {
      info.set(source, { width: s.width, height: s.height, version: 1, fps: 0 });
    }
  }

  /** Copy a damage rectangle into the source's buffer, clipped to the frame. */
  function blitRect(s: Surface, f: Pick<FrameMessage, 'x' | 'y' | 'w' | 'h' | 'rgba'>): void {
    const x1 = Math.min(f.x + f.w, s.width);
    const y1 = Math.min(f.y + f.h, s.height);
    const cw = x1 - f.x;
    const ch = y1 - f.y;
    if (cw <= 0 || ch <= 0) return;
    for (let row = 0; row < ch; row++) {
      const from = row * f.w * 4;
      s.rgba.set(f.rgba.subarray(from, from + cw * 4), ((f.y + row) * s.width + f.x) * 4);
    }
    s.dirty = union(s.dirty, { x: f.x, y: f.y, w: cw, h: ch });
  }

  function apply(frame: FrameMessage, now: number = performance.now()): void {
    const s = surfaceFor(frame.source, frame.width, frame.height, now);
    if (s.width && s.height) blitRect(s, frame);
    s.flip = frame.flip;
    s.vblankMs = frame.vblankMs;
    // Several damage rects of one frame share its sequence number: count frames, not rects.
    if (frame.seq !== s.lastSeq) {
      s.lastSeq = frame.seq;
      s.framesInWindow++;
    }
    touch(frame.source, s);
  }

  function surface(source: number): Readonly<Surface> | undefined {
    return surfaces.get(source);
  }

  /** The region changed since the last call (and forget it): what a canvas must repaint. */
  function takeDirty(source: number): Rect | null {
    const s = surfaces.get(source);
    if (!s) return null;
    const d = s.dirty;
    s.dirty = null;
    return d;
  }

  /** Close the fps window of every source; called about once a second. */
  function sampleFps(now: number = performance.now()): void {
    for (const [source, s] of surfaces) {
      const elapsed = now - s.windowStart;
      if (elapsed <= 0) continue;
      const fps = Math.round((s.framesInWindow * 1000) / elapsed);
      s.framesInWindow = 0;
      s.windowStart = now;
      const cur = info.get(source);
      if (cur && cur.fps !== fps) cur.fps = fps;
    }
  }

  /** Drop a source's buffer (its window closed); a new window asks for a whole picture (frame.resync). */
  function forget(source: number): void {
    surfaces.delete(source);
    info.delete(source);
  }

  return { info, apply, surface, takeDirty, sampleFps, forget };
});
