import { describe, expect, it } from 'vitest';
import { addVm, bootDesktop, rig } from '../helpers/system';
import { GuestDriver, NoVgpuError } from '../../../src/main/guest/driver';
import { GuestRam } from '../../../src/main/guest/guest-ram';
import { decodePhysicalFrame, decodeVgpuFrame, frameRgba } from '../../../src/main/mediator/fb-decoder';
import { glyph } from '../../../src/shared/font';
import { GEN8_DE_PIPE_IER_A, GEN8_DE_PIPE_IIR_A, GEN8_DE_PIPE_IMR_A, GEN8_PIPE_VBLANK, GEN9_PIPE_PLANE1_FLIP_DONE, PLANE_SURF_1_A } from '../../../src/shared/regs';
import { directPort } from '../helpers/system';

function frameOf(r: ReturnType<typeof rig>, v: ReturnType<typeof addVm>['v']) {
  const d = decodeVgpuFrame(r.gpu, v);
  if ('error' in d) throw new Error(d.error);
  return { ...d.frame, rgba: frameRgba(d.frame) };
}

describe('guest driver + desktop through the mediator (in-thread)', () => {
  it('logs the i915 vGPU detection and ballooning lines', () => {
    const { lines } = bootDesktop(rig(), 1);
    expect(lines).toContain('i915 0000:00:02.0: Virtual GPU for Intel GVT-g detected.');
    expect(lines).toContain('[drm] Mappable graphic memory: base 0x8000000 size 131072KiB');
  });

  it('draws a non-blank desktop whose pixels change between frames, with blits completing via MSI', () => {
    const { r, v, driver, scene } = bootDesktop(rig(), 1);
    const f0 = frameOf(r, v);
    expect(f0.width).toBe(1024);
    expect(f0.height).toBe(768);
    const distinct = new Set<number>();
    const px = new Uint32Array(f0.rgba.buffer);
    for (let i = 0; i < px.length; i += 97) distinct.add(px[i]);
    expect(distinct.size).toBeGreaterThan(3);
    const msisBefore = r.msis.get(1) ?? 0;
    const seq = scene.frame(Date.UTC(2026, 0, 1, 12, 34, 56));
    r.m.tick(1e6);
    expect(scene.completedSeqno()).toBe(seq);
    expect(r.msis.get(1)).toBe(msisBefore + 1);
    expect(driver.handleInterrupt().bcsUser).toBe(true);
    const f1 = frameOf(r, v);
    expect(Buffer.compare(Buffer.from(f0.rgba), Buffer.from(f1.rgba))).not.toBe(0);
    expect(v.failsafe).toBeNull();
    expect(v.stats.droppedPtes).toBe(0);
    expect(v.stats.workloads).toBe(1);
  });

  it('an emulated MI_DISPLAY_FLIP raises GEN9_PIPE_PLANE1_FLIP_DONE, bit 3 of DE pipe A (GVT-g gen8_init_irq, Gen9 branch)', () => {
    const { r, v, scene } = bootDesktop(rig(), 1);
    const p = directPort(r, v);
    p.write32(GEN8_DE_PIPE_IMR_A, ~(GEN8_PIPE_VBLANK | GEN9_PIPE_PLANE1_FLIP_DONE) >>> 0);
    p.write32(GEN8_DE_PIPE_IER_A, GEN8_PIPE_VBLANK | GEN9_PIPE_PLANE1_FLIP_DONE);
    p.write32(GEN8_DE_PIPE_IIR_A, 0xffffffff);
    scene.frame(Date.UTC(2026, 0, 1, 12, 0, 0));
    r.m.tick(1e6);
    expect(GEN9_PIPE_PLANE1_FLIP_DONE).toBe(8);
    expect(p.read32(GEN8_DE_PIPE_IIR_A) & 0x18).toBe(GEN9_PIPE_PLANE1_FLIP_DONE);
  });

  it('double-buffers: each frame is drawn into the back buffer and shown by MI_DISPLAY_FLIP, with no trail of old windows', () => {
    const { r, v, driver, scene } = bootDesktop(rig(), 1);
    const internals = scene as unknown as { bg: { words: Uint32Array }; pitch: number };
    const surfs: number[] = [];
    for (let i = 0; i < 6; i++) {
      const seq = scene.frame(Date.UTC(2026, 0, 1, 12, 0, i));
      r.m.tick((i + 1) * 1e6);
      expect(scene.completedSeqno()).toBe(seq);
      driver.handleInterrupt();
      // The flip landed when the frame's commands completed: the plane shows the buffer just drawn.
      surfs.push(v.vreg[PLANE_SURF_1_A >>> 2]!);
      expect(surfs[i]).toBe(scene.frontBuffer.gm);
    }
    expect(new Set(surfs).size).toBe(2);
    expect(surfs[0]).not.toBe(surfs[1]);
    expect(surfs[2]).toBe(surfs[0]);
    // Below the bar, every pixel outside the current window and its shadow is the background.
    const f = frameOf(r, v);
    const pp = internals.pitch / 4;
    // Windows (info and terminal) with their 6-px shadows.
    const wins = scene.windows();
    expect(wins.map((w) => w.id)).toEqual(['info', 'terminal']);
    let trail = 0;
    for (let y = 40; y < f.height; y++) {
      for (let x = 0; x < f.width; x++) {
        if (wins.some((w) => x >= w.x && x < w.x + w.w + 6 && y >= w.y && y < w.y + w.h + 6)) continue;
        if (f.xrgb[y * f.width + x] !== internals.bg.words[y * pp + x]) trail++;
      }
    }
    expect(trail).toBe(0);
    expect(v.failsafe).toBeNull();
  });

  it('a window follows a drag by its title bar, is raised by a press, and stays on screen', () => {
    const { r, driver, scene } = bootDesktop(rig(), 1);
    const term = () => scene.windows().find((w) => w.id === 'terminal')!;
    const { x, y } = term();
    expect([x, y]).toEqual([1024 - 528 - 40, 768 - 300 - 40]);
    // Press on the info window's body raises it without dragging.
    const info = scene.windows().find((w) => w.id === 'info')!;
    expect(scene.pointerButton(true, info.x + 50, info.y + 100)).toBe('info');
    scene.pointerMove(info.x + 300, info.y + 300);
    scene.pointerButton(false, info.x + 300, info.y + 300);
    expect(scene.windows().at(-1)!.id).toBe('info');
    // Grab the terminal's title bar 10 px in, drag it up-left by (200, 150).
    expect(scene.pointerButton(true, x + 10, y + 10)).toBe('terminal');
    scene.pointerMove(x + 10 - 200, y + 10 - 150);
    scene.pointerButton(false, x + 10 - 200, y + 10 - 150);
    expect(term()).toMatchObject({ x: x - 200, y: y - 150 });
    expect(scene.windows().at(-1)!.id).toBe('terminal');
    // Dragged far off: clamped below the top bar and inside the screen.
    scene.pointerButton(true, term().x + 5, term().y + 5);
    scene.pointerMove(-500, -500);
    scene.pointerButton(false, -500, -500);
    expect(term()).toMatchObject({ x: 0, y: 40 });
    scene.frame(0);
    r.m.tick(1e6);
    driver.handleInterrupt();
  });

  it('text written to the terminal is drawn in its window (dark background, light glyphs)', () => {
    const { r, v, driver, scene } = bootDesktop(rig(), 1);
    scene.terminalWrite('root@vm1:~# echo hi\nhi\n');
    expect(scene.terminal.lines().slice(0, 2)).toEqual(['root@vm1:~# echo hi', 'hi']);
    for (let i = 0; i < 2; i++) {
      scene.frame(0);
      r.m.tick((i + 1) * 1e6);
      driver.handleInterrupt();
    }
    const f = frameOf(r, v);
    const t = scene.windows().find((w) => w.id === 'terminal')!;
    const px = (x: number, y: number) => f.xrgb[y * f.width + x] & 0xffffff;
    // Background of the text area, and the first glyph 'r' at row 0 has lit pixels.
    expect(px(t.x + t.w - 4, t.y + t.h - 4)).toBe(0x1b1d1f);
    let lit = 0;
    for (let y = 0; y < 16; y++) for (let x = 0; x < 8; x++) if (px(t.x + 8 + x, t.y + 28 + 8 + y) === 0xd8d8d8) lit++;
    expect(lit).toBeGreaterThan(5);
  });

  it('the top bar shows the VM name: the first glyph of "vm1" is drawn at 2x scale', () => {
    const { r, v } = bootDesktop(rig(), 1);
    const f = frameOf(r, v);
    const g = glyph('v'.charCodeAt(0));
    const white = (x: number, y: number): boolean => f.rgba[(y * f.width + x) * 4] === 255 && f.rgba[(y * f.width + x) * 4 + 1] === 255;
    for (let row = 0; row < 16; row++)
      for (let col = 0; col < 8; col++) expect(white(12 + col * 2, 4 + row * 2)).toBe(((g[row] >> (7 - col)) & 1) === 1);
  });

  it('two VMs draw independently; the physical pipe shows the foreground one', () => {
    const r = rig();
    const a = bootDesktop(r, 1);
    const b = bootDesktop(r, 2);
    r.m.setForeground(2);
    const phys = decodePhysicalFrame(r.gpu);
    if ('error' in phys) throw new Error(phys.error);
    expect(Buffer.from(frameRgba(phys.frame)).equals(Buffer.from(frameOf(r, b.v).rgba))).toBe(true);
    expect(Buffer.from(frameOf(r, a.v).rgba).equals(Buffer.from(frameOf(r, b.v).rgba))).toBe(false);
    r.m.setForeground(0);
    const host = decodePhysicalFrame(r.gpu);
    if ('error' in host) throw new Error(host.error);
    expect(host.frame.width).toBe(0); // the host console has not been drawn in this rig: no signal
  });

  it('a driver on a device without PVINFO refuses to load', () => {
    const ram = new GuestRam(new SharedArrayBuffer(1 << 20));
    const driver = new GuestDriver({ read32: () => 0, write32: () => undefined, write64: () => undefined, apertureRead32: () => 0, apertureWrite32: () => undefined }, ram, () => undefined);
    expect(() => driver.probe()).toThrow(NoVgpuError);
  });
});

describe('tiled badge through a fenced aperture', () => {
  it('lands X-tiled in memory and is blitted linear onto the window', async () => {
    const { BADGE_W, BADGE_H } = await import('../../../src/main/guest/workloads/desktop');
    const { r, v, scene } = bootDesktop(rig(), 1);
    scene.frame(0);
    r.m.tick(1e6);
    const f = frameOf(r, v);
    // The window moved by (6, 4) from (40, 80): its bottom-right corner holds the badge's border.
    const x = 46 + 360 - BADGE_W - 10;
    const y = 84 + 200 - BADGE_H - 10;
    const at = (px: number, py: number) => [...f.rgba.subarray((py * f.width + px) * 4, (py * f.width + px) * 4 + 4)];
    const accent = at(x, y);
    expect(accent).toEqual(at(x + BADGE_W - 1, y + BADGE_H - 1));
    expect(accent).not.toEqual(at(x + 1, y + 1));
    expect(v.failsafe).toBeNull();
    expect(v.log.filter((l) => /fence|aperture/.test(l))).toEqual([]);
  });

  it('aperture accesses outside the vGPU slice are ignored and logged', () => {
    const { r, v } = bootDesktop(rig(), 1);
    r.m.apertureAccess(v, 0, true, 1);
    expect(v.log.at(-1)).toMatch(/aperture: write at 0x0 outside/);
  });
});
