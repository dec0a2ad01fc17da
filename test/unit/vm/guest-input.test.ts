import { describe, expect, it } from 'vitest';
import { ApiError, type InputEventRequest } from '../../../src/shared/api';
import { INPUT_BUTTON, INPUT_KEY, INPUT_QUEUE_BYTES, INPUT_WHEEL, InputQueue, type InputEvent, packHeadB, packXy } from '../../../src/shared/input-queue';
import { HeldKeys, queueInput } from '../../../src/main/vm/guest-input';

function run(events: InputEventRequest[], keymap = 'en-us', held = new HeldKeys()) {
  const q = new InputQueue(new SharedArrayBuffer(INPUT_QUEUE_BYTES));
  const result = queueInput(q, keymap, held, events);
  const out: InputEvent[] = [];
  for (let e = q.take(); e; e = q.take()) out.push(e);
  return { result, keys: out.filter((e) => e.kind === INPUT_KEY).map((e) => [e.a, e.b]), events: out, pointer: q.takePointer() };
}

describe('guest input translation (keysyms -> PS/2 scancodes with the domain keymap)', () => {
  it("text is typed key by key; capitals and symbols are wrapped in Shift as the layout needs", () => {
    expect(run([{ type: 'text', text: 'aA!' }]).keys).toEqual([
      [0x1e, 1], [0x1e, 0],
      [0x2a, 1], [0x1e, 1], [0x1e, 0], [0x2a, 0],
      [0x2a, 1], [0x02, 1], [0x02, 0], [0x2a, 0],
    ]);
    // A newline in text is Enter.
    expect(run([{ type: 'text', text: '\n' }]).keys).toEqual([[0x1c, 1], [0x1c, 0]]);
  });

  it('the keymap decides the scancode: z is 0x15 on de, @ is AltGr+q there', () => {
    expect(run([{ type: 'text', text: 'z' }], 'de').keys).toEqual([[0x15, 1], [0x15, 0]]);
    expect(run([{ type: 'text', text: '@' }], 'de').keys).toEqual([[0xe038, 1], [0x10, 1], [0x10, 0], [0xe038, 0]]);
  });

  it('a held Shift is not pressed again; key presses and releases pass through in order', () => {
    const held = new HeldKeys();
    const r = run([{ type: 'key', key: 'Shift', action: 'press' }, { type: 'key', key: 'A', action: 'press' }, { type: 'key', key: 'A', action: 'release' }, { type: 'key', key: 'Shift', action: 'release' }], 'en-us', held);
    expect(r.keys).toEqual([[0x2a, 1], [0x1e, 1], [0x1e, 0], [0x2a, 0]]);
    expect(held.down.size).toBe(0);
  });

  it('a combo presses in order and releases in reverse', () => {
    expect(run([{ type: 'combo', keys: ['ctrl', 'alt', 'f2'] }]).keys).toEqual([[0x1d, 1], [0x38, 1], [0x3c, 1], [0x3c, 0], [0x38, 0], [0x1d, 0]]);
  });

  it('unknown keys are refused with the valid names, and nothing of the request is queued', () => {
    const q = new InputQueue(new SharedArrayBuffer(INPUT_QUEUE_BYTES));
    const bad = () => queueInput(q, 'en-us', new HeldKeys(), [{ type: 'text', text: 'ok' }, { type: 'key', key: 'Frobnicate', action: 'click' }]);
    expect(bad).toThrow(ApiError);
    expect(bad).toThrow(/unknown key 'Frobnicate' for keymap en-us; valid: Enter, Backspace/);
    expect(q.take()).toBeNull();
    expect(() => queueInput(q, 'en-us', new HeldKeys(), [{ type: 'combo', keys: ['ctrl', 'hyper'] }])).toThrow(/unknown key 'hyper' in combo; valid: ctrl, alt/);
    expect(() => queueInput(q, 'en-us', new HeldKeys(), [{ type: 'text', text: '€' }])).toThrow(/cannot type "€"/);
  });

  it('lock keys are not forwarded (the host sends the characters the user typed)', () => {
    expect(run([{ type: 'key', key: 'CapsLock', action: 'click' }]).keys).toEqual([]);
  });

  it('a button goes with its position: the pointer moves there, then the press and release', () => {
    const r = run([{ type: 'button', button: 'right', action: 'click', x: 10, y: 20 }]);
    expect(r.pointer).toEqual({ x: 10, y: 20, pipe: 0 });
    expect(r.events).toEqual([
      { kind: INPUT_BUTTON, a: 1, b: 1, xy: packXy(10, 20) },
      { kind: INPUT_BUTTON, a: 1, b: 0, xy: packXy(10, 20) },
    ]);
    expect(r.result).toEqual({ queued: 3, dropped: 0 });
  });

  it('a flood is absorbed: pointer moves coalesce, key events beyond the ring are counted as dropped', () => {
    const q = new InputQueue(new SharedArrayBuffer(INPUT_QUEUE_BYTES));
    let dropped = 0;
    for (let i = 0; i < 100; i++) {
      const r = queueInput(q, 'en-us', new HeldKeys(), Array.from({ length: 256 }, (_, j): InputEventRequest => (j % 2 ? { type: 'pointer', x: j, y: i } : { type: 'key', key: 'a', action: 'click' })));
      dropped += r.dropped;
    }
    expect(q.stats().queued).toBe(512);
    expect(dropped).toBe(100 * 128 * 2 - 512);
    expect(q.takePointer()).toEqual({ x: 255, y: 99, pipe: 0 });
  });

  it('pointer, button and wheel events name the head they happened on (pipe B = 1); the guest maps its pixels', () => {
    const r = run([{ type: 'pointer', x: 5, y: 6, pipe: 'B' }, { type: 'button', button: 'left', action: 'press', x: 7, y: 8, pipe: 'C' }, { type: 'wheel', delta: -2, x: 1, y: 2, pipe: 'B' }]);
    expect(r.pointer).toEqual({ x: 7, y: 8, pipe: 2 });
    expect(r.events).toEqual([
      { kind: INPUT_BUTTON, a: 0, b: packHeadB(2, true), xy: packXy(7, 8) },
      { kind: INPUT_WHEEL, a: -2, b: packHeadB(1), xy: packXy(1, 2) },
    ]);
  });
});
