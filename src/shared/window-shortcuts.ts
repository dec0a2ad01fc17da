/**
 * The Window menu's keys, shared by the page (which handles them: CompositorView.vue) and the
 * Electron application menu (which shows them and, on a click, sends the key to the page, as it
 * does for Ctrl+N): Alt+Shift+T tile, Alt+Shift+C cascade, and Alt+Shift+digit shows (reopens if
 * closed, raises) a window: 0 the Physical display, 1… each guest's window in the host's domain
 * order. Both sides number the windows from the same `domains` list, so a digit names the same
 * window in either menu. Ten digits cover every window: GVT-g runs at most GVT_MAX_VGPU (7)
 * vGPUs at once; a guest past the ninth gets no key (the in-app Window menu still lists it).
 * A further display head's window (a guest's pipe B/C) has no key: only the page knows the heads.
 */
import type { DomainInfo } from './api';

/** One window a digit shows: `vm` is the guest's name, null for the Physical display. */
export interface WindowShortcut {
  vm: string | null;
  /** 0-9: Alt+Shift+digit. */
  digit: number;
}

export const TILE_KEY = { accelerator: 'Alt+Shift+T', code: 'KeyT' } as const;
export const CASCADE_KEY = { accelerator: 'Alt+Shift+C', code: 'KeyC' } as const;

/** The windows that have a digit, in digit order: the Physical display, then each guest that exists (has a domid), in `domains`' order. */
export function windowShortcuts(domains: readonly DomainInfo[]): WindowShortcut[] {
  const guests = domains.filter((d) => d.domid !== null && d.domid !== 0).map((d) => d.name);
  return [null, ...guests].slice(0, 10).map((vm, digit) => ({ vm, digit }));
}

/** The accelerator of digit `n`, as the menus show it. */
export const windowAccelerator = (digit: number): string => `Alt+Shift+${digit}`;

/**
 * The digit of an Alt+Shift+digit keydown (by `code`, so the shifted character does not matter;
 * `key` as a fallback for synthetic events without a code), else null.
 */
export function shortcutDigit(ev: { code: string; key: string }): number | null {
  const m = /^Digit([0-9])$/.exec(ev.code) ?? /^([0-9])$/.exec(ev.key);
  return m ? Number(m[1]) : null;
}
