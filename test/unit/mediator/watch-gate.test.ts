import { describe, expect, it } from 'vitest';
import { bootDesktop, compositorFeed, rig } from '../helpers/system';
import { rgbaOfRle32 } from '../helpers/rle32-rgba';
import { type FeedItem, REFRESH_NS } from '../../../src/main/mediator/compositor-feed';
import { WatchGate } from '../../../src/main/mediator/watch-gate';
import { decodePhysicalFrame, decodeVgpuFrame, frameRgba } from '../../../src/main/mediator/fb-decoder';
import { PHYSICAL_SOURCE } from '../../../src/shared/api';

/** Two desktops (domids 1 and 2, 2 in the foreground) behind a WatchGate, as the compositor thread runs them. */
function scene() {
  const r = rig();
  const a = bootDesktop(r, 1);
  const b = bootDesktop(r, 2);
  r.m.setForeground(2);
  const f = compositorFeed(r);
  const gate = new WatchGate();
  let now = 0;
  /** One vblank: both desktops draw a frame, the planner plans, the gate passes what is watched. */
  const vblank = (): FeedItem[] => {
    now += 17e6;
    a.scene.frame(now / 1e6);
    b.scene.frame(now / 1e6);
    r.m.tick(now);
    return f.composer.compose(gate.pass(f.planner.plan(now)));
  };
  /** The composer's picture of `source` as RGBA, equal to a full decode when it is up to date. */
  const picture = (source: number): Buffer => {
    const last = f.composer.lastFrame(source)!;
    return Buffer.from(rgbaOfRle32(last.rle32({ x: 0, y: 0, w: last.width, h: last.height }), last.width, last.height));
  };
  const full = (domid: 1 | 2): Buffer => {
    const d = decodeVgpuFrame(r.gpu, domid === 1 ? a.v : b.v);
    if ('error' in d) throw new Error(d.error);
    return Buffer.from(frameRgba(d.frame));
  };
  return { r, f, gate, vblank, picture, full };
}

describe('WatchGate: only watched sources are composed', () => {
  it('composes only the watched source: the compose counter grows by one per vblank, no damage of the others comes out', () => {
    const s = scene();
    // VM 2 (in the foreground, the one the scheduler runs in this rig) draws every vblank; the physical pipe mirrors it.
    s.gate.watch([2]);
    s.vblank();
    const before = s.f.composer.decodes;
    const sources = new Set<number>();
    for (let i = 0; i < 6; i++) for (const item of s.vblank()) sources.add(item.source);
    expect([...sources]).toEqual([2]);
    // One surface compared per vblank (VM 2's); VM 1 and the physical pipe are held, not composed.
    expect(s.f.composer.decodes - before).toBe(6);
    expect(s.f.composer.lastFrame(1)).toBeUndefined();
    expect(s.f.composer.lastFrame(PHYSICAL_SOURCE)).toBeUndefined();
    expect(s.gate.heldSources().sort()).toEqual([1, PHYSICAL_SOURCE]);
  });

  it('a source that becomes watched is composed at once from its newest plan: its picture equals a full decode', () => {
    const s = scene();
    s.gate.watch([2]);
    for (let i = 0; i < 3; i++) s.vblank();
    const revived = s.gate.watch([1, 2]);
    expect(revived.map((p) => p.source)).toEqual([1]);
    const items = s.f.composer.compose(revived);
    expect(items.map((i) => i.source)).toEqual([1]);
    expect(s.picture(1).equals(s.full(1))).toBe(true);
    // VM 2 unwatched for a while as it keeps drawing, then watched: still exact, from the dirty logs since.
    s.gate.watch([1]);
    s.vblank();
    const seen = s.picture(2);
    for (let i = 0; i < 4; i++) s.vblank();
    expect(s.picture(2).equals(seen)).toBe(true);
    expect(s.full(2).equals(seen)).toBe(false);
    s.f.composer.compose(s.gate.watch(null));
    expect(s.picture(2).equals(s.full(2))).toBe(true);
    expect(s.gate.heldSources()).toEqual([]);
  });

  it('the physical pipe watched without the foreground VM it mirrors gets its own picture, equal to a full decode', () => {
    const s = scene();
    s.gate.watch([PHYSICAL_SOURCE]);
    for (let i = 0; i < 3; i++) s.vblank();
    const phys = decodePhysicalFrame(s.r.gpu);
    if ('error' in phys) throw new Error(phys.error);
    expect(s.picture(PHYSICAL_SOURCE).equals(Buffer.from(frameRgba(phys.frame)))).toBe(true);
    expect(s.f.composer.lastFrame(2)).toBeUndefined();
  });

  it('take() hands a snapshot the held plan of an unwatched source; forget() drops a destroyed vGPU\'s', () => {
    const s = scene();
    s.gate.watch([]);
    s.vblank();
    expect(s.f.composer.decodes).toBe(0);
    s.f.composer.compose(s.gate.take(1));
    expect(s.picture(1).equals(s.full(1))).toBe(true);
    expect(s.gate.take(1)).toEqual([]);
    s.gate.forget(2);
    expect(s.gate.heldSources()).toEqual([PHYSICAL_SOURCE]);
  });

  it('a held plan is replaced by a newer one (the refresh plans every source again)', () => {
    const s = scene();
    s.gate.watch([1]);
    s.vblank();
    const first = s.gate.take(2)[0]!;
    s.gate.pass(s.f.planner.plan(REFRESH_NS * 2));
    expect(s.gate.take(2)[0]!.regs).toBeDefined();
    expect(s.gate.take(2)).toEqual([]);
    expect(first.source).toBe(2);
  });
});
