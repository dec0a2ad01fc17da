/**
 * The browser-mode frame stream's flow-control window (frame-window.ts): frames in flight are
 * bounded in batches (host ticks), messages and bytes, and acknowledgements open it again.
 */
import { describe, expect, it } from 'vitest';
import { FrameWindow, MAX_BATCHES_IN_FLIGHT, MAX_BYTES_IN_FLIGHT, MAX_FRAMES_IN_FLIGHT } from '../../../src/main/host/frame-window';

/** Send one batch of `messages` frame messages of `bytes` each. */
function batch(w: FrameWindow, messages: number, bytes = 100): void {
  for (let i = 0; i < messages; i++) w.sent(bytes);
  w.batchEnd();
}

describe('FrameWindow', () => {
  it('is full after MAX_BATCHES_IN_FLIGHT unacknowledged batches, however few messages they hold', () => {
    const w = new FrameWindow();
    for (let i = 0; i < MAX_BATCHES_IN_FLIGHT; i++) {
      expect(w.full()).toBe(false);
      batch(w, 2);
    }
    expect(w.full()).toBe(true);
    // One batch acknowledged (its two messages): room for one more tick.
    w.acked(2);
    expect(w.full()).toBe(false);
    // Half a batch acknowledged does not free it.
    batch(w, 2);
    w.acked(1);
    expect(w.full()).toBe(true);
    w.acked(1);
    expect(w.full()).toBe(false);
  });

  it('lets the batch being filled through whole; the message and byte limits still hold within it', () => {
    const w = new FrameWindow();
    for (let i = 0; i < MAX_FRAMES_IN_FLIGHT - 1; i++) w.sent(10);
    expect(w.full()).toBe(false); // one open batch
    w.sent(10);
    expect(w.full()).toBe(true);
    w.acked(MAX_FRAMES_IN_FLIGHT);
    expect([w.full(), w.inFlight]).toEqual([false, 0]);
    w.sent(MAX_BYTES_IN_FLIGHT);
    expect(w.full()).toBe(true);
  });

  it('ignores acknowledgements beyond what was sent', () => {
    const w = new FrameWindow();
    batch(w, 1);
    w.acked(50);
    expect(w.inFlight).toBe(0);
    for (let i = 0; i < MAX_BATCHES_IN_FLIGHT - 1; i++) batch(w, 1);
    expect(w.full()).toBe(false);
    batch(w, 1);
    expect(w.full()).toBe(true);
  });
});
