import { describe, expect, it } from 'vitest';
import { bootGuestOnPorts } from '../helpers/system';
import { type ProbedMonitor, probeDisplays } from '../../../src/main/guest/display-probe';
import { type DesktopLayout, type DisplayLayoutName, desktopPoint, layDesktop, layoutHeads } from '../../../src/main/guest/display-layout';
import { DisplayInfo } from '../../../src/main/guest/display-info';
import { arrowCursor } from '../../../src/main/guest/cursor-image';
import { decodeVgpuFrame } from '../../../src/main/mediator/fb-decoder';
import type { VirtualPort } from '../../../src/main/mediator/vdisplay';
import { libraryMonitor } from '../../../src/shared/edid-library';
import { PORT_TYPES } from '../../../src/shared/ports';
import { CUR_CTL_A, CUR_POS_A, PIPECONF_A, PIPESRC_A, PLANE_OFFSET_1_A, PLANE_SIZE_1_A, PLANE_SURF_1_A, pipeReg } from '../../../src/shared/regs';
import { readDomainConfig } from '../../../src/main/vm/domain-spec';

const mon = (id: string) => libraryMonitor(id)!.bytes;
const HDMI_B: VirtualPort = { name: 'PORT_B', type: PORT_TYPES.HDMI_B, overridePort: null, edid: mon('generic-1920x1080'), connected: true };
const DP_D: VirtualPort = { name: 'PORT_D', type: PORT_TYPES.DP_D, overridePort: null, edid: mon('generic-1280x1024'), connected: true };

/** A guest with the desktop on every monitor it probes, laid out as `layout` (boot.ts's probe). */
function guest(ports: VirtualPort[], layout: DisplayLayoutName = 'extended') {
  const { r, v, port, d, scene, log } = bootGuestOnPorts(ports, 160);
  // As boot.ts: the cursor image before the desktop's surfaces; the probe keeps monitors and layout.
  d.initCursor(arrowCursor());
  const shown = { monitors: [] as ProbedMonitor[], layout: null as DesktopLayout | null };
  const reprobe = () => {
    shown.monitors = probeDisplays(port, (l) => log.push(l));
    shown.layout = layDesktop((m, h) => scene.setMode(m, h), shown.monitors, layout, (l) => log.push(l));
    // boot.ts puts the cursor back after every modeset (at the pointer, here 0,0): every head gets its cursor plane.
    if (shown.layout) d.moveCursor(0, 0);
    return shown.layout;
  };
  reprobe();
  const reg = (off: number, pipe: number) => v.vreg[pipeReg(off, pipe) >>> 2];
  const frame = (pipe: number) => {
    const f = decodeVgpuFrame(r.gpu, v, pipe);
    if ('error' in f) throw new Error(f.error);
    return f.frame;
  };
  return { r, v, d, scene, log, reprobe, reg, frame, shown };
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

describe('input on a head other than the first (spice-vdagent style display_id mapping)', () => {
  const m = (width: number, height: number) => ({ width, height, refresh: 60 });
  it('desktopPoint: extended offsets by the head\'s place in the desktop, clone maps as head A; clamped to the head; no head: as given', () => {
    const ext = layoutHeads([m(1920, 1080), m(1280, 1024), m(1024, 768)], 'extended');
    expect(desktopPoint(ext, 0, 100, 50)).toEqual({ x: 100, y: 50 });
    expect(desktopPoint(ext, 1, 100, 50)).toEqual({ x: 2020, y: 50 });
    expect(desktopPoint(ext, 2, 0, 0)).toEqual({ x: 3200, y: 0 });
    // A point past head B's right edge stays on head B, never lands on head C.
    expect(desktopPoint(ext, 1, 5000, 5000)).toEqual({ x: 1920 + 1279, y: 1023 });
    const clone = layoutHeads([m(1920, 1080), m(1280, 1024)], 'clone');
    expect(desktopPoint(clone, 1, 100, 50)).toEqual(desktopPoint(clone, 0, 100, 50));
    expect(desktopPoint(clone, 1, 100, 50)).toEqual({ x: 100, y: 50 });
    expect(desktopPoint(ext, 5, 7, 8)).toEqual({ x: 7, y: 8 });
    expect(desktopPoint(null, 1, 7, 8)).toEqual({ x: 7, y: 8 });
  });

  it('the cursor follows the pointer onto pipe B (xf86_crtc_set_cursor_position on every CRTC): on there at the head-relative position, off on pipe A', () => {
    const g = guest([HDMI_B, DP_D]);
    const p = desktopPoint(g.shown.layout, 1, 100, 50);
    g.d.moveCursor(p.x, p.y);
    expect(g.reg(CUR_CTL_A, 1)).not.toBe(0);
    expect(g.reg(CUR_POS_A, 1)).toBe((50 << 16) | 100);
    expect(g.reg(CUR_CTL_A, 0)).toBe(0);
    expect(g.d.cursorState(1)).toMatchObject({ visible: true, x: 100, y: 50 });
    expect(g.d.cursorState(0)).toMatchObject({ visible: false, x: 2020, y: 50 });
    // Straddling the edge: part of the image on each pipe, both planes on.
    g.d.moveCursor(1900, 10);
    expect([g.reg(CUR_CTL_A, 0) !== 0, g.reg(CUR_CTL_A, 1) !== 0]).toEqual([true, true]);
    expect(g.d.cursorState(1)).toMatchObject({ x: -20, y: 10 });
    // Pipe B unplugged: its cursor plane goes off with it.
    g.r.m.hotplug(1, 'PORT_D', false);
    g.d.handleInterrupt();
    g.reprobe();
    expect(g.reg(CUR_CTL_A, 1)).toBe(0);
  });
});

describe('i915_display_info with two heads (i915_debugfs.c v4.10 i915_display_info)', () => {
  it('lists both active CRTCs with their part of the one fb, every plane, and a connector per port; an unplugged one stays, disconnected', () => {
    const g = guest([HDMI_B, DP_D]);
    const info = new DisplayInfo();
    g.d.moveCursor(1920 + 10, 20);
    const text = info.text(g.shown.layout, g.shown.monitors, (pipe) => g.d.cursorState(pipe));
    const crtc = (pipe: string) => text.slice(text.indexOf(`pipe: ${pipe},`), text.indexOf('underrun', text.indexOf(`pipe: ${pipe},`)));
    expect(crtc('A')).toMatch(/^pipe: A, active=yes, \(size=1920x1080\), dither=no, bpp=24\n\tfb: 49, pos: 0x0, size: 3200x1080\n\tencoder 44: type: DDI B, connectors:\n\t\tconnector 45: type: HDMI-A-1, status: connected, mode:\n\t\tid 0:"1920x1080" /);
    expect(crtc('A')).toContain('\tcursor visible? no, position (0, 0), size 0x0, addr 0x00000000, active? no\n');
    expect(crtc('A')).toContain('\t--Plane id 26: type=PRI, crtc_pos=   0x   0, crtc_size=1920x1080, src_pos=0.0000x0.0000, src_size=1920.0000x1080.0000, format=XR24 little-endian (0x34325258), rotation=0 (0x00000001)\n');
    expect(crtc('B')).toMatch(/^pipe: B, active=yes, \(size=1280x1024\), dither=no, bpp=24\n\tfb: 49, pos: 1920x0, size: 3200x1080\n\tencoder 46: type: DDI D, connectors:\n\t\tconnector 47: type: DP-1, status: connected, mode:\n\t\tid 0:"1280x1024" /);
    expect(crtc('B')).toContain('\tcursor visible? yes, position (10, 20), size 64x64');
    expect(crtc('B')).toContain('\tnum_scalers=2, scaler_users=0 scaler_id=-1');
    for (const line of [
      '\t--Plane id 32: type=PRI, crtc_pos=   0x   0, crtc_size=1280x1024, src_pos=1920.0000x0.0000, src_size=1280.0000x1024.0000, format=XR24 little-endian (0x34325258), rotation=0 (0x00000001)',
      '\t--Plane id 33: type=OVL, crtc_pos=   0x   0, crtc_size=   0x   0, src_pos=0.0000x0.0000, src_size=0.0000x0.0000, format=N/A, rotation=0 (0x00000001)',
      '\t--Plane id 34: type=OVL,',
      '\t--Plane id 35: type=CUR, crtc_pos=  10x  20, crtc_size=  64x  64, src_pos=0.0000x0.0000, src_size=64.0000x64.0000, format=AR24 little-endian (0x34325241), rotation=0 (0x00000001)',
    ]) expect(crtc('B')).toContain(line);
    expect(text).toContain('CRTC 42: pipe: C, active=no, (size=0x0), dither=no, bpp=0\n\tunderrun reporting: cpu=no pch=yes \n');
    expect(text).toMatch(/connector 45: type HDMI-A-1, status: connected\n\tname: \n\tphysical dimensions: \d+x\d+mm\n[^]*\taudio support: no\n\tmodes:\n\t\tid 145:"1920x1080"/);
    expect(text).toMatch(/connector 47: type DP-1, status: connected\n[^]*\tDPCD rev: 12\n/);

    g.r.m.hotplug(1, 'PORT_D', false);
    g.d.handleInterrupt();
    g.reprobe();
    const after = info.text(g.shown.layout, g.shown.monitors, (pipe) => g.d.cursorState(pipe));
    expect(after).toContain('CRTC 36: pipe: B, active=no, (size=0x0)');
    expect(after).toContain('\tfb: 49, pos: 0x0, size: 1920x1080\n');
    expect(after).toContain('connector 47: type DP-1, status: disconnected\n\tDPCD rev: 12\n\taudio support: no\n\tDP branch device present: no\n\tmodes:\n');
  });

  it('clone: both CRTCs show the fb from 0,0; two connectors of one type are numbered 1, 2', () => {
    const g = guest([HDMI_B, { ...DP_D, type: PORT_TYPES.HDMI_D }], 'clone');
    const text = new DisplayInfo().text(g.shown.layout, g.shown.monitors, (pipe) => g.d.cursorState(pipe));
    expect(text.match(/\tfb: \d+, pos: 0x0, size: 1280x1024\n/g)).toHaveLength(2);
    expect(text).toContain('connector 45: type HDMI-A-1, status: connected');
    expect(text).toContain('connector 47: type HDMI-A-2, status: connected');
    expect(text).toContain('crtc_size=1280x1024, src_pos=0.0000x0.0000, src_size=1280.0000x1024.0000');
  });
});
