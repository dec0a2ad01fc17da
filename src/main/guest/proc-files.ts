/**
 * Text of the guest's uname, /proc/bus/input/devices and /sys/kernel/debug/dri/0/i915_display_info,
 * in the formats of the programs and kernel that print them. Pure formatters from plain data; the
 * guest driver fills the data. Every function returns the whole output, ending in a newline.
 *
 * Sources: GNU coreutils src/uname.c (decode_switches, main); Linux drivers/input/input.c
 * (input_devices_seq_show, input_seq_print_bitmap, input_bits_to_string; 64-bit longs);
 * Linux v4.10 drivers/gpu/drm/i915/i915_debugfs.c (i915_display_info and its helpers, see
 * formatI915DisplayInfo) and drivers/gpu/drm/drm_edid.c (drm_mode_detailed), drm_modes.c
 * (drm_mode_vrefresh, drm_mode_set_name), drm_fourcc.c (drm_get_format_name).
 */
import type { DetailedTiming } from '../../shared/edid-types';

// ---------------------------------------------------------------------------------------------
// uname (GNU coreutils)

/** struct utsname as the guest kernel fills it. */
export interface UnameInfo {
  sysname: 'Linux';
  nodename: string;
  /** e.g. "4.10.0-gvt". */
  release: string;
  /** e.g. "#1 SMP Mon Feb 20 10:00:00 UTC 2017". */
  version: string;
  machine: 'x86_64';
}

/** coreutils' fields in print order; `-a` prints all but the ones that are "unknown" (-p, -i). */
const UNAME_FIELDS = [
  { short: 's', value: (u: UnameInfo) => u.sysname },
  { short: 'n', value: (u: UnameInfo) => u.nodename },
  { short: 'r', value: (u: UnameInfo) => u.release },
  { short: 'v', value: (u: UnameInfo) => u.version },
  { short: 'm', value: (u: UnameInfo) => u.machine },
  { short: 'p', value: () => 'unknown' },
  { short: 'i', value: () => 'unknown' },
  { short: 'o', value: () => 'GNU/Linux' },
] as const;

type UnameField = (typeof UNAME_FIELDS)[number]['short'];

/** uname_long_options in coreutils' order, to their short letter ('a' = --all). */
const UNAME_LONG: ReadonlyMap<string, UnameField | 'a'> = new Map([
  ['all', 'a'], ['kernel-name', 's'], ['sysname', 's'], ['nodename', 'n'], ['kernel-release', 'r'], ['release', 'r'],
  ['kernel-version', 'v'], ['machine', 'm'], ['processor', 'p'], ['hardware-platform', 'i'], ['operating-system', 'o'],
]);

/** A usage error as coreutils reports it: the message, then the --help hint (usage(EXIT_FAILURE)). */
function unameUsageError(message: string): Error {
  return new Error(`uname: ${message}\nTry 'uname --help' for more information.`);
}

/** The full name of a long option given as `name` (exact, or an unambiguous prefix, as getopt_long). */
function longOptionName(arg: string, name: string): string {
  if (UNAME_LONG.has(name)) return name;
  const matches = name === '' ? [] : [...UNAME_LONG.keys()].filter((n) => n.startsWith(name));
  const letters = new Set(matches.map((n) => UNAME_LONG.get(n)));
  if (letters.size === 1) return matches[0]!;
  if (letters.size > 1) {
    throw unameUsageError(`option '${arg}' is ambiguous; possibilities:${matches.map((n) => ` '--${n}'`).join('')}`);
  }
  throw unameUsageError(`unrecognized option '${arg}'`);
}

/** One `--name` argument to its option letter; uname's long options take no argument. */
function longOption(arg: string): UnameField | 'a' {
  const eq = arg.indexOf('=');
  const name = longOptionName(arg, eq < 0 ? arg.slice(2) : arg.slice(2, eq));
  if (eq >= 0) throw unameUsageError(`option '--${name}' doesn't allow an argument`);
  return UNAME_LONG.get(name)!;
}

/** The option letters of `args` in order (GNU getopt: options anywhere, "--" ends them). */
function unameSwitches(args: readonly string[]): string[] {
  const letters: string[] = [];
  const operands: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      operands.push(...args.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) letters.push(longOption(arg));
    else if (arg.startsWith('-') && arg !== '-') {
      for (const c of arg.slice(1)) {
        if (c !== 'a' && !UNAME_FIELDS.some((f) => f.short === c)) throw unameUsageError(`invalid option -- '${c}'`);
        letters.push(c);
      }
    } else operands.push(arg);
  }
  if (operands.length > 0) throw unameUsageError(`extra operand '${operands[0]}'`);
  return letters;
}

/**
 * `uname FLAGS` as GNU coreutils prints it: the selected fields in the fixed order
 * -s -n -r -v -m -p -i -o, space-separated, newline-terminated; no flags means -s; -a prints all
 * but -p and -i, which are "unknown" on Linux (printed only when asked for by name). Takes short
 * flags (combinable, e.g. -snr) and the long ones (--all, --kernel-name, ...). Throws an Error
 * carrying coreutils' two-line message for a bad option or an operand, e.g.
 * "uname: invalid option -- 'x'\nTry 'uname --help' for more information.". --help and --version
 * are not provided.
 */
export function formatUname(flags: string[], info: UnameInfo): string {
  const letters = unameSwitches(flags);
  const all = letters.includes('a');
  const chosen = letters.length === 0 ? ['s'] : letters;
  const fields = UNAME_FIELDS.filter((f) =>
    all ? f.short !== 'p' && f.short !== 'i' : chosen.includes(f.short),
  );
  return `${fields.map((f) => f.value(info)).join(' ')}\n`;
}

// ---------------------------------------------------------------------------------------------
// /proc/bus/input/devices (Linux drivers/input/input.c)

/**
 * A capability bitmap as the kernel stores it: unsigned longs (64-bit on x86_64), word 0 holding
 * bits 0..63.
 */
export type InputBitmap = readonly bigint[];

/** The bitmaps input_devices_seq_show prints ("B:" lines), by their names there. */
export interface InputBitmaps {
  PROP: InputBitmap;
  EV: InputBitmap;
  KEY?: InputBitmap;
  REL?: InputBitmap;
  ABS?: InputBitmap;
  MSC?: InputBitmap;
  LED?: InputBitmap;
  SND?: InputBitmap;
  FF?: InputBitmap;
  SW?: InputBitmap;
}

/** One struct input_dev as /proc/bus/input/devices shows it. */
export interface InputDeviceInfo {
  /** struct input_id: BUS_I8042 0x11, BUS_USB 0x03, ... */
  bustype: number;
  vendor: number;
  product: number;
  version: number;
  name: string;
  phys: string;
  /** kobject path of the input device, e.g. "/devices/platform/i8042/serio0/input/input0". */
  sysfs: string;
  uniq: string;
  /** Names of the attached handlers in h_list order (filters such as sysrq first). */
  handlers: readonly string[];
  bits: InputBitmaps;
}

/** The bitmaps after PROP and EV, each printed when its EV_* bit is set (EV_KEY 1 ... EV_FF 0x15). */
const EV_BITMAPS = [
  ['KEY', 0x01], ['REL', 0x02], ['ABS', 0x03], ['MSC', 0x04], ['LED', 0x11], ['SND', 0x12], ['FF', 0x15], ['SW', 0x05],
] as const;

/** A bitmap with the given bits set (bit numbers: KEY_A 30, BTN_LEFT 0x110, ...). */
export function inputBitmap(...bits: number[]): InputBitmap {
  const words: bigint[] = [];
  for (const bit of bits) {
    const w = bit >> 6;
    while (words.length <= w) words.push(0n);
    words[w]! |= 1n << BigInt(bit & 63);
  }
  return words;
}

function testBit(bitmap: InputBitmap, bit: number): boolean {
  return ((bitmap[bit >> 6] ?? 0n) >> BigInt(bit & 63)) & 1n ? true : false;
}

/**
 * input_seq_print_bitmap: "B: NAME=" then the words from the highest non-zero one down, each %lx,
 * space-separated; "0" when all are zero.
 */
function bitmapLine(name: string, bitmap: InputBitmap): string {
  let top = bitmap.length - 1;
  while (top >= 0 && bitmap[top] === 0n) top--;
  const words = top < 0 ? ['0'] : bitmap.slice(0, top + 1).reverse().map((w) => w.toString(16));
  return `B: ${name}=${words.join(' ')}\n`;
}

const hex4 = (n: number): string => n.toString(16).padStart(4, '0');

/** input_devices_seq_show for one device, with the blank line that ends it. */
function inputDeviceText(d: InputDeviceInfo): string {
  let s = `I: Bus=${hex4(d.bustype)} Vendor=${hex4(d.vendor)} Product=${hex4(d.product)} Version=${hex4(d.version)}\n`;
  s += `N: Name="${d.name}"\nP: Phys=${d.phys}\nS: Sysfs=${d.sysfs}\nU: Uniq=${d.uniq}\n`;
  s += `H: Handlers=${d.handlers.map((h) => `${h} `).join('')}\n`;
  s += bitmapLine('PROP', d.bits.PROP) + bitmapLine('EV', d.bits.EV);
  for (const [name, ev] of EV_BITMAPS) {
    if (testBit(d.bits.EV, ev)) s += bitmapLine(name, d.bits[name] ?? []);
  }
  return `${s}\n`;
}

/**
 * /proc/bus/input/devices: input_devices_seq_show for each device in registration order. Each
 * device is the I:, N:, P:, S:, U:, H: lines (every handler name followed by a space), B: PROP and
 * B: EV, then B: KEY/REL/ABS/MSC/LED/SND/FF/SW for the event types set in EV, then a blank line.
 */
export function formatInputDevices(devices: InputDeviceInfo[]): string {
  return devices.map(inputDeviceText).join('');
}

// Event types and codes (include/uapi/linux/input-event-codes.h).
const EV_SYN = 0x00, EV_KEY = 0x01, EV_REL = 0x02, EV_ABS = 0x03, EV_MSC = 0x04, EV_LED = 0x11, EV_REP = 0x14;
const BTN_LEFT = 0x110, BTN_RIGHT = 0x111, BTN_MIDDLE = 0x112, BTN_SIDE = 0x113, BTN_EXTRA = 0x114;
const REL_X = 0x00, REL_Y = 0x01, REL_HWHEEL = 0x06, REL_WHEEL = 0x08;
const ABS_X = 0x00, ABS_Y = 0x01;
const MSC_SCAN = 0x04;
const LED_NUML = 0x00, LED_CAPSL = 0x01, LED_SCROLLL = 0x02;
const INPUT_PROP_POINTER = 0x00;

/**
 * The PS/2 keyboard behind the i8042 as Linux's atkbd registers it (drivers/input/keyboard/atkbd.c
 * atkbd_set_device_attrs): BUS_I8042, vendor SERIO_8042 (1), product 1 (translated set 2), version
 * 0xab41 (the ID a translating i8042 reports); EV = SYN KEY MSC LED REP, MSC_SCAN, the three LEDs.
 * KEY is what atkbd sets from its set 2 keycode table (every real machine and QEMU guest shows these
 * words). Handlers: the sysrq filter, kbd, evdev's event0, input-leds.
 */
export const PS2_KEYBOARD: InputDeviceInfo = {
  bustype: 0x0011, vendor: 0x0001, product: 0x0001, version: 0xab41,
  name: 'AT Translated Set 2 keyboard',
  phys: 'isa0060/serio0/input0',
  sysfs: '/devices/platform/i8042/serio0/input/input0',
  uniq: '',
  handlers: ['sysrq', 'kbd', 'event0', 'leds'],
  bits: {
    PROP: [],
    EV: inputBitmap(EV_SYN, EV_KEY, EV_MSC, EV_LED, EV_REP),
    KEY: [0xfffffffffffffffen, 0xfeffffdfffefffffn, 0x3803078f800d001n, 0x402000000n],
    MSC: inputBitmap(MSC_SCAN),
    LED: inputBitmap(LED_NUML, LED_CAPSL, LED_SCROLLL),
  },
};

/**
 * QEMU's usb-tablet (hw/usb/dev-hid.c, QEMU 2.x–3.x as Xen's qemu-xen and KVMGT used it) on the
 * PIIX3 UHCI controller at 00:01.2, port 1, as Linux 4.x usbhid/hid-input registers it:
 * - I: BUS_USB; idVendor 0x0627, idProduct 0x0001 (desc_tablet); version = bcdHID of the HID
 *   descriptor (bytes 0x01, 0x00 = 0x0001; usbhid_probe copies it into hid->version).
 * - N: iManufacturer "QEMU" + " " + iProduct "QEMU USB Tablet" (usbhid_probe joins them).
 * - P: usb_make_path "usb-0000:00:01.2-1" + "/input0" (bInterfaceNumber 0).
 * - S: the HID device "0003:0627:0001.0001" (bus:vendor:product.sequence) under interface 1-1:1.0.
 * - U: iSerialNumber, the fixed "42" (STR_SERIALNUMBER; QEMU 4.0 replaced it with per-device serials).
 * - KEY: the report descriptor's 3 buttons on a Pointer application map to BTN_MOUSE + n
 *   (hidinput_configure_usage): BTN_LEFT, BTN_RIGHT, BTN_MIDDLE.
 * - ABS: X and Y, absolute 0..0x7fff: ABS_X, ABS_Y.  REL: the relative Wheel: REL_WHEEL (0x100;
 *   Linux 5.0+ adds REL_WHEEL_HI_RES and shows 900, a 4.x guest shows 100).
 * - MSC: MSC_SCAN, which hid-input sets for any device with EV_KEY.
 * - H: mousedev takes it (absolute X/Y with BTN_LEFT), then evdev; mousedev registers first.
 */
export const USB_TABLET: InputDeviceInfo = {
  bustype: 0x0003, vendor: 0x0627, product: 0x0001, version: 0x0001,
  name: 'QEMU QEMU USB Tablet',
  phys: 'usb-0000:00:01.2-1/input0',
  sysfs: '/devices/pci0000:00/0000:00:01.2/usb1/1-1/1-1:1.0/0003:0627:0001.0001/input/input1',
  uniq: '42',
  handlers: ['mouse0', 'event1'],
  bits: {
    PROP: [],
    EV: inputBitmap(EV_SYN, EV_KEY, EV_REL, EV_ABS, EV_MSC),
    KEY: inputBitmap(BTN_LEFT, BTN_RIGHT, BTN_MIDDLE),
    REL: inputBitmap(REL_WHEEL),
    ABS: inputBitmap(ABS_X, ABS_Y),
    MSC: inputBitmap(MSC_SCAN),
  },
};

/**
 * QEMU's PS/2 mouse on the i8042 AUX port (serio1), which answers the IntelliMouse Explorer probe,
 * as Linux psmouse registers it (drivers/input/mouse/psmouse-base.c): BUS_I8042, vendor 0x0002,
 * product PSMOUSE_IMEX (6), version 0; INPUT_PROP_POINTER; buttons left/right/middle/side/extra;
 * REL X, Y, HWHEEL, WHEEL (Linux 4.x: 143). The pointer of a domain without usbdevice='tablet'.
 */
export const PS2_MOUSE: InputDeviceInfo = {
  bustype: 0x0011, vendor: 0x0002, product: 0x0006, version: 0x0000,
  name: 'ImExPS/2 Generic Explorer Mouse',
  phys: 'isa0060/serio1/input0',
  sysfs: '/devices/platform/i8042/serio1/input/input1',
  uniq: '',
  handlers: ['mouse0', 'event1'],
  bits: {
    PROP: inputBitmap(INPUT_PROP_POINTER),
    EV: inputBitmap(EV_SYN, EV_KEY, EV_REL),
    KEY: inputBitmap(BTN_LEFT, BTN_RIGHT, BTN_MIDDLE, BTN_SIDE, BTN_EXTRA),
    REL: inputBitmap(REL_X, REL_Y, REL_HWHEEL, REL_WHEEL),
  },
};

// ---------------------------------------------------------------------------------------------
// i915_display_info (Linux v4.10 drivers/gpu/drm/i915/i915_debugfs.c)

/** A struct drm_display_mode as intel_seq_print_mode prints it. Clock in kHz, refresh in Hz. */
export interface ModeInfo {
  /** DRM mode object id (probed modes have one; a CRTC's current mode prints as id 0). */
  id: number;
  /** drm_mode_set_name: "1920x1080", "1920x1080i" when interlaced. */
  name: string;
  /** mode->vrefresh (drm_mode_vrefresh). */
  refresh: number;
  clockKHz: number;
  hdisplay: number;
  hsyncStart: number;
  hsyncEnd: number;
  htotal: number;
  vdisplay: number;
  vsyncStart: number;
  vsyncEnd: number;
  vtotal: number;
  /** DRM_MODE_TYPE_*: PREFERRED 0x8, DRIVER 0x40. */
  type: number;
  /** DRM_MODE_FLAG_*: PHSYNC 0x1, NHSYNC 0x2, PVSYNC 0x4, NVSYNC 0x8, INTERLACE 0x10. */
  flags: number;
}

/** A drm_connector with its intel_connector details. */
export interface ConnectorInfo {
  /** DRM object id. */
  id: number;
  type: 'HDMI-A' | 'DP' | 'VGA' | 'eDP';
  /** connector->name, e.g. "HDMI-A-1", "DP-1". */
  name: string;
  connected: boolean;
  /** display_info from the EDID (mm; 0 = unknown). */
  widthMm: number;
  heightMm: number;
  /** Revision of the EDID's CTA-861 extension; absent = none (prints 0). */
  ceaRev?: number;
  /** intel_dp / intel_hdmi has_audio (the sink's EDID says it takes audio). */
  audio: boolean;
  /** DP and eDP: DPCD byte 0, e.g. 0x12 for DP 1.2 (prints as "12"); absent = 0. */
  dpcdRev?: number;
  /** eDP: the panel's fixed mode (intel_panel_info). */
  fixedMode?: ModeInfo;
  /** connector->modes in list order (drm_mode_sort: preferred first). */
  modes: ModeInfo[];
  /** Name and DRM object id of the encoder driving it, e.g. "DDI B" (intel_ddi_init). */
  encoder: string;
  encoderId: number;
}

/** A framebuffer on a plane. Sizes in pixels; format as a DRM fourcc. */
export interface FramebufferInfo {
  id: number;
  width: number;
  height: number;
  format: 'XR24';
}

/**
 * The cursor plane. x, y are its position on the pipe; width, height (pixels) and addr (its GGTT
 * offset) describe the image while visible. A hidden cursor has no fb: the kernel then shows size
 * 0x0 and addr 0, whatever these hold.
 */
export interface CursorInfo {
  planeId: number;
  visible: boolean;
  x: number;
  y: number;
  width: number;
  height: number;
  addr: number;
}

/** One intel_crtc (pipe) and its planes. */
export interface CrtcInfo {
  /** DRM object id of the CRTC. */
  id: number;
  pipe: 'A' | 'B' | 'C';
  active: boolean;
  /** pipe_src_w / pipe_src_h (pixels; 0 on a pipe never enabled). */
  width: number;
  height: number;
  dither: boolean;
  /** pipe_bpp: 24 for 8 bits per colour. */
  bpp: number;
  /** The connector this pipe drives, or null. */
  connectorId: number | null;
  /** crtc->mode; needed when the CRTC is active with a connected connector. */
  mode: ModeInfo | null;
  /**
   * The primary plane and its framebuffer (null = primary plane disabled). `src`: the part of the
   * fb the plane shows, pixels (plane_state src_x/y/w/h >> 16), at crtc_pos 0,0; absent = the
   * whole pipe from 0,0. A head of an extended desktop shows its part of one shared fb.
   */
  primary: { planeId: number; fb: FramebufferInfo | null; src?: { x: number; y: number; w: number; h: number } };
  /** DRM ids of the pipe's sprite (overlay) planes, all disabled. */
  spritePlaneIds: number[];
  cursor: CursorInfo;
}

/** What i915_display_info reads: the CRTCs (pipe order) and connectors (creation order). */
export interface DisplayInfoState {
  crtcs: CrtcInfo[];
  connectors: ConnectorInfo[];
}

const DRM_MODE_TYPE_PREFERRED = 0x08;
const DRM_MODE_TYPE_DRIVER = 0x40;
const DRM_MODE_FLAG_PHSYNC = 0x01, DRM_MODE_FLAG_NHSYNC = 0x02, DRM_MODE_FLAG_PVSYNC = 0x04, DRM_MODE_FLAG_NVSYNC = 0x08;
const DRM_MODE_FLAG_INTERLACE = 0x10;
/** EDID detailed timing byte 17 (drm_edid.h DRM_EDID_PT_*). */
const EDID_PT_HSYNC_POSITIVE = 1 << 1, EDID_PT_VSYNC_POSITIVE = 1 << 2, EDID_PT_STEREO = 1 << 5, EDID_PT_INTERLACED = 1 << 7;
/** drm_mode_do_interlace_quirk: CEA interlaced formats (frame size) some EDIDs give per field. */
const CEA_INTERLACED: readonly (readonly [number, number])[] = [
  [1920, 1080], [720, 480], [1440, 480], [2880, 480], [720, 576], [1440, 576], [2880, 576],
];

/**
 * drm_mode_vrefresh (Linux 4.x): clock * 1000 / htotal (integer), then divided by vtotal rounding
 * to nearest; doubled for interlaced modes.
 */
function vrefresh(clockKHz: number, htotal: number, vtotal: number, interlaced: boolean): number {
  if (htotal <= 0 || vtotal <= 0) return 0;
  const lineRate = Math.floor((clockKHz * 1000) / htotal);
  const refresh = Math.floor((lineRate + Math.floor(vtotal / 2)) / vtotal);
  return interlaced ? refresh * 2 : refresh;
}

/** drm_mode_detailed's fix for bogus EDID totals: a sync ending past the total moves it to sync end + 1. */
function fixTotal(total: number, syncEnd: number): number {
  return syncEnd > total ? syncEnd + 1 : total;
}

/**
 * The drm_display_mode Linux 4.x builds from an EDID detailed timing (drm_edid.c
 * drm_mode_detailed): hsync_start = hdisplay + front porch, hsync_end = hsync_start + sync width,
 * htotal = hdisplay + blanking (raised to hsync_end + 1 when the EDID's total is too small), the
 * same vertically; interlaced CEA formats given per field doubled (drm_mode_do_interlace_quirk);
 * flags from the sync polarity bits (+hsync → PHSYNC 0x1 else NHSYNC 0x2, +vsync → PVSYNC 0x4 else
 * NVSYNC 0x8; INTERLACE 0x10); type DRIVER 0x40, | PREFERRED 0x8 for the preferred timing
 * (do_detailed_mode); vrefresh by drm_mode_vrefresh; name "WxH" (+"i"). `id` is the DRM mode object
 * id drm_mode_create gave it. Null where drm_mode_detailed gives up: stereo timings, timings with a
 * zero sync width, and modes under 64x64.
 */
export function modeInfoFromTiming(t: DetailedTiming, id: number, preferred: boolean): ModeInfo | null {
  if (t.flags & EDID_PT_STEREO || t.hSyncWidth === 0 || t.vSyncWidth === 0) return null;
  if (t.hActive < 64 || t.vActive < 64) return null;
  const hsyncStart = t.hActive + t.hSyncOffset;
  const hsyncEnd = hsyncStart + t.hSyncWidth;
  const vsyncStart = t.vActive + t.vSyncOffset;
  const vsyncEnd = vsyncStart + t.vSyncWidth;
  const v = { vdisplay: t.vActive, vsyncStart, vsyncEnd, vtotal: fixTotal(t.vActive + t.vBlank, vsyncEnd) };
  const interlaced = (t.flags & EDID_PT_INTERLACED) !== 0;
  const perField = CEA_INTERLACED.some(([w, h]) => w === t.hActive && h / 2 === t.vActive);
  const vert = interlaced && perField
    ? { vdisplay: v.vdisplay * 2, vsyncStart: v.vsyncStart * 2, vsyncEnd: v.vsyncEnd * 2, vtotal: (v.vtotal * 2) | 1 }
    : v;
  const htotal = fixTotal(t.hActive + t.hBlank, hsyncEnd);
  const flags = (t.flags & EDID_PT_HSYNC_POSITIVE ? DRM_MODE_FLAG_PHSYNC : DRM_MODE_FLAG_NHSYNC)
    | (t.flags & EDID_PT_VSYNC_POSITIVE ? DRM_MODE_FLAG_PVSYNC : DRM_MODE_FLAG_NVSYNC)
    | (interlaced ? DRM_MODE_FLAG_INTERLACE : 0);
  return {
    id,
    name: `${t.hActive}x${vert.vdisplay}${interlaced ? 'i' : ''}`,
    refresh: vrefresh(t.pixelClockKHz, htotal, vert.vtotal, interlaced),
    clockKHz: t.pixelClockKHz,
    hdisplay: t.hActive, hsyncStart, hsyncEnd, htotal,
    ...vert,
    type: DRM_MODE_TYPE_DRIVER | (preferred ? DRM_MODE_TYPE_PREFERRED : 0),
    flags,
  };
}

const yesno = (b: boolean): string => (b ? 'yes' : 'no');
/** printf %4d. */
const d4 = (n: number): string => String(n).padStart(4);
/** printf %08x. */
const x08 = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');
/** plane_rotation for DRM_ROTATE_0 (BIT(0)), the only rotation the guest uses. */
const ROTATION_0 = `0 (0x${x08(1)})`;

/** drm_get_format_name: the fourcc's four characters, endianness, and the code. */
function formatName(fourcc: 'XR24' | 'AR24'): string {
  const code = [...fourcc].reduce((acc, c, i) => acc | (c.charCodeAt(0) << (8 * i)), 0);
  return `${fourcc} little-endian (0x${x08(code)})`;
}

/** intel_seq_print_mode: `tabs` tabs, then the mode line. */
function modeLine(tabs: number, m: ModeInfo): string {
  return `${'\t'.repeat(tabs)}id ${m.id}:"${m.name}" freq ${m.refresh} clock ${m.clockKHz} hdisp ${m.hdisplay} hss ${m.hsyncStart} hse ${m.hsyncEnd} htot ${m.htotal} vdisp ${m.vdisplay} vss ${m.vsyncStart} vse ${m.vsyncEnd} vtot ${m.vtotal} type 0x${m.type.toString(16)} flags 0x${m.flags.toString(16)}\n`;
}

/** What one plane state shows in intel_plane_info; sizes in whole pixels. */
interface PlaneState {
  id: number;
  type: 'PRI' | 'OVL' | 'CUR';
  x: number;
  y: number;
  w: number;
  h: number;
  /** src_x, src_y (whole pixels); src_w/src_h are w, h. */
  srcX: number;
  srcY: number;
  format: 'XR24' | 'AR24' | null;
}

/**
 * intel_plane_info, one plane: "\t--Plane id %d: type=%s, crtc_pos=%4dx%4d, crtc_size=%4dx%4d,
 * src_pos=%d.%04ux%d.%04u, src_size=%d.%04ux%d.%04u, format=%s, rotation=%s". Source rectangles
 * are 16.16 fixed point in the kernel; the guest's planes show whole pixels, so the fractions are
 * ".0000": src_pos is where the plane's picture starts in its fb (0,0 but for a head of an extended
 * desktop), src_size the plane size.
 */
function planeLine(p: PlaneState): string {
  const format = p.format ? formatName(p.format) : 'N/A';
  return `\t--Plane id ${p.id}: type=${p.type}, crtc_pos=${d4(p.x)}x${d4(p.y)}, crtc_size=${d4(p.w)}x${d4(p.h)}, src_pos=${p.srcX}.0000x${p.srcY}.0000, src_size=${p.w}.0000x${p.h}.0000, format=${format}, rotation=${ROTATION_0}\n`;
}

/** The pipe's planes in registration (id) order: primary, sprites, cursor on Skylake. */
function planeStates(c: CrtcInfo): PlaneState[] {
  const fb = c.primary.fb;
  const cur = c.cursor;
  const src = c.primary.src ?? { x: 0, y: 0, w: c.width, h: c.height };
  const off = { srcX: 0, srcY: 0 };
  const planes: PlaneState[] = [
    fb ? { id: c.primary.planeId, type: 'PRI', x: 0, y: 0, w: src.w, h: src.h, srcX: src.x, srcY: src.y, format: fb.format }
      : { id: c.primary.planeId, type: 'PRI', x: 0, y: 0, w: 0, h: 0, ...off, format: null },
    ...c.spritePlaneIds.map((id): PlaneState => ({ id, type: 'OVL', x: 0, y: 0, w: 0, h: 0, ...off, format: null })),
    { id: cur.planeId, type: 'CUR', x: cur.x, y: cur.y, w: cur.visible ? cur.width : 0, h: cur.visible ? cur.height : 0, ...off, format: cur.visible ? 'AR24' : null },
  ];
  return planes.sort((a, b) => a.id - b.id);
}

/**
 * intel_scaler_info on Skylake: pipes A and B have 2 scalers, pipe C 1 (skl_init_scalers); the loop
 * prints SKL_NUM_SCALERS (2) entries either way. The guest never scales: no users, scaler_id -1.
 */
function scalerLine(c: CrtcInfo): string {
  const scalers = [0, 1].map((i) => `, scalers[${i}]: use=no, mode=0`).join('');
  return `\tnum_scalers=${c.pipe === 'C' ? 1 : 2}, scaler_users=0 scaler_id=-1${scalers}\n`;
}

/** intel_crtc_info: the fb line, then intel_encoder_info for the encoder on this pipe. */
function crtcInfo(c: CrtcInfo, connectors: readonly ConnectorInfo[]): string {
  const fb = c.primary.fb;
  const src = c.primary.src ?? { x: 0, y: 0 };
  let s = fb ? `\tfb: ${fb.id}, pos: ${src.x}x${src.y}, size: ${fb.width}x${fb.height}\n` : '\tprimary plane disabled\n';
  const conn = connectors.find((k) => k.id === c.connectorId);
  if (!conn) return s;
  s += `\tencoder ${conn.encoderId}: type: ${conn.encoder}, connectors:\n`;
  s += `\t\tconnector ${conn.id}: type: ${conn.name}, status: ${conn.connected ? 'connected' : 'disconnected'}`;
  if (!conn.connected) return `${s}\n`;
  if (!c.mode) throw new Error(`CRTC ${c.id}: active with connected ${conn.name} but no mode`);
  return `${s}, mode:\n${modeLine(2, { ...c.mode, id: 0 })}`;
}

/**
 * The cursor line of i915_display_info (v4.10: cursor_position() reads CURPOS, "active?" CURCNTR).
 * CURPOS of an invisible plane reads 0: i9xx_update_cursor writes 0 there (a cursor on another
 * head, or hidden), whatever position the plane state keeps.
 */
function cursorLine(cur: CursorInfo): string {
  const [w, h, addr, x, y] = cur.visible ? [cur.width, cur.height, cur.addr, cur.x, cur.y] : [0, 0, 0, 0, 0];
  return `\tcursor visible? ${yesno(cur.visible)}, position (${x}, ${y}), size ${w}x${h}, addr 0x${x08(addr)}, active? ${yesno(cur.visible)}\n`;
}

/**
 * One CRTC of i915_display_info. Underrun reporting: the CPU side is on while the pipe runs
 * (intel_sanitize_crtc turns it off at load, crtc enable turns it on); the PCH side stays on, as a
 * Skylake's SPT PCH has no transcoder whose reporting is tracked (has_pch_trancoder).
 */
function crtcText(c: CrtcInfo, connectors: readonly ConnectorInfo[]): string {
  let s = `CRTC ${c.id}: pipe: ${c.pipe}, active=${yesno(c.active)}, (size=${c.width}x${c.height}), dither=${yesno(c.dither)}, bpp=${c.bpp}\n`;
  if (c.active) {
    s += crtcInfo(c, connectors) + cursorLine(c.cursor) + scalerLine(c);
    s += planeStates(c).map(planeLine).join('');
  }
  return `${s}\tunderrun reporting: cpu=${yesno(c.active)} pch=yes \n`;
}

/** intel_dp_info / intel_hdmi_info (intel_lvds_info has no connector type here). */
function connectorDetails(k: ConnectorInfo): string {
  if (k.type === 'HDMI-A') return `\taudio support: ${yesno(k.audio)}\n`;
  if (k.type === 'VGA') return '';
  let s = `\tDPCD rev: ${(k.dpcdRev ?? 0).toString(16)}\n\taudio support: ${yesno(k.audio)}\n`;
  if (k.type === 'eDP' && k.fixedMode) s += `\tfixed mode:\n${modeLine(2, k.fixedMode)}`;
  // drm_dp_downstream_debug: the guest's sinks are plain DP sinks (DPCD DOWNSTREAMPORT_PRESENT clear).
  return `${s}\tDP branch device present: no\n`;
}

/**
 * intel_connector_info. display_info.name is never filled by drm_edid.c in these kernels, so
 * "name:" is empty; the guest's EDIDs give no subpixel order ("Unknown").
 */
function connectorText(k: ConnectorInfo): string {
  let s = `connector ${k.id}: type ${k.name}, status: ${k.connected ? 'connected' : 'disconnected'}\n`;
  if (k.connected) {
    s += `\tname: \n\tphysical dimensions: ${k.widthMm}x${k.heightMm}mm\n\tsubpixel order: Unknown\n\tCEA rev: ${k.ceaRev ?? 0}\n`;
  }
  return `${s}${connectorDetails(k)}\tmodes:\n${k.modes.map((m) => modeLine(2, m)).join('')}`;
}

/**
 * /sys/kernel/debug/dri/0/i915_display_info as Linux v4.10 prints it (i915_debugfs.c:
 * i915_display_info, intel_crtc_info, intel_encoder_info, intel_scaler_info, intel_plane_info,
 * intel_connector_info, intel_dp_info, intel_hdmi_info, intel_seq_print_mode). v4.10's cursor line
 * is "cursor visible? %s, position (%d, %d), size %dx%d, addr 0x%08x, active? %s" (later kernels
 * drop ", active? %s"). "CRTC info" and a dashed line, then per CRTC its line and, when active,
 * the fb, encoder/connector/mode, cursor, scaler and plane lines; then the underrun line. A blank
 * line, "Connector info", dashes, then each connector with its modes. Throws when an active CRTC
 * drives a connected connector but has no mode.
 */
export function formatI915DisplayInfo(s: DisplayInfoState): string {
  const crtcs = s.crtcs.map((c) => crtcText(c, s.connectors)).join('');
  const connectors = s.connectors.map(connectorText).join('');
  return `CRTC info\n---------\n${crtcs}\nConnector info\n--------------\n${connectors}`;
}
