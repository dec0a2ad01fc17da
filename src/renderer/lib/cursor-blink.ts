/**
 * A terminal cursor that blinks while the user is at it and then holds still, as GTK does
 * (gtk-cursor-blink-timeout, 10 s by default): after `idleMs` without a keystroke or focus the
 * cursor stops blinking (shown steady), and blur stops it at once. Why: xterm.js's DOM renderer
 * blinks with a CSS animation, which makes the page restyle and repaint at every animation frame —
 * main-thread time the guests' frame stream needs — for a console nobody is typing into.
 */

/** The part of an xterm.js Terminal this needs. */
export interface BlinkTarget {
  options: { cursorBlink?: boolean };
}

/** GTK's default gtk-cursor-blink-timeout. */
export const CURSOR_BLINK_IDLE_MS = 10_000;

export interface CursorBlink {
  /** A keystroke or focus: blink (again) for `idleMs` from now. */
  activity(): void;
  /** Focus left the terminal: stop blinking now. */
  stop(): void;
  dispose(): void;
}

export function blinkWhileActive(term: BlinkTarget, idleMs: number = CURSOR_BLINK_IDLE_MS): CursorBlink {
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Written only when it changes: xterm.js re-renders the cursor on every option write.
  const set = (on: boolean): void => {
    if (term.options.cursorBlink !== on) term.options.cursorBlink = on;
  };
  const stop = (): void => {
    clearTimeout(timer);
    timer = undefined;
    set(false);
  };
  return {
    activity() {
      clearTimeout(timer);
      set(true);
      timer = setTimeout(stop, idleMs);
    },
    stop,
    dispose: () => clearTimeout(timer),
  };
}
