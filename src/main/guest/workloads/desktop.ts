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
 * Two windows: the info window bounces until the user first drags it; the terminal window shows
 * what a shell writes (the guest wires its keyboard to one). Pressing on a window raises it, and
 * dragging its title bar moves it; both are drawn every frame in stacking order.
 */
import type { HeadLayout } from '../display-layout';
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
import { FONT_HEIGHT, FONT_WIDTH, drawTextRows, textWidth } from '../../../shared/font';
import { TerminalText } from './terminal-text';
import type { AllocationMark, DisplayMode, GemObject, GuestDriver } from '../driver';

export const BAR_HEIGHT = 40;
const WIN_W = 360;
const WIN_H = 200;
const TITLE_H = 28;
/** The terminal window: a 64x16 text grid in the 8x16 font, with padding. */
const TERM_COLS = 64;
const TERM_ROWS = 16;
const TERM_PAD = 8;
const TERM_W = TERM_COLS * FONT_WIDTH + 2 * TERM_PAD;
const TERM_H = TITLE_H + TERM_ROWS * FONT_HEIGHT + 2 * TERM_PAD;
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

/** A rectangle in framebuffer pixels. */
interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** A desktop window: where it is and the surface (hidden GM, `w` px per row) the blitter copies. */
interface DeskWindow extends Rect {
  id: 'info' | 'terminal';
  surface: GemObject;
}

/** The window being dragged by its title bar, and where in it the pointer grabbed it. */
interface Drag {
  win: DeskWindow;
  dx: number;
  dy: number;
}

export class DesktopScene {
  /** The two framebuffers; `front` is the one scanned out. */
  private fbs!: [GemObject, GemObject];
  private front = 0;
  /** Per buffer, where the windows (and their shadows) were drawn into it (null: background only). */
  private drawn: [Rect[] | null, Rect[] | null] = [null, null];
  private bg!: GemObject;
  private win!: GemObject;
  private status!: GemObject;
  private badge!: GemObject;
  /** Set once the badge was written (a vGPU without fences has none). */
  private badgeReady = false;
  /** Where the mode-sized surfaces start, to free them on a mode change. */
  private modeMark: AllocationMark | null = null;
  private current: DisplayMode | null = null;
  /** The heads showing the desktop (pipe A first); pipes B and C follow each flip by MMIO. */
  private heads: HeadLayout[] = [];
  private pitch = 0;
  private info!: DeskWindow;
  /** The terminal: its text grid and its surface. */
  readonly terminal = new TerminalText(TERM_COLS, TERM_ROWS);
  private term!: DeskWindow;
  /** Bottom to top. */
  private stack: DeskWindow[] = [];
  private drag: Drag | null = null;
  /** The info window bounces until the user first drags it. */
  private pinned = false;
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

  /** The info window's top-left corner (it bounces until dragged). */
  get winX(): number {
    return this.info.x;
  }

  get winY(): number {
    return this.info.y;
  }

  /** Where each window is, bottom to top (for tests and the guest's own diagnostics). */
  windows(): { id: string; x: number; y: number; w: number; h: number }[] {
    return this.stack.map(({ id, x, y, w, h }) => ({ id, x, y, w, h }));
  }

  /** Allocate the surfaces that do not depend on the mode and paint them by CPU. */
  boot(): void {
    const d = this.driver;
    this.status = d.allocObject(4096, 'aperture');
    // Window contents live in hidden (non-mappable) GM: only the GPU reads them.
    this.win = d.allocObject(WIN_W * 4 * WIN_H, 'hidden');
    this.info = { id: 'info', x: 40, y: BAR_HEIGHT + 40, w: WIN_W, h: WIN_H, surface: this.win };
    this.term = { id: 'terminal', x: 0, y: 0, w: TERM_W, h: TERM_H, surface: d.allocObject(TERM_W * 4 * TERM_H, 'hidden') };
    this.stack = [this.info, this.term];
    // The badge must be CPU-reachable through the aperture, so it lives in low GM.
    this.badge = d.allocObject(BADGE_W * 4 * BADGE_H, 'aperture');
    const pal = palette(this.id.domid);
    this.paintWindowContents(pal.accent);
    this.paintTerminal();
    if (d.resources.fences > 0) this.paintBadge(pal.accent);
    this.modeMark = d.mark();
  }

  /**
   * Draw at `mode` (a monitor's preferred mode, or the desktop size of `heads`): the framebuffer
   * and background of the previous mode are freed, new ones allocated and painted, each head's pipe
   * and plane programmed (one head on pipe A at `mode` when `heads` is left out); a pipe lit before
   * and not in `heads` goes off. Null turns every pipe off until a monitor is back.
   */
  setMode(mode: DisplayMode | null, heads?: HeadLayout[]): void {
    const d = this.driver;
    if (!this.modeMark) throw new Error('boot() first');
    const next = mode ? (heads ?? [{ pipe: 0, mode, x: 0, y: 0, w: mode.width, h: mode.height }]) : [];
    for (const old of this.heads) if (!next.some((n) => n.pipe === old.pipe)) d.disablePipe('no monitor', old.pipe);
    this.heads = next;
    // The cursor follows the pointer onto whichever head shows that part of the desktop.
    d.setCursorHeads(next.map(({ pipe, x, y, w, h }) => ({ pipe, x, y, w, h })));
    if (!mode) {
      this.current = null;
      return;
    }
    const first = this.current === null && this.fbs === undefined;
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
    for (const fb of this.fbs) {
      fb.words.set(this.bg.words.subarray(0, pp * h));
      d.cpuWrote(fb, 0, this.pitch * h);
    }
    this.current = mode;
    if (first) {
      // The terminal starts in the bottom-right corner.
      this.term.x = w - TERM_W - 40;
      this.term.y = h - TERM_H - 40;
    }
    for (const win of this.stack) this.clamp(win);
    for (const head of next) {
      d.setMode(head.mode, head.pipe);
      d.setPlane(this.fbs[0], head.w, head.h, this.pitch, head.pipe, head.x, head.y);
    }
    this.drawBar(0);
  }

  /** Keep a window on screen and below the top bar. */
  private clamp(win: DeskWindow): void {
    if (!this.current) return;
    const { width: w, height: h } = this.current;
    win.x = Math.max(0, Math.min(w - win.w, win.x));
    win.y = Math.max(BAR_HEIGHT, Math.min(h - win.h, win.y));
  }

  /**
   * The pointer moved to (x, y) (guest pixels): a window being dragged follows it. Takes effect in
   * the next frame.
   */
  pointerMove(x: number, y: number): void {
    const g = this.drag;
    if (!g) return;
    g.win.x = x - g.dx;
    g.win.y = y - g.dy;
    this.clamp(g.win);
  }

  /**
   * The left button went down or up at (x, y): pressing on a window raises it, and on its title
   * bar starts a drag; releasing ends the drag. Returns the window hit, if any.
   */
  pointerButton(down: boolean, x: number, y: number): string | null {
    if (!down) {
      if (this.drag) this.pointerMove(x, y);
      this.drag = null;
      return null;
    }
    const hit = [...this.stack].reverse().find((win) => x >= win.x && x < win.x + win.w && y >= win.y && y < win.y + win.h);
    if (!hit) return null;
    this.stack = [...this.stack.filter((win) => win !== hit), hit];
    if (y < hit.y + TITLE_H) {
      this.drag = { win: hit, dx: x - hit.x, dy: y - hit.y };
      if (hit === this.info) this.pinned = true;
    }
    return hit.id;
  }

  /** Text for the terminal window (a shell's output); shown from the next frame on. */
  terminalWrite(text: string): void {
    this.terminal.write(text);
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

  /** Render the terminal's title bar, text grid and block cursor into its surface (CPU, pass-through). */
  private paintTerminal(): void {
    const tw = this.term.surface.words;
    tw.fill(0xff1b1d1f);
    tw.fill(0xff3a3f44, 0, TERM_W * TITLE_H);
    drawTextRows(tw, TERM_W, TERM_W, TERM_H, 10, 6, `Terminal - root@${this.id.name}`, 0xffffffff);
    const rows = this.terminal.rowsText();
    rows.forEach((row, i) => drawTextRows(tw, TERM_W, TERM_W, TERM_H, TERM_PAD, TITLE_H + TERM_PAD + i * FONT_HEIGHT, row, 0xffd8d8d8));
    const { col, row } = this.terminal.cursor;
    const cx = TERM_PAD + col * FONT_WIDTH;
    const cy = TITLE_H + TERM_PAD + row * FONT_HEIGHT;
    for (let y = cy; y < cy + FONT_HEIGHT; y++) tw.fill(0xffd8d8d8, y * TERM_W + cx, y * TERM_W + Math.min(TERM_W, cx + FONT_WIDTH));
    this.terminal.dirty = false;
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
    this.driver.cpuWrote(buffer, 0, BAR_HEIGHT * this.pitch);
  }

  /** Move the info window one step of its bounce, unless the user pinned it or is dragging it. */
  private bounce(): void {
    if (this.pinned || this.drag?.win === this.info || !this.current) return;
    const { width: w, height: h } = this.current;
    const win = this.info;
    win.x += this.dx;
    win.y += this.dy;
    if (win.x < 0 || win.x + win.w > w) {
      this.dx = -this.dx;
      win.x = Math.max(0, Math.min(w - win.w, win.x));
    }
    if (win.y < BAR_HEIGHT || win.y + win.h > h) {
      this.dy = -this.dy;
      win.y = Math.max(BAR_HEIGHT, Math.min(h - win.h, win.y));
    }
  }

  /**
   * Draw the next frame into the back buffer and flip to it: advance the bouncing window, draw the
   * top bar by CPU, submit the blits with MI_DISPLAY_FLIP after them. Returns the seqno to wait for;
   * call again only once it completed (the back buffer must no longer be on screen, and the GPU
   * must be done reading the terminal surface this repaints).
   */
  frame(nowMs: number): number {
    if (!this.current) return this.seqno;
    const { width: w, height: h } = this.current;
    // The other heads show the finished front buffer (the last frame completed before this call);
    // MI_DISPLAY_FLIP below flips pipe A only (the only plane GVT-g's command parser virtualises).
    for (const head of this.heads) if (head.pipe > 0) this.driver.flipPlane(this.fbs[this.front], head.pipe);
    this.bounce();
    if (this.terminal.dirty) this.paintTerminal();
    const backIndex = 1 - this.front;
    const back = this.fbs[backIndex];
    const p = this.pitch;
    const xy = (x: number, y: number): number => ((y << 16) | x) >>> 0;
    this.seqno = (this.seqno + 1) >>> 0;
    const shadowOf = (r: Rect): Rect => ({ x: r.x + 6, y: r.y + 6, w: Math.min(w, r.x + r.w + 6) - r.x - 6, h: Math.min(h, r.y + r.h + 6) - r.y - 6 });
    // Restore the background where this buffer had the windows and their shadows, two frames ago.
    const restore = (r: Rect): number[] => (r.w > 0 && r.h > 0 ? [XY_SRC_COPY_BLT_CMD, br13(ROP_SRCCOPY, p), xy(r.x, r.y), xy(r.x + r.w, r.y + r.h), back.gm, 0, xy(r.x, r.y), p, this.bg.gm, 0] : []);
    const cmds: number[] = [];
    for (const r of this.drawn[backIndex] ?? []) cmds.push(...restore(r));
    const drawnNow: Rect[] = [];
    for (const win of this.stack) {
      const s = shadowOf(win);
      // Drop shadow, then the window contents.
      if (s.w > 0 && s.h > 0) cmds.push(XY_COLOR_BLT_CMD, br13(ROP_PATCOPY, p), xy(s.x, s.y), xy(s.x + s.w, s.y + s.h), back.gm, 0, 0xff000000);
      cmds.push(XY_SRC_COPY_BLT_CMD, br13(ROP_SRCCOPY, p), xy(win.x, win.y), xy(win.x + win.w, win.y + win.h), back.gm, 0, xy(0, 0), win.w * 4, win.surface.gm, 0);
      // The tiled badge (source tiled: pitch in dwords) onto the info window's corner.
      if (win === this.info && this.badgeReady) {
        cmds.push((XY_SRC_COPY_BLT_CMD | BLT_SRC_TILED) >>> 0, br13(ROP_SRCCOPY, p), xy(win.x + WIN_W - BADGE_W - 10, win.y + WIN_H - BADGE_H - 10), xy(win.x + WIN_W - 10, win.y + WIN_H - 10), back.gm, 0, xy(0, 0), (BADGE_W * 4) / 4, this.badge.gm, 0);
      }
      drawnNow.push({ x: win.x, y: win.y, w: win.w, h: win.h }, s);
    }
    cmds.push(
      // Show the finished frame (linear: tiling bit 0 clear).
      MI_DISPLAY_FLIP_PLANE_A, p, back.gm,
      MI_STORE_DATA_IMM_GGTT, this.status.gm, 0, this.seqno,
      MI_USER_INTERRUPT,
      MI_NOOP,
    );
    this.frames++;
    // The bar goes in before the commands: the flip must show a finished frame.
    this.drawBar(nowMs, back);
    this.driver.submit(cmds);
    this.drawn[backIndex] = drawnNow;
    this.front = backIndex;
    return this.seqno;
  }

  /** The seqno the GPU last wrote with MI_STORE_DATA_IMM (read by CPU from the status page). */
  completedSeqno(): number {
    return this.status.words[0];
  }
}
