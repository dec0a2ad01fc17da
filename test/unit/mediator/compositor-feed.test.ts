import { describe, expect, it } from 'vitest';
import { bootDesktop, rig } from '../helpers/system';
import { CompositorFeed, REFRESH_NS } from '../../../src/main/mediator/compositor-feed';
import { PHYSICAL_SOURCE } from '../../../src/shared/api';

describe('CompositorFeed', () => {
  it('sends full frames first, then only damage when a workload ran, nothing when idle', () => {
    const r = rig();
    const { scene } = bootDesktop(r, 1);
    const feed = new CompositorFeed(r.gpu, r.m);
    const first = feed.collect(0);
    // VM 1 in full, and the physical pipe (Domain-0's console is not drawn in this rig): no signal.
    expect(first.map((i) => [i.source, i.damage.pieces.map((p) => p.rect)])).toEqual([
      [1, [{ x: 0, y: 0, w: 1024, h: 768 }]],
      [PHYSICAL_SOURCE, [{ x: 0, y: 0, w: 0, h: 0 }]],
    ]);
    expect(feed.collect(1e6)).toEqual([]);
    expect(feed.decodes).toBe(2);
    scene.frame(0);
    const second = feed.collect(2e6);
    expect(second).toHaveLength(1);
    // The moving window and the top bar (frame counter) are separate bands, not one big rectangle.
    const area = second[0].damage.pieces.reduce((n, p) => n + p.rect.w * p.rect.h, 0);
    expect(second[0].damage.pieces.length).toBeGreaterThanOrEqual(2);
    expect(area).toBeLessThan((1024 * 768) / 4);
    // CPU-only drawing is caught by the periodic refresh.
    scene.drawBar(Date.UTC(2026, 0, 1, 1, 2, 3));
    expect(feed.collect(3e6)).toEqual([]);
    expect(feed.collect(3e6 + REFRESH_NS).map((i) => i.source)).toEqual([1]); // the unchanged physical pipe sends nothing
  });

  it('the physical pipe reuses the foreground VM\'s decode and follows a display switch', () => {
    const r = rig();
    bootDesktop(r, 1);
    const b = bootDesktop(r, 2);
    r.m.setForeground(2);
    const feed = new CompositorFeed(r.gpu, r.m);
    const items = feed.collect(0);
    const phys = items.find((i) => i.source === PHYSICAL_SOURCE)!;
    const vm2 = items.find((i) => i.source === 2)!;
    expect(Buffer.from(phys.damage.pieces[0].rgba).equals(Buffer.from(vm2.damage.pieces[0].rgba))).toBe(true);
    expect(feed.decodes).toBe(2);
    r.m.setForeground(1);
    const after = feed.collect(1e6);
    expect(after.map((i) => i.source)).toEqual([PHYSICAL_SOURCE]);
    feed.forget(2);
    r.m.destroyVgpu(2);
    expect(b.v.failsafe).toBeNull();
  });
});
