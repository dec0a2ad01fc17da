import { describe, expect, it } from 'vitest';
import { addVm, directPort, rig } from '../helpers/system';
import { sysfsList, sysfsRead, sysfsWrite } from '../../../src/main/mediator/sysfs';
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


describe('mdev_supported_types', () => {
  it('lists the GVT-g types with their attributes and live available_instances', () => {
    const r = rig();
    const base = '/sys/class/mdev_bus/0000:00:02.0/mdev_supported_types';
    expect(sysfsList(r.m, base)).toEqual(['i915-GVTg_V5_8', 'i915-GVTg_V5_4', 'i915-GVTg_V5_2']);
    expect(sysfsList(r.m, `${base}/i915-GVTg_V5_4`)).toEqual(['available_instances', 'description', 'device_api', 'name']);
    expect(sysfsRead(r.m, `${base}/i915-GVTg_V5_4/available_instances`)).toBe('3\n');
    expect(sysfsRead(r.m, `${base}/i915-GVTg_V5_4/description`)).toContain('weight: 4\n');
    addVm(r, 1);
    expect(sysfsRead(r.m, `${base}/i915-GVTg_V5_4/available_instances`)).toBe('2\n');
    expect(() => sysfsRead(r.m, `${base}/i915-GVTg_V5_1/name`)).toThrow(/No such file/);
  });
});
