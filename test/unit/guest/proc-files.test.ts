/**
 * The guest's uname, /proc/bus/input/devices and i915_display_info texts against literal expected
 * output derived from the printf formats of GNU coreutils uname.c, Linux drivers/input/input.c and
 * Linux v4.10 drivers/gpu/drm/i915/i915_debugfs.c.
 */
import { describe, expect, it } from 'vitest';
import {
  PS2_KEYBOARD,
  PS2_MOUSE,
  USB_TABLET,
  formatI915DisplayInfo,
  formatInputDevices,
  formatUname,
  inputBitmap,
  modeInfoFromTiming,
  type ConnectorInfo,
  type CrtcInfo,
  type ModeInfo,
  type UnameInfo,
} from '../../../src/main/guest/proc-files';
import { DMT_1280x1024_60, DMT_1920x1080_60 } from '../../../src/shared/edid-library';
import type { DetailedTiming } from '../../../src/shared/edid-types';

const UNAME: UnameInfo = {
  sysname: 'Linux',
  nodename: 'vm1',
  release: '4.10.0-gvt',
  version: '#1 SMP Mon Feb 20 10:00:00 UTC 2017',
  machine: 'x86_64',
};

describe('formatUname (coreutils uname.c)', () => {
  it('no flags prints the kernel name (-s)', () => {
    expect(formatUname([], UNAME)).toBe('Linux\n');
  });

  it('-a prints -snrvmo, leaving out -p and -i ("unknown")', () => {
    expect(formatUname(['-a'], UNAME)).toBe('Linux vm1 4.10.0-gvt #1 SMP Mon Feb 20 10:00:00 UTC 2017 x86_64 GNU/Linux\n');
    expect(formatUname(['--all'], UNAME)).toBe(formatUname(['-a'], UNAME));
  });

  it('single fields, and combined flags in coreutils order whatever the order given', () => {
    expect(formatUname(['-n'], UNAME)).toBe('vm1\n');
    expect(formatUname(['-r'], UNAME)).toBe('4.10.0-gvt\n');
    expect(formatUname(['-v'], UNAME)).toBe('#1 SMP Mon Feb 20 10:00:00 UTC 2017\n');
    expect(formatUname(['-m'], UNAME)).toBe('x86_64\n');
    expect(formatUname(['-o'], UNAME)).toBe('GNU/Linux\n');
    expect(formatUname(['-rs'], UNAME)).toBe('Linux 4.10.0-gvt\n');
    expect(formatUname(['-m', '--kernel-name', '-o'], UNAME)).toBe('Linux x86_64 GNU/Linux\n');
  });

  it('-p and -i print "unknown" when asked for by name', () => {
    expect(formatUname(['-p', '-i'], UNAME)).toBe('unknown unknown\n');
  });

  it('long options take unambiguous prefixes (getopt_long)', () => {
    expect(formatUname(['--mach'], UNAME)).toBe('x86_64\n');
    expect(formatUname(['--kernel-r'], UNAME)).toBe('4.10.0-gvt\n');
  });

  it('usage errors carry coreutils/getopt messages', () => {
    const hint = "\nTry 'uname --help' for more information.";
    expect(() => formatUname(['-x'], UNAME)).toThrow(`uname: invalid option -- 'x'${hint}`);
    expect(() => formatUname(['-sx'], UNAME)).toThrow(`uname: invalid option -- 'x'${hint}`);
    expect(() => formatUname(['--foo'], UNAME)).toThrow(`uname: unrecognized option '--foo'${hint}`);
    expect(() => formatUname(['foo'], UNAME)).toThrow(`uname: extra operand 'foo'${hint}`);
    expect(() => formatUname(['--all=1'], UNAME)).toThrow(`uname: option '--all' doesn't allow an argument${hint}`);
    expect(() => formatUname(['--kernel'], UNAME)).toThrow(
      `uname: option '--kernel' is ambiguous; possibilities: '--kernel-name' '--kernel-release' '--kernel-version'${hint}`,
    );
  });
});

describe('formatInputDevices (input.c input_devices_seq_show)', () => {
  it('input_devices_seq_show: PS/2 keyboard and QEMU USB tablet', () => {
    expect(formatInputDevices([PS2_KEYBOARD, USB_TABLET])).toBe(
      [
        'I: Bus=0011 Vendor=0001 Product=0001 Version=ab41',
        'N: Name="AT Translated Set 2 keyboard"',
        'P: Phys=isa0060/serio0/input0',
        'S: Sysfs=/devices/platform/i8042/serio0/input/input0',
        'U: Uniq=',
        'H: Handlers=sysrq kbd event0 leds ',
        'B: PROP=0',
        'B: EV=120013',
        'B: KEY=402000000 3803078f800d001 feffffdfffefffff fffffffffffffffe',
        'B: MSC=10',
        'B: LED=7',
        '',
        'I: Bus=0003 Vendor=0627 Product=0001 Version=0001',
        'N: Name="QEMU QEMU USB Tablet"',
        'P: Phys=usb-0000:00:01.2-1/input0',
        'S: Sysfs=/devices/pci0000:00/0000:00:01.2/usb1/1-1/1-1:1.0/0003:0627:0001.0001/input/input1',
        'U: Uniq=42',
        'H: Handlers=mouse0 event1 ',
        'B: PROP=0',
        'B: EV=1f',
        'B: KEY=70000 0 0 0 0',
        'B: REL=100',
        'B: ABS=3',
        'B: MSC=10',
        '',
        '',
      ].join('\n'),
    );
  });

  it('input_devices_seq_show: ImExPS/2 mouse (PROP=1, no MSC)', () => {
    expect(formatInputDevices([PS2_MOUSE])).toBe(
      [
        'I: Bus=0011 Vendor=0002 Product=0006 Version=0000',
        'N: Name="ImExPS/2 Generic Explorer Mouse"',
        'P: Phys=isa0060/serio1/input0',
        'S: Sysfs=/devices/platform/i8042/serio1/input/input1',
        'U: Uniq=',
        'H: Handlers=mouse0 event1 ',
        'B: PROP=1',
        'B: EV=7',
        'B: KEY=1f0000 0 0 0 0',
        'B: REL=143',
        '',
        '',
      ].join('\n'),
    );
  });

  it('input_seq_print_bitmap: a set EV bit with no bitmap prints 0; no devices print nothing', () => {
    const text = formatInputDevices([{ ...PS2_MOUSE, bits: { PROP: [], EV: inputBitmap(0, 2) } }]);
    expect(text).toContain('B: EV=5\nB: REL=0\n\n');
    expect(formatInputDevices([])).toBe('');
  });
});

// ---------------------------------------------------------------------------------------------
// i915_display_info

const MODE_1080 = modeInfoFromTiming(DMT_1920x1080_60, 40, true)!;
const MODE_1024 = modeInfoFromTiming(DMT_1280x1024_60, 41, false)!;

const DP1: ConnectorInfo = {
  id: 39, type: 'DP', name: 'DP-1', connected: true, widthMm: 530, heightMm: 300, audio: false, dpcdRev: 0x12,
  modes: [MODE_1080, MODE_1024], encoder: 'DDI B', encoderId: 38,
};

const hiddenCursor = (planeId: number) => ({ planeId, visible: false, x: 0, y: 0, width: 64, height: 64, addr: 0 });

const CRTC_A: CrtcInfo = {
  id: 29, pipe: 'A', active: true, width: 1920, height: 1080, dither: false, bpp: 24, connectorId: 39, mode: MODE_1080,
  primary: { planeId: 26, fb: { id: 42, width: 1920, height: 1080, format: 'XR24' } },
  spritePlaneIds: [27],
  cursor: { planeId: 28, visible: true, x: 100, y: 200, width: 64, height: 64, addr: 0x01f40000 },
};

const inactive = (id: number, pipe: 'B' | 'C', firstPlane: number): CrtcInfo => ({
  id, pipe, active: false, width: 0, height: 0, dither: false, bpp: 0, connectorId: null, mode: null,
  primary: { planeId: firstPlane, fb: null }, spritePlaneIds: [firstPlane + 1], cursor: hiddenCursor(firstPlane + 2),
});

describe('modeInfoFromTiming (drm_edid.c drm_mode_detailed)', () => {
  it('drm_mode_detailed: DMT 1920x1080@60, preferred', () => {
    expect(MODE_1080).toEqual<ModeInfo>({
      id: 40, name: '1920x1080', refresh: 60, clockKHz: 148500,
      hdisplay: 1920, hsyncStart: 2008, hsyncEnd: 2052, htotal: 2200,
      vdisplay: 1080, vsyncStart: 1084, vsyncEnd: 1089, vtotal: 1125,
      type: 0x48, flags: 0x5,
    });
  });

  it('drm_mode_detailed: negative syncs give NHSYNC|NVSYNC; the driver type alone when not preferred', () => {
    const t: DetailedTiming = { ...DMT_1280x1024_60, flags: 0x18 };
    expect(modeInfoFromTiming(t, 7, false)).toMatchObject({ type: 0x40, flags: 0xa, refresh: 60 });
  });

  it('drm_mode_do_interlace_quirk: 1920x540 per field becomes 1920x1080i, refresh doubled', () => {
    const t: DetailedTiming = {
      pixelClockKHz: 74250, hActive: 1920, hBlank: 280, hSyncOffset: 88, hSyncWidth: 44,
      vActive: 540, vBlank: 22, vSyncOffset: 2, vSyncWidth: 5, hImageMm: 0, vImageMm: 0, hBorder: 0, vBorder: 0,
      interlaced: true, flags: 0x9e,
    };
    expect(modeInfoFromTiming(t, 1, false)).toMatchObject({
      name: '1920x1080i', vdisplay: 1080, vsyncStart: 1084, vsyncEnd: 1094, vtotal: 1125, refresh: 60, flags: 0x15,
    });
  });

  it('drm_mode_detailed: refuses zero sync widths, stereo and tiny modes', () => {
    expect(modeInfoFromTiming({ ...DMT_1920x1080_60, hSyncWidth: 0 }, 1, false)).toBeNull();
    expect(modeInfoFromTiming({ ...DMT_1920x1080_60, flags: 0x3e }, 1, false)).toBeNull();
    expect(modeInfoFromTiming({ ...DMT_1920x1080_60, vActive: 32 }, 1, false)).toBeNull();
  });

  it('drm_mode_detailed: a total inside the sync pulse moves to sync end + 1', () => {
    expect(modeInfoFromTiming({ ...DMT_1920x1080_60, hBlank: 100 }, 1, false)).toMatchObject({ hsyncEnd: 2052, htotal: 2053 });
  });
});

describe('formatI915DisplayInfo (i915_debugfs.c v4.10)', () => {
  it('i915_display_info: pipe A active with cursor at (100, 200), pipes B and C off, DP-1 with two modes', () => {
    const text = formatI915DisplayInfo({ crtcs: [CRTC_A, inactive(33, 'B', 30), inactive(37, 'C', 34)], connectors: [DP1] });
    expect(text).toBe(
      [
        'CRTC info',
        '---------',
        'CRTC 29: pipe: A, active=yes, (size=1920x1080), dither=no, bpp=24',
        '\tfb: 42, pos: 0x0, size: 1920x1080',
        '\tencoder 38: type: DDI B, connectors:',
        '\t\tconnector 39: type: DP-1, status: connected, mode:',
        '\t\tid 0:"1920x1080" freq 60 clock 148500 hdisp 1920 hss 2008 hse 2052 htot 2200 vdisp 1080 vss 1084 vse 1089 vtot 1125 type 0x48 flags 0x5',
        '\tcursor visible? yes, position (100, 200), size 64x64, addr 0x01f40000, active? yes',
        '\tnum_scalers=2, scaler_users=0 scaler_id=-1, scalers[0]: use=no, mode=0, scalers[1]: use=no, mode=0',
        '\t--Plane id 26: type=PRI, crtc_pos=   0x   0, crtc_size=1920x1080, src_pos=0.0000x0.0000, src_size=1920.0000x1080.0000, format=XR24 little-endian (0x34325258), rotation=0 (0x00000001)',
        '\t--Plane id 27: type=OVL, crtc_pos=   0x   0, crtc_size=   0x   0, src_pos=0.0000x0.0000, src_size=0.0000x0.0000, format=N/A, rotation=0 (0x00000001)',
        '\t--Plane id 28: type=CUR, crtc_pos= 100x 200, crtc_size=  64x  64, src_pos=0.0000x0.0000, src_size=64.0000x64.0000, format=AR24 little-endian (0x34325241), rotation=0 (0x00000001)',
        '\tunderrun reporting: cpu=yes pch=yes ',
        'CRTC 33: pipe: B, active=no, (size=0x0), dither=no, bpp=0',
        '\tunderrun reporting: cpu=no pch=yes ',
        'CRTC 37: pipe: C, active=no, (size=0x0), dither=no, bpp=0',
        '\tunderrun reporting: cpu=no pch=yes ',
        '',
        'Connector info',
        '--------------',
        'connector 39: type DP-1, status: connected',
        '\tname: ',
        '\tphysical dimensions: 530x300mm',
        '\tsubpixel order: Unknown',
        '\tCEA rev: 0',
        '\tDPCD rev: 12',
        '\taudio support: no',
        '\tDP branch device present: no',
        '\tmodes:',
        '\t\tid 40:"1920x1080" freq 60 clock 148500 hdisp 1920 hss 2008 hse 2052 htot 2200 vdisp 1080 vss 1084 vse 1089 vtot 1125 type 0x48 flags 0x5',
        '\t\tid 41:"1280x1024" freq 60 clock 108000 hdisp 1280 hss 1328 hse 1440 htot 1688 vdisp 1024 vss 1025 vse 1028 vtot 1066 type 0x40 flags 0x5',
        '',
      ].join('\n'),
    );
  });

  it('intel_crtc_info / intel_scaler_info: no fb, hidden cursor, pipe C has one scaler', () => {
    const c: CrtcInfo = { ...CRTC_A, pipe: 'C', connectorId: null, primary: { planeId: 26, fb: null }, spritePlaneIds: [], cursor: { ...CRTC_A.cursor, visible: false } };
    expect(formatI915DisplayInfo({ crtcs: [c], connectors: [] })).toBe(
      [
        'CRTC info',
        '---------',
        'CRTC 29: pipe: C, active=yes, (size=1920x1080), dither=no, bpp=24',
        '\tprimary plane disabled',
        '\tcursor visible? no, position (0, 0), size 0x0, addr 0x00000000, active? no',
        '\tnum_scalers=1, scaler_users=0 scaler_id=-1, scalers[0]: use=no, mode=0, scalers[1]: use=no, mode=0',
        '\t--Plane id 26: type=PRI, crtc_pos=   0x   0, crtc_size=   0x   0, src_pos=0.0000x0.0000, src_size=0.0000x0.0000, format=N/A, rotation=0 (0x00000001)',
        '\t--Plane id 28: type=CUR, crtc_pos= 100x 200, crtc_size=   0x   0, src_pos=0.0000x0.0000, src_size=0.0000x0.0000, format=N/A, rotation=0 (0x00000001)',
        '\tunderrun reporting: cpu=yes pch=yes ',
        '',
        'Connector info',
        '--------------',
        '',
      ].join('\n'),
    );
  });

  it('intel_connector_info / intel_hdmi_info / intel_dp_info: disconnected HDMI, eDP with its fixed mode', () => {
    const hdmi: ConnectorInfo = {
      id: 45, type: 'HDMI-A', name: 'HDMI-A-1', connected: false, widthMm: 0, heightMm: 0, audio: false,
      modes: [], encoder: 'DDI C', encoderId: 44,
    };
    const edp: ConnectorInfo = {
      id: 47, type: 'eDP', name: 'eDP-1', connected: true, widthMm: 310, heightMm: 170, ceaRev: 3, audio: true,
      dpcdRev: 0x11, fixedMode: MODE_1080, modes: [MODE_1080], encoder: 'DDI A', encoderId: 46,
    };
    const mode = '\t\tid 40:"1920x1080" freq 60 clock 148500 hdisp 1920 hss 2008 hse 2052 htot 2200 vdisp 1080 vss 1084 vse 1089 vtot 1125 type 0x48 flags 0x5';
    expect(formatI915DisplayInfo({ crtcs: [], connectors: [hdmi, edp] })).toBe(
      [
        'CRTC info',
        '---------',
        '',
        'Connector info',
        '--------------',
        'connector 45: type HDMI-A-1, status: disconnected',
        '\taudio support: no',
        '\tmodes:',
        'connector 47: type eDP-1, status: connected',
        '\tname: ',
        '\tphysical dimensions: 310x170mm',
        '\tsubpixel order: Unknown',
        '\tCEA rev: 3',
        '\tDPCD rev: 11',
        '\taudio support: yes',
        '\tfixed mode:',
        mode,
        '\tDP branch device present: no',
        '\tmodes:',
        mode,
        '',
      ].join('\n'),
    );
  });

  it('intel_encoder_info: a pipe driving a disconnected connector ends the line without a mode', () => {
    const text = formatI915DisplayInfo({ crtcs: [CRTC_A], connectors: [{ ...DP1, connected: false }] });
    expect(text).toContain('\t\tconnector 39: type: DP-1, status: disconnected\n\tcursor visible? yes');
  });

  it('throws when an active CRTC drives a connected connector without a mode', () => {
    expect(() => formatI915DisplayInfo({ crtcs: [{ ...CRTC_A, mode: null }], connectors: [DP1] })).toThrow('CRTC 29');
  });
});
