import { describe, expect, it } from 'vitest';
import { ApiError, MAX_INPUT_EVENTS, type InputEventRequest } from '../../../src/shared/api';
import { HeldKeys, InputPump, buttonName, guestKey, guestPoint, wheelSteps } from '../../../src/renderer/lib/guest-input';

describe('guestPoint: CSS pixels of a scaled canvas to guest pixels', () => {
  const rect = { left: 100, top: 50, width: 512, height: 384 }; // a 1024x768 frame at half size

  it('maps exactly, with floor, for a scaled canvas', () => {
    expect(guestPoint(100, 50, rect, 1024, 768)).toEqual({ x: 0, y: 0 });
    expect(guestPoint(100.4, 50.4, rect, 1024, 768)).toEqual({ x: 0, y: 0 });
    expect(guestPoint(100.5, 50.5, rect, 1024, 768)).toEqual({ x: 1, y: 1 });
    expect(guestPoint(356, 242, rect, 1024, 768)).toEqual({ x: 512, y: 384 });
    expect(guestPoint(611.9, 433.9, rect, 1024, 768)).toEqual({ x: 1023, y: 767 });
    // A non-integer scale (1920x1200 in 545.5 CSS px) still lands on the pixel under the point.
    const odd = { left: 0, top: 0, width: 545.5, height: 340.9375 };
    expect(guestPoint(272.75, 170.46875, odd, 1920, 1200)).toEqual({ x: 960, y: 600 });
  });

  it('clamps to the frame (a captured pointer outside the canvas lands on its edge)', () => {
    expect(guestPoint(612, 434, rect, 1024, 768)).toEqual({ x: 1023, y: 767 });
    expect(guestPoint(5000, -20, rect, 1024, 768)).toEqual({ x: 1023, y: 0 });
    expect(guestPoint(-1, 9999, rect, 1024, 768)).toEqual({ x: 0, y: 767 });
  });

  it('has no point without a frame or a box', () => {
    expect(guestPoint(10, 10, rect, 0, 0)).toBeNull();
    expect(guestPoint(10, 10, { left: 0, top: 0, width: 0, height: 0 }, 1024, 768)).toBeNull();
  });
});

describe('buttons, wheel and keys', () => {
  it('names DOM buttons as the tablet does', () => {
    expect([0, 1, 2, 3].map(buttonName)).toEqual(['left', 'middle', 'right', null]);
  });

  it('turns wheel deltas into HID steps: up is positive, at least one, at most 16', () => {
    expect(wheelSteps(-100, 0)).toBe(1);
    expect(wheelSteps(100, 0)).toBe(-1);
    expect(wheelSteps(3, 0)).toBe(-1);
    expect(wheelSteps(-300, 0)).toBe(3);
    expect(wheelSteps(6, 1)).toBe(-2);
    expect(wheelSteps(-1, 2)).toBe(1);
    expect(wheelSteps(100_000, 0)).toBe(-16);
    expect(wheelSteps(0, 0)).toBe(0);
  });

  it('passes named keys and single printable characters, nothing else', () => {
    for (const k of ['Enter', 'Backspace', 'Tab', 'Escape', 'ArrowUp', 'Shift', 'Control', 'Alt', 'AltGraph', 'F2', 'a', 'A', ' ', '~', 'é', '€']) expect(guestKey(k), k).toBe(k);
    for (const k of ['Dead', 'Unidentified', 'NumLock', 'ContextMenu', 'F13', 'AudioVolumeUp', '', 'ab', '\x7f']) expect(guestKey(k), k).toBeNull();
  });
});

describe('HeldKeys', () => {
  it('releases a key by the name its press used, even when the character changed', () => {
    const held = new HeldKeys();
    expect(held.press('ShiftLeft', 'Shift')).toEqual({ type: 'key', key: 'Shift', action: 'press' });
    expect(held.press('KeyA', 'A')).toEqual({ type: 'key', key: 'A', action: 'press' });
    expect(held.release('ShiftLeft', 'Shift')).toEqual({ type: 'key', key: 'Shift', action: 'release' });
    expect(held.release('KeyA', 'a')).toEqual({ type: 'key', key: 'A', action: 'release' });
    expect(held.release('KeyA', 'a')).toBeNull();
  });

  it('ignores keys the guest cannot take and releases the rest, newest first', () => {
    const held = new HeldKeys();
    expect(held.press('Quote', 'Dead')).toBeNull();
    expect(held.release('Quote', 'Dead')).toBeNull();
    held.press('ControlLeft', 'Control');
    held.press('KeyX', 'x');
    expect(held.releaseAll()).toEqual([
      { type: 'key', key: 'x', action: 'release' },
      { type: 'key', key: 'Control', action: 'release' },
    ]);
    expect(held.releaseAll()).toEqual([]);
  });

  it('sees the Ctrl+Alt release chord only with both down', () => {
    const held = new HeldKeys();
    held.press('ControlLeft', 'Control');
    expect(held.releaseChord()).toBe(false);
    held.press('AltLeft', 'Alt');
    expect(held.releaseChord()).toBe(true);
    held.release('ControlLeft', 'Control');
    expect(held.releaseChord()).toBe(false);
  });
});

/** An InputPump whose calls and animation frames the test drives by hand. */
function pumpHarness() {
  const calls: InputEventRequest[][] = [];
  const frames: (() => void)[] = [];
  const failures: unknown[] = [];
  let answer: (() => Promise<unknown>) | null = null;
  const waiting: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  const pump = new InputPump({
    send: (events) => {
      calls.push(events);
      if (answer) return answer();
      return new Promise<void>((resolve, reject) => waiting.push({ resolve, reject }));
    },
    nextFrame: (cb) => frames.push(cb),
    failed: (err) => failures.push(err),
  });
  const tick = async (): Promise<void> => {
    await Promise.resolve();
    await Promise.resolve();
  };
  return {
    pump,
    calls,
    failures,
    frame: () => frames.splice(0).forEach((f) => f()),
    pendingFrames: () => frames.length,
    resolveNext: async () => {
      waiting.shift()!.resolve();
      await tick();
    },
    rejectNext: async (err: unknown) => {
      waiting.shift()!.reject(err);
      await tick();
    },
    answerAll: (fn: () => Promise<unknown>) => (answer = fn),
    tick,
  };
}

describe('InputPump', () => {
  it('coalesces pointer motion to one position per animation frame, the newest', () => {
    const h = pumpHarness();
    h.pump.pointer(1, 1);
    h.pump.pointer(2, 2);
    h.pump.pointer(3, 3);
    expect(h.pendingFrames()).toBe(1);
    expect(h.calls).toEqual([]);
    h.frame();
    expect(h.calls).toEqual([[{ type: 'pointer', x: 3, y: 3 }]]);
  });

  it('sends keys and buttons in order, one call at a time, batching what accumulated', async () => {
    const h = pumpHarness();
    h.pump.push({ type: 'key', key: 'e', action: 'press' });
    h.pump.push({ type: 'key', key: 'e', action: 'release' });
    h.pump.push({ type: 'key', key: 'c', action: 'press' });
    expect(h.calls).toEqual([[{ type: 'key', key: 'e', action: 'press' }]]);
    await h.resolveNext();
    expect(h.calls[1]).toEqual([
      { type: 'key', key: 'e', action: 'release' },
      { type: 'key', key: 'c', action: 'press' },
    ]);
    await h.resolveNext();
    expect(h.calls).toHaveLength(2);
  });

  it('keeps motion before the button that follows it, and replaces an unsent position', async () => {
    const h = pumpHarness();
    h.pump.push({ type: 'key', key: 'a', action: 'click' }); // in flight
    h.pump.pointer(10, 10);
    h.frame();
    h.pump.pointer(20, 20);
    h.frame();
    h.pump.pointer(30, 30);
    h.pump.push({ type: 'button', button: 'left', action: 'press', x: 30, y: 30 });
    await h.resolveNext();
    expect(h.calls[1]).toEqual([
      { type: 'pointer', x: 30, y: 30 },
      { type: 'button', button: 'left', action: 'press', x: 30, y: 30 },
    ]);
  });

  it(`sends at most ${MAX_INPUT_EVENTS} events per call`, async () => {
    const h = pumpHarness();
    h.pump.push({ type: 'key', key: 'x', action: 'press' });
    for (let i = 0; i < 300; i++) h.pump.push({ type: 'key', key: 'a', action: 'click' });
    await h.resolveNext();
    expect(h.calls[1]).toHaveLength(MAX_INPUT_EVENTS);
    await h.resolveNext();
    expect(h.calls[2]).toHaveLength(300 - MAX_INPUT_EVENTS);
  });

  it('reports a state refusal once and drops input until resume()', async () => {
    const h = pumpHarness();
    const paused = new ApiError('state', "cannot send input to domain 'vm' (domid 1): it is paused (xl unpause vm first)");
    h.pump.push({ type: 'key', key: 'a', action: 'press' });
    h.pump.push({ type: 'key', key: 'b', action: 'press' });
    await h.rejectNext(paused);
    expect(h.failures).toEqual([paused]);
    expect(h.calls).toHaveLength(1); // the queued 'b' was dropped with the refusal
    h.pump.pointer(5, 5);
    h.pump.push({ type: 'key', key: 'c', action: 'press' });
    expect(h.pendingFrames()).toBe(0);
    expect(h.calls).toHaveLength(1);

    h.pump.resume();
    h.answerAll(() => Promise.resolve());
    h.pump.push({ type: 'key', key: 'd', action: 'press' });
    await h.tick();
    expect(h.calls[1]).toEqual([{ type: 'key', key: 'd', action: 'press' }]);
    expect(h.failures).toHaveLength(1);
  });

  it('reports other refusals (a key the keymap cannot type) without repeating the same one, and keeps sending', async () => {
    const h = pumpHarness();
    const invalid = new ApiError('invalid', "keymap en-us cannot type 'é'");
    h.answerAll(() => Promise.reject(invalid));
    h.pump.push({ type: 'key', key: 'é', action: 'press' });
    await h.tick();
    h.pump.push({ type: 'key', key: 'é', action: 'press' });
    await h.tick();
    expect(h.failures).toEqual([invalid]);
    h.answerAll(() => Promise.resolve());
    h.pump.push({ type: 'key', key: 'a', action: 'press' });
    await h.tick();
    h.answerAll(() => Promise.reject(invalid));
    h.pump.push({ type: 'key', key: 'é', action: 'press' });
    await h.tick();
    expect(h.failures).toEqual([invalid, invalid]);
    expect(h.calls).toHaveLength(4);
  });
});
