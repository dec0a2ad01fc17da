import { describe, expect, it } from 'vitest';
import { bootDesktop, compositorFeed, rig } from '../helpers/system';
import { rgbaOfRle32 } from '../helpers/rle32-rgba';
import { arrowCursor } from '../../../src/main/guest/cursor-image';
import { DISPLAY_REGS, cursorFrom } from '../../../src/main/mediator/display-regs';
import { decodePhysicalFrame, decodeVgpuFrame, overlayCursor, vgpuCursorGuard } from '../../../src/main/mediator/fb-decoder';
import { mmioInfo } from '../../../src/main/mediator/mmio-table';
import { PHYSICAL_SOURCE } from '../../../src/shared/api';
import { CUR_BASE_A, CUR_CTL_A, CUR_POS_A, MCURSOR_MODE_64_ARGB_AX, MCURSOR_MODE_MASK, PLANE_CTL_1_A, PLANE_CTL_ENABLE, PLANE_SURF_1_A } from '../../../src/shared/regs';

type Rig = ReturnType<typeof rig>;
const W = 1024;
const px = (f: Uint32Array | undefined, x: number, y: number): number => f![y * W + x]!;
/** What the windows of `source` show (the composer's picture, cursor blended in) as XRGB words, as a full decode gives them. */
function shownOf(f: ReturnType<typeof compositorFeed>, source: number): Uint32Array {
  const l = f.composer.lastFrame(source)!;
  const rgba = rgbaOfRle32(l.rle32({ x: 0, y: 0, w: l.width, h: l.height }), l.width, l.height);
  const out = new Uint32Array(l.width * l.height);
  for (let i = 0; i < out.length; i++) out[i] = (rgba[i * 4]! << 16) | (rgba[i * 4 + 1]! << 8) | rgba[i * 4 + 2]!;
  return out;
}
const same = (a: Uint32Array, b: Uint32Array): boolean => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
/** The X byte of XRGB8888 is not shown: compare what a screen shows. */
const rgb = (a: Uint32Array): Uint32Array => a.map((p) => p & 0xffffff);

const feed = compositorFeed;

function vgpuFrame(r: Rig, v: Parameters<typeof decodeVgpuFrame>[1]): Uint32Array {
  const d = decodeVgpuFrame(r.gpu, v);
  if ('error' in d) throw new Error(d.error);
  return d.frame.xrgb;
}

describe('cursor plane through the mediator (GVT-g display regs, XenGT foreground_vm)', () => {
  it('DISPLAY_REGS has CUR_BASE after CUR_CTL and CUR_POS (i9xx_update_cursor arms on CUR_BASE) and PLANE_SURF after the plane; all are trapped, tracked registers', () => {
    const i = (o: number): number => DISPLAY_REGS.indexOf(o);
    expect(i(CUR_BASE_A)).toBeGreaterThan(i(CUR_CTL_A));
    expect(i(CUR_BASE_A)).toBeGreaterThan(i(CUR_POS_A));
    expect(i(CUR_CTL_A)).toBeGreaterThanOrEqual(0);
    expect(i(PLANE_SURF_1_A)).toBeGreaterThan(i(PLANE_CTL_1_A));
    for (const [o, name] of [[CUR_CTL_A, 'CUR_CTL_A'], [CUR_BASE_A, 'CUR_BASE_A'], [CUR_POS_A, 'CUR_POS_A']] as const) expect(mmioInfo(o)?.name).toBe(name);
  });

  it("a foreground VM's cursor writes reach the physical pipe in order; a background VM's stay in its vreg until a display switch", () => {
    const r = rig();
    const a = bootDesktop(r, 1);
    const b = bootDesktop(r, 2);
    r.m.setForeground(1);
    const forwarded: number[] = [];
    const write = r.gpu.mmioWrite.bind(r.gpu);
    r.gpu.mmioWrite = (off, val, now) => {
      if (off === CUR_CTL_A || off === CUR_POS_A || off === CUR_BASE_A) forwarded.push(off);
      return write(off, val, now);
    };
    a.driver.initCursor(arrowCursor());
    a.driver.moveCursor(10, -20);
    // Each CUR_BASE write re-checks (re-forwards) CUR_CTL first: Mediator.displayValue's guard.
    expect(forwarded.splice(0)).toEqual([CUR_CTL_A, CUR_POS_A, CUR_CTL_A, CUR_BASE_A, CUR_POS_A, CUR_CTL_A, CUR_BASE_A]);
    expect(r.gpu.cursor(0)).toEqual(cursorFrom(a.v.vreg));
    expect(r.gpu.cursor(0)).toEqual({ ctl: MCURSOR_MODE_64_ARGB_AX, base: a.driver.cursorState().base, pos: 0x8014000a });

    b.driver.initCursor(arrowCursor());
    b.driver.moveCursor(500, 400);
    expect(forwarded).toEqual([]);
    expect(cursorFrom(b.v.vreg)).toEqual({ ctl: MCURSOR_MODE_64_ARGB_AX, base: b.driver.cursorState().base, pos: (400 << 16) | 500 });
    expect(r.gpu.cursor(0)).toEqual(cursorFrom(a.v.vreg));

    // applyDisplay on the switch: VM 2's cursor, CUR_BASE written after CUR_CTL and CUR_POS.
    r.m.setForeground(2);
    expect(forwarded).toEqual([CUR_CTL_A, CUR_POS_A, CUR_BASE_A]);
    expect(r.gpu.cursor(0)).toEqual(cursorFrom(b.v.vreg));
    const phys = decodePhysicalFrame(r.gpu);
    if ('error' in phys) throw new Error(phys.error);
    expect(px(phys.frame.xrgb, 500, 400)).toBe(0x000000);
    expect(px(phys.frame.xrgb, 501, 402)).toBe(0xffffff);
    // Back to the host: Domain-0 has no cursor.
    r.m.setForeground(0);
    expect(r.gpu.cursor(0)).toEqual({ ctl: 0, base: 0, pos: 0 });
  });

  it("vgpuCursorGuard (GVT-g vgpu_gmadr_is_valid) refuses a 16 KiB image not wholly inside the vGPU's GM; the primary plane still shows", () => {
    const r = rig();
    const a = bootDesktop(r, 1);
    const plain = vgpuFrame(r, a.v).slice();
    a.driver.initCursor(arrowCursor());
    a.driver.moveCursor(0, 0);
    expect(px(vgpuFrame(r, a.v), 1, 2)).toBe(0xffffff);
    const low = a.v.alloc.lowGm;
    for (const base of [0, low.base - 4096, low.base + low.size - 4096]) {
      a.v.vreg[CUR_BASE_A >>> 2] = base;
      const d = decodeVgpuFrame(r.gpu, a.v);
      if ('error' in d) throw new Error(d.error);
      expect(same(d.frame.xrgb, plain), `CUR_BASE 0x${base.toString(16)}`).toBe(true);
      expect(overlayCursor(r.gpu.ggtt, d.frame, cursorFrom(a.v.vreg), vgpuCursorGuard(a.v))).toBe(`CUR_BASE 0x${base.toString(16)} (16384 B) is outside the vGPU's graphics memory`);
    }
    // A mode the decoder cannot show is reported the same way, and leaves the plane alone too.
    a.v.vreg[CUR_BASE_A >>> 2] = a.driver.cursorState().base;
    a.v.vreg[CUR_CTL_A >>> 2] = 0x07;
    const d = decodeVgpuFrame(r.gpu, a.v);
    if ('error' in d) throw new Error(d.error);
    expect(same(d.frame.xrgb, plain)).toBe(true);
    expect(overlayCursor(r.gpu.ggtt, d.frame, cursorFrom(a.v.vreg))).toMatch(/CUR_CTL mode 0x7 not supported/);
  });

  it('the planner decodes again after a cursor-only move and the composed frame (and its snapshot) shows the cursor at the new place only', () => {
    const r = rig();
    const a = bootDesktop(r, 1);
    r.m.setForeground(1);
    a.driver.initCursor(arrowCursor());
    a.driver.moveCursor(200, 100);
    const f = feed(r);
    f.collect(0);
    expect(px(shownOf(f, 1), 200, 100)).toBe(0x000000);
    expect(f.planner.plan(1e6)).toEqual([]);
    const workloads = a.v.stats.workloads;
    a.driver.moveCursor(600, 300);
    expect(a.v.stats.workloads).toBe(workloads); // no GPU work: only registers moved
    const plan = f.planner.plan(2e6);
    expect(plan.map((s) => [s.source, s.sameAs])).toEqual([[1, undefined], [PHYSICAL_SOURCE, 1]]);
    expect(plan[0]!.cursor).toEqual(cursorFrom(a.v.vreg));
    const items = f.composer.compose(plan);
    const damage = items.find((i) => i.source === 1)!.damage;
    // The old place (rows 100..163) and the new one (rows 300..363) are damaged, nothing else.
    const rows = damage.pieces.flatMap((p) => [p.rect.y, p.rect.y + p.rect.h]);
    expect(Math.min(...rows)).toBe(100);
    expect(Math.max(...rows)).toBeLessThanOrEqual(364);
    // What the window (and a snapshot, composer.lastFrame) shows equals a full decode with the cursor.
    const shown = shownOf(f, 1);
    expect(same(shown, rgb(vgpuFrame(r, a.v)))).toBe(true);
    expect(px(shown, 600, 300)).toBe(0x000000);
    expect(px(shown, 601, 302)).toBe(0xffffff);
    expect(same(shownOf(f, PHYSICAL_SOURCE), shown)).toBe(true);
  });

  it("the physical pipe reuses the foreground's decode only while its cursor registers equal the VM's", () => {
    const r = rig();
    const a = bootDesktop(r, 1);
    r.m.setForeground(1);
    a.driver.initCursor(arrowCursor());
    a.driver.moveCursor(50, 60);
    const f = feed(r);
    f.collect(0);
    // The VM moves (planned, forwarded), then the physical cursor alone moves (the host's own
    // doing): no reuse, and the pipe's own decode shows its cursor.
    a.driver.moveCursor(51, 60);
    r.gpu.mmioWrite(CUR_POS_A, (70 << 16) | 300);
    const plan = f.planner.plan(1e6);
    expect(plan.find((s) => s.source === PHYSICAL_SOURCE)?.sameAs).toBeUndefined();
    f.composer.compose(plan);
    const vm = shownOf(f, 1);
    const phys = shownOf(f, PHYSICAL_SOURCE);
    expect(px(vm, 51, 60)).toBe(0x000000);
    expect(px(phys, 51, 60)).not.toBe(0x000000);
    expect(px(phys, 300, 70)).toBe(0x000000);
  });

  it("a cursor outside the vGPU's GM is planned as cursorRefused: the plane is composed without it, on the VM and the physical pipe", () => {
    const r = rig();
    const a = bootDesktop(r, 1);
    r.m.setForeground(1);
    const plain = vgpuFrame(r, a.v).slice();
    const f = feed(r);
    f.collect(0);
    a.driver.initCursor(arrowCursor());
    // A hostile guest points CUR_BASE at GM 0 (the host's); as the foreground's, the trapped write
    // also reaches the physical pipe.
    r.m.mmioWrite(a.v, CUR_BASE_A, 0, 0);
    expect(r.gpu.cursor(0).base).toBe(0);
    // Mediator.displayValue: the physical cursor plane is turned off, not pointed at the host's GM.
    expect(r.gpu.cursor(0).ctl & MCURSOR_MODE_MASK).toBe(0);
    expect(decodePhysicalFrame(r.gpu)).toMatchObject({ frame: { width: 1024 } });
    const plan = f.planner.plan(1e6);
    expect(plan.find((s) => s.source === 1)?.cursorRefused).toMatch(/^CUR_BASE 0x0 \(16384 B\) is outside the vGPU's graphics memory$/);
    expect(plan.find((s) => s.source === 1)?.refused).toBeUndefined();
    f.composer.compose(plan);
    expect(same(shownOf(f, 1), rgb(plain))).toBe(true);
    expect(same(shownOf(f, PHYSICAL_SOURCE), rgb(plain))).toBe(true);
  });

  it('Mediator.displayValue: a later PLANE_SURF outside the GM turns the physical plane off (checked at the surface write, not only at PLANE_CTL)', () => {
    const r = rig();
    const a = bootDesktop(r, 1);
    r.m.setForeground(1);
    expect(r.gpu.plane(0).ctl & PLANE_CTL_ENABLE).not.toBe(0);
    r.m.mmioWrite(a.v, PLANE_SURF_1_A, 0, 0);
    expect(r.gpu.plane(0).ctl & PLANE_CTL_ENABLE).toBe(0);
    // Back to its own buffer: the plane comes back.
    r.m.mmioWrite(a.v, PLANE_SURF_1_A, a.scene.frontBuffer.gm, 0);
    expect(r.gpu.plane(0).ctl & PLANE_CTL_ENABLE).not.toBe(0);
  });
});
