/**
 * What the page knows of every source (a domid or PHYSICAL_SOURCE) from its frame messages: small
 * reactive info per source (size, fps). The pixels are the painter's (lib/frame-painter.ts): in a
 * paint worker where the browser allows, else on this thread. Each damage rect is handed to it
 * as it arrives; canvases attach to it (FrameCanvas).
 */
import { defineStore } from 'pinia';
import { markRaw, reactive } from 'vue';
import type { CodedFrameMessage, FrameMessage } from '../../shared/api';
import { createFramePainter, type FramePainter } from '../lib/frame-painter';

export { MAX_DIRTY_RECTS } from '../lib/frame-surfaces';

export interface SourceInfo {
  /** 0x0 means the plane or pipe is off: no signal. */
  width: number;
  height: number;
  /** Frames received per second over the last sample window. */
  fps: number;
}

interface Counter {
  lastSeq: number | null;
  framesInWindow: number;
  windowStart: number;
}

export const useFramesStore = defineStore('frames', () => {
  const info = reactive(new Map<number, SourceInfo>());
  const counters = new Map<number, Counter>();
  // Raw: a class with its own state, not something for Vue to track.
  const painter: FramePainter = markRaw(createFramePainter());

  /** Take a damage rectangle: to the painter, and into the source's size and frame count. */
  function apply(frame: FrameMessage | CodedFrameMessage, now: number = performance.now()): void {
    let c = counters.get(frame.source);
    if (!c) counters.set(frame.source, (c = { lastSeq: null, framesInWindow: 0, windowStart: now }));
    // Several damage rects of one frame share its sequence number: count frames, not rects.
    if (frame.seq !== c.lastSeq) {
      c.lastSeq = frame.seq;
      c.framesInWindow++;
    }
    const cur = info.get(frame.source);
    // Only a size change is a reactive change: nothing in the page re-renders per frame.
    if (!cur) info.set(frame.source, { width: frame.width, height: frame.height, fps: 0 });
    else if (cur.width !== frame.width || cur.height !== frame.height) Object.assign(cur, { width: frame.width, height: frame.height });
    try {
      painter.apply(frame);
    } catch (err) {
      console.warn('gvt-desk: dropping a frame rect that does not decode', err);
    }
  }

  /** Close the fps window of every source; called about once a second. */
  function sampleFps(now: number = performance.now()): void {
    for (const [source, c] of counters) {
      const elapsed = now - c.windowStart;
      if (elapsed <= 0) continue;
      const fps = Math.round((c.framesInWindow * 1000) / elapsed);
      c.framesInWindow = 0;
      c.windowStart = now;
      const cur = info.get(source);
      if (cur && cur.fps !== fps) cur.fps = fps;
    }
  }

  /** Drop a source's pixels and info (its window closed); a new window asks for a whole picture (frame.resync). */
  function forget(source: number): void {
    painter.forget(source);
    counters.delete(source);
    info.delete(source);
  }

  return { info, apply, sampleFps, forget, painter };
});
