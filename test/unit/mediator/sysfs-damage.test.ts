import { describe, expect, it } from 'vitest';
import { addVm, directPort, rig } from '../helpers/system';
import { sysfsList, sysfsRead, sysfsWrite } from '../../../src/main/mediator/sysfs';
import { DamageTracker } from '../../../src/main/mediator/damage';
import { PVINFO } from '../../../src/shared/pvinfo';
import { VGT_PVINFO_PAGE } from '../../../src/shared/regs';

describe('/sys/kernel/vgt', () => {
  it('foreground_vm reads and switches (EAGAIN until display_ready, EINVAL for junk)', () => {
    const r = rig();
    const { v } = addVm(r, 3);
    const fg = '/sys/kernel/vgt/control/foreground_vm';
    expect(sysfsRead(r.m, fg)).toBe('0\n');
    expect(() => sysfsWrite(r.m, fg, '3\n')).toThrow(/EAGAIN/);
    directPort(r, v).write32(VGT_PVINFO_PAGE + PVINFO.display_ready, 1);
    sysfsWrite(r.m, fg, '3\n');
    expect(sysfsRead(r.m, '/sys/kernel/vgt/control/../control/foreground_vm')).toBe('3\n');
    expect(() => sysfsWrite(r.m, fg, 'three')).toThrow(/Invalid argument/);
    expect(() => sysfsWrite(r.m, fg, '9')).toThrow(/no running domain/);
  });

  it('lists vm directories and refuses unknown paths and writes to read-only nodes', () => {
    const r = rig();
    addVm(r, 3);
    expect(sysfsList(r.m, '/sys/kernel/vgt')).toEqual(['control', 'vm3']);
    expect(sysfsRead(r.m, '/sys/kernel/vgt/vm3/aperture_sz')).toBe('128\n');
    expect(sysfsRead(r.m, '/sys/kernel/vgt/vm3/fence_base')).toBe('4\n');
    expect(() => sysfsRead(r.m, '/sys/kernel/vgt/vm9/aperture_sz')).toThrow(/No such file/);
    expect(() => sysfsRead(r.m, '/sys/kernel/vgt/control')).toThrow(/Is a directory/);
    expect(() => sysfsWrite(r.m, '/sys/kernel/vgt/vm3/aperture_sz', '1')).toThrow(/read-only/);
  });
});

describe('DamageTracker', () => {
  const frame = (w: number, h: number, f: (x: number, y: number) => number): Uint8Array => {
    const px = new Uint32Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) px[y * w + x] = f(x, y);
    return new Uint8Array(px.buffer);
  };

  it('sends the whole first frame, nothing for an unchanged one, and the bounding box of changes', () => {
    const t = new DamageTracker();
    const a = frame(8, 6, () => 1);
    expect(t.update(1, 8, 6, a).rect).toEqual({ x: 0, y: 0, w: 8, h: 6 });
    expect(t.update(1, 8, 6, frame(8, 6, () => 1)).rect).toBeNull();
    const b = frame(8, 6, (x, y) => ((x === 2 && y === 1) || (x === 5 && y === 3) ? 7 : 1));
    const d = t.update(1, 8, 6, b);
    expect(d.rect).toEqual({ x: 2, y: 1, w: 4, h: 3 });
    const px = new Uint32Array(d.rgba.buffer);
    expect(px.length).toBe(12);
    expect(px[0]).toBe(7);
    expect(px[3 + 2 * 4]).toBe(7);
    expect(px[1]).toBe(1);
  });

  it('a size change or a forgotten source damages the whole frame', () => {
    const t = new DamageTracker();
    t.update(1, 4, 4, frame(4, 4, () => 0));
    expect(t.update(1, 2, 2, frame(2, 2, () => 0)).rect).toEqual({ x: 0, y: 0, w: 2, h: 2 });
    t.forget(1);
    expect(t.update(1, 2, 2, frame(2, 2, () => 0)).rect).toEqual({ x: 0, y: 0, w: 2, h: 2 });
  });
});
