/**
 * Compositor window geometry, as pure functions of the compositor area (CSS px, origin at its
 * top-left): tiling, cascading, default placement, clamping into the area, and the size a
 * framebuffer is shown at in each scale mode. The windows store applies them; nothing here touches
 * the DOM.
 */
import { WINDOW_MIN, type WindowScale } from '../../shared/api';

export interface Size {
  w: number;
  h: number;
}
export interface Rect extends Size {
  x: number;
  y: number;
}

/** Space between tiled windows and around them, CSS px. */
export const TILE_GAP = 6;
/** Offset between cascaded windows: one title bar, so every title stays visible and grabbable. */
export const CASCADE_STEP = 28;
/** The screen shape assumed while a window's guest shows no picture yet (XenGT's 1024x768 default mode). */
export const DEFAULT_MODE: Size = { w: 1024, h: 768 };
/** A new window leaves room below it for this many cascade steps, so the next ones cascade instead of piling up. */
export const NEW_WINDOW_STEPS = 3;

const clamp = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);

/** The size of `content` scaled (aspect kept) to fit in `box`; scaled up only if `allowUp`. */
export function fitInside(content: Size, box: Size, allowUp = true): Size {
  if (content.w <= 0 || content.h <= 0 || box.w <= 0 || box.h <= 0) return { w: 0, h: 0 };
  let s = Math.min(box.w / content.w, box.h / content.h);
  if (!allowUp) s = Math.min(s, 1);
  return { w: Math.floor(content.w * s), h: Math.floor(content.h * s) };
}

/**
 * Tile `n` windows over the area: the grid (columns x rows) whose cells show the largest
 * `mode`-shaped screen once `chrome` (title bar, tabs, hint) is taken off each cell, ties going to
 * the grid with fewer empty cells, among the grids whose cells are at least WINDOW_MIN. Windows
 * fill the grid row by row; the last row's windows share its whole width, so no cell is left
 * empty. Sizes are at least WINDOW_MIN (in an area too small for any such grid, tiles overlap
 * rather than shrink below usable; they stay inside the area).
 * @returns n rectangles in the order the windows were given.
 */
export function tile(n: number, area: Size, chrome: Size, mode: Size = DEFAULT_MODE): Rect[] {
  if (n <= 0) return [];
  let best = { cols: 1, rows: n, score: -1, empty: 0, usable: false };
  for (let cols = 1; cols <= n; cols++) {
    const rows = Math.ceil(n / cols);
    const outer = { w: (area.w - TILE_GAP * (cols + 1)) / cols, h: (area.h - TILE_GAP * (rows + 1)) / rows };
    // A grid whose cells are smaller than a window may be only wins when no grid is usable.
    const usable = outer.w >= WINDOW_MIN.w && outer.h >= WINDOW_MIN.h;
    const score = fitInside(mode, { w: outer.w - chrome.w, h: outer.h - chrome.h }).w;
    const empty = cols * rows - n;
    const better = usable !== best.usable ? usable : score > best.score || (score === best.score && empty < best.empty);
    if (better) best = { cols, rows, score, empty, usable };
  }
  const { cols, rows } = best;
  const cellH = Math.floor((area.h - TILE_GAP * (rows + 1)) / rows);
  const rects: Rect[] = [];
  for (let i = 0; i < n; i++) {
    const row = Math.floor(i / cols);
    const inRow = row === rows - 1 ? n - cols * (rows - 1) : cols;
    const col = i - row * cols;
    const cellW = Math.floor((area.w - TILE_GAP * (inRow + 1)) / inRow);
    const w = Math.max(WINDOW_MIN.w, cellW);
    const h = Math.max(WINDOW_MIN.h, cellH);
    rects.push({
      x: clamp(TILE_GAP + col * (cellW + TILE_GAP), 0, Math.max(0, area.w - w)),
      y: clamp(TILE_GAP + row * (cellH + TILE_GAP), 0, Math.max(0, area.h - h)),
      w,
      h,
    });
  }
  return rects;
}

/**
 * The size of a new window for a `mode` screen: the mode plus `chrome`, scaled down (never up) so
 * the window fits in half the area's width (two fit side by side, with gaps) and in its height less room for `steps`
 * cascade steps.
 */
export function defaultSize(mode: Size | null, area: Size, chrome: Size, steps = NEW_WINDOW_STEPS): Size {
  // Half the width between three gaps: two new windows fit side by side.
  const room = { w: Math.floor((area.w - 3 * TILE_GAP) / 2) - chrome.w, h: area.h - 2 * TILE_GAP - steps * CASCADE_STEP - chrome.h };
  const screen = fitInside(mode ?? DEFAULT_MODE, room, false);
  return { w: Math.max(WINDOW_MIN.w, screen.w + chrome.w), h: Math.max(WINDOW_MIN.h, screen.h + chrome.h) };
}

/**
 * Position `index` of a cascade over the area: CASCADE_STEP down and right per window from the
 * top-left corner, starting over at the corner when a window of `size` would run out of the area.
 */
export function cascadeSlot(index: number, size: Size, area: Size): { x: number; y: number } {
  const fitX = Math.floor((area.w - TILE_GAP * 2 - size.w) / CASCADE_STEP) + 1;
  const fitY = Math.floor((area.h - TILE_GAP * 2 - size.h) / CASCADE_STEP) + 1;
  const slots = Math.max(1, Math.min(fitX, fitY));
  const k = index % slots;
  return { x: TILE_GAP + k * CASCADE_STEP, y: TILE_GAP + k * CASCADE_STEP };
}

/**
 * Where a new window of `size` goes among the `open` ones: to the right of them all, at the top,
 * when it fits there without overlapping; else the next cascade slot (`open.length`).
 */
export function newWindowSlot(open: Rect[], size: Size, area: Size): { x: number; y: number } {
  const x = open.length === 0 ? TILE_GAP : Math.max(...open.map((r) => r.x + r.w)) + TILE_GAP;
  if (x + size.w <= area.w - TILE_GAP) return { x, y: TILE_GAP };
  return cascadeSlot(open.length, size, area);
}

/** Cascade `n` windows of one size (defaultSize with room for the steps) from the area's top-left. */
export function cascade(n: number, area: Size, chrome: Size, mode: Size | null = null): Rect[] {
  const size = defaultSize(mode, area, chrome, Math.min(Math.max(0, n - 1), 8));
  return Array.from({ length: n }, (_, i) => ({ ...cascadeSlot(i, size, area), ...size }));
}

/**
 * `r` moved and shrunk to lie inside the area (a window never hides under the dashboard or the
 * console): its size capped at the area's (but not below WINDOW_MIN unless the area is smaller),
 * then its position. An area not measured yet (0 x 0) leaves `r` as it is.
 */
export function clampRect(r: Rect, area: Size): Rect {
  if (area.w <= 0 || area.h <= 0) return { ...r };
  const w = clamp(r.w, Math.min(WINDOW_MIN.w, area.w), area.w);
  const h = clamp(r.h, Math.min(WINDOW_MIN.h, area.h), area.h);
  return { x: clamp(r.x, 0, area.w - w), y: clamp(r.y, 0, area.h - h), w, h };
}

/** The largest whole factor k >= 1 at which `frame` (device px: one guest pixel to k device pixels) fits in `box` (CSS px at `dpr`). */
export function integerScale(frame: Size, box: Size, dpr: number): number {
  if (frame.w <= 0 || frame.h <= 0) return 1;
  return Math.max(1, Math.floor(Math.min((box.w * dpr) / frame.w, (box.h * dpr) / frame.h)));
}

/**
 * The CSS size a `frame` is shown at in `box` (CSS px) at device pixel ratio `dpr`: fit keeps the
 * aspect and fills the box (up or down); 1:1 maps one guest pixel to one device pixel; integer uses
 * integerScale's factor. 1:1 and integer may exceed the box (the window then scrolls).
 */
export function shownCssSize(scale: WindowScale, frame: Size, box: Size, dpr: number): Size {
  if (scale === 'fit') return fitInside(frame, box);
  const k = scale === 'integer' ? integerScale(frame, box, dpr) : 1;
  return { w: Math.round((frame.w * k) / dpr), h: Math.round((frame.h * k) / dpr) };
}
