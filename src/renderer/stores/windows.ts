/**
 * Compositor windows: geometry, stacking order, maximized state, scale mode and closed state per
 * window key (`physical`, `physical:D`, `vm:NAME`, `vm:NAME:B`; see vmWindowKey, vmHeadKey), kept on the host per data dir (layout.get /
 * layout.set, saved SAVE_DELAY_MS after the last change). Stored geometry is what the user chose;
 * what is shown is that geometry clamped into the current compositor area (the area is measured by
 * CompositorView), so shrinking the viewport never loses the user's layout and a window never
 * lies under the dashboard or the console.
 *
 * New windows: a size that fits the guest's mode (1024x768 until its first picture) scaled down
 * to half the area's width, to the right of the open windows where it fits (so the Physical
 * display and a first VM sit side by side), else at the next cascade position; a window placed that way is
 * resized once to its guest's real mode when the first picture arrives, unless the user has
 * touched it first.
 */
import { defineStore } from 'pinia';
import { computed, reactive, ref, watch } from 'vue';
import { WINDOW_MAX, WINDOW_MIN, type Layout, type WindowLayout, type WindowScale } from '../../shared/api';
import { useApi } from '../api';
import { cascade, clampRect, defaultSize, newWindowSlot, tile, type Rect, type Size } from '../lib/window-layout';
import { useDomainsStore } from './domains';
import { useHeadsStore } from './heads';
import { useUiStore, vmWindowKey } from './ui';

/** Window chrome around the screen, CSS px: the Physical display and a head window have a title bar; a VM window also tabs and the input hint. */
export const CHROME = { physical: { w: 2, h: 30 }, vm: { w: 2, h: 80 } } as const satisfies Record<string, Size>;
export const chromeOf = (key: string): Size => (/^physical|^vm:.*:[BC]$/.test(key) ? CHROME.physical : CHROME.vm);
const clampInt = (v: number, min: number): number => Math.min(Math.max(Math.round(v), min), WINDOW_MAX);
/** Saves are debounced: a drag is one save, not one per pointer move. */
export const SAVE_DELAY_MS = 400;

export const useWindowsStore = defineStore('windows', () => {
  const api = useApi();
  const ui = useUiStore();
  const domains = useDomainsStore();
  const heads = useHeadsStore();
  const layouts = reactive<Record<string, WindowLayout>>({});
  /** The compositor area's size, CSS px (0 x 0 until measured). */
  const area = ref<Size>({ w: 0, h: 0 });
  /** Windows placed by default and not touched since: they take their guest's mode on its first picture. */
  const fresh = new Set<string>();
  /** The mode each window's first picture had (for default sizes). */
  const modes = new Map<string, Size>();
  /** False until the stored layout has been read: nothing is saved before, so defaults never overwrite it. */
  const loaded = ref(false);

  const top = (): number => Math.max(0, ...Object.values(layouts).map((w) => w.z));
  const openKeys = computed(() => Object.keys(layouts).filter((k) => !layouts[k]!.closed));

  /** Default geometry for a new window (see above): the mode's size at the next cascade slot. */
  function place(key: string): Rect {
    const size = defaultSize(modes.get(key) ?? null, area.value, chromeOf(key));
    const z = layouts[key]?.z ?? Infinity;
    const below = openKeys.value.filter((k) => k !== key && layouts[k]!.z < z).map(rect);
    return { ...newWindowSlot(below, size, area.value), ...size };
  }


  /** The layout of `key`, placed by default (see above) if it has none yet. */
  function ensure(key: string): WindowLayout {
    let w = layouts[key];
    if (!w) {
      w = layouts[key] = { ...place(key), z: top() + 1, maximized: false, scale: 'fit', closed: false };
      fresh.add(key);
      if (area.value.w <= 0) unmeasured.add(key);
    }
    return w;
  }

  // Windows created before the area was measured are placed again once it is.
  const unmeasured = new Set<string>();
  watch(area, (a) => {
    if (a.w <= 0 || a.h <= 0) return;
    for (const key of unmeasured) if (fresh.has(key) && layouts[key]) Object.assign(layouts[key], place(key));
    unmeasured.clear();
  });

  /** Where a window of layout `w` is shown: the whole area while maximized, else its geometry clamped into the area. */
  function shown(w: WindowLayout): Rect {
    if (w.maximized && area.value.w > 0) return { x: 0, y: 0, w: area.value.w, h: area.value.h };
    return clampRect(w, area.value);
  }

  /** Where `key` is shown (placed by default first if it has no layout yet). */
  function rect(key: string): Rect {
    return shown(ensure(key));
  }

  /**
   * Open windows of which nothing can be seen: shown wholly inside one open window above them (a
   * maximized window covers all below it). Their sources need not be streamed (stores/frame-watch.ts).
   * Only single covering windows count, not several that cover one together.
   */
  const covered = computed<Set<string>>(() => {
    const out = new Set<string>();
    if (area.value.w <= 0 || area.value.h <= 0) return out;
    const open = openKeys.value.map((k) => ({ key: k, z: layouts[k]!.z, r: shown(layouts[k]!) }));
    for (const a of open) {
      const inside = (b: Rect): boolean => b.x <= a.r.x && b.y <= a.r.y && b.x + b.w >= a.r.x + a.r.w && b.y + b.h >= a.r.y + a.r.h;
      if (open.some((b) => b.z > a.z && inside(b.r))) out.add(a.key);
    }
    return out;
  });

  function touched(key: string): WindowLayout {
    fresh.delete(key);
    return ensure(key);
  }

  /** Bring `key` to the front; the stack is renumbered 1..n so z stays small. */
  function raise(key: string): void {
    const w = ensure(key);
    if (w.z === top() && Object.values(layouts).filter((o) => o.z === w.z).length === 1) return;
    const order = Object.keys(layouts)
      .filter((k) => k !== key)
      .sort((a, b) => layouts[a]!.z - layouts[b]!.z);
    [...order, key].forEach((k, i) => (layouts[k]!.z = i + 1));
  }

  /** Move to (x, y), CSS px of the area, from where it is shown; kept inside the area. */
  function move(key: string, x: number, y: number): void {
    const w = touched(key);
    if (w.maximized) return;
    Object.assign(w, clampRect({ ...rect(key), x: Math.round(x), y: Math.round(y) }, area.value));
  }

  function resize(key: string, width: number, height: number): void {
    const w = touched(key);
    if (w.maximized) return;
    const r = rect(key);
    Object.assign(w, clampRect({ x: r.x, y: r.y, w: Math.round(width), h: Math.round(height) }, area.value));
  }

  function toggleMaximize(key: string): void {
    const w = touched(key);
    w.maximized = !w.maximized;
    raise(key);
  }

  function setScale(key: string, scale: WindowScale): void {
    ensure(key).scale = scale;
  }

  function close(key: string): void {
    ensure(key).closed = true;
  }

  /** Reopen `key` (if closed) and bring it to the front. */
  function show(key: string): void {
    ensure(key).closed = false;
    raise(key);
  }

  /** The first picture's mode of a window placed by default: its size follows that mode. */
  function adoptMode(key: string, mode: Size): void {
    if (mode.w <= 0 || mode.h <= 0 || modes.has(key)) return;
    modes.set(key, mode);
    // Still unmeasured: the area watch places it with this mode.
    if (!fresh.has(key) || area.value.w <= 0) return;
    fresh.delete(key);
    const w = ensure(key);
    Object.assign(w, clampRect({ x: w.x, y: w.y, ...defaultSize(mode, area.value, chromeOf(key)) }, area.value));
  }

  /** Lay `keys` out with `rects` (same order), un-maximized, keeping their stacking order. */
  function arrange(keys: string[], rects: Rect[]): void {
    keys.forEach((k, i) => {
      const w = touched(k);
      Object.assign(w, rects[i]!, { maximized: false });
    });
  }

  /** The windows that can be shown now: the Physical display and the other physical heads, then each guest's (its first head, then pipes B, C) in library order. */
  const liveKeys = computed(() => {
    const extra = heads.windows;
    return [
      'physical',
      ...extra.filter((h) => h.vm === null).map((h) => h.key),
      ...domains.guests.flatMap((d) => [vmWindowKey(d.name), ...extra.filter((h) => h.vm === d.name).map((h) => h.key)]),
    ];
  });

  /** Window ▸ Tile: the open windows among `keys` (in that order) side by side over the whole area. */
  function tileWindows(keys: string[] = liveKeys.value): void {
    const open = keys.filter((k) => !ensure(k).closed);
    arrange(open, tile(open.length, area.value, CHROME.vm));
  }

  /** Window ▸ Cascade: the open windows among `keys`, back to front in their stacking order, each a title bar below the last. */
  function cascadeWindows(keys: string[] = liveKeys.value): void {
    const open = keys.filter((k) => !ensure(k).closed).sort((a, b) => layouts[a]!.z - layouts[b]!.z);
    arrange(open, cascade(open.length, area.value, CHROME.vm));
  }

  /** The open window in front, if any, among `keys`. */
  function frontmost(keys: string[] = liveKeys.value): string | null {
    const open = keys.filter((k) => layouts[k] && !layouts[k]!.closed);
    return open.sort((a, b) => layouts[b]!.z - layouts[a]!.z)[0] ?? null;
  }

  /**
   * Read the stored layout (on every connect: a restarted host may hold a newer one). Stored
   * windows replace the ones placed meanwhile; a warning (corrupt file) goes to the error banner.
   */
  async function load(): Promise<void> {
    let got: { layout: Layout; warning: string | null };
    try {
      got = await api.invoke('layout.get', {});
    } catch (err) {
      // Not fatal: windows keep their default places; nothing is saved over the stored file.
      console.warn('gvt-desk: window layout not loaded', err);
      return;
    }
    for (const [key, w] of Object.entries(got.layout.windows)) {
      layouts[key] = { ...w };
      fresh.delete(key);
    }
    if (got.warning) ui.reportError(got.warning, 'Window layout');
    loaded.value = true;
  }

  let saveTimer: ReturnType<typeof setTimeout> | undefined;
  async function save(): Promise<void> {
    saveTimer = undefined;
    // Stored geometry stays within the schema's bounds even if the area was measured smaller than a window may be.
    const windows = Object.fromEntries(
      Object.entries(layouts).map(([k, w]) => [k, { ...w, x: Math.min(w.x, WINDOW_MAX), y: Math.min(w.y, WINDOW_MAX), w: clampInt(w.w, WINDOW_MIN.w), h: clampInt(w.h, WINDOW_MIN.h) }]),
    );
    try {
      await api.invoke('layout.set', { layout: { version: 1, windows } });
    } catch (err) {
      ui.reportError(err, 'Save window layout');
    }
  }
  watch(
    () => JSON.stringify(layouts),
    () => {
      if (!loaded.value) return;
      clearTimeout(saveTimer);
      saveTimer = setTimeout(() => void save(), SAVE_DELAY_MS);
    },
  );

  return { layouts, area, loaded, liveKeys, covered, ensure, rect, raise, move, resize, toggleMaximize, setScale, close, show, adoptMode, tileWindows, cascadeWindows, frontmost, load };
});
