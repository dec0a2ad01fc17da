/**
 * The guest graphics driver: programs its vGPU the way i915 does inside a GVT-g guest. It detects
 * the vGPU by the PVINFO magic, balloons itself to the GM ranges and fence count PVINFO gives it,
 * maps objects by writing guest-physical PTEs through the trapped GTT window, programs pipe A, the
 * primary plane and the cursor plane, submits blitter commands through execlists (or the legacy
 * BCS ring) and handles its (virtual) MSIs and context status buffer. When the vGPU advertises
 * VGT_CAPS_PV it uses GVT-g's paravirtual paths (pv.ts) instead of trapping: PV submission, GGTT
 * binds over the command buffer, PVMMIO reads; `DriverOptions.pvCaps` 0 keeps everything trapped.
 * With VGT_CAPS_FULL_PPGTT its execlist context runs on a full 48-bit PPGTT (ppgtt.ts): every
 * object is bound there too, blits go through it; without the cap it stays GGTT-only.
 * Source: i915 i915_vgpu.c (intel_vgpu_detect, vgt_balloon), intel_display.c, intel_cursor.c,
 * intel_ringbuffer.c; the PV series (see pv.ts).
 */
import { MI_LOAD_REGISTER_IMM_N, MI_NOOP } from '../../shared/commands';
import {
  CTX_LRI_HEADER_0,
  CTX_RING_BUFFER_CONTROL,
  CTX_RING_BUFFER_START,
  CTX_RING_HEAD,
  CTX_RING_TAIL,
  GEN8_CTX_STATUS_COMPLETE,
  I915_HWS_CSB_BUF0_INDEX,
  I915_HWS_CSB_WRITE_INDEX,
  INTEL_LEGACY_32B_CONTEXT,
  INTEL_LEGACY_64B_CONTEXT,
  LRC_STATE_PN,
  contextDescriptor,
} from '../../shared/execlist';
import { PAGE_SIZE } from '../../shared/platform';
import { PVINFO, PV_GGTT, PV_SUBMISSION, VGT_CAPS_FULL_PPGTT, VGT_CAPS_HWSP_EMULATION, VGT_DRV_DISPLAY_READY, VGT_MAGIC_HI, VGT_MAGIC_LO, VGT_VERSION_MAJOR } from '../../shared/pvinfo';
import {
  BLT_RING_BASE,
  CUR_BASE_A,
  CUR_CTL_A,
  CUR_POS_A,
  CURSOR_POS_SIGN,
  CURSOR_POS_X_MASK,
  CURSOR_POS_Y_MASK,
  CURSOR_X_SHIFT,
  CURSOR_Y_SHIFT,
  MCURSOR_MODE_64_ARGB_AX,
  GEN8_BCS_IRQ_SHIFT,
  GEN8_DE_PIPE_A_IRQ,
  GEN8_DE_PIPE_IER_A,
  GEN8_DE_PIPE_IIR_A,
  GEN8_DE_PIPE_IMR_A,
  GEN8_GT_IER0,
  GEN8_GT_IIR0,
  GEN8_GT_IMR0,
  GEN8_GT_BCS_IRQ,
  GEN8_GT_RCS_IRQ,
  GEN8_MASTER_IRQ,
  GEN8_MASTER_IRQ_CONTROL,
  FENCE_REG_GEN6_HI,
  FENCE_REG_GEN6_LO,
  GEN6_GDRST,
  GEN6_GRDOM_BLT,
  GEN8_CSB_ENTRIES,
  GEN8_DE_PCH_IRQ,
  SDEIER,
  SDEIIR,
  SDEIMR,
  GEN8_PIPE_VBLANK,
  GFX_RUN_LIST_ENABLE,
  GT_CONTEXT_SWITCH_INTERRUPT,
  GT_RENDER_USER_INTERRUPT,
  GTT_OFFSET,
  HBLANK_A,
  HSYNC_A,
  HTOTAL_A,
  PIPECONF_A,
  PIPECONF_ENABLE,
  PIPESRC_A,
  PIPE_NAMES,
  pipeReg,
  PLANE_CTL_1_A,
  PLANE_CTL_ENABLE,
  PLANE_CTL_FORMAT_XRGB_8888,
  PLANE_CTL_TILED_LINEAR,
  PLANE_OFFSET_1_A,
  PLANE_POS_1_A,
  PLANE_SIZE_1_A,
  PLANE_STRIDE_1_A,
  PLANE_SURF_1_A,
  RING_CONTEXT_STATUS_BUF_HI,
  RING_CONTEXT_STATUS_BUF_LO,
  RING_CONTEXT_STATUS_PTR,
  RING_CTL,
  RING_CTL_SIZE,
  RING_CTL_VALID,
  RING_HEAD,
  RING_HWS_PGA,
  RING_START,
  RING_ELSP,
  RING_MODE_GEN7,
  RING_TAIL,
  VBLANK_A,
  VGT_PVINFO_PAGE,
  VSYNC_A,
  VTOTAL_A,
  maskedBitDisable,
  maskedBitEnable,
} from '../../shared/regs';
import { encodeFence } from '../../shared/fence';
import type { DetailedTiming } from '../../shared/edid-types';
import { PORT_HOTPLUG_CTL, PORT_HOTPLUG_ENABLE, SDE_PORT_HOTPLUG } from '../../shared/ports';
import type { GuestRam } from './guest-ram';
import { GuestPpgtt } from './ppgtt';
import { GUEST_PV_CAPS, GuestPv } from './pv';
import type { TrapPort } from './trap-port';

export interface VgpuResources {
  vgtId: number;
  aperture: { base: number; size: number };
  hidden: { base: number; size: number };
  fences: number;
}

/** A graphics object: GM range plus the guest pages behind it (contiguous: one bump allocation). */
export interface GemObject {
  gm: number;
  size: number;
  firstFrame: number;
  /** The object's pages as CPU-visible words (pass-through: no trap). */
  words: Uint32Array;
}

export interface DisplayMode {
  width: number;
  height: number;
  /** Refresh rate, Hz. */
  refresh: number;
  /** The monitor's timing (from its EDID); without it the driver uses simple CVT-like blanking. */
  timing?: DetailedTiming;
}

/** Where the GM and RAM allocators stand, to free everything allocated after it. */
export interface AllocationMark {
  low: number;
  high: number;
  ram: number;
}

/** Interrupt causes seen by one pass of the interrupt handler. */
export interface IrqCauses {
  bcsUser: boolean;
  vblank: boolean;
  /** Context IDs reported complete (execlist mode): by the BCS context status buffer, or with PV submission retired on the user interrupt. */
  completedContexts: number[];
  /** A monitor was plugged, unplugged or changed: re-probe. */
  hotplug: boolean;
}

export interface DriverOptions {
  /**
   * The pv_caps the driver asks for when its vGPU advertises VGT_CAPS_PV (PV_GGTT, PV_SUBMISSION,
   * PV_MMIO of shared/pvinfo); 0 keeps every access trapped, like a guest without the PV series.
   * Default GUEST_PV_CAPS (all three).
   */
  pvCaps?: number;
  /** Use full PPGTT when the vGPU advertises VGT_CAPS_FULL_PPGTT (default true); false stays GGTT-only. */
  ppgtt?: boolean;
}

/** How work reaches the engine: Gen8+ execlists (what GVT-g requires) or the legacy ring buffer. */
export type SubmissionMode = 'execlist' | 'ring';

/** The cursor as the driver knows it (cursorState). */
export interface CursorState {
  /** The cursor plane is on in hardware (CUR_CTL as last written is not MCURSOR_MODE_DISABLE). */
  visible: boolean;
  /** Top-left of the 64x64 image in pipe pixels; may be negative (hanging off the left/top edge). */
  x: number;
  y: number;
  /** GM address of the cursor image (0 before initCursor). */
  base: number;
}

/** A desktop rectangle a pipe shows (display-layout.ts HeadLayout's pipe and rectangle). */
export interface CursorHead {
  pipe: number;
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Side of the cursor image, pixels: MCURSOR_MODE_64_ARGB_AX is 64x64 ARGB8888 (16 KiB). */
export const CURSOR_SIZE = 64;

/** The context ID this driver gives its one BCS context. */
export const BCS_CONTEXT_ID = 1;

/** The device is not a GVT-g vGPU (no PVINFO magic) or speaks an unsupported PVINFO version. */
export class NoVgpuError extends Error {}

const BCS_USER = GT_RENDER_USER_INTERRUPT << GEN8_BCS_IRQ_SHIFT;
const BCS_CTX_SWITCH = GT_CONTEXT_SWITCH_INTERRUPT << GEN8_BCS_IRQ_SHIFT;
const RING_BYTES = 16 * 1024;

export class GuestDriver {
  private res: VgpuResources | null = null;
  private nextLow = 0;
  private nextHigh = 0;
  private ring: GemObject | null = null;
  private context: GemObject | null = null;
  private ringTail = 0;
  private mode: SubmissionMode = 'execlist';
  private cursorImage: GemObject | null = null;
  /** What the guest asked for: shown (initCursor until hideCursor) and the position (desktop pixels). */
  private cursor = { shown: false, x: 0, y: 0 };
  /** Per pipe, CUR_CTL and CUR_BASE as last written (i915 keeps the same cache in plane->cursor). */
  private cursorHw = PIPE_NAMES.map(() => ({ ctl: 0, base: 0 }));
  /** The desktop rectangle each lit pipe shows (setCursorHeads); until set, pipe A from 0,0, unbounded. */
  private cursorHeads: readonly CursorHead[] = [{ pipe: 0, x: 0, y: 0, w: Infinity, h: Infinity }];
  /** The PV channel once negotiated in probe(), else null (everything traps). */
  private pvChannel: GuestPv | null = null;
  /** A PV submission whose completion was not yet retired (PV has no CSB). */
  private pvInflight = false;
  /** The full PPGTT when the vGPU offers VGT_CAPS_FULL_PPGTT, else null (GGTT only). */
  private ppgtt: GuestPpgtt | null = null;
  /** The vGPU offers VGT_CAPS_HWSP_EMULATION: it mirrors the CSB into the hardware status page. */
  private hwspEmulation = false;
  /** BCS hardware status page (execlists with HWSP emulation), from which the CSB is read; else null. */
  private hwsp: GemObject | null = null;

  constructor(
    private readonly port: TrapPort,
    private readonly ram: GuestRam,
    private readonly log: (line: string) => void,
    private readonly options: DriverOptions = {},
  ) {}

  /** The driver's PPGTT (its page tables in guest RAM), or null when it runs GGTT-only. */
  get ppgttTables(): GuestPpgtt | null {
    return this.ppgtt;
  }

  /** The BCS hardware status page the CSB is read from (HWSP emulation, execlists), or null. */
  get statusPage(): GemObject | null {
    return this.hwsp;
  }

  /** The negotiated pv_caps (0: no PV, every access traps). */
  get pvCaps(): number {
    return this.pvChannel?.caps ?? 0;
  }

  /**
   * Detect the vGPU (PVINFO magic and version), read the ballooning info and, when the vGPU
   * advertises VGT_CAPS_PV, negotiate the PV features (GuestPv.detect; `pvCaps` bounds them).
   * Throws NoVgpuError.
   */
  probe(): VgpuResources {
    const pv = (off: number): number => this.port.read32(VGT_PVINFO_PAGE + off);
    if (pv(PVINFO.magic) !== VGT_MAGIC_LO || pv(PVINFO.magic + 4) !== VGT_MAGIC_HI) throw new NoVgpuError('no PVINFO magic at 0x78000: not a GVT-g vGPU');
    const version = pv(PVINFO.version_major);
    if ((version & 0xffff) !== VGT_VERSION_MAJOR) throw new NoVgpuError(`unsupported PVINFO version ${version & 0xffff}.${version >>> 16}`);
    this.res = {
      vgtId: pv(PVINFO.vgt_id),
      aperture: { base: pv(PVINFO.mappable_gmadr_base), size: pv(PVINFO.mappable_gmadr_size) },
      hidden: { base: pv(PVINFO.nonmappable_gmadr_base), size: pv(PVINFO.nonmappable_gmadr_size) },
      fences: pv(PVINFO.fence_num),
    };
    this.nextLow = this.res.aperture.base;
    this.nextHigh = this.res.hidden.base;
    const kib = (n: number): string => `${n / 1024}KiB`;
    this.log('i915 0000:00:02.0: Virtual GPU for Intel GVT-g detected.');
    this.pvChannel = GuestPv.detect(this.port, this.ram, this.log, this.options.pvCaps ?? GUEST_PV_CAPS);
    // intel_vgpu_has_full_ppgtt: without the cap the driver stays on the GGTT.
    const full = (pv(PVINFO.vgt_caps) & VGT_CAPS_FULL_PPGTT) !== 0 && this.options.ppgtt !== false;
    this.ppgtt = full ? new GuestPpgtt(this.ram) : null;
    this.hwspEmulation = (pv(PVINFO.vgt_caps) & VGT_CAPS_HWSP_EMULATION) !== 0;
    this.log(full ? '[drm] Full PPGTT (48-bit, 4-level) enabled' : '[drm] vGPU without full PPGTT: GGTT only');
    this.log('[drm] VGT ballooning configuration:');
    this.log(`[drm] Mappable graphic memory: base 0x${this.res.aperture.base.toString(16)} size ${kib(this.res.aperture.size)}`);
    this.log(`[drm] Unmappable graphic memory: base 0x${this.res.hidden.base.toString(16)} size ${kib(this.res.hidden.size)}`);
    this.log(`[drm] Fence registers: ${this.res.fences}`);
    return this.res;
  }

  get resources(): VgpuResources {
    if (!this.res) throw new NoVgpuError('probe() first');
    return this.res;
  }

  /**
   * Allocate an object of `bytes` (rounded up to pages) in the aperture or hidden GM, back it
   * with guest pages and map it by writing guest-physical PTEs into the GTT window.
   * Throws RangeError when the range or RAM is exhausted.
   */
  allocObject(bytes: number, where: 'aperture' | 'hidden'): GemObject {
    const r = this.resources;
    const size = Math.ceil(bytes / PAGE_SIZE) * PAGE_SIZE;
    const range = where === 'aperture' ? r.aperture : r.hidden;
    const gm = where === 'aperture' ? this.nextLow : this.nextHigh;
    if (gm + size > range.base + range.size) throw new RangeError(`${where} GM exhausted: need ${size} B`);
    const frames = this.ram.allocPages(size / PAGE_SIZE);
    // PV GGTT: the whole object in one command per page of PTEs; else one trapped PTE per page.
    const bound = this.pvChannel?.has(PV_GGTT) === true && this.pvChannel.bindGgtt(gm, frames);
    for (let i = 0; !bound && i < frames.length; i++) {
      const gpa = frames[i] * PAGE_SIZE;
      // Gen8 PTE: guest-physical page address | present; the mediator translates it.
      this.port.write64(GTT_OFFSET + ((gm / PAGE_SIZE + i) * 8), (gpa % 2 ** 32) | 1, Math.floor(gpa / 2 ** 32));
    }
    // Bound in the PPGTT at the same address (see ppgtt.ts); the GGTT binding stays for scanout.
    this.ppgtt?.map(gm, frames);
    if (where === 'aperture') this.nextLow += size;
    else this.nextHigh += size;
    const firstFrame = frames[0];
    return { gm, size, firstFrame, words: this.ram.words.subarray((firstFrame * PAGE_SIZE) >>> 2, (firstFrame * PAGE_SIZE + size) >>> 2) };
  }

  /**
   * Say that the CPU wrote bytes [byteOffset, byteOffset + bytes) of `obj` (its pages are
   * contiguous guest RAM): logged in the RAM's dirty page log, so the compositor sees pixels drawn
   * by pass-through CPU writes without comparing the whole surface.
   */
  cpuWrote(obj: GemObject, byteOffset: number, bytes: number): void {
    this.ram.logWrite(obj.firstFrame * PAGE_SIZE + byteOffset, bytes);
  }

  /** The allocators' position (see release). */
  mark(): AllocationMark {
    return { low: this.nextLow, high: this.nextHigh, ram: this.ram.mark() };
  }

  /**
   * Free every object allocated after `m` (their GGTT entries stay until reused; the GM is the
   * vGPU's own), e.g. the framebuffers of the previous mode after a mode change.
   */
  release(m: AllocationMark): void {
    this.nextLow = Math.min(this.nextLow, m.low);
    this.nextHigh = Math.min(this.nextHigh, m.high);
    this.ram.release(m.ram);
  }

  /**
   * Program `pipe` (0 = A) for `mode` — the EDID's detailed timing when given, else simple
   * CVT-like blanking — and enable the pipe. Source: i915 intel_set_pipe_timings (values are N-1).
   */
  setMode(mode: DisplayMode, pipe = 0): void {
    const { width: w, height: h } = mode;
    const t = mode.timing;
    const htotal = t ? t.hActive + t.hBlank : w + 160;
    const vtotal = t ? t.vActive + t.vBlank : h + 30;
    const hsync = t ? [w + t.hSyncOffset, w + t.hSyncOffset + t.hSyncWidth] : [w + 48, w + 80];
    const vsync = t ? [h + t.vSyncOffset, h + t.vSyncOffset + t.vSyncWidth] : [h + 3, h + 10];
    const p = this.port;
    p.write32(pipeReg(HTOTAL_A, pipe), ((htotal - 1) << 16) | (w - 1));
    p.write32(pipeReg(HBLANK_A, pipe), ((htotal - 1) << 16) | (w - 1));
    p.write32(pipeReg(HSYNC_A, pipe), ((hsync[1] - 1) << 16) | (hsync[0] - 1));
    p.write32(pipeReg(VTOTAL_A, pipe), ((vtotal - 1) << 16) | (h - 1));
    p.write32(pipeReg(VBLANK_A, pipe), ((vtotal - 1) << 16) | (h - 1));
    p.write32(pipeReg(VSYNC_A, pipe), ((vsync[1] - 1) << 16) | (vsync[0] - 1));
    p.write32(pipeReg(PIPESRC_A, pipe), ((w - 1) << 16) | (h - 1));
    p.write32(pipeReg(PIPECONF_A, pipe), PIPECONF_ENABLE);
    this.log(`[drm] pipe ${PIPE_NAMES[pipe]}: ${w}x${h}@${mode.refresh}Hz`);
  }

  /** Turn the primary plane, that pipe's cursor plane and `pipe` off (`why`: for the log; default no monitor). */
  disablePipe(why = 'no monitor', pipe = 0): void {
    this.port.write32(pipeReg(PLANE_CTL_1_A, pipe), 0);
    this.port.write32(pipeReg(PLANE_SURF_1_A, pipe), 0);
    // As intel_crtc_disable_planes: active planes go off before the pipe, the cursor after the
    // primary. The guest's cursor stays shown: its next moveCursor turns the plane back on.
    if (this.cursorHw[pipe].ctl !== 0) this.writeCursor(pipe, null);
    this.port.write32(pipeReg(PIPECONF_A, pipe), 0);
    this.log(`[drm] pipe ${PIPE_NAMES[pipe]}: off (${why})`);
  }

  /**
   * The driver's unload at power-off or reboot, after the last frame completed: outputs off, the
   * display no longer ready for an owner switch, run list and interrupts off, the GM balloon let
   * go (the vGPU itself is freed by the toolstack when the domain is destroyed).
   * Source: i915 i915_driver_unload (intel_modeset_cleanup, intel_irq_uninstall), intel_vgt_deballoon.
   */
  shutdown(): void {
    const p = this.port;
    this.disablePipe('shutdown');
    p.write32(VGT_PVINFO_PAGE + PVINFO.display_ready, 0);
    if (this.mode === 'execlist' && this.ring) p.write32(BLT_RING_BASE + RING_MODE_GEN7, maskedBitDisable(GFX_RUN_LIST_ENABLE));
    if (this.mode === 'execlist' && this.context && this.ppgtt) this.ppgtt.notify(p, false);
    p.write32(GEN8_MASTER_IRQ, 0);
    this.log('[drm] VGT deballoon: graphics memory released');
  }

  /**
   * Scan out `width` x `height` of `fb` (linear XRGB8888, `pitch` bytes per row) from its pixel
   * (x, y) on `pipe`'s primary plane; PLANE_SURF last. Source: i915 skl_program_plane (PLANE_OFFSET = y << 16 | x).
   */
  setPlane(fb: GemObject, width: number, height: number, pitch: number, pipe = 0, x = 0, y = 0): void {
    const p = this.port;
    const reg = (r: number): number => pipeReg(r, pipe);
    p.write32(reg(PLANE_STRIDE_1_A), pitch / 64);
    p.write32(reg(PLANE_POS_1_A), 0);
    p.write32(reg(PLANE_OFFSET_1_A), (y << 16) | x);
    p.write32(reg(PLANE_SIZE_1_A), ((height - 1) << 16) | (width - 1));
    p.write32(reg(PLANE_CTL_1_A), PLANE_CTL_ENABLE | PLANE_CTL_FORMAT_XRGB_8888 | PLANE_CTL_TILED_LINEAR);
    p.write32(reg(PLANE_SURF_1_A), fb.gm);
  }

  /** Point `pipe`'s primary plane at `fb` (an MMIO flip: i915's plane update writes PLANE_SURF). */
  flipPlane(fb: GemObject, pipe: number): void {
    this.port.write32(pipeReg(PLANE_SURF_1_A, pipe), fb.gm);
  }

  /**
   * Show `image` (CURSOR_SIZE x CURSOR_SIZE premultiplied ARGB8888, row-packed) on the cursor
   * plane at the current position (0,0 at first). The image goes into a 16 KiB aperture object,
   * allocated on the first call and reused after (allocate it before objects a later release()
   * frees, e.g. mode-sized surfaces: their release would free it too); then, as
   * i9xx_update_cursor does for a newly visible plane, CUR_CTL = MCURSOR_MODE_64_ARGB_AX, CUR_POS,
   * and CUR_BASE last, which arms the update. Throws RangeError for an image of another size or
   * when the aperture is exhausted. Source: i915 intel_cursor.c i9xx_update_cursor.
   */
  initCursor(image: Uint32Array): void {
    if (image.length !== CURSOR_SIZE * CURSOR_SIZE) throw new RangeError(`cursor image has ${image.length} pixels, expected ${CURSOR_SIZE}x${CURSOR_SIZE}`);
    this.cursorImage ??= this.allocObject(image.byteLength, 'aperture');
    this.cursorImage.words.set(image);
    this.cursor.shown = true;
    this.updateCursor(true);
  }

  /**
   * Move the cursor's top-left to (x, y) desktop pixels (negative: off the left/top edge). On each
   * pipe the desktop shows (setCursorHeads) the cursor plane sits at (x, y) minus that head's
   * origin, on while the 64x64 image overlaps the head and off on the others, as X's
   * xf86_crtc_set_cursor_position places the cursor on every CRTC (hiding it where it is out of
   * range). Per pipe: CUR_POS then CUR_BASE, which re-arms the update, one trapped write each —
   * i9xx_update_cursor's path when only the position changed (it adds CUR_CTL first when the plane
   * was off in hardware, e.g. after disablePipe). A pipe other than A whose cursor stays off gets
   * no write; pipe A's invisible plane gets what i915 writes for one (CUR_POS 0, CUR_BASE 0).
   * Throws RangeError for non-integers or magnitudes beyond CUR_POS's fields (X 8191, Y 4095),
   * Error before initCursor.
   */
  moveCursor(x: number, y: number): void {
    if (!this.cursorImage) throw new Error('initCursor() first');
    cursorPosition(x, y); // validates before anything changes
    this.cursor.x = x;
    this.cursor.y = y;
    this.updateCursor(this.cursor.shown);
  }

  /**
   * The desktop rectangles the lit pipes show (DesktopScene.setMode after a modeset): the cursor
   * follows on every one of them from the next moveCursor. An empty list: no pipe is lit.
   */
  setCursorHeads(heads: readonly CursorHead[]): void {
    this.cursorHeads = heads.map((h) => ({ ...h }));
  }

  /**
   * Turn the cursor plane off until the next initCursor, as i9xx_update_cursor does for an
   * invisible plane: CUR_CTL 0 (MCURSOR_MODE_DISABLE), CUR_POS 0, then CUR_BASE 0 to arm it. The
   * position is remembered.
   */
  hideCursor(): void {
    this.cursor.shown = false;
    this.updateCursor(false);
  }

  /**
   * The cursor of `pipe` (default A) from the driver's own state (no trapped read): `visible` while
   * that cursor plane is on in hardware, the position asked for in that pipe's pixels (the desktop
   * position minus the head's origin), the image's GM address.
   */
  cursorState(pipe = 0): CursorState {
    const head = this.cursorHeads.find((h) => h.pipe === pipe);
    return { visible: this.cursorHw[pipe].ctl !== 0, x: this.cursor.x - (head?.x ?? 0), y: this.cursor.y - (head?.y ?? 0), base: this.cursorImage?.gm ?? 0 };
  }

  /** Place (or hide) the cursor on every pipe for the position asked for. */
  private updateCursor(visible: boolean): void {
    for (let pipe = 0; pipe < PIPE_NAMES.length; pipe++) {
      const head = this.cursorHeads.find((h) => h.pipe === pipe);
      const x = this.cursor.x - (head?.x ?? 0);
      const y = this.cursor.y - (head?.y ?? 0);
      // xf86_crtc_set_cursor_position's in_range: some of the image lies on the head.
      const on = visible && head !== undefined && x < head.w && y < head.h && x > -CURSOR_SIZE && y > -CURSOR_SIZE;
      if (on) this.writeCursor(pipe, { x, y });
      else if (pipe === 0 || this.cursorHw[pipe].ctl !== 0) this.writeCursor(pipe, null);
    }
  }

  /**
   * i9xx_update_cursor on `pipe`: CUR_CTL only when it or CUR_BASE changes from what the hardware
   * holds (the driver's cache, as i915's plane->cursor), then CUR_POS and CUR_BASE always, CUR_BASE
   * last: it arms the update of all three. An invisible plane (`at` null) is CUR_CTL 0, CUR_POS 0,
   * CUR_BASE 0.
   */
  private writeCursor(pipe: number, at: { x: number; y: number } | null): void {
    const ctl = at ? MCURSOR_MODE_64_ARGB_AX : 0;
    const base = at && this.cursorImage ? this.cursorImage.gm : 0;
    const p = this.port;
    if (this.cursorHw[pipe].ctl !== ctl || this.cursorHw[pipe].base !== base) {
      p.write32(pipeReg(CUR_CTL_A, pipe), ctl);
      this.cursorHw[pipe] = { ctl, base };
    }
    p.write32(pipeReg(CUR_POS_A, pipe), at ? cursorPosition(at.x, at.y) : 0);
    p.write32(pipeReg(CUR_BASE_A, pipe), base);
  }

  /**
   * Program fence `i` over `obj` as an X- or Y-tiled surface of `pitch` bytes per row, the way
   * i915 does (disable, high dword, then low dword with the valid bit). Throws RangeError for a
   * fence the vGPU does not own.
   */
  setFence(i: number, obj: GemObject, pitch: number, tiling: 'x' | 'y'): void {
    if (i >= this.resources.fences) throw new RangeError(`fence ${i}: this vGPU owns ${this.resources.fences}`);
    const [lo, hi] = encodeFence({ start: obj.gm, end: obj.gm + obj.size, pitch, tiling });
    this.port.write32(FENCE_REG_GEN6_LO(i), 0);
    this.port.write32(FENCE_REG_GEN6_HI(i), hi);
    this.port.write32(FENCE_REG_GEN6_LO(i), lo);
  }

  /** Disable fence `i`. */
  clearFence(i: number): void {
    this.port.write32(FENCE_REG_GEN6_LO(i), 0);
  }

  /** Write a dword through the aperture (BAR2) at GM address `gm` (a fence may detile it). */
  apertureWrite(gm: number, value: number): void {
    this.port.apertureWrite32(gm, value);
  }

  /** Tell the mediator the display is ready for an owner switch (PVINFO display_ready). */
  setDisplayReady(): void {
    this.port.write32(VGT_PVINFO_PAGE + PVINFO.display_ready, VGT_DRV_DISPLAY_READY);
  }

  /**
   * Set up BCS submission. Execlists (default): a ring buffer plus a logical ring context image
   * (PPHWSP page + register state page) in the aperture, GFX_MODE run-list enabled. Ring: the
   * legacy RING_START/RING_CTL programming.
   */
  initBlitterRing(mode: SubmissionMode = 'execlist'): void {
    this.mode = mode;
    this.ring = this.allocObject(RING_BYTES, 'aperture');
    this.ringTail = 0;
    const p = this.port;
    const ctl = RING_CTL_SIZE(RING_BYTES) | RING_CTL_VALID;
    if (mode === 'execlist') {
      this.context = this.allocObject(2 * PAGE_SIZE, 'aperture');
      const st = this.context.words.subarray((LRC_STATE_PN * PAGE_SIZE) >>> 2);
      st[CTX_LRI_HEADER_0] = MI_LOAD_REGISTER_IMM_N(4);
      [[CTX_RING_HEAD, RING_HEAD, 0], [CTX_RING_TAIL, RING_TAIL, 0], [CTX_RING_BUFFER_START, RING_START, this.ring.gm], [CTX_RING_BUFFER_CONTROL, RING_CTL, ctl]].forEach(([i, reg, value]) => {
        st[i] = BLT_RING_BASE + reg;
        st[i + 1] = value;
      });
      if (this.ppgtt) {
        this.ppgtt.writeContextPdps(st, BLT_RING_BASE);
        this.ppgtt.notify(p, true);
      }
      if (this.hwspEmulation) {
        // The status page the CSB is mirrored into (i915 sets RING_HWS_PGA for every engine; this
        // driver needs it only for the CSB). Hidden GM: only the GPU side writes it.
        this.hwsp ??= this.allocObject(PAGE_SIZE, 'hidden');
        p.write32(BLT_RING_BASE + RING_HWS_PGA, this.hwsp.gm);
      }
      p.write32(BLT_RING_BASE + RING_MODE_GEN7, maskedBitEnable(GFX_RUN_LIST_ENABLE));
      this.resetCsbPointers();
      this.log('[drm] Using execlists on bcs0');
      return;
    }
    p.write32(BLT_RING_BASE + RING_CTL, 0);
    p.write32(BLT_RING_BASE + RING_START, this.ring.gm);
    p.write32(BLT_RING_BASE + RING_HEAD, 0);
    p.write32(BLT_RING_BASE + RING_TAIL, 0);
    p.write32(BLT_RING_BASE + RING_CTL, ctl);
  }

  /** Unmask the BCS user and context-switch interrupts and pipe A vblank, then enable the master interrupt. */
  enableInterrupts(): void {
    const p = this.port;
    p.write32(GEN8_GT_IMR0, ~(BCS_USER | BCS_CTX_SWITCH) >>> 0);
    p.write32(GEN8_GT_IER0, BCS_USER | BCS_CTX_SWITCH);
    p.write32(GEN8_DE_PIPE_IMR_A, ~GEN8_PIPE_VBLANK >>> 0);
    p.write32(GEN8_DE_PIPE_IER_A, GEN8_PIPE_VBLANK);
    // Hotplug: every port's SDE bit (port A's too on SPT, as spt_hpd_irq_setup); detection enabled per port.
    const sde = Object.values(SDE_PORT_HOTPLUG).reduce((a, b) => a | b, 0);
    p.write32(SDEIMR, ~sde >>> 0);
    p.write32(SDEIER, sde >>> 0);
    for (const reg of new Set(Object.values(PORT_HOTPLUG_CTL).map((c) => c.reg))) {
      const shifts = Object.values(PORT_HOTPLUG_CTL).filter((c) => c.reg === reg).map((c) => c.shift);
      p.write32(reg, shifts.reduce((v, sh) => v | (PORT_HOTPLUG_ENABLE << sh), 0));
    }
    p.write32(GEN8_MASTER_IRQ, GEN8_MASTER_IRQ_CONTROL);
  }

  /**
   * The interrupt handler: master off, read and ack each pending bank, master back on. With
   * PV_MMIO the master and IIR values come from the shared page (the acks still trap); with PV
   * submission there is no CSB: as vgpu_pv_submission_tasklet does on the user interrupt, the
   * context is retired once its image's RING_HEAD reached the submitted tail.
   */
  handleInterrupt(): IrqCauses {
    const p = this.port;
    const master = this.read(GEN8_MASTER_IRQ);
    p.write32(GEN8_MASTER_IRQ, 0);
    const causes: IrqCauses = { bcsUser: false, vblank: false, completedContexts: [], hotplug: false };
    // gen8_gt_irq_handler: either engine's half of GT0 means reading GT0's IIR.
    if (master & (GEN8_GT_RCS_IRQ | GEN8_GT_BCS_IRQ)) {
      const iir = this.read(GEN8_GT_IIR0);
      p.write32(GEN8_GT_IIR0, iir);
      causes.bcsUser = (iir & BCS_USER) !== 0;
      if (iir & BCS_CTX_SWITCH) causes.completedContexts = this.processCsb();
      else if (causes.bcsUser && this.pvInflight && this.ringHead() === this.ringTail) {
        this.pvInflight = false;
        causes.completedContexts = [BCS_CONTEXT_ID];
      }
    }
    if (master & GEN8_DE_PIPE_A_IRQ) {
      const iir = this.read(GEN8_DE_PIPE_IIR_A);
      p.write32(GEN8_DE_PIPE_IIR_A, iir);
      causes.vblank = (iir & GEN8_PIPE_VBLANK) !== 0;
    }
    if (master & GEN8_DE_PCH_IRQ) {
      const iir = this.read(SDEIIR);
      if (iir) p.write32(SDEIIR, iir);
      // Long/short pulse status bits are write-1-to-clear: read and write back.
      for (const reg of new Set(Object.values(PORT_HOTPLUG_CTL).map((c) => c.reg))) p.write32(reg, p.read32(reg));
      causes.hotplug = true;
    }
    p.write32(GEN8_MASTER_IRQ, GEN8_MASTER_IRQ_CONTROL);
    return causes;
  }

  /** A register read: from the shared page when PVMMIO mirrors it, else trapped. */
  private read(offset: number): number {
    return this.pvChannel?.mmio(offset) ?? this.port.read32(offset);
  }

  /**
   * Point both CSB pointers at the last entry, so the first status the (virtual) hardware writes
   * lands in entry 0 and is the first one read. GVT-g resets a vGPU's pointers to read 0 / write
   * 0x7; i915 writes both fields (masked) when it enables or resets an engine.
   * Source: i915 intel_execlists_submission.c reset_csb_pointers (0xffff << 16 | reset_value << 8 | reset_value).
   */
  private resetCsbPointers(): void {
    const last = GEN8_CSB_ENTRIES - 1;
    this.port.write32(BLT_RING_BASE + RING_CONTEXT_STATUS_PTR, ((0xffff << 16) | (last << 8) | last) >>> 0);
    if (this.hwsp) this.hwsp.words[I915_HWS_CSB_WRITE_INDEX] = last;
  }

  /**
   * Read the BCS context status buffer from the last entry read up to the hardware's write
   * pointer, then move the read pointer there. Returns the context IDs reported complete. With
   * HWSP emulation the entries and write pointer come from the status page in memory (no traps),
   * as i915 reads execlists->csb_status / csb_write; the pointer register still gives the read
   * pointer and takes its update.
   * Source: i915 intel_lrc.c process_csb.
   */
  private processCsb(): number[] {
    const p = this.port;
    const hws = this.hwsp?.words;
    const ptr = p.read32(BLT_RING_BASE + RING_CONTEXT_STATUS_PTR);
    const write = hws ? hws[I915_HWS_CSB_WRITE_INDEX] : ptr & 0x7;
    let read = (ptr >>> 8) & 0x7;
    const done: number[] = [];
    if (write >= GEN8_CSB_ENTRIES) return done; // nothing written since reset
    const entry = (i: number, hi: number): number => (hws ? hws[I915_HWS_CSB_BUF0_INDEX + 2 * i + hi] : p.read32(BLT_RING_BASE + (hi ? RING_CONTEXT_STATUS_BUF_HI(i) : RING_CONTEXT_STATUS_BUF_LO(i))));
    while (read !== write) {
      read = (read + 1) % GEN8_CSB_ENTRIES;
      if (entry(read, 0) & GEN8_CTX_STATUS_COMPLETE) done.push(entry(read, 1));
    }
    p.write32(BLT_RING_BASE + RING_CONTEXT_STATUS_PTR, ((0x7 << 8) << 16) | (read << 8));
    return done;
  }

  /**
   * Copy `dwords` into the ring (CPU writes: the ring pages are the guest's own) and submit them:
   * execlists update the context image's RING_TAIL and write the ELSP (element 1 empty, element 0
   * our context, the last write submits), or with PV submission put the descriptor into the
   * shared page and notify once; ring mode writes RING_TAIL. The writes that reach GVT are
   * trapped. The caller waits for completion before reusing the space.
   */
  submit(dwords: readonly number[]): void {
    const ring = this.ring;
    if (!ring) throw new Error('initBlitterRing() first');
    if (dwords.length * 4 > RING_BYTES / 2) throw new RangeError(`batch of ${dwords.length} dwords too large for the ring`);
    if (this.ringTail + dwords.length * 4 > RING_BYTES) {
      while (this.ringTail < RING_BYTES) {
        ring.words[this.ringTail >>> 2] = MI_NOOP;
        this.ringTail += 4;
      }
      this.ringTail = 0;
    }
    for (const dw of dwords) {
      ring.words[this.ringTail >>> 2] = dw >>> 0;
      this.ringTail += 4;
    }
    this.ringTail %= RING_BYTES;
    if (this.mode === 'ring' || !this.context) return this.port.write32(BLT_RING_BASE + RING_TAIL, this.ringTail);
    this.context.words[((LRC_STATE_PN * PAGE_SIZE) >>> 2) + CTX_RING_TAIL + 1] = this.ringTail;
    const [lo, hi] = this.descriptor(this.context.gm);
    if (this.pvChannel?.has(PV_SUBMISSION)) {
      // A refused PV submission is logged by pv_submit; like i915 we do not retry it through ELSP.
      this.pvInflight = this.pvChannel.submit('bcs', lo, hi, this.context.firstFrame * PAGE_SIZE);
      return;
    }
    for (const dw of [0, 0, hi, lo]) this.port.write32(BLT_RING_BASE + RING_ELSP, dw);
  }

  /** Our context's descriptor: 48-bit PPGTT addressing when the driver has a PPGTT (gen8_ctx_descriptor). */
  private descriptor(gm: number): [number, number] {
    return contextDescriptor(gm, BCS_CONTEXT_ID, this.ppgtt ? INTEL_LEGACY_64B_CONTEXT : INTEL_LEGACY_32B_CONTEXT);
  }

  /**
   * Hang recovery, as i915's hangcheck does it: reset the blitter engine with GEN6_GDRST (the
   * mediator resets only this vGPU) and start its ring over, empty.
   */
  resetEngine(): void {
    this.port.write32(GEN6_GDRST, GEN6_GRDOM_BLT);
    this.ringTail = 0;
    this.pvInflight = false;
    if (this.mode === 'execlist' && this.context) {
      const st = (LRC_STATE_PN * PAGE_SIZE) >>> 2;
      this.context.words[st + CTX_RING_HEAD + 1] = 0;
      this.context.words[st + CTX_RING_TAIL + 1] = 0;
      // The reset put GVT-g's pointers back to read 0 / write 0x7; i915 resets them its way.
      this.resetCsbPointers();
    } else if (this.ring) {
      const p = this.port;
      p.write32(BLT_RING_BASE + RING_CTL, 0);
      p.write32(BLT_RING_BASE + RING_START, this.ring.gm);
      p.write32(BLT_RING_BASE + RING_HEAD, 0);
      p.write32(BLT_RING_BASE + RING_TAIL, 0);
      p.write32(BLT_RING_BASE + RING_CTL, RING_CTL_SIZE(RING_BYTES) | RING_CTL_VALID);
    }
    this.log('[drm] GPU HANG: bcs0 reset, ring restarted');
  }

  /** The engine's progress as the guest sees it (bytes): the context image's or RING_HEAD. */
  ringHead(): number {
    if (this.mode === 'execlist' && this.context) return this.context.words[((LRC_STATE_PN * PAGE_SIZE) >>> 2) + CTX_RING_HEAD + 1] & 0x1ffffc;
    return this.read(BLT_RING_BASE + RING_HEAD) & 0x1ffffc;
  }

  get submittedTail(): number {
    return this.ringTail;
  }
}

/**
 * CUR_POS for a top-left at (x, y): sign-magnitude per half, sign in bit 15 of each. Throws
 * RangeError outside the fields' range. Source: i915 intel_cursor_position (CURSOR_POS_SIGN,
 * CURSOR_X_SHIFT, CURSOR_Y_SHIFT); field widths as GVT-g decodes them.
 */
function cursorPosition(x: number, y: number): number {
  const maxX = CURSOR_POS_X_MASK >>> CURSOR_X_SHIFT;
  const maxY = CURSOR_POS_Y_MASK >>> CURSOR_Y_SHIFT;
  if (!Number.isInteger(x) || !Number.isInteger(y) || Math.abs(x) > maxX || Math.abs(y) > maxY) throw new RangeError(`cursor position (${x}, ${y}) outside CUR_POS's range (±${maxX}, ±${maxY})`);
  const half = (v: number): number => (v < 0 ? CURSOR_POS_SIGN | -v : v);
  return ((half(x) << CURSOR_X_SHIFT) | (half(y) << CURSOR_Y_SHIFT)) >>> 0;
}
