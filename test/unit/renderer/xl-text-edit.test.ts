import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseXlConfig, type XlValue } from '../../../src/main/vm/xlcfg';
import { formatValue, readKey, setKey, type FormValue } from '../../../src/renderer/lib/xl-text-edit';
import EXAMPLE from '../../../resources/examples/xlexample.hvm?raw';


/** The host parser's value for a key: the oracle for what the text now says. */
function hostValue(text: string, key: string): XlValue | undefined {
  return parseXlConfig(text, 't').config.get(key);
}

describe('xl-text-edit readKey', () => {
  it("reads the seeds' xlexample.hvm keys the form shows", () => {
    expect(readKey(EXAMPLE, 'memory')).toEqual({ kind: 'number', value: 2048 });
    expect(readKey(EXAMPLE, 'name')).toEqual({ kind: 'string', value: 'vgtHVMDomain' });
    expect(readKey(EXAMPLE, 'vgt_monitor_config_file')).toEqual({ kind: 'string', value: '/path/to/monitor.config' });
    expect(readKey(EXAMPLE, 'vcpus')).toEqual({ kind: 'absent' });
    expect(readKey(EXAMPLE, 'vif')).toMatchObject({ kind: 'text', reason: expect.stringContaining('line 4') });
  });

  it('a key set twice, appended with +=, or sharing a line with ; is "edit in text"; a commented-out line is not a statement', () => {
    expect(readKey('memory = 1\nmemory = 2\n', 'memory')).toEqual({ kind: 'text', reason: 'set on 2 lines (1, 2)' });
    expect(readKey("extra = 'a'\nextra += 'b'\n", 'extra').kind).toBe('text');
    expect(readKey('vcpus = 2; memory = 64\n', 'memory')).toEqual({ kind: 'text', reason: 'shares line 1 with other statements' });
    expect(readKey("usbdevice = [ 'tablet' ]\n", 'usbdevice')).toEqual({ kind: 'text', reason: 'a list, on line 1' });
    expect(readKey('memory = abc # x\n', 'memory')).toEqual({ kind: 'text', reason: 'written as abc # x on line 1' });
    expect(readKey('# memory = 64\n', 'memory')).toEqual({ kind: 'absent' });
    expect(readKey("disk = [ 'a',\n  'memory = 3' ]\n", 'memory')).toEqual({ kind: 'absent' });
  });

  it('values the form does not model (hex, bad numbers, unquoted words, escapes) are "edit in text"', () => {
    for (const t of ['memory = 0x800', 'memory = abc', 'memory = 12ab', "memory = 'a\\tb'"]) expect(readKey(t, 'memory').kind).toBe('text');
    expect(readKey(`memory = 'it\\'s'`, 'memory')).toEqual({ kind: 'string', value: "it's" });
  });
});

describe('xl-text-edit setKey', () => {
  it('rewrites only the value: spacing and a trailing comment stay', () => {
    const text = "vgt=1\nvgt_monitor_config_file='/a' #only valid for indirect display mode\n";
    expect(setKey(text, 'vgt_monitor_config_file', { kind: 'string', value: '/b c' })).toBe("vgt=1\nvgt_monitor_config_file='/b c' #only valid for indirect display mode\n");
    expect(setKey(EXAMPLE, 'memory', { kind: 'number', value: 4096 })).toBe(EXAMPLE.replace('memory = 2048', 'memory = 4096'));
  });

  it("appends a new key in the last statement's spacing; keeps CRLF; null removes the line", () => {
    expect(setKey('a = 1\nsdl=1\n', 'vcpus', { kind: 'number', value: 2 })).toBe('a = 1\nsdl=1\nvcpus=2\n');
    expect(setKey('a = 1', 'vcpus', { kind: 'number', value: 2 })).toBe('a = 1\nvcpus = 2\n');
    expect(setKey('a = 1\r\n', 'b', { kind: 'string', value: 'x' })).toBe("a = 1\r\nb = 'x'\r\n");
    expect(setKey('', 'b', { kind: 'number', value: 0 })).toBe('b = 0\n');
    expect(setKey('a = 1\nb = 2 # two\nc = 3\n', 'b', null)).toBe('a = 1\nc = 3\n');
    expect(setKey('a = 1\n', 'b', null)).toBe('a = 1\n');
  });

  it('refuses keys the form must not edit, bad keys and unwritable values', () => {
    expect(() => setKey('memory = 1\nmemory = 2\n', 'memory', { kind: 'number', value: 3 })).toThrow(/set on 2 lines.*edit it in the text/);
    expect(() => setKey('', 'Memory', { kind: 'number', value: 3 })).toThrow(RangeError);
    expect(() => formatValue({ kind: 'number', value: -1 })).toThrow(RangeError);
    expect(() => formatValue({ kind: 'string', value: 'a\nb' })).toThrow(RangeError);
  });
});

// Configs built from lines the form meets: statements of form keys and unknown keys with any
// spacing and comments, lists (one- and multi-line), comments and blank lines.
const KEYS = ['memory', 'vcpus', 'vgt', 'gvt_workload', 'my_custom_key', 'disk', 'vif', 'sdl'];
// Strings the form can write: one line, no control characters, no backslash (escapes are "edit in text").
const safeString = fc.string({ maxLength: 12 }).filter((s) => ![...s].some((c) => c < ' ' || c === '\x7f' || c === '\\'));
const valueText = fc.oneof(
  fc.nat({ max: 100000 }).map(String),
  safeString.map((s) => formatValue({ kind: 'string', value: s })),
  fc.array(safeString, { maxLength: 3 }).map((items) => `[ ${items.map((s) => formatValue({ kind: 'string', value: s })).join(', ')} ]`),
  fc.array(safeString, { minLength: 1, maxLength: 3 }).map((items) => `[\n${items.map((s) => `  ${formatValue({ kind: 'string', value: s })},`).join('\n')}\n]`),
);
const space = fc.constantFrom('', ' ', '  ', '\t');
const statement = fc
  .tuple(fc.constantFrom(...KEYS), space, fc.constantFrom('=', '+='), space, valueText, fc.constantFrom('', ' # note', '#x', ' # a = 1; b = 2'))
  .map(([k, s1, op, s2, v, c]) => `${k}${s1}${op}${s2}${v}${c}`);
const line = fc.oneof({ weight: 5, arbitrary: statement }, fc.constant(''), fc.constant('# memory = 64 (a comment)'), fc.constant('  # indented comment'));
const config = fc.tuple(fc.array(line, { maxLength: 14 }), fc.boolean()).map(([ls, crlf]) => ls.join(crlf ? '\r\n' : '\n') + (ls.length > 0 ? (crlf ? '\r\n' : '\n') : ''));
const formValue: fc.Arbitrary<FormValue> = fc.oneof(fc.nat({ max: 65536 }).map((value) => ({ kind: 'number' as const, value })), safeString.map((value) => ({ kind: 'string' as const, value })));

describe('xl-text-edit properties (fast-check)', () => {
  it('editing one key via the form never changes any other line, and the host parser then reads the new value', () => {
    fc.assert(
      fc.property(config, fc.constantFrom(...KEYS), fc.option(formValue, { nil: null }), (text, key, value) => {
        const state = readKey(text, key);
        if (state.kind === 'text') {
          expect(() => setKey(text, key, value)).toThrow(RangeError);
          return;
        }
        const out = setKey(text, key, value);
        const before = text.split('\n');
        const after = out.split('\n');
        const own = (l: string): boolean => new RegExp(`^${key}[ \\t]*=`).test(l);
        // Every line that is not the key's own is kept, in order.
        expect(after.filter((l) => !own(l))).toEqual(before.filter((l) => !own(l)));
        expect(Math.abs(after.length - before.length)).toBeLessThanOrEqual(1);
        // The key is set (or gone), and every other key reads as it did, to the host's parser too.
        const parsedBefore = parseXlConfig(text, 't');
        const parsedAfter = parseXlConfig(out, 't');
        expect(readKey(out, key)).toEqual(value === null ? { kind: 'absent' } : value);
        if (parsedBefore.findings.every((f) => f.severity !== 'error')) {
          expect(hostValue(out, key)).toEqual(value ?? undefined);
          for (const other of parsedBefore.config.keys()) if (other !== key) expect(parsedAfter.config.get(other)).toEqual(parsedBefore.config.get(other));
        }
      }),
      { numRuns: 400 },
    );
  });
});
