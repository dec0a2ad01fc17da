/**
 * Keyboard handling shared by the app's menus (the menu bar's lists, the domain context menu, the
 * Hotplug menus), after the WAI-ARIA menu pattern: ArrowDown / ArrowUp move to the next / previous
 * enabled item (wrapping), Home / End to the first / last, Escape closes the menu (the caller gives
 * focus back to whatever opened it), Tab closes it and lets focus move on. Enter and Space are the
 * focused item's own (every item is a <button>, which they activate).
 */

/** The enabled items of a menu, in document order. */
export function menuItems(root: HTMLElement | undefined | null): HTMLButtonElement[] {
  return [...(root?.querySelectorAll<HTMLButtonElement>('button:not(:disabled)') ?? [])];
}

/**
 * Handles one keydown inside a menu whose items are `items`. Returns true when the key was a
 * menu key (moved focus or closed), false when it is left to the caller (e.g. ArrowLeft/Right).
 * `close('escape')` is called on Escape (default prevented), `close('tab')` on Tab (not prevented,
 * so focus moves on).
 */
export function handleMenuKey(ev: KeyboardEvent, items: HTMLElement[], close: (how: 'escape' | 'tab') => void): boolean {
  const at = items.indexOf(document.activeElement as HTMLElement);
  if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
    ev.preventDefault();
    // From outside the list (at = -1) ArrowDown lands on the first item, ArrowUp on the last.
    const from = at < 0 && ev.key === 'ArrowUp' ? 0 : at;
    items[(from + (ev.key === 'ArrowDown' ? 1 : -1) + items.length) % items.length]?.focus();
    return true;
  }
  if (ev.key === 'Home' || ev.key === 'End') {
    ev.preventDefault();
    (ev.key === 'Home' ? items[0] : items[items.length - 1])?.focus();
    return true;
  }
  if (ev.key === 'Escape') {
    ev.preventDefault();
    close('escape');
    return true;
  }
  if (ev.key === 'Tab') {
    close('tab');
    return true;
  }
  return false;
}
