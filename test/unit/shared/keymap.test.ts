/**
 * Keymap tests. Oracle: QEMU pc-bios/keymaps/{en-us,en-gb,de,fr} (qemu-keymap output, set 1
 * scancodes with bit 7 for the 0xe0 prefix) and Linux atkbd's set 1 codes (KEY_A = 0x1e).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  KEYMAP_NAMES,
  NAMED_KEYS,
  charFor,
  comboKey,
  describeValidKeys,
  keystrokeFor,
} from '../../../src/shared/keymap';

const PRINTABLE_ASCII = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i));
const plain = { shift: false, altgr: false, ctrl: false };

describe('keystrokeFor (QEMU pc-bios/keymaps)', () => {
  it('en-us: a is 0x1e, A is Shift+0x1e, @ is Shift+0x03', () => {
    expect(keystrokeFor('en-us', 'a')).toEqual({ scancode: 0x1e, shift: false, altgr: false });
    expect(keystrokeFor('en-us', 'A')).toEqual({ scancode: 0x1e, shift: true, altgr: false });
    expect(keystrokeFor('en-us', '@')).toEqual({ scancode: 0x03, shift: true, altgr: false });
  });

  it('de: @ is AltGr+0x10 (the Q key), z is 0x15 (QWERTZ), y is 0x2c', () => {
    expect(keystrokeFor('de', '@')).toEqual({ scancode: 0x10, shift: false, altgr: true });
    expect(keystrokeFor('de', 'z')).toEqual({ scancode: 0x15, shift: false, altgr: false });
    expect(keystrokeFor('de', 'y')).toEqual({ scancode: 0x2c, shift: false, altgr: false });
  });

  it('fr: a is 0x10 (AZERTY), 1 is Shift+0x02, @ is AltGr+0x0b', () => {
    expect(keystrokeFor('fr', 'a')).toEqual({ scancode: 0x10, shift: false, altgr: false });
    expect(keystrokeFor('fr', '1')).toEqual({ scancode: 0x02, shift: true, altgr: false });
    expect(keystrokeFor('fr', '@')).toEqual({ scancode: 0x0b, shift: false, altgr: true });
  });

  it('en-gb: " is Shift+0x03, @ is Shift+0x28, # is 0x2b, \\ is the 102nd key 0x56', () => {
    expect(keystrokeFor('en-gb', '"')).toEqual({ scancode: 0x03, shift: true, altgr: false });
    expect(keystrokeFor('en-gb', '@')).toEqual({ scancode: 0x28, shift: true, altgr: false });
    expect(keystrokeFor('en-gb', '#')).toEqual({ scancode: 0x2b, shift: false, altgr: false });
    expect(keystrokeFor('en-gb', '\\')).toEqual({ scancode: 0x56, shift: false, altgr: false });
  });

  it('en-us types < on the comma key (a US keyboard has no 102nd key)', () => {
    expect(keystrokeFor('en-us', '<')).toEqual({ scancode: 0x33, shift: true, altgr: false });
  });

  it('named keys map to set 1 scancodes, extended ones as 0xe000 | code', () => {
    expect(keystrokeFor('de', 'Enter')).toEqual({ scancode: 0x1c, shift: false, altgr: false });
    expect(keystrokeFor('fr', 'AltGraph')?.scancode).toBe(0xe038);
    expect(keystrokeFor('en-us', 'ArrowLeft')?.scancode).toBe(0xe04b);
    expect(NAMED_KEYS.Shift).toBe(0x2a);
    expect(NAMED_KEYS.F12).toBe(0x58);
  });

  it('is null for what the layout cannot type and for non-keys', () => {
    expect(keystrokeFor('en-us', 'é')).toBeNull();
    expect(keystrokeFor('fr', 'é')).toEqual({ scancode: 0x03, shift: false, altgr: false });
    expect(keystrokeFor('en-us', 'Foo')).toBeNull();
    expect(keystrokeFor('en-us', '')).toBeNull();
    expect(keystrokeFor('en-us', '\t')).toBeNull();
  });

  it('throws RangeError naming the valid keymaps for an unknown keymap', () => {
    expect(() => keystrokeFor('sv', 'a')).toThrow(RangeError);
    expect(() => keystrokeFor('sv', 'a')).toThrow("unknown keymap 'sv'; valid: en-us, en-gb, de, fr");
    expect(() => charFor('toString', 0x1e, plain)).toThrow(RangeError);
  });

  it('every keymap types every printable ASCII character', () => {
    for (const k of KEYMAP_NAMES) {
      expect(PRINTABLE_ASCII.filter((c) => keystrokeFor(k, c) === null), k).toEqual([]);
    }
  });
});

describe('charFor (guest side, same layout)', () => {
  it('property: charFor inverts keystrokeFor for every keymap and printable ASCII character', () => {
    fc.assert(
      fc.property(fc.constantFrom(...KEYMAP_NAMES), fc.constantFrom(...PRINTABLE_ASCII), (k, ch) => {
        const ks = keystrokeFor(k, ch);
        if (ks === null) return true;
        return charFor(k, ks.scancode, { shift: ks.shift, altgr: ks.altgr, ctrl: false }) === ch;
      }),
      { numRuns: 2000 },
    );
  });

  it('Enter, Backspace, Tab, Escape type \\r, DEL, \\t, ESC; other non-printing keys type nothing', () => {
    expect(charFor('en-us', 0x1c, plain)).toBe('\r');
    expect(charFor('en-us', 0x0e, plain)).toBe('\x7f');
    expect(charFor('de', 0x0f, plain)).toBe('\t');
    expect(charFor('fr', 0x01, plain)).toBe('\x1b');
    expect(charFor('en-us', 0x2a, plain)).toBeNull();
    expect(charFor('en-us', 0xe048, plain)).toBeNull();
    expect(charFor('en-us', 0x3b, plain)).toBeNull();
  });

  it('Ctrl+letter gives the control character, on the layout letter (de Ctrl+Z is 0x15)', () => {
    expect(charFor('en-us', 0x2e, { ...plain, ctrl: true })).toBe('\x03');
    expect(charFor('de', 0x15, { ...plain, ctrl: true })).toBe('\x1a');
    expect(charFor('fr', 0x10, { ...plain, ctrl: true, shift: true })).toBe('\x01');
    expect(charFor('en-us', 0x1a, { ...plain, ctrl: true })).toBe('\x1b');
  });

  it('Caps Lock inverts Shift on letter keys only', () => {
    expect(charFor('en-us', 0x1e, { ...plain, capsLock: true })).toBe('A');
    expect(charFor('en-us', 0x1e, { ...plain, capsLock: true, shift: true })).toBe('a');
    expect(charFor('de', 0x27, { ...plain, capsLock: true })).toBe('Ö');
    expect(charFor('en-us', 0x02, { ...plain, capsLock: true })).toBe('1');
  });

  it('AltGr levels: de AltGr+0x10 is @, empty and dead levels type nothing', () => {
    expect(charFor('de', 0x10, { ...plain, altgr: true })).toBe('@');
    expect(charFor('en-us', 0x10, { ...plain, altgr: true })).toBeNull();
    expect(charFor('de', 0x24, { ...plain, altgr: true })).toBeNull();
  });
});

describe('comboKey', () => {
  it('takes CLI names case-insensitively', () => {
    expect(comboKey('ctrl')).toBe(0x1d);
    expect(comboKey('ALT')).toBe(0x38);
    expect(comboKey('Shift')).toBe(0x2a);
    expect(comboKey('super')).toBe(0xe05b);
    expect(comboKey('meta')).toBe(0xe05b);
    expect(comboKey('enter')).toBe(0x1c);
    expect(comboKey('esc')).toBe(0x01);
    expect(comboKey('del')).toBe(0xe053);
    expect(comboKey('delete')).toBe(0xe053);
    expect(comboKey('space')).toBe(0x39);
    expect(comboKey('up')).toBe(0xe048);
    expect(comboKey('pgdn')).toBe(0xe051);
    expect(comboKey('F2')).toBe(0x3c);
    expect(comboKey('f12')).toBe(0x58);
  });

  it('takes single letters and digits as en-us positions', () => {
    expect(comboKey('c')).toBe(0x2e);
    expect(comboKey('C')).toBe(0x2e);
    expect(comboKey('z')).toBe(0x2c);
    expect(comboKey('1')).toBe(0x02);
    expect(comboKey('0')).toBe(0x0b);
  });

  it('is null for unknown names', () => {
    expect(comboKey('hyper')).toBeNull();
    expect(comboKey('!')).toBeNull();
    expect(comboKey('')).toBeNull();
  });
});

describe('describeValidKeys', () => {
  it('lists the named keys with F1–F12 collapsed, then "or one printable character"', () => {
    const text = describeValidKeys();
    expect(text.startsWith('Enter, Backspace, Tab, Escape, Delete')).toBe(true);
    expect(text).toContain('ArrowRight, F1–F12, Shift');
    expect(text.endsWith('CapsLock, or one printable character')).toBe(true);
    expect(`unknown key 'Foo'; valid: ${text}`).not.toContain('F5');
  });
});
