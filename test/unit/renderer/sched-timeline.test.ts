// @vitest-environment happy-dom
/**
 * The scheduler timeline drawn on canvases: paintLane's pixels (against a recording context) and
 * SchedTimeline's accessible names, owners, and slower polling while it is scrolled out of view.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushPromises, type VueWrapper } from '@vue/test-utils';
import type { GpuTimeline, OwnerSegment } from '../../../src/shared/api';
import { UNKNOWN_FILL, paintLane, timelineBars, type LaneContext } from '../../../src/renderer/lib/timeline-bars';
import SchedTimeline from '../../../src/renderer/components/SchedTimeline.vue';
import { FakeClient } from './fake-client';
import { mountWith } from './mount';

/** A 2D context that records what was filled, in which colour. */
function recorder(): LaneContext & { ops: string[] } {
  const ops: string[] = [];
  return {
    ops,
    fillStyle: '',
    clearRect: (x, y, w, h) => void ops.push(`clear ${x},${y},${w},${h}`),
    fillRect(x, y, w, h) {
      ops.push(`${String(this.fillStyle)} ${x},${y},${w},${h}`);
    },
  };
}
const colour = (domid: number): string => `c${domid}`;
const seg = (domid: number, startMs: number, endMs: number): OwnerSegment => ({ domid, startMs, endMs });

describe('paintLane', () => {
  it('clears, shades the unknown part, and fills each bar in its VM colour at device pixels', () => {
    const ctx = recorder();
    // 2000 ms over 200 px: 10 ms a pixel; the first 100 ms unknown.
    const bars = timelineBars([seg(1, 1100, 1500), seg(2, 1500, 1503), seg(1, 2950, 3100)], 3000, 2000, 200);
    paintLane(ctx, bars, 100, 2000, 200, 28, colour);
    expect(ctx.ops).toEqual(['clear 0,0,200,28', `${UNKNOWN_FILL} 0,0,10,28`, 'c1 10,0,40,28', 'c2 50,0,1,28', 'c1 195,0,5,28']);
  });
  it('a bar narrower than a pixel still gets one, and nothing is drawn past the right edge', () => {
    const ctx = recorder();
    paintLane(ctx, [{ domid: 3, x: 1999.9, w: 0.05, busyMs: 0.05 }], 0, 2000, 100, 14, colour);
    expect(ctx.ops).toEqual(['clear 0,0,100,14', 'c3 99,0,1,14']);
  });
  it('sets the fill colour only when it changes', () => {
    let writes = 0;
    const ctx = recorder();
    const counted = Object.defineProperty(ctx, 'fillStyle', { get: () => 'x', set: () => void writes++ });
    paintLane(counted, [{ domid: 1, x: 0, w: 10, busyMs: 10 }, { domid: 1, x: 20, w: 10, busyMs: 10 }, { domid: 2, x: 40, w: 10, busyMs: 10 }], 0, 100, 100, 1, colour);
    expect(writes).toBe(2);
  });
});

describe('SchedTimeline', () => {
  let wrapper: VueWrapper | undefined;
  let intersect: ((entries: { isIntersecting: boolean }[]) => void) | undefined;
  const timeline = (nowMs: number): GpuTimeline => ({
    nowMs,
    windowMs: 2000,
    lanes: { slice: { sinceMs: 0, segments: [seg(1, nowMs - 900, nowMs - 500), seg(2, nowMs - 500, nowMs - 100)] }, rcs: { sinceMs: 0, segments: [] }, bcs: { sinceMs: nowMs - 1000, segments: [seg(3, nowMs - 90, nowMs - 60), seg(2, nowMs - 50, nowMs - 10)] } },
  });

  beforeEach(() => {
    vi.useFakeTimers();
    intersect = undefined;
    vi.stubGlobal(
      'IntersectionObserver',
      class {
        constructor(cb: (entries: { isIntersecting: boolean }[]) => void) {
          intersect = cb;
        }
        observe(): void {}
        disconnect(): void {}
      },
    );
  });
  afterEach(() => {
    wrapper?.unmount();
    wrapper = undefined;
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  it('names each strip by who held it (domids in order), and lists owners for the legend', async () => {
    let now = 10_000;
    const fake = new FakeClient({ 'gpu.timeline': () => timeline((now += 250)) });
    ({ wrapper } = mountWith(fake, SchedTimeline));
    await flushPromises();
    const slice = wrapper.get('[data-testid="timeline-slice"]');
    expect(slice.element.tagName).toBe('CANVAS');
    expect(slice.attributes('role')).toBe('img');
    expect(slice.attributes('aria-label')).toBe('Slice: held by domid 1, 2 in the last 2 s');
    expect(slice.attributes('data-owners')).toBe('1,2');
    expect(wrapper.get('[data-testid="timeline-rcs"]').attributes('aria-label')).toBe('RCS: idle in the last 2 s');
    expect(wrapper.get('[data-testid="timeline-bcs"]').attributes('data-owners')).toBe('2,3');
    expect(wrapper.get('[data-testid="timeline-bcs"]').attributes('aria-label')).toBe('BCS: held by domid 2, 3 in the last 2 s');
  });

  it('asks 4 times a second on screen, once a second scrolled out of view, and at once when back', async () => {
    let now = 10_000;
    const fake = new FakeClient({ 'gpu.timeline': () => timeline((now += 250)) });
    ({ wrapper } = mountWith(fake, SchedTimeline));
    await flushPromises();
    const asked = (): number => fake.callsTo('gpu.timeline').length;
    expect(asked()).toBe(1);
    for (let i = 0; i < 4; i++) {
      await vi.advanceTimersByTimeAsync(250);
    }
    expect(asked()).toBe(5);
    intersect!([{ isIntersecting: false }]);
    await vi.advanceTimersByTimeAsync(2000);
    expect(asked()).toBe(7);
    intersect!([{ isIntersecting: true }]);
    await flushPromises();
    expect(asked()).toBe(8);
    await vi.advanceTimersByTimeAsync(250);
    expect(asked()).toBe(9);
  });
});
