/**
 * Turns API input events into what the guest's emulated devices deliver: key names and text become
 * PS/2 scancodes through the domain's keymap (as QEMU's VNC/SDL front ends do with `-k`/xl.cfg
 * `keymap=`), pointer positions and buttons become USB tablet reports. A request is translated
 * completely before anything is queued, so an unknown key refuses the whole request.
 */
import { ApiError, type InputEventRequest } from '../../shared/api';
import { BUTTONS, INPUT_BUTTON, INPUT_KEY, INPUT_WHEEL, type InputEvent, type InputQueue, packHeadB, packXy } from '../../shared/input-queue';
import { PIPE_NAMES } from '../../shared/regs';
import { NAMED_KEYS, comboKey, describeValidKeys, keystrokeFor } from '../../shared/keymap';

const SHIFT = NAMED_KEYS.Shift;
const ALTGR = NAMED_KEYS.AltGraph;
/** Lock keys the host does not forward: it sends the characters the user's layout produced. */
const IGNORED_KEYS = new Set(['CapsLock', 'NumLock', 'ScrollLock', 'Dead', 'Unidentified', 'Process']);
const MODIFIER_KEYS = new Set(['Shift', 'Control', 'Alt', 'AltGraph', 'Meta']);
/** The names comboKey accepts, for error messages. */
const COMBO_KEY_NAMES = 'ctrl, alt, shift, super, meta, enter, esc, tab, backspace, del, space, up, down, left, right, home, end, pgup, pgdn, f1–f12, or a letter or digit';

type Op = { pointer: { x: number; y: number; pipe: number } } | { event: InputEvent };

/** The pipe index (0 = A) of an event's head. */
const pipeOf = (e: { pipe?: 'A' | 'B' | 'C' }): number => PIPE_NAMES.indexOf(e.pipe ?? 'A');

/** Modifier keys the user holds down, per domain (so a typed 'A' under a held Shift is not wrapped). */
export class HeldKeys {
  readonly down = new Set<number>();
}

/**
 * Translate `events` for a guest with `keymap` and queue them. Returns how many events were queued
 * and how many the full queue dropped. Throws ApiError('invalid') naming an unknown key or a
 * character the keymap cannot type, before queuing anything.
 */
export function queueInput(queue: InputQueue, keymap: string, held: HeldKeys, events: readonly InputEventRequest[]): { queued: number; dropped: number } {
  const ops = events.flatMap((e) => translate(keymap, held, e));
  let queued = 0;
  let dropped = 0;
  for (const op of ops) {
    if ('pointer' in op) {
      queue.pointer(op.pointer.x, op.pointer.y, op.pointer.pipe);
      queued++;
    } else if (queue.push(op.event)) queued++;
    else dropped++;
  }
  return { queued, dropped };
}

const key = (scancode: number, down: boolean): Op => ({ event: { kind: INPUT_KEY, a: scancode, b: down ? 1 : 0, xy: 0 } });

function translate(keymap: string, held: HeldKeys, e: InputEventRequest): Op[] {
  switch (e.type) {
    case 'pointer':
      return [{ pointer: { x: e.x, y: e.y, pipe: pipeOf(e) } }];
    case 'button': {
      const xy = packXy(e.x, e.y);
      const b = BUTTONS[e.button];
      const pipe = pipeOf(e);
      const press: Op = { event: { kind: INPUT_BUTTON, a: b, b: packHeadB(pipe, true), xy } };
      const release: Op = { event: { kind: INPUT_BUTTON, a: b, b: packHeadB(pipe, false), xy } };
      const at: Op = { pointer: { x: e.x, y: e.y, pipe } };
      return e.action === 'press' ? [at, press] : e.action === 'release' ? [at, release] : [at, press, release];
    }
    case 'wheel':
      return [{ event: { kind: INPUT_WHEEL, a: e.delta, b: packHeadB(pipeOf(e)), xy: packXy(e.x, e.y) } }];
    case 'key': {
      if (IGNORED_KEYS.has(e.key)) return [];
      const stroke = keystrokeFor(keymap, e.key);
      if (!stroke) throw new ApiError('invalid', `unknown key '${e.key}' for keymap ${keymap}; valid: ${describeValidKeys()}`);
      if (MODIFIER_KEYS.has(e.key)) {
        if (e.action !== 'release') held.down.add(stroke.scancode);
        if (e.action !== 'press') held.down.delete(stroke.scancode);
        return e.action === 'click' ? [key(stroke.scancode, true), key(stroke.scancode, false)] : [key(stroke.scancode, e.action === 'press')];
      }
      if (e.action === 'release') return [key(stroke.scancode, false)];
      const typed = typeStroke(stroke, held);
      // A press alone: the release follows in a later event (the modifiers wrap only the press).
      return e.action === 'click' ? typed : typed.filter((op) => !('event' in op && op.event.a === stroke.scancode && op.event.b === 0));
    }
    case 'text':
      return [...e.text].flatMap((ch) => {
        const stroke = keystrokeFor(keymap, ch === '\n' ? 'Enter' : ch);
        if (!stroke) throw new ApiError('invalid', `keymap ${keymap} cannot type ${JSON.stringify(ch)}`);
        return typeStroke(stroke, held);
      });
    case 'combo': {
      const codes = e.keys.map((name) => {
        const code = comboKey(name);
        if (code === null) throw new ApiError('invalid', `unknown key '${name}' in combo; valid: ${COMBO_KEY_NAMES}`);
        return code;
      });
      return [...codes.map((c) => key(c, true)), ...codes.reverse().map((c) => key(c, false))];
    }
  }
}

/** Press and release one key, wrapped in the Shift / AltGr presses the layout needs and the user is not holding. */
function typeStroke(stroke: { scancode: number; shift: boolean; altgr: boolean }, held: HeldKeys): Op[] {
  const wrap = [...(stroke.shift && !held.down.has(SHIFT) ? [SHIFT] : []), ...(stroke.altgr && !held.down.has(ALTGR) ? [ALTGR] : [])];
  return [...wrap.map((c) => key(c, true)), key(stroke.scancode, true), key(stroke.scancode, false), ...wrap.reverse().map((c) => key(c, false))];
}
