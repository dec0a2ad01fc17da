/**
 * The guest side of the PS/2 keyboard (i8042 + atkbd, scancode set 1 after translation): tracks
 * the modifier keys and turns each key press into the characters the domain's keymap gives it, as
 * the Linux console's keyboard layer does. Arrow and navigation keys produce the VT100 escape
 * sequences a terminal sends.
 */
import { charFor } from '../../shared/keymap';

const SHIFT_L = 0x2a;
const SHIFT_R = 0x36;
const CTRL_L = 0x1d;
const CTRL_R = 0xe01d;
const ALT_L = 0x38;
const ALTGR = 0xe038;
const CAPS_LOCK = 0x3a;

/** Extended (0xe0-prefixed) keys that send a VT100 sequence: cursor keys, Home/End, Delete. */
const SEQUENCES: Readonly<Record<number, string>> = {
  0xe048: '\x1b[A',
  0xe050: '\x1b[B',
  0xe04d: '\x1b[C',
  0xe04b: '\x1b[D',
  0xe047: '\x1b[H',
  0xe04f: '\x1b[F',
  0xe053: '\x1b[3~',
};

export class PsKeyboard {
  private readonly down = new Set<number>();
  private capsLock = false;

  /** keymap: an xl.cfg keymap= name (see KEYMAP_NAMES). */
  constructor(private readonly keymap: string) {}

  /** A key went down or up; returns the text a press types ('' for modifiers and releases). */
  key(scancode: number, pressed: boolean): string {
    if (!pressed) {
      this.down.delete(scancode);
      return '';
    }
    this.down.add(scancode);
    if (scancode === CAPS_LOCK) this.capsLock = !this.capsLock;
    const seq = SEQUENCES[scancode];
    if (seq) return seq;
    const mods = {
      shift: this.down.has(SHIFT_L) || this.down.has(SHIFT_R),
      ctrl: this.down.has(CTRL_L) || this.down.has(CTRL_R),
      altgr: this.down.has(ALTGR),
      capsLock: this.capsLock,
    };
    // Alt+key is a window-manager or console shortcut, not text.
    if (this.down.has(ALT_L)) return '';
    return charFor(this.keymap, scancode, mods) ?? '';
  }
}
