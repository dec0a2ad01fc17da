import { describe, expect, it } from 'vitest';
import { addVm, bootDesktop, directPort, rig } from '../helpers/system';
import { CURSOR_SIZE, GuestDriver } from '../../../src/main/guest/driver';
import { GuestRam } from '../../../src/main/guest/guest-ram';
import { arrowCursor } from '../../../src/main/guest/cursor-image';
import type { TrapPort } from '../../../src/main/guest/trap-port';
import { DesktopScene } from '../../../src/main/guest/workloads/desktop';
import { decodeVgpuFrame } from '../../../src/main/mediator/fb-decoder';
import { cursorFrom } from '../../../src/main/mediator/display-regs';
import { CUR_BASE_A, CUR_CTL_A, CUR_POS_A, PIPECONF_A, PLANE_SURF_1_A } from '../../../src/shared/regs';

const NAMES: Record<number, string> = { [CUR_CTL_A]: 'CUR_CTL', [CUR_POS_A]: 'CUR_POS', [CUR_BASE_A]: 'CUR_BASE', [PLANE_SURF_1_A]: 'PLANE_SURF', [PIPECONF_A]: 'PIPECONF' };

/** A guest with the desktop at 1024x768 whose display-register writes (as trapped) are recorded by name. */
function recorded() {
  const r = rig();
  const { v, ram } = addVm(r, 1);
  const writes: string[] = [];
  const port = directPort(r, v);
  const record: TrapPort = {
    ...port,
    write32: (off, val) => {
      if (NAMES[off]) writes.push(`${NAMES[off]}=0x${(val >>> 0).toString(16)}`);
      port.write32(off, val);
    },
  };
  const driver = new GuestDriver(record, new GuestRam(ram), () => {});
  driver.probe();
  driver.initBlitterRing();
  driver.enableInterrupts();
  const scene = new DesktopScene(driver, { name: 'vm1', domid: 1 });
  scene.boot();
  scene.setMode({ width: 1024, height: 768, refresh: 60 });
  writes.length = 0;
  return { r, v, driver, take: () => writes.splice(0) };
}

function frame(d: ReturnType<typeof bootDesktop>) {
  const f = decodeVgpuFrame(d.r.gpu, d.v);
  if ('error' in f) throw new Error(f.error);
  return f.frame;
}

describe('GuestDriver cursor (i915 i9xx_update_cursor / intel_cursor_position)', () => {
  it('initCursor writes CUR_CTL = MCURSOR_MODE_64_ARGB_AX, CUR_POS, then CUR_BASE (arming) and copies the image into its 16 KiB object', () => {
    const d = recorded();
    const image = arrowCursor();
    d.driver.initCursor(image);
    const { base } = d.driver.cursorState();
    expect(d.take()).toEqual(['CUR_CTL=0x27', 'CUR_POS=0x0', `CUR_BASE=0x${base.toString(16)}`]);
    expect(base % 4096).toBe(0);
    expect(d.v.ownsGm(base, 16384)).toBe(true);
    expect(cursorFrom(d.v.vreg)).toEqual({ ctl: 0x27, base, pos: 0 });
    for (let i = 0; i < image.length; i++) if (d.r.gpu.ggtt.read32(base + i * 4) !== image[i]) throw new Error(`image dword ${i} differs`);
    expect(d.driver.cursorState()).toEqual({ visible: true, x: 0, y: 0, base });
  });

  it('moveCursor is one trapped CUR_POS then CUR_BASE write, with the sign bits for negative coordinates', () => {
    const d = recorded();
    d.driver.initCursor(arrowCursor());
    const base = `CUR_BASE=0x${d.driver.cursorState().base.toString(16)}`;
    d.take();
    d.driver.moveCursor(300, 200);
    d.driver.moveCursor(-5, 10);
    d.driver.moveCursor(7, -63);
    expect(d.take()).toEqual(['CUR_POS=0xc8012c', base, 'CUR_POS=0xa8005', base, 'CUR_POS=0x803f0007', base]);
    expect(d.driver.cursorState()).toMatchObject({ visible: true, x: 7, y: -63 });
    // Wholly off the pipe (xf86_crtc_set_cursor_position's in_range): the plane turns off.
    d.driver.moveCursor(7, -64);
    expect(d.take()).toEqual(['CUR_CTL=0x0', 'CUR_POS=0x0', 'CUR_BASE=0x0']);
    expect(d.driver.cursorState()).toMatchObject({ visible: false, x: 7, y: -64 });
  });

  it('moveCursor refuses positions CUR_POS cannot hold, and needs initCursor first', () => {
    const d = recorded();
    expect(() => d.driver.moveCursor(1, 1)).toThrow(/initCursor\(\) first/);
    d.driver.initCursor(arrowCursor());
    d.take();
    for (const [x, y] of [[8192, 0], [0, -4096], [1.5, 0], [NaN, 0]]) expect(() => d.driver.moveCursor(x!, y!)).toThrow(RangeError);
    expect(d.take()).toEqual([]);
    expect(d.driver.cursorState()).toMatchObject({ x: 0, y: 0 });
    expect(() => d.driver.initCursor(new Uint32Array(32 * 32))).toThrow(RangeError);
  });

  it('hideCursor writes CUR_CTL 0, CUR_POS 0, CUR_BASE 0 (i9xx_update_cursor for an invisible plane); a move while hidden keeps the plane off', () => {
    const d = recorded();
    d.driver.initCursor(arrowCursor());
    d.driver.moveCursor(40, 30);
    const gm = d.driver.cursorState().base;
    d.take();
    d.driver.hideCursor();
    expect(d.take()).toEqual(['CUR_CTL=0x0', 'CUR_POS=0x0', 'CUR_BASE=0x0']);
    d.driver.moveCursor(50, 60);
    expect(d.take()).toEqual(['CUR_POS=0x0', 'CUR_BASE=0x0']);
    expect(d.driver.cursorState()).toEqual({ visible: false, x: 50, y: 60, base: gm });
    // Shown again at the remembered position, in the same object.
    d.driver.initCursor(arrowCursor());
    expect(d.take()).toEqual(['CUR_CTL=0x27', 'CUR_POS=0x3c0032', `CUR_BASE=0x${gm.toString(16)}`]);
  });

  it('disablePipe turns an active cursor off after the primary plane, before the pipe (intel_crtc_disable_planes); the next move turns it back on', () => {
    const d = recorded();
    d.driver.disablePipe();
    // No cursor yet: the pipe goes off exactly as before.
    expect(d.take()).toEqual(['PLANE_SURF=0x0', 'PIPECONF=0x0']);
    d.driver.initCursor(arrowCursor());
    d.driver.moveCursor(3, 4);
    const gm = d.driver.cursorState().base;
    d.take();
    d.driver.disablePipe();
    expect(d.take()).toEqual(['PLANE_SURF=0x0', 'CUR_CTL=0x0', 'CUR_POS=0x0', 'CUR_BASE=0x0', 'PIPECONF=0x0']);
    expect(d.driver.cursorState()).toEqual({ visible: false, x: 3, y: 4, base: gm });
    d.driver.moveCursor(3, 4);
    expect(d.take()).toEqual(['CUR_CTL=0x27', 'CUR_POS=0x40003', `CUR_BASE=0x${gm.toString(16)}`]);
    expect(d.driver.cursorState().visible).toBe(true);
  });

  it('the cursor shows in the decoded frame (GVT-g intel_vgpu_decode_cursor_plane path), clipped at negative positions', () => {
    const d = bootDesktop(rig(), 1);
    const before = frame(d).xrgb.slice();
    const same = (a: Uint32Array, b: Uint32Array): boolean => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
    d.driver.initCursor(arrowCursor());
    d.driver.moveCursor(100, 50);
    let f = frame(d).xrgb;
    expect(f[50 * 1024 + 100]).toBe(0x000000); // the tip: black outline
    expect(f[52 * 1024 + 101]).toBe(0xffffff); // white fill ('BWB' row)
    expect(f[50 * 1024 + 120]).toBe(before[50 * 1024 + 120]); // transparent part of the image
    d.driver.moveCursor(-3, -4);
    f = frame(d).xrgb;
    // Pipe pixel (0, 0) is image pixel (3, 4): row 'BWWWB', white.
    expect(f[0]).toBe(0xffffff);
    expect(same(f.subarray(100 * 1024), before.subarray(100 * 1024))).toBe(true);
    d.driver.hideCursor();
    expect(same(frame(d).xrgb, before)).toBe(true);
  });

  it('a guest without a booted desktop can still program the cursor on its own aperture', () => {
    const r = rig();
    const { v, ram, dirty } = addVm(r, 3);
    const driver = new GuestDriver(directPort(r, v), new GuestRam(ram, dirty), () => {});
    driver.probe();
    driver.initCursor(arrowCursor());
    expect(driver.cursorState().base).toBe(driver.resources.aperture.base);
    expect(v.untrackedMmio.size).toBe(0);
  });
});

describe('arrowCursor (the guest default pointer image)', () => {
  it('is 64x64 premultiplied ARGB: a closed black outline around a white arrow, tip (hot spot) at 0,0, the rest 0x00000000', () => {
    const img = arrowCursor();
    expect(img).toHaveLength(CURSOR_SIZE * CURSOR_SIZE);
    expect(img[0]).toBe(0xff000000);
    expect(new Set(img)).toEqual(new Set([0, 0xff000000, 0xffffffff]));
    const px = (x: number, y: number): number => (x < 0 || y < 0 || x >= CURSOR_SIZE || y >= CURSOR_SIZE ? 0 : img[y * CURSOR_SIZE + x]!);
    let white = 0;
    for (let y = 0; y < CURSOR_SIZE; y++) {
      for (let x = 0; x < CURSOR_SIZE; x++) {
        if (px(x, y) !== 0xffffffff) continue;
        white++;
        // Every white pixel's neighbours are opaque: the outline is closed.
        for (const [dx, dy] of [[1, 0], [-1, 0], [0, 1], [0, -1]]) expect(px(x + dx!, y + dy!)).not.toBe(0);
      }
    }
    expect(white).toBeGreaterThan(40);
    // Small enough to leave the rest of the 64x64 plane transparent.
    expect(img.subarray(20 * CURSOR_SIZE).every((p) => p === 0)).toBe(true);
  });
});
