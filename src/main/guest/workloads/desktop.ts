/**
 * The `desktop` workload: a guest desktop that changes over time, drawn through the vGPU with both
 * paths GVT-g offers, double-buffered like a compositor: each frame is drawn into the back buffer
 * and shown by an MI_DISPLAY_FLIP at the end of the frame's commands, so the scanout never shows a
 * half-drawn frame. Pass-through: the CPU writes the top bar (name, domid, clock) straight into the
 * back buffer's pages. Mediated: blitter commands on the BCS ring restore the background under
 * where the window was two frames ago in that buffer (XY_SRC_COPY_BLT from a hidden-GM copy),
 * draw the window's shadow (XY_COLOR_BLT) and copy its contents (XY_SRC_COPY_BLT), then
 * MI_DISPLAY_FLIP, MI_STORE_DATA_IMM of the frame's seqno and MI_USER_INTERRUPT.
 * A small "vGPU" badge is an X-tiled surface: written once at boot through the aperture with a
 * fence giving the CPU a linear view, and blitted from tiled to linear (XY_SRC_COPY_BLT, source
 * tiled) onto the window every frame.
 */
import {
  MI_NOOP,
  MI_STORE_DATA_IMM_GGTT,
  MI_USER_INTERRUPT,
  ROP_PATCOPY,
  ROP_SRCCOPY,
  BLT_SRC_TILED,
  XY_COLOR_BLT_CMD,
  XY_SRC_COPY_BLT_CMD,
  MI_DISPLAY_FLIP_PLANE_A,
  br13,
} from '../../../shared/commands';
import { FONT_HEIGHT, drawTextRows, textWidth } from '../../../shared/font';
import type { AllocationMark, DisplayMode, GemObject, GuestDriver } from '../driver';

export const BAR_HEIGHT = 40;
const WIN_W = 360;
const WIN_H = 200;
const TITLE_H = 28;
/** The tiled badge: one X tile wide (512 B = 128 px), four tile rows (32 px) tall. */
export const BADGE_W = 128;
export const BADGE_H = 32;

export interface DesktopIdentity {
  name: string;
  domid: number;
}

/** Hue-shifted colours per domid so VMs are told apart at a glance. */
function palette(domid: number): { top: number; bottom: number; accent: number } {
  const hues = [
    [0x1d, 0x3b, 0x6e],
    [0x2e, 0x5e, 0x3a],
    [0x6e, 0x2d, 0x4f],
    [0x6b, 0x4a, 0x1c],
    [0x23, 0x5c, 0x66],
    [0x4b, 0x2f, 0x74],
    [0x5c, 0x5c, 0x22],
  ];
  const [r, g, b] = hues[(domid - 1 + hues.length) % hues.length];
  const rgb = (k: number): number => (0xff000000 | (Math.min(255, r * k) << 16) | (Math.min(255, g * k) << 8) | Math.min(255, b * k)) >>> 0;
  return { top: rgb(1.6), bottom: rgb(0.5), accent: rgb(2.4) };
}

const lerp = (a: number, b: number, t: number): number => {
  const ch = (s: number): number => Math.round(((a >>> s) & 0xff) * (1 - t) + ((b >>> s) & 0xff) * t);
  return (0xff000000 | (ch(16) << 16) | (ch(8) << 8) | ch(0)) >>> 0;
};

/** Where the moving window was last drawn into a buffer (null: the buffer shows only the background). */
type Drawn = { x: number; y: number } | null;

export class DesktopScene {
  /** The two framebuffers; `front` is the one scanned out. */
  private fbs!: [GemObject, GemObject];
  private front = 0;
  private drawn: [Drawn, Drawn] = [null, null];
  private bg!: GemObject;
  private win!: GemObject;
  private status!: GemObject;
  private badge!: GemObject;
  /** Set once the badge was written (a vGPU without fences has none). */
  private badgeReady = false;
  /** Where the mode-sized surfaces start, to free them on a mode change. */
  private modeMark: AllocationMark | null = null;
  private current: DisplayMode | null = null;
  private pitch = 0;
  private winX = 40;
  private winY = BAR_HEIGHT + 40;
  private dx = 6;
  private dy = 4;
  private seqno = 0;
  frames = 0;

  constructor(
    private readonly driver: GuestDriver,
    private readonly id: DesktopIdentity,
  ) {}

  /** The mode the desktop is drawn at, or null while no monitor is connected (pipe off). */
  get mode(): DisplayMode | null {
    return this.current;
  }

  /** Allocate the surfaces that do not depend on the mode and paint them by CPU. */
  boot(): void {
    const d = this.driver;
    this.status = d.allocObject(4096, 'aperture');
    // Window contents live in hidden (non-mappable) GM: only the GPU reads them.
    this.win = d.allocObject(WIN_W * 4 * WIN_H, 'hidden');
    // The badge must be CPU-reachable through the aperture, so it lives in low GM.
    this.badge = d.allocObject(BADGE_W * 4 * BADGE_H, 'aperture');
    const pal = palette(this.id.domid);
    this.paintWindowContents(pal.accent);
    if (d.resources.fences > 0) this.paintBadge(pal.accent);
    this.modeMark = d.mark();
  }

  /**
   * Draw at `mode` (a monitor's preferred mode): the framebuffer and background of the previous
   * mode are freed, new ones allocated and painted, pipe and plane programmed. Null turns the pipe
   * off until a monitor is back.
   */
  setMode(mode: DisplayMode | null): void {
    const d = this.driver;
    if (!this.modeMark) throw new Error('boot() first');
    if (!mode) {
      d.disablePipe();
      this.current = null;
      return;
    }
    d.release(this.modeMark);
    const { width: w, height: h } = mode;
    this.pitch = Math.ceil((w * 4) / 64) * 64;
    this.fbs = [d.allocObject(this.pitch * h, 'aperture'), d.allocObject(this.pitch * h, 'aperture')];
    this.front = 0;
    this.drawn = [null, null];
    // The background copy only the blitter reads: hidden GM.
    this.bg = d.allocObject(this.pitch * h, 'hidden');
    const pal = palette(this.id.domid);
    const pp = this.pitch / 4;
    for (let y = 0; y < h; y++) {
      const c = lerp(pal.top, pal.bottom, y / h);
      for (let x = 0; x < w; x++) this.bg.words[y * pp + x] = (x % 64 === 0 || y % 64 === 0) ? lerp(c, 0xffffffff, 0.08) : c;
    }
    for (const fb of this.fbs) fb.words.set(this.bg.words.subarray(0, pp * h));
    this.current = mode;
    this.winX = Math.min(this.winX, Math.max(0, w - WIN_W));
    this.winY = Math.max(BAR_HEIGHT, Math.min(this.winY, h - WIN_H));
    d.setMode(mode);
    d.setPlane(this.fbs[0], w, h, this.pitch);
    this.drawBar(0);
  }

  private paintWindowContents(accent: number): void {
    const ww = this.win.words;
    ww.fill(0xfff4f4f0);
    for (let x = 0; x < WIN_W; x++) for (let y = 0; y < TITLE_H; y++) ww[y * WIN_W + x] = accent;
    const title = `${this.id.name} (domid ${this.id.domid})`;
    drawTextRows(ww, WIN_W, WIN_W, WIN_H, 10, 6, title, 0xffffffff);
    const lines = ['Mediated pass-through', 'drawn by XY_SRC_COPY_BLT', `vGPU ${this.driver.resources.vgtId}  fences ${this.driver.resources.fences}`];
    lines.forEach((l, i) => drawTextRows(ww, WIN_W, WIN_W, WIN_H, 14, TITLE_H + 18 + i * (FONT_HEIGHT + 8), l, 0xff202020));
  }

  /**
   * Write the badge through the aperture: fence 0 makes the X-tiled surface look linear to the
   * CPU, so the pixels go in row by row and land tiled in memory. The fence is released after.
   */
  private paintBadge(accent: number): void {
    const px = new Uint32Array(BADGE_W * BADGE_H).fill(0xff202830);
    for (let x = 0; x < BADGE_W; x++) px[x] = px[(BADGE_H - 1) * BADGE_W + x] = accent;
    for (let y = 0; y < BADGE_H; y++) px[y * BADGE_W] = px[y * BADGE_W + BADGE_W - 1] = accent;
    drawTextRows(px, BADGE_W, BADGE_W, BADGE_H, 8, 8, `vGPU ${this.driver.resources.vgtId}`, 0xffffffff);
    this.driver.setFence(0, this.badge, BADGE_W * 4, 'x');
    for (let i = 0; i < px.length; i++) this.driver.apertureWrite(this.badge.gm + i * 4, px[i]);
    this.driver.clearFence(0);
    this.badgeReady = true;
  }

  /** The buffer scanned out now (after the last flip), and its GM address. */
  get frontBuffer(): GemObject {
    return this.fbs[this.front];
  }

  /**
   * Pass-through CPU drawing of the top bar (identity, clock, frame counter) into `buffer`: the
   * front one by default (a redraw in place), the back one while a frame is being drawn.
   */
  drawBar(nowMs: number, buffer: GemObject = this.fbs[this.front]): void {
    if (!this.current) return;
    const { width: w } = this.current;
    const pp = this.pitch / 4;
    const words = buffer.words;
    for (let y = 0; y < BAR_HEIGHT; y++) words.fill(0xff101418, y * pp, y * pp + w);
    const label = `${this.id.name}  domid ${this.id.domid}`;
    drawTextRows(words, pp, w, BAR_HEIGHT, 12, 4, label, 0xffffffff, undefined, 2);
    const t = new Date(nowMs);
    const clock = `${String(t.getUTCHours()).padStart(2, '0')}:${String(t.getUTCMinutes()).padStart(2, '0')}:${String(t.getUTCSeconds()).padStart(2, '0')}`;
    const right = `${clock}  frame ${this.frames}`;
    drawTextRows(words, pp, w, BAR_HEIGHT, w - textWidth(right, 2) - 12, 4, right, 0xffe0e0e0, undefined, 2);
  }

  /**
   * Draw the next frame into the back buffer and flip to it: advance the moving window, draw the
   * top bar by CPU, submit the blits with MI_DISPLAY_FLIP after them. Returns the seqno to wait for;
   * call again only once it completed (the back buffer must no longer be on screen).
   */
  frame(nowMs: number): number {
    if (!this.current) return this.seqno;
    const { width: w, height: h } = this.current;
    this.winX += this.dx;
    this.winY += this.dy;
    if (this.winX < 0 || this.winX + WIN_W > w) {
      this.dx = -this.dx;
      this.winX = Math.max(0, Math.min(w - WIN_W, this.winX));
    }
    if (this.winY < BAR_HEIGHT || this.winY + WIN_H > h) {
      this.dy = -this.dy;
      this.winY = Math.max(BAR_HEIGHT, Math.min(h - WIN_H, this.winY));
    }
    const backIndex = 1 - this.front;
    const back = this.fbs[backIndex];
    const old = this.drawn[backIndex];
    const p = this.pitch;
    const xy = (x: number, y: number): number => ((y << 16) | x) >>> 0;
    this.seqno = (this.seqno + 1) >>> 0;
    const restore = (x0: number, y0: number, x1: number, y1: number): number[] => [XY_SRC_COPY_BLT_CMD, br13(ROP_SRCCOPY, p), xy(x0, y0), xy(x1, y1), back.gm, 0, xy(x0, y0), p, this.bg.gm, 0];
    const cmds = [
      // Restore the background where this buffer had the window and its shadow, two frames ago.
      ...(old ? [...restore(old.x, old.y, old.x + WIN_W, old.y + WIN_H), ...restore(old.x + 6, old.y + 6, Math.min(w, old.x + WIN_W + 6), Math.min(h, old.y + WIN_H + 6))] : []),
      // Drop shadow, then the window contents.
      XY_COLOR_BLT_CMD, br13(ROP_PATCOPY, p), xy(this.winX + 6, this.winY + 6), xy(Math.min(w, this.winX + WIN_W + 6), Math.min(h, this.winY + WIN_H + 6)), back.gm, 0, 0xff000000,
      XY_SRC_COPY_BLT_CMD, br13(ROP_SRCCOPY, p), xy(this.winX, this.winY), xy(this.winX + WIN_W, this.winY + WIN_H), back.gm, 0, xy(0, 0), WIN_W * 4, this.win.gm, 0,
      // The tiled badge (source tiled: pitch in dwords) onto the window's corner.
      ...(this.badgeReady ? [(XY_SRC_COPY_BLT_CMD | BLT_SRC_TILED) >>> 0, br13(ROP_SRCCOPY, p), xy(this.winX + WIN_W - BADGE_W - 10, this.winY + WIN_H - BADGE_H - 10), xy(this.winX + WIN_W - 10, this.winY + WIN_H - 10), back.gm, 0, xy(0, 0), (BADGE_W * 4) / 4, this.badge.gm, 0] : []),
      // Show the finished frame (linear: tiling bit 0 clear).
      MI_DISPLAY_FLIP_PLANE_A, p, back.gm,
      MI_STORE_DATA_IMM_GGTT, this.status.gm, 0, this.seqno,
      MI_USER_INTERRUPT,
      MI_NOOP,
    ];
    this.frames++;
    // The bar goes in before the commands: the flip must show a finished frame.
    this.drawBar(nowMs, back);
    this.driver.submit(cmds);
    this.drawn[backIndex] = { x: this.winX, y: this.winY };
    this.front = backIndex;
    return this.seqno;
  }

  /** The seqno the GPU last wrote with MI_STORE_DATA_IMM (read by CPU from the status page). */
  completedSeqno(): number {
    return this.status.words[0];
  }
}
