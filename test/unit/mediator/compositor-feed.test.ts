import { describe, expect, it } from 'vitest';
import { bootDesktop, compositorFeed, rig } from '../helpers/system';
import { rgbaOfRle32 } from '../helpers/rle32-rgba';
import { type FeedItem, REFRESH_NS, mergePlans } from '../../../src/main/mediator/compositor-feed';
import { decodePhysicalFrame, decodeVgpuFrame, frameRgba } from '../../../src/main/mediator/fb-decoder';
import { PHYSICAL_SOURCE } from '../../../src/shared/api';
import { PLANE_SURF_1_A } from '../../../src/shared/regs';

const feed = compositorFeed;

/** What a compositor window shows: full frames patched with every damage piece received. */
class Screen {
  readonly px = new Map<number, { width: number; height: number; rgba: Uint8Array }>();
  apply(items: FeedItem[]): void {
    for (const { source, damage } of items) {
      let s = this.px.get(source);
      if (!s || s.width !== damage.width || s.height !== damage.height) this.px.set(source, (s = { width: damage.width, height: damage.height, rgba: new Uint8Array(damage.width * damage.height * 4) }));
      for (const { rect, rle32 } of damage.pieces) {
        const rgba = rgbaOfRle32(rle32, rect.w, rect.h);
        for (let y = 0; y < rect.h; y++) s.rgba.set(rgba.subarray(y * rect.w * 4, (y + 1) * rect.w * 4), ((rect.y + y) * s.width + rect.x) * 4);
      }
    }
  }
}

describe('ScanoutPlanner + FrameComposer', () => {
  it('sends full frames first, then only damage when a workload ran, nothing when idle', () => {
    const r = rig();
    const { scene } = bootDesktop(r, 1);
    const f = feed(r);
    const first = f.collect(0);
    // VM 1 in full, and the physical pipe (Domain-0's console is not drawn in this rig): no signal.
    expect(first.map((i) => [i.source, i.damage.pieces.map((p) => p.rect)])).toEqual([
      [1, [{ x: 0, y: 0, w: 1024, h: 768 }]],
      [PHYSICAL_SOURCE, [{ x: 0, y: 0, w: 0, h: 0 }]],
    ]);
    expect(f.planner.plan(1e6)).toEqual([]);
    expect(f.composer.decodes).toBe(2);
    // The first frame also brings the terminal window into the back buffer: after it, both buffers hold it.
    scene.frame(0);
    r.m.tick(1e6);
    expect(f.collect(1.5e6)).toHaveLength(1);
    scene.frame(0);
    r.m.tick(1.8e6);
    const second = f.collect(2e6);
    expect(second).toHaveLength(1);
    // The moving window and the top bar (frame counter) are separate bands, not one big rectangle.
    const area = second[0]!.damage.pieces.reduce((n, p) => n + p.rect.w * p.rect.h, 0);
    expect(second[0]!.damage.pieces.length).toBeGreaterThanOrEqual(2);
    expect(area).toBeLessThan((1024 * 768) / 4);
    // CPU-only drawing is caught by the periodic refresh.
    scene.drawBar(Date.UTC(2026, 0, 1, 1, 2, 3));
    expect(f.collect(3e6)).toEqual([]);
    expect(f.collect(3e6 + REFRESH_NS).map((i) => i.source)).toEqual([1]); // the unchanged physical pipe sends nothing
  });

  it("the physical pipe reuses the foreground VM's decode and follows a display switch", () => {
    const r = rig();
    bootDesktop(r, 1);
    const b = bootDesktop(r, 2);
    r.m.setForeground(2);
    const f = feed(r);
    const items = f.collect(0);
    const phys = items.find((i) => i.source === PHYSICAL_SOURCE)!;
    const vm2 = items.find((i) => i.source === 2)!;
    expect(phys.damage.pieces[0]!.rle32).toEqual(vm2.damage.pieces[0]!.rle32);
    expect(f.composer.decodes).toBe(2);
    r.m.setForeground(1);
    const after = f.collect(1e6);
    expect(after.map((i) => i.source)).toEqual([PHYSICAL_SOURCE]);
    f.planner.forget(2);
    f.composer.forget(2);
    r.m.destroyVgpu(2);
    expect(b.v.failsafe).toBeNull();
  });

  it('double-buffered decoding: after 40 frames and display switches every window still equals a full decode', () => {
    // Every 4th vblank comes after a REFRESH_NS gap, so every source is decoded and the windows must
    // equal a full decode there; in between only some sources are, which rotates and shares buffers.
    const r = rig();
    const a = bootDesktop(r, 1);
    // Domids 1 and 8 get the same palette: frames that are nearly equal make a corrupted baseline show.
    const b = bootDesktop(r, 8);
    const f = feed(r);
    const screen = new Screen();
    let now = 0;
    for (let i = 0; i < 40; i++) {
      now += i % 4 === 3 ? REFRESH_NS : 17e6;
      a.scene.frame(now / 1e6);
      if (i % 3 === 0) b.scene.frame(now / 1e6);
      if (i % 7 === 3) r.m.setForeground(i % 2 === 0 ? 1 : 8);
      r.m.tick(now);
      screen.apply(f.collect(now));
      if (i % 4 !== 3) continue;
      for (const [source, v] of [[1, a.v], [8, b.v]] as const) {
        const full = decodeVgpuFrame(r.gpu, v);
        if ('error' in full) throw new Error(full.error);
        expect(Buffer.from(screen.px.get(source)!.rgba).equals(Buffer.from(frameRgba(full.frame))), `frame ${i} source ${source}`).toBe(true);
      }
      const phys = decodePhysicalFrame(r.gpu);
      if ('error' in phys) throw new Error(phys.error);
      expect(Buffer.from(screen.px.get(PHYSICAL_SOURCE)!.rgba).equals(Buffer.from(frameRgba(phys.frame))), `frame ${i} physical`).toBe(true);
    }
  });

  it('a plane whose surface is outside the vGPU\'s GM is planned as refused and never composed', () => {
    const r = rig();
    const a = bootDesktop(r, 1);
    const f = feed(r);
    f.collect(0);
    a.v.vreg[PLANE_SURF_1_A >>> 2] = 0; // GM 0 belongs to the host, not to this vGPU
    const plan = f.planner.plan(1e6);
    expect(plan.find((s) => s.source === 1)?.refused).toMatch(/PLANE_SURF 0x0 .* is outside the vGPU's graphics memory/);
    expect(f.composer.compose(plan).map((i) => i.source)).not.toContain(1);
  });

  it('counts the flips each source latched at vblank and carries them, with the vblank time, to its frames', () => {
    const r = rig();
    const { scene } = bootDesktop(r, 1);
    const f = feed(r);
    const plan0 = f.planner.plan(0, 1000);
    expect(plan0.find((s) => s.source === 1)).toMatchObject({ flip: 0, vblankMs: 1000 });
    f.composer.compose(plan0);
    // Each desktop frame ends with MI_DISPLAY_FLIP to the other buffer: a new PLANE_SURF per vblank.
    for (let i = 1; i <= 3; i++) {
      scene.frame(0);
      r.m.tick(i * 17e6);
      const items = f.composer.compose(f.planner.plan(i * 17e6, 1000 + i * 17));
      expect(items.find((it) => it.source === 1)).toMatchObject({ flip: i, vblankMs: 1000 + i * 17 });
    }
    // Only a workload without a flip (the bar drawn by CPU, refreshed): the count stays.
    scene.drawBar(0);
    expect(f.planner.plan(3 * 17e6 + REFRESH_NS, 2000).find((s) => s.source === 1)?.flip).toBe(3);
    expect(f.composer.lastFrame(1)).toMatchObject({ flip: 3, vblankMs: 1000 + 3 * 17 });
  });

  it('mergePlans keeps the newest entry per source and the physical pipe last', () => {
    const s = (source: number, surf: number) => ({ source, regs: { ctl: 0, stride: 0, size: 0, surf, offset: 0 }, pipeOn: true, cursor: { ctl: 0, base: 0, pos: 0 }, flip: 0, vblankMs: 0 });
    const merged = mergePlans([s(1, 1), s(PHYSICAL_SOURCE, 1), s(2, 1)], [s(PHYSICAL_SOURCE, 2), s(1, 2)]);
    expect(merged.map((x) => [x.source, x.regs.surf])).toEqual([[2, 1], [1, 2], [PHYSICAL_SOURCE, 2]]);
  });
});
