import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CURSOR_BLINK_IDLE_MS, blinkWhileActive } from '../../../src/renderer/lib/cursor-blink';

describe('blinkWhileActive (GTK gtk-cursor-blink-timeout)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('blinks on activity, holds still 10 s after the last keystroke', () => {
    const term = { options: { cursorBlink: false } };
    const b = blinkWhileActive(term);
    b.activity();
    expect(term.options.cursorBlink).toBe(true);
    vi.advanceTimersByTime(CURSOR_BLINK_IDLE_MS - 1000);
    b.activity();
    vi.advanceTimersByTime(CURSOR_BLINK_IDLE_MS - 1);
    expect(term.options.cursorBlink).toBe(true);
    vi.advanceTimersByTime(1);
    expect(term.options.cursorBlink).toBe(false);
  });

  it('stops at once on blur; dispose leaves no timer behind', () => {
    const term = { options: { cursorBlink: false } };
    const b = blinkWhileActive(term, 500);
    b.activity();
    b.stop();
    expect(term.options.cursorBlink).toBe(false);
    b.activity();
    b.dispose();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('writes the option only when it changes (xterm re-renders the cursor on each write)', () => {
    let writes = 0;
    let value = false;
    const term = {
      options: {
        get cursorBlink() {
          return value;
        },
        set cursorBlink(v: boolean) {
          writes++;
          value = v;
        },
      },
    };
    const b = blinkWhileActive(term, 500);
    for (let i = 0; i < 5; i++) b.activity();
    expect(writes).toBe(1);
    vi.advanceTimersByTime(500);
    expect(writes).toBe(2);
    b.stop();
    expect(writes).toBe(2);
  });
});
