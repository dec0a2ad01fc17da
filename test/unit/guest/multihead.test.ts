import { describe, expect, it } from 'vitest';
import { bootGuestOnPorts } from '../helpers/system';
import { probeDisplays } from '../../../src/main/guest/display-probe';
import { type DisplayLayoutName, layDesktop, layoutHeads } from '../../../src/main/guest/display-layout';
import { decodeVgpuFrame } from '../../../src/main/mediator/fb-decoder';
import type { VirtualPort } from '../../../src/main/mediator/vdisplay';
import { libraryMonitor } from '../../../src/shared/edid-library';
import { PORT_TYPES } from '../../../src/shared/ports';
import { PIPECONF_A, PIPESRC_A, PLANE_OFFSET_1_A, PLANE_SIZE_1_A, PLANE_SURF_1_A, pipeReg } from '../../../src/shared/regs';
import { readDomainConfig } from '../../../src/main/vm/domain-spec';

const mon = (id: string) => libraryMonitor(id)!.bytes;
const HDMI_B: VirtualPort = { name: 'PORT_B', type: PORT_TYPES.HDMI_B, overridePort: null, edid: mon('generic-1920x1080'), connected: true };
const DP_D: VirtualPort = { name: 'PORT_D', type: PORT_TYPES.DP_D, overridePort: null, edid: mon('generic-1280x1024'), connected: true };

/** A guest with the desktop on every monitor it probes, laid out as `layout` (boot.ts's probe). */
function guest(ports: VirtualPort[], layout: DisplayLayoutName = 'extended') {
  const { r, v, port, d, scene, log } = bootGuestOnPorts(ports, 160);
  const reprobe = () => layDesktop((m, h) => scene.setMode(m, h), probeDisplays(port, (l) => log.push(l)), layout, (l) => log.push(l));
  reprobe();
  const reg = (off: number, pipe: number) => v.vreg[pipeReg(off, pipe) >>> 2];
  const frame = (pipe: number) => {
    const f = decodeVgpuFrame(r.gpu, v, pipe);
    if ('error' in f) throw new Error(f.error);
    return f.frame;
  };
  return { r, v, d, scene, log, reprobe, reg, frame };
}

describe('layoutHeads', () => {
  const m = (width: number, height: number) => ({ width, height, refresh: 60 });
  it('extended: heads left to right, tops aligned; clone: the smallest head\'s size on every head', () => {
    expect(layoutHeads([m(1920, 1080), m(1280, 1024), m(1024, 768)], 'extended')).toMatchObject({ width: 4224, height: 1080, heads: [{ pipe: 0, x: 0, w: 1920 }, { pipe: 1, x: 1920, w: 1280, h: 1024 }, { pipe: 2, x: 3200, w: 1024 }] });
    expect(layoutHeads([m(1920, 1080), m(1280, 1024)], 'clone')).toMatchObject({ width: 1280, height: 1024, heads: [{ pipe: 0, x: 0, w: 1280, h: 1024 }, { pipe: 1, x: 0, w: 1280, h: 1024 }] });
    expect(layoutHeads([], 'extended')).toBeNull();
  });
});

describe('a guest with two monitors (i915 multi-CRTC modeset)', () => {
  it('extended: each pipe at its monitor\'s preferred mode, pipe B showing the desktop right of pipe A through PLANE_OFFSET', () => {
    const g = guest([HDMI_B, DP_D]);
    expect(g.reg(PIPESRC_A, 0)).toBe((1919 << 16) | 1079);
    expect(g.reg(PIPESRC_A, 1)).toBe((1279 << 16) | 1023);
    expect(g.reg(PLANE_OFFSET_1_A, 1)).toBe(1920);
    expect(g.reg(PLANE_SURF_1_A, 1)).toBe(g.reg(PLANE_SURF_1_A, 0));
    expect(g.log).toContain('[drm] desktop 3200x1080 (extended) over pipe A 1920x1080, pipe B 1280x1024');
    const a = g.frame(0);
    const b = g.frame(1);
    expect([a.width, a.height, b.width, b.height]).toEqual([1920, 1080, 1280, 1024]);
    // Pipe B's pixels are the desktop's columns 1920.. (the framebuffer row is 3200 px).
    const fb = g.scene.frontBuffer.words;
    const pitch = 3200;
    for (const [x, y] of [[0, 0], [5, 40], [1279, 1023], [640, 700]]) expect(b.xrgb[y * 1280 + x]).toBe(fb[y * pitch + 1920 + x]);
    // The next frame flips pipe A by MI_DISPLAY_FLIP; pipe B follows with the finished buffer.
    const first = g.reg(PLANE_SURF_1_A, 0);
    g.scene.frame(0);
    g.r.m.tick(1e6);
    g.d.handleInterrupt();
    const shown = g.reg(PLANE_SURF_1_A, 0);
    expect(shown).not.toBe(first);
    expect(g.reg(PLANE_SURF_1_A, 1)).toBe(first);
    g.scene.frame(1);
    expect(g.reg(PLANE_SURF_1_A, 1)).toBe(shown);
    expect(g.v.failsafe).toBeNull();
  });

  it('clone: both pipes show the same 1280x1024 desktop; the 1920x1080 pipe keeps its mode', () => {
    const g = guest([HDMI_B, DP_D], 'clone');
    expect(g.reg(PIPESRC_A, 0)).toBe((1919 << 16) | 1079);
    expect(g.reg(PLANE_SIZE_1_A, 0)).toBe((1023 << 16) | 1279);
    expect(g.reg(PLANE_OFFSET_1_A, 1)).toBe(0);
    expect(Buffer.from(g.frame(0).xrgb.buffer).equals(Buffer.from(g.frame(1).xrgb.buffer))).toBe(true);
  });

  it('unplugging one head turns its pipe off and re-lays the desktop; plugging it back relights it', () => {
    const g = guest([HDMI_B, DP_D]);
    g.r.m.hotplug(1, 'PORT_D', false);
    expect(g.d.handleInterrupt().hotplug).toBe(true);
    g.reprobe();
    expect(g.reg(PIPECONF_A, 1)).toBe(0);
    expect(g.scene.mode).toMatchObject({ width: 1920, height: 1080 });
    expect(g.log).toContain('[drm] pipe B: off (no monitor)');
    g.r.m.hotplug(1, 'PORT_D', true);
    g.d.handleInterrupt();
    g.reprobe();
    expect(g.frame(1).width).toBe(1280);
    expect(g.scene.mode).toMatchObject({ width: 3200, height: 1080 });
  });

  it('a fourth monitor is refused at hotplug: a Skylake GPU has three pipes', () => {
    const three: VirtualPort[] = [HDMI_B, { ...HDMI_B, name: 'PORT_C', type: PORT_TYPES.HDMI_C }, DP_D];
    const g = guest(three);
    expect(g.log.some((l) => l.includes('pipe C 1280x1024'))).toBe(true);
    expect(() => g.r.m.hotplug(1, 'PORT_E', true, mon('generic-1024x768'), PORT_TYPES.CRT)).toThrow('PORT_E: domain 1 already drives 3 monitors (PORT_B, PORT_C, PORT_D on pipes A, B, C); a Skylake GPU has no fourth pipe: unplug one first');
    // Re-plugging one of the three (a new EDID) is fine.
    expect(() => g.r.m.hotplug(1, 'PORT_D', true, mon('generic-1024x768'))).not.toThrow();
  });
});

describe('gvt_display_layout', () => {
  it('extended by default; clone when asked; anything else is a line-numbered error', () => {
    const parse = (text: string) => readDomainConfig(text, 'vm.hvm');
    expect(parse('name = "a"\n').spec?.displayLayout).toBe('extended');
    expect(parse('name = "a"\ngvt_display_layout = "clone"\n').spec?.displayLayout).toBe('clone');
    expect(parse('name = "a"\ngvt_display_layout = "mirror"\n').findings).toEqual([expect.objectContaining({ line: 2, severity: 'error', field: 'gvt_display_layout', message: "must be 'extended' or 'clone', got 'mirror'" })]);
  });
});
