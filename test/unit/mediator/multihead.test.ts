import { describe, expect, it } from 'vitest';
import { compositorFeed, directPort, rig } from '../helpers/system';
import { PHYSICAL_SOURCE } from '../../../src/shared/api';
import { headOf, parseSourceName, physicalHeadSource, sourceName, vmHeadSource } from '../../../src/shared/heads';
import { libraryMonitor } from '../../../src/shared/edid-library';
import { PORT_TYPES } from '../../../src/shared/ports';
import { PVINFO } from '../../../src/shared/pvinfo';
import { defaultPhysicalMonitors } from '../../../src/main/mediator/physical-heads';
import { portInfos } from '../../../src/main/mediator/port-info';
import type { VirtualPort } from '../../../src/main/mediator/vdisplay';
import {
  GEN8_DE_PIPE_IRQ,
  GEN8_DE_PIPE_ISR,
  GEN8_MASTER_IRQ,
  GEN8_MASTER_IRQ_CONTROL,
  GEN8_PIPE_VBLANK,
  PIPECONF_A,
  PIPECONF_ENABLE,
  PLANE_CTL_1_A,
  PLANE_CTL_ENABLE,
  PLANE_CTL_FORMAT_XRGB_8888,
  PLANE_SIZE_1_A,
  PLANE_STRIDE_1_A,
  PLANE_SURF_1_A,
  VGT_PVINFO_PAGE,
  pipeReg,
} from '../../../src/shared/regs';

const mon = (id: string) => libraryMonitor(id)!.bytes;
const hdmi = (name: 'PORT_B' | 'PORT_C' | 'PORT_D', id: string): VirtualPort => ({ name, type: PORT_TYPES[`HDMI_${name.slice(5) as 'B' | 'C' | 'D'}`], overridePort: null, edid: mon(id), connected: true });

function vm(r: ReturnType<typeof rig>, domid: number, ports: VirtualPort[]) {
  const v = r.m.createVgpu({ domid, name: `vm${domid}`, lowGmBytes: 128 << 20, highGmBytes: 384 << 20, fences: 4, ram: new SharedArrayBuffer(64 << 20), bootForeground: false, ports });
  const p = directPort(r, v);
  p.write32(VGT_PVINFO_PAGE + PVINFO.display_ready, 1);
  /** Light `pipe` with a w x h linear plane at GM offset `at` of the vGPU's aperture, as the guest's modeset does. */
  const light = (pipe: number, w: number, h: number, at: number) => {
    p.write32(pipeReg(PIPECONF_A, pipe), PIPECONF_ENABLE);
    p.write32(pipeReg(PLANE_STRIDE_1_A, pipe), (w * 4) / 64);
    p.write32(pipeReg(PLANE_SIZE_1_A, pipe), ((h - 1) << 16) | (w - 1));
    p.write32(pipeReg(PLANE_CTL_1_A, pipe), PLANE_CTL_ENABLE | PLANE_CTL_FORMAT_XRGB_8888);
    p.write32(pipeReg(PLANE_SURF_1_A, pipe), v.alloc.lowGm.base + at);
  };
  return { v, p, light };
}

describe('multi-head sources (src/shared/heads.ts)', () => {
  it('a domid and PHYSICAL_SOURCE keep their meaning; other heads have ids and names of their own', () => {
    expect(vmHeadSource(5, 0)).toBe(5);
    expect(vmHeadSource(5, 1)).toBe(0x10005);
    expect(physicalHeadSource('PORT_D')).toBe(0xffffff03);
    expect(sourceName(5)).toBe(5);
    expect(sourceName(0x20005)).toBe('5:C');
    expect(sourceName(PHYSICAL_SOURCE)).toBe('physical');
    expect(sourceName(0xffffff03)).toBe('physical:D');
    for (const n of ['physical', 'physical:B', 'physical:E', '7:B', '7:A']) expect(sourceName(parseSourceName(n))).toBe(n === '7:A' ? 7 : n);
    expect(headOf(0x30001)).toBeNull();
    expect(() => parseSourceName('physical:F')).toThrow(/expected physical, physical:B..physical:E/);
  });
});

describe('three pipes through the mediator', () => {
  it('each virtual pipe has its own DE pipe bank: vblank per enabled pipe, master bits 16..18 (intel_vgpu_emulate_vblank)', () => {
    const r = rig();
    const { p, light } = vm(r, 1, [hdmi('PORT_B', 'generic-1024x768'), hdmi('PORT_C', 'generic-1280x1024')]);
    for (const pipe of [0, 1, 2]) {
      p.write32(GEN8_DE_PIPE_ISR(pipe) + 4, ~GEN8_PIPE_VBLANK >>> 0);
      p.write32(GEN8_DE_PIPE_ISR(pipe) + 0xc, GEN8_PIPE_VBLANK);
    }
    p.write32(GEN8_MASTER_IRQ, GEN8_MASTER_IRQ_CONTROL);
    light(1, 1280, 1024, 0);
    r.m.vblank();
    expect([0, 1, 2].map((pipe) => p.read32(GEN8_DE_PIPE_ISR(pipe) + 8))).toEqual([0, 1, 0]);
    expect(p.read32(GEN8_MASTER_IRQ)).toBe((GEN8_MASTER_IRQ_CONTROL | GEN8_DE_PIPE_IRQ(1)) >>> 0);
    expect(r.msis.get(1)).toBe(1);
    p.write32(GEN8_DE_PIPE_ISR(1) + 8, 1);
    expect(p.read32(GEN8_MASTER_IRQ)).toBe(GEN8_MASTER_IRQ_CONTROL >>> 0);
  });

  it('the ports report which pipe drives them; the sysfs pipe node agrees', () => {
    const r = rig();
    const { v } = vm(r, 1, [hdmi('PORT_B', 'generic-1024x768'), hdmi('PORT_D', 'generic-1280x1024')]);
    expect(portInfos(v).map((i) => [i.name, i.pipe, i.active])).toEqual([['PORT_B', 'A', true], ['PORT_D', 'B', false]]);
    r.m.hotplug(1, 'PORT_B', false);
    expect(portInfos(v).map((i) => [i.name, i.pipe])).toEqual([['PORT_B', null], ['PORT_D', 'A']]);
  });

  it('a display switch moves every pipe the foreground VM uses at once, whatever their resolutions', () => {
    const r = rig();
    for (const m of defaultPhysicalMonitors()) r.m.physicalPorts.set(m.name, m);
    const a = vm(r, 1, [hdmi('PORT_B', 'generic-1920x1080'), hdmi('PORT_C', 'generic-1280x1024')]);
    const b = vm(r, 2, [hdmi('PORT_B', 'generic-1024x768')]);
    a.light(0, 1920, 1080, 0);
    a.light(1, 1280, 1024, 16 << 20);
    b.light(0, 1024, 768, 0);
    r.m.setForeground(1);
    expect([0, 1, 2].map((pipe) => r.gpu.pipeEnabled(pipe))).toEqual([true, true, false]);
    expect(r.gpu.plane(1).surf).toBe(a.v.alloc.lowGm.base + (16 << 20));
    expect(r.gpu.plane(0).size).toBe((1079 << 16) | 1919);
    r.m.setForeground(2);
    expect([0, 1, 2].map((pipe) => r.gpu.pipeEnabled(pipe))).toEqual([true, false, false]);
    expect(r.gpu.plane(0).surf).toBe(b.v.alloc.lowGm.base);
    expect(r.gpu.plane(1).ctl).toBe(0);
    r.m.setForeground(1);
    expect(r.gpu.plane(1).surf).toBe(a.v.alloc.lowGm.base + (16 << 20));
    // A foreground guest's later pipe B write reaches physical pipe B at once.
    a.p.write32(pipeReg(PLANE_SURF_1_A, 1), a.v.alloc.lowGm.base + (20 << 20));
    expect(r.gpu.plane(1).surf).toBe(a.v.alloc.lowGm.base + (20 << 20));
  });

  it('a plane on a pipe with no monitor is contained: kept in vreg, logged, never on a physical pipe', () => {
    const r = rig();
    const a = vm(r, 1, [hdmi('PORT_B', 'generic-1024x768')]);
    r.m.setForeground(1);
    a.light(2, 640, 480, 0);
    expect(a.p.read32(pipeReg(PLANE_CTL_1_A, 2)) & PLANE_CTL_ENABLE).toBeTruthy();
    expect(r.gpu.plane(2).ctl & PLANE_CTL_ENABLE).toBe(0);
    expect(a.v.log).toContain('display: PLANE_CTL_1_C enabled on pipe C, which has no monitor; not shown');
    expect(a.v.failsafe).toBeNull();
  });

  it('the compositor feed has a source per head: VM pipes as domid / domid:B, physical monitors as physical / physical:D', () => {
    const r = rig();
    for (const m of defaultPhysicalMonitors()) r.m.physicalPorts.set(m.name, m);
    expect(r.m.physicalPipePorts()).toEqual(['PORT_B', 'PORT_D', null]);
    const a = vm(r, 1, [hdmi('PORT_B', 'generic-1920x1080'), hdmi('PORT_C', 'generic-1280x1024')]);
    a.light(0, 1920, 1080, 0);
    a.light(1, 1280, 1024, 16 << 20);
    r.m.setForeground(1);
    const f = compositorFeed(r);
    const items = f.collect(0);
    const size = (s: number) => items.find((i) => i.source === s)?.damage;
    expect(items.map((i) => sourceName(i.source))).toEqual([1, '1:B', 'physical', 'physical:D']);
    expect([size(1)?.width, size(1)?.height]).toEqual([1920, 1080]);
    expect([size(0x10001)?.width, size(0x10001)?.height]).toEqual([1280, 1024]);
    expect([size(PHYSICAL_SOURCE)?.width, size(physicalHeadSource('PORT_D'))?.height]).toEqual([1920, 1024]);
    // Physical pipe B reuses VM 1's pipe B decode: one picture for both.
    expect(f.planner.plan(REFRESH_LATER)).toEqual(expect.arrayContaining([expect.objectContaining({ source: physicalHeadSource('PORT_D'), sameAs: 0x10001 })]));
    // Pipe B off: its head sends "no signal" once, then is not planned any more.
    a.p.write32(pipeReg(PIPECONF_A, 1), 0);
    const off = f.collect(2 * REFRESH_LATER);
    expect(off.find((i) => i.source === 0x10001)?.damage.width).toBe(0);
    expect(f.planner.plan(3 * REFRESH_LATER).some((s) => s.source === 0x10001)).toBe(false);
  });
});

const REFRESH_LATER = 1e9;
