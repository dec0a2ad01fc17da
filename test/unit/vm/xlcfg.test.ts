import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatFinding, formatXlValue, parseXlConfig, xlValueEquals, type ConfigFinding, type XlValue } from '../../../src/main/vm/xlcfg';

const SHARED = path.resolve(__dirname, '../../../../shared');
const RESOURCES = path.resolve(__dirname, '../../../resources/examples');
const read = (p: string): string => readFileSync(p, 'utf8');

const XL_FILES = [
  `${SHARED}/examples/xlexample.hvm`,
  `${SHARED}/examples/xmexample-2013.conf`,
  `${SHARED}/testdata/xl/xlexample.hvm`,
  `${SHARED}/testdata/xl/xlexample.pvhlinux`,
  `${SHARED}/testdata/xl/xlexample.pvlinux`,
  `${RESOURCES}/xlexample.hvm`,
  `${RESOURCES}/xmexample-2013.conf`,
];

const str = (value: string): XlValue => ({ kind: 'string', value });
const num = (value: number): XlValue => ({ kind: 'number', value });
const list = (...items: XlValue[]): XlValue => ({ kind: 'list', items });
/** Findings as `line:col severity field` for compact assertions. */
const where = (fs: ConfigFinding[]): string[] => fs.map((f) => `${f.line}:${f.column} ${f.severity} ${f.field ?? '-'}`);

describe('parseXlConfig: the seed and Xen example files', () => {
  it.each(XL_FILES)('round-trips %s exactly', (file) => {
    const text = read(file);
    expect(text.length).toBeGreaterThan(100);
    const { config, findings } = parseXlConfig(text, path.basename(file));
    expect(config.toString()).toBe(text);
    expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
  });

  it('reads every key and value of the 2016 guide xlexample.hvm', () => {
    const { config, findings } = parseXlConfig(read(`${SHARED}/examples/xlexample.hvm`), 'xlexample.hvm');
    expect(findings).toEqual([]);
    expect(config.keys()).toEqual([
      'builder', 'memory', 'name', 'vif', 'disk', 'device_model_version', 'device_model_override', 'sdl', 'vnc', 'vncpasswd',
      'serial', 'tsc_mode', 'stdvga', 'usb', 'usbdevice', 'keymap', 'vgt', 'vgt_low_gm_sz', 'vgt_high_gm_sz', 'vgt_fence_sz',
      'vgt_monitor_config_file', 'acpi_s3', 'acpi_s4',
    ]);
    expect(config.get('name')).toEqual(str('vgtHVMDomain'));
    expect(config.get('memory')).toEqual(num(2048));
    expect(config.get('vgt')).toEqual(num(1));
    expect(config.get('vgt_low_gm_sz')).toEqual(num(128));
    expect(config.get('vgt_high_gm_sz')).toEqual(num(384));
    expect(config.get('vgt_fence_sz')).toEqual(num(4));
    expect(config.get('vgt_monitor_config_file')).toEqual(str('/path/to/monitor.config'));
    expect(config.get('vncpasswd')).toEqual(str(''));
    expect(config.get('vif')).toEqual(list(str('type=ioemu, bridge=xenbr0')));
    expect(config.get('disk')).toEqual(list(str('/path/to/Guest_OS.img,raw,hda,w')));
    expect(config.get('nope')).toBeUndefined();
    const monitor = config.entry('vgt_monitor_config_file')!;
    expect([monitor.line, monitor.column, monitor.valueLine, monitor.valueColumn]).toEqual([21, 1, 21, 25]);
    expect(monitor.raw).toBe("vgt_monitor_config_file='/path/to/monitor.config'");
  });

  it('reads the Xen examples (double quotes, comments, blank lines)', () => {
    const { config, findings } = parseXlConfig(read(`${SHARED}/testdata/xl/xlexample.pvhlinux`), 'xlexample.pvhlinux');
    expect(findings).toEqual([]);
    expect(config.keys()).toEqual(['type', 'name', 'kernel', 'extra', 'memory', 'vcpus', 'vif', 'disk']);
    expect(config.get('extra')).toEqual(str('root=/dev/xvda1'));
    expect(config.get('vif')).toEqual(list(str('')));
    expect(config.get('uuid')).toBeUndefined(); // commented out
  });

  it('accepts the 2013 guide typographic quotes with a warning at each one, keeping Kernel as written', () => {
    const { config, findings } = parseXlConfig(read(`${SHARED}/examples/xmexample-2013.conf`), 'xmexample-2013.conf');
    expect(where(findings)).toEqual([
      '1:10 warning Kernel', '1:20 warning Kernel', '2:11 warning builder', '2:15 warning builder', '4:8 warning name', '4:21 warning name',
    ]);
    expect(findings.map((f) => f.message.slice(0, 44))).toEqual([
      'typographic quote U+201C used as a quote; xl',
      'typographic quote U+201D used as a quote; xl',
      'typographic quote U+2018 used as a quote; xl',
      'typographic quote U+2019 used as a quote; xl',
      'typographic quote U+201C used as a quote; xl',
      'typographic quote U+201D used as a quote; xl',
    ]);
    expect(formatFinding(findings[0]!)).toBe("xmexample-2013.conf:1:10: warning: Kernel: typographic quote U+201C used as a quote; xl accepts only ' and \"");
    expect(config.keys()[0]).toBe('Kernel');
    expect(config.get('Kernel')).toEqual(str('hvmloader'));
    expect(config.get('kernel')).toBeUndefined();
    expect(config.get('builder')).toEqual(str('hvm'));
    expect(config.get('name')).toEqual(str('vgtHVMDomain'));
    expect(config.get('disk')).toEqual(list(str('file:/path/to/image/file,hda,w'), str(',hdc:cdrom,r')));
    expect(config.has('device_model')).toBe(false);
  });
});

describe('parseXlConfig: syntax', () => {
  it('reads ; separators, multi-line lists with comments and a trailing comma, nested lists', () => {
    const text = "a = 1; b = 'x' ;c=\"y\"\ndisk = [ 'one', # first\n  'two',\n\n  0x10,\n]\nvnuma = [ [ 'pnode=0' ], [] ]\n";
    const { config, findings } = parseXlConfig(text, 't.cfg');
    expect(findings).toEqual([]);
    expect(config.keys()).toEqual(['a', 'b', 'c', 'disk', 'vnuma']);
    expect(config.get('disk')).toEqual(list(str('one'), str('two'), num(16)));
    expect(config.get('vnuma')).toEqual(list(list(str('pnode=0')), list()));
    expect(config.entry('disk')!.raw).toBe("disk = [ 'one', # first\n  'two',\n\n  0x10,\n]");
  });

  it('decodes backslash escapes as xl does', () => {
    const { config, findings } = parseXlConfig(String.raw`s = "a\"b\\c\td\x41\101'" ` + '\n' + String.raw`t = 'it\'s'` + '\n' + "u = 'it’s'\n", 't');
    expect(findings).toEqual([]);
    expect(config.get('s')).toEqual(str('a"b\\c\tdAA\''));
    expect(config.get('t')).toEqual(str("it's"));
    expect(config.get('u')).toEqual(str('it’s')); // a typographic apostrophe inside an ASCII string is text
  });

  it('reads the last of duplicate keys, with a warning naming the earlier line', () => {
    const { config, findings } = parseXlConfig('memory = 1024\nvcpus = 1\nmemory = 2048\n', 'd.cfg');
    expect(config.get('memory')).toEqual(num(2048));
    expect(config.keys()).toEqual(['memory', 'vcpus']);
    expect(config.entries()).toHaveLength(3);
    expect(findings.map(formatFinding)).toEqual(['d.cfg:3:1: warning: memory: set again (also at line 1); the last one wins, as in xl']);
  });

  it('appends with += to lists and strings, and rejects mixing kinds', () => {
    const { config, findings } = parseXlConfig("disk = [ 'a' ]\ndisk += [ 'b' ]\nextra = 'x'\nextra += ' y'\nmemory = 1\nmemory += 'z'\n", 'p');
    expect(config.get('disk')).toEqual(list(str('a'), str('b')));
    expect(config.get('extra')).toEqual(str('x y'));
    expect(config.get('memory')).toEqual(num(1));
    expect(where(findings)).toEqual(['6:1 error memory']);
  });

  it('reads CRLF files and keeps them byte for byte', () => {
    const text = "name = 'w'\r\nmemory = 64 # MiB\r\ndisk = [ 'a',\r\n 'b' ]\r\n";
    const { config, findings } = parseXlConfig(text, 'w.cfg');
    expect(findings).toEqual([]);
    expect(config.get('memory')).toEqual(num(64));
    expect(config.get('disk')).toEqual(list(str('a'), str('b')));
    expect(config.toString()).toBe(text);
  });

  it('accepts a last line without a newline, an empty file and a comment-only file', () => {
    expect(parseXlConfig('vgt=1', 'x').config.get('vgt')).toEqual(num(1));
    expect(parseXlConfig('', 'x').config.keys()).toEqual([]);
    expect(parseXlConfig('# nothing\n\n', 'x').findings).toEqual([]);
  });

  it('warns about no-break spaces, a byte-order mark and leading-zero (octal) numbers', () => {
    const { config, findings } = parseXlConfig('\ufeffmemory\u00a0= 010\n', 'n');
    expect(config.get('memory')).toEqual(num(8));
    expect(where(findings)).toEqual(['1:1 warning -', '1:8 warning -', '1:11 warning memory']);
  });
});

describe('parseXlConfig: malformed input gives located findings and never throws', () => {
  const cases: [string, string, string, string | RegExp][] = [
    // [name, text, 'line:col severity field', message]
    ['unterminated string', "memory = 64\nname = 'vgtHVM\nvcpus = 2\n", '2:8 error name', /unterminated string: no closing ' before the end of the line/],
    ['unterminated list before the next key', "vif = [ 'a',\n  'b'\nvcpus = 2\n", '1:7 error vif', "unterminated list: the '[' at 1:7 is never closed with ']'"],
    ['unterminated list at the end of the file', "name = 'x'\ndisk = [ 'a'", '2:8 error disk', /unterminated list/],
    ['missing =', 'memory 2048\n', '1:8 error memory', "expected '=' after the key, got '2048'"],
    ['missing value', 'memory =\n', '1:9 error memory', "missing value after '='"],
    ['bad number', 'vcpus = 12abc\n', '1:9 error vcpus', /bad number '12abc'/],
    ['non-octal leading zero', 'vcpus = 09\n', '1:9 error vcpus', /leading 0 means octal/],
    ['unquoted word', 'builder = hvm\n', '1:11 error builder', /expected a value .* got 'hvm'; quote text values/],
    ['junk after the value', "name = 'a' 'b'\n", '1:12 error name', /unexpected 'b' after the value/],
    ['missing comma in a list', "disk = [ 'a' 'b' ]\n", '1:14 error disk', "expected ',' or ']' in the list, got 'b'"],
    ['no key', "= 'x'\n", '1:1 error -', /expected a key/],
    ['invalid key', 'mem@ry = 1\n', '1:4 error -', "invalid key 'mem@ry': keys use letters, digits and _"],
    ['stray character', 'memory = @1\n', '1:10 error memory', "unexpected character '@'"],
    ['bad hex escape', "s = 'a\\xZZ'\n", '1:7 error s', /invalid \\x escape/],
    ['ASCII string closed by a typographic quote', "name = 'hvm’\n", '1:8 error name', /the typographic ’ does not close a ' string/],
  ];
  it.each(cases)('%s', (_name, text, at, message) => {
    const { config, findings } = parseXlConfig(text, 'bad.cfg');
    expect(where(findings)).toContain(at);
    const f = findings.find((x) => `${x.line}:${x.column} ${x.severity} ${x.field ?? '-'}` === at)!;
    if (typeof message === 'string') expect(f.message).toBe(message);
    else expect(f.message).toMatch(message);
    expect(f.file).toBe('bad.cfg');
    expect(config.toString()).toBe(text);
  });

  it('skips only the spoiled statement: the other keys are still read', () => {
    const { config, findings } = parseXlConfig("memory = 64\nname = 'vgtHVM\nvif = [ 'a',\nvcpus = 2\nbuilder = hvm\nvgt = 1\n", 'r.cfg');
    expect(where(findings)).toEqual(['2:8 error name', '3:7 error vif', '5:11 error builder']);
    expect(config.keys()).toEqual(['memory', 'vcpus', 'vgt']);
  });

  it('reports an error inside a multi-line list once and resumes after its ]', () => {
    const { config, findings } = parseXlConfig("disk = [ 'a',\n  bad,\n  'c' ]\nvgt = 1\n", 'l.cfg');
    expect(where(findings)).toEqual(['2:3 error disk']);
    expect(config.keys()).toEqual(['vgt']);
  });

  it('formats findings as file:line:col: severity: field: message', () => {
    expect(formatFinding({ severity: 'error', file: 'a.cfg', line: 3, column: 7, field: 'vif', message: 'm' })).toBe('a.cfg:3:7: error: vif: m');
    expect(formatFinding({ severity: 'warning', file: 'a.cfg', line: 1, column: 1, message: 'm' })).toBe('a.cfg:1:1: warning: m');
  });
});

describe('XlConfig editing', () => {
  const seed = (): string => read(`${SHARED}/examples/xlexample.hvm`);

  it('set() replaces a value in place, keeping the line, its spacing and its trailing comment', () => {
    const { config } = parseXlConfig(seed(), 'xlexample.hvm');
    config.set('memory', num(4096));
    config.set('vgt_monitor_config_file', str("/etc/it's monitor.config"));
    const expected = seed()
      .replace('memory = 2048', 'memory = 4096')
      .replace("vgt_monitor_config_file='/path/to/monitor.config' #only", `vgt_monitor_config_file="/etc/it's monitor.config" #only`);
    expect(config.toString()).toBe(expected);
    expect(config.get('memory')).toEqual(num(4096));
    expect(parseXlConfig(config.toString(), 'x').findings).toEqual([]);
  });

  it('set() appends a new key in the file style, adding a missing final newline', () => {
    const a = parseXlConfig('vgt=1', 'a').config;
    a.set('gvt_workload', str('idle'));
    expect(a.toString()).toBe("vgt=1\ngvt_workload='idle'\n");
    const b = parseXlConfig("name = 'x'\r\n", 'b').config;
    b.set('disk', list(str('a'), str('b')));
    expect(b.toString()).toBe("name = 'x'\r\ndisk = [ 'a', 'b' ]\r\n");
  });

  it('set() over duplicates rewrites the effective statement and drops later +=', () => {
    const { config } = parseXlConfig("disk = [ 'x' ]\ndisk = [ 'a' ]\ndisk += [ 'b' ] # more\nvgt = 1\n", 'd');
    config.set('disk', list(str('z')));
    expect(config.toString()).toBe("disk = [ 'x' ]\ndisk = [ 'z' ]\nvgt = 1\n");
    expect(config.get('disk')).toEqual(list(str('z')));
  });

  it('delete() removes a statement with its line and comment, or with its ; separator', () => {
    const { config } = parseXlConfig(seed(), 'xlexample.hvm');
    expect(config.delete('vgt_monitor_config_file')).toBe(true);
    expect(config.toString()).toBe(seed().replace("vgt_monitor_config_file='/path/to/monitor.config' #only valid for indirect display mode\n", ''));
    expect(config.delete('vgt_monitor_config_file')).toBe(false);
    const shared = parseXlConfig('a = 1; b = 2; c = 3\n', 's').config;
    shared.delete('b');
    expect(shared.toString()).toBe('a = 1; c = 3\n');
    shared.delete('c');
    expect(shared.toString()).toBe('a = 1\n');
    expect(shared.keys()).toEqual(['a']);
  });

  it('set() refuses what xl cannot write', () => {
    const { config } = parseXlConfig('', 'e');
    expect(() => config.set('bad key', num(1))).toThrow(RangeError);
    expect(() => config.set('memory', num(-1))).toThrow(RangeError);
    expect(() => config.set('memory', num(1.5))).toThrow(RangeError);
    expect(config.toString()).toBe('');
  });

  it('formatXlValue writes values the parser reads back', () => {
    expect(formatXlValue(list(str('a'), num(3), list()))).toBe("[ 'a', 3, [] ]");
    expect(formatXlValue(str('say "it\'s"\n'))).toBe("'say \"it\\'s\"\\n'");
  });
});

describe('parseXlConfig properties (fast-check)', () => {
  const soup = fc
    .array(
      fc.constantFrom('name', 'memory', 'Kernel', ' = ', '=', '+=', ' ', '\t', '\n', '\r\n', '#', ';', ',', '[', ']', "'", '"', '“', '”', '‘', '’', '\\', 'x', '0x1F', '010', '09', '12abc', '2048', "'vgt'", '"a b"', '\u00a0', '\ufeff', 'é', '😀', '@'),
      { maxLength: 60 },
    )
    .map((parts) => parts.join(''));
  const anyText = fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ unit: 'grapheme-ascii', maxLength: 300 }), soup);

  it('never throws, keeps the text exactly, and locates every finding inside the text', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const { config, findings } = parseXlConfig(text, 'p.cfg');
        expect(config.toString()).toBe(text);
        const lines = text.split('\n');
        for (const f of findings) {
          expect(f.line).toBeGreaterThanOrEqual(1);
          expect(f.line).toBeLessThanOrEqual(lines.length);
          expect(f.column).toBeGreaterThanOrEqual(1);
          expect(f.column).toBeLessThanOrEqual(lines[f.line - 1]!.length + 1);
        }
        for (const e of config.entries()) expect(text.slice(e.start, e.end)).toBe(e.raw);
      }),
      { numRuns: 2000 },
    );
  });

  const xlValue: fc.Arbitrary<XlValue> = fc.letrec<{ v: XlValue; atom: XlValue }>((tie) => ({
    atom: fc.oneof(
      fc.nat().map((value): XlValue => ({ kind: 'number', value })),
      fc.string({ unit: 'binary', maxLength: 20 }).map((value): XlValue => ({ kind: 'string', value })),
    ),
    v: fc.oneof({ depthSize: 'small' }, tie('atom'), fc.array(tie('v'), { maxLength: 4 }).map((items): XlValue => ({ kind: 'list', items }))),
  })).v;

  it('set() then parse gives the value back, and leaves the other keys alone', () => {
    fc.assert(
      fc.property(fc.constantFrom('memory', 'disk', 'name', 'new_key'), xlValue, (key, value) => {
        const base = "name = 'a' # keep\nmemory = 1; disk = [ 'x',\n 'y' ]\n";
        const { config } = parseXlConfig(base, 'p');
        config.set(key, value);
        const again = parseXlConfig(config.toString(), 'p');
        expect(again.findings).toEqual([]);
        expect(xlValueEquals(again.config.get(key)!, value)).toBe(true);
        for (const k of ['name', 'memory', 'disk'].filter((k) => k !== key)) expect(again.config.get(k)).toEqual(parseXlConfig(base, 'p').config.get(k));
      }),
      { numRuns: 500 },
    );
  });
});
