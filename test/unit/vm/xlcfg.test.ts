import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_LIST_DEPTH, formatFinding, formatXlValue, parseXlConfig, xlLong, xlValueEquals, type ConfigFinding, type XlConfig, type XlValue } from '../../../src/main/vm/xlcfg';

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
    // The 2013 guide's `Kernel` is the one error: xl's keys are lower case.
    expect(where(findings.filter((f) => f.severity === 'error'))).toEqual(file.endsWith('xmexample-2013.conf') ? ['1:1 error -'] : []);
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

  it("refuses the 2013 guide's upper-case Kernel as xl's lexer does (the rest still parses) and accepts its typographic quotes with a warning at each one", () => {
    const text = read(`${SHARED}/examples/xmexample-2013.conf`);
    const { config, findings } = parseXlConfig(text, 'xmexample-2013.conf');
    expect(where(findings)).toEqual([
      '1:1 error -', '1:10 warning Kernel', '1:20 warning Kernel', '2:11 warning builder', '2:15 warning builder', '4:8 warning name', '4:21 warning name',
    ]);
    expect(formatFinding(findings[0]!)).toBe(
      "xmexample-2013.conf:1:1: error: invalid key 'Kernel': xl keys are lower-case letters, digits, '_' and '.', starting with a letter ([a-z][._0-9a-z]* in Xen's libxlu_cfg_l.l); did you mean 'kernel'?",
    );
    expect(findings.slice(1).map((f) => f.message.slice(0, 44))).toEqual([
      'typographic quote U+201C used as a quote; xl',
      'typographic quote U+201D used as a quote; xl',
      'typographic quote U+2018 used as a quote; xl',
      'typographic quote U+2019 used as a quote; xl',
      'typographic quote U+201C used as a quote; xl',
      'typographic quote U+201D used as a quote; xl',
    ]);
    expect(formatFinding(findings[1]!)).toBe("xmexample-2013.conf:1:10: warning: Kernel: typographic quote U+201C used as a quote; xl accepts only ' and \"");
    // The Kernel statement is skipped, its text kept.
    expect(config.keys()[0]).toBe('builder');
    expect(config.has('Kernel')).toBe(false);
    expect(config.get('kernel')).toBeUndefined();
    expect(config.toString()).toBe(text);
    expect(config.toString().startsWith('Kernel = “hvmloader”\n')).toBe(true);
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
    ['invalid key', 'mem@ry = 1\n', '1:4 error -', "invalid key 'mem@…': '@' cannot be in a key; xl keys are lower-case letters, digits, '_' and '.', starting with a letter ([a-z][._0-9a-z]* in Xen's libxlu_cfg_l.l)"],
    ['upper-case key (libxlu_cfg_l.l IDENT is [a-z][._0-9a-z]*)', 'Memory = 1\n', '1:1 error -', /^invalid key 'Memory': xl keys are lower-case .*; did you mean 'memory'\?$/],
    ['key starting with _ (libxlu_cfg_l.l IDENT starts with [a-z])', '_memory = 1\n', '1:1 error -', /^invalid key '_memory': xl keys are lower-case letters, digits, '_' and '.', starting with a letter \(\[a-z\]\[\._0-9a-z\]\* in Xen's libxlu_cfg_l\.l\)$/],
    ['list nested too deep', `vnuma = ${'['.repeat(MAX_LIST_DEPTH + 1)}${']'.repeat(MAX_LIST_DEPTH + 1)}\n`, `1:${9 + MAX_LIST_DEPTH} error vnuma`, 'list nested more than 64 levels deep; GVT Desk reads at most 64 levels of [ ]'],
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

  it('reads keys with dots (libxlu_cfg_l.l since Xen 4.3) and refuses upper-case keys without losing the rest', () => {
    const { config, findings } = parseXlConfig("vif.default.script = 'vif-bridge'\nName = 'a'\nDisk = [ 'x',\n  'y' ]\nvgt = 1\n", 'k.cfg');
    expect(where(findings)).toEqual(['2:1 error -', '3:1 error -']);
    expect(config.keys()).toEqual(['vif.default.script', 'vgt']);
    expect(config.get('vif.default.script')).toEqual(str('vif-bridge'));
    config.set('a.b', num(1));
    expect(config.get('a.b')).toEqual(num(1));
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

describe('parseXlConfig: hostile input stays linear and bounded', () => {
  const KiB = 2 ** 10;
  const MiB = 2 ** 20;
  /** About `size` characters of `unit` repeated. */
  const fill = (unit: string, size: number): string => unit.repeat(Math.ceil(size / unit.length));
  /** A plain config of `size` characters: `kN = N` lines, every key different. */
  const plain = (size: number): string => {
    const lines: string[] = [];
    for (let n = 0, length = 0; length < size; n++) {
      lines.push(`k${n} = ${n}\n`);
      length += lines[n]!.length;
    }
    return lines.join('');
  };
  /** Wall-clock time to parse `text` and list its keys, then (`readEach`) read each one (get, entry). */
  const time = (text: string, readEach: boolean): number => {
    const t0 = performance.now();
    const { config } = parseXlConfig(text, 't.cfg');
    for (const key of config.keys()) {
      if (!readEach) break;
      config.get(key);
      config.entry(key);
    }
    return performance.now() - t0;
  };
  /**
   * Time to parse `text` and read each key, over the time to parse a plain config of the same size
   * and list its keys: the best of 10 runs each up to 64 KiB (where a collection pause dwarfs a
   * run), of 3 above. Runs of `text` stop at the first under `bound` times the baseline, or at one
   * 10 times over the bound, which no pause explains. Only ever a ratio of two times measured
   * together, so machine speed cancels out.
   */
  const ratio = (text: string, bound: number): number => {
    const runs = text.length <= 64 * KiB ? 10 : 3;
    const baseline = plain(text.length);
    let base = Infinity;
    for (let run = 0; run < runs; run++) base = Math.min(base, time(baseline, false));
    let best = Infinity;
    for (let run = 0; run < runs && best > bound * base; run++) {
      const t = time(text, true);
      best = Math.min(best, t);
      if (t > 10 * bound * base) break;
    }
    return best / base;
  };

  it('1,500 `a+=[1]` lines give one list of 1,500 items', () => {
    const { config, findings } = parseXlConfig('a+=[1]\n'.repeat(1500), 'a.cfg');
    expect(findings).toEqual([]);
    const a = config.get('a')!;
    expect(a.kind === 'list' && a.items.length).toBe(1500);
    expect(a).toEqual(list(...Array.from({ length: 1500 }, () => num(1))));
    expect(config.entries()).toHaveLength(1500);
    expect(config.entry('a')!.line).toBe(1);
    expect(config.get('a')).toBe(a); // folded once, not per lookup
  });

  // The old parser re-folded every earlier `+=` for each statement (1,500 lines took a second,
  // 4,000 lines 24 s, 1 MiB did not finish in 15 minutes), recursed once per '[' (a 5,000-deep list
  // overflowed the stack), and get()/entry() scanned every statement (reading each key of a 1 MiB
  // config took 38 s). The size grows 4x a step so that such a parser fails here at the first size
  // where it shows, in seconds, instead of hanging the run.
  const hostile: [string, (size: number) => string, (config: XlConfig, size: number) => void][] = [
    ['list appends `a+=[1]`', (size) => fill('a+=[1]\n', size), (c, size) => expect((c.get('a') as { items: XlValue[] }).items).toHaveLength(Math.ceil(size / 7))],
    ["string appends `a+='x'`", (size) => fill("a+='x'\n", size), (c, size) => expect(c.get('a')).toEqual(str('x'.repeat(Math.ceil(size / 7))))],
    ['one key set again and again', (size) => fill('a=1\n', size), (c) => expect(c.get('a')).toEqual(num(1))],
    ['one list nested as deep as it is long', (size) => `a=${'['.repeat(size / 2)}${']'.repeat(size / 2)}\n`, (c) => expect(c.has('a')).toBe(false)],
    ['distinct keys, each read with get() and entry()', plain, (c) => expect(c.get('k1000')).toEqual(num(1000))],
  ];
  it.each(hostile)('~1 MiB of %s parses within 10x the time of a plain config of the same size', (_name, make, check) => {
    for (const size of [16 * KiB, 64 * KiB, 256 * KiB, MiB]) {
      const text = make(size);
      const { config } = parseXlConfig(text, 'h.cfg');
      expect(config.toString()).toBe(text);
      check(config, size);
      expect(ratio(text, 10), `${size} characters`).toBeLessThanOrEqual(10);
    }
  });

  it(`reports a 5,000-deep list at the ${MAX_LIST_DEPTH + 1}th '[' with its line:column instead of overflowing the stack`, () => {
    for (const text of [`name = 'x'\na=${'['.repeat(5000)}${']'.repeat(5000)}\nvgt = 1\n`, `name = 'x'\na=${'['.repeat(5000)}\nvgt = 1\n`]) {
      let parsed: ReturnType<typeof parseXlConfig> | undefined;
      expect(() => (parsed = parseXlConfig(text, 'deep.cfg'))).not.toThrow();
      const { config, findings } = parsed!;
      expect(findings.map(formatFinding)).toEqual([`deep.cfg:2:${3 + MAX_LIST_DEPTH}: error: a: list nested more than 64 levels deep; GVT Desk reads at most 64 levels of [ ]`]);
      expect(config.keys()).toEqual(['name', 'vgt']);
      expect(config.toString()).toBe(text);
    }
    let deepest: XlValue = list();
    for (let i = 1; i < MAX_LIST_DEPTH; i++) deepest = list(deepest);
    const ok = parseXlConfig(`a=${'['.repeat(MAX_LIST_DEPTH)}${']'.repeat(MAX_LIST_DEPTH)}\n`, 'ok.cfg');
    expect(ok.findings).toEqual([]);
    expect(ok.config.get('a')).toEqual(deepest);
  });

  it('quotes at most 40 characters of a file that is not a config (/etc/shadow), never the password hash', () => {
    const hash = '$6$abcdefghijklmnopqrstuvwxyz0123456789abcdefghijk';
    const text = `root:${hash}:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\nsync:${hash}:19000:0:99999:7:::\n`;
    const { config, findings } = parseXlConfig(text, 'shadow');
    expect(where(findings)).toEqual(['1:5 error -', '2:7 error -', '3:5 error -']);
    expect(findings[0]!.message).toMatch(/^invalid key 'root:…': ':' cannot be in a key; xl keys are lower-case/);
    for (const f of findings) {
      const shown = formatFinding(f);
      expect(shown).not.toContain(hash);
      expect(shown).not.toContain('$6$');
      for (let i = 0; i + 41 <= text.length; i++) expect(shown).not.toContain(text.slice(i, i + 41));
    }
    expect(config.keys()).toEqual([]);
    expect(config.toString()).toBe(text);
  });

  it('escapes control and invisible characters and truncates long tokens (40 characters and …) in messages', () => {
    const bad = (text: string): string => parseXlConfig(text, 'e.cfg').findings.map(formatFinding).join('\n');
    const long = bad(`vcpus = 1${'z'.repeat(100)}\n`);
    expect(long).toContain(`bad number '1${'z'.repeat(39)}…'`);
    expect(long).not.toContain('z'.repeat(40));
    const ansi = bad(`name = 'a' "\u001b[2J${'x'.repeat(60)}"\n`);
    expect(ansi).toContain(`unexpected "\\u001b[2J${'x'.repeat(35)}… after the value`);
    expect(ansi).not.toContain('\u001b');
    const bidi = bad('memory = \u202e1\n');
    expect(bidi).toContain('unexpected character U+202E');
    expect(bidi).not.toContain('\u202e');
    const upper = bad(`${'K'.repeat(100)} = 1\n`);
    expect(upper).toContain(`invalid key '${'K'.repeat(40)}…'`);
    expect(upper).not.toContain('K'.repeat(41));
    const field = bad(`${'k'.repeat(100)} = 'a' 'b'\n`);
    expect(field).toBe(`e.cfg:1:${100 + 8}: error: ${'k'.repeat(40)}…: unexpected 'b' after the value; put one KEY = VALUE per line or separate them with ';'`);
  });
});

describe('xlLong: numbers as xlu_cfg_get_long (libxlu_cfg.c) reads them, strtol base 0 over the whole atom', () => {
  const cases: [string, number | null][] = [
    ['2048', 2048], [' \t\n2048', 2048], ['+5', 5], ['-5', -5], ['-0', 0], ['0', 0], ['0x10', 16], ['0X1f', 31], ['-0x10', -16], ['010', 8], ['00', 0],
    ['', null], ['  ', null], ['2048 ', null], ['2048\n', null], ['08', null], ['0x', null], ['12abc', null], ['1.5', null], ['1e3', null], ['- 5', null], ['+-5', null],
    ['９', null], ['9007199254740991', 2 ** 53 - 1], ['9007199254740993', null],
  ];
  it.each(cases)('xlu_cfg_get_long reads the string %j as %j', (text, expected) => {
    expect(xlLong(str(text))).toBe(expected);
  });

  it('xlu_cfg_get_long reads a NUMBER atom as itself and refuses a list', () => {
    expect(xlLong(num(2048))).toBe(2048);
    expect(xlLong(list(num(1)))).toBeNull();
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
    expect(() => config.set('Memory', num(1))).toThrow(RangeError);
    let deep: XlValue = list();
    for (let i = 1; i < MAX_LIST_DEPTH; i++) deep = list(deep);
    config.set('ok', deep); // exactly MAX_LIST_DEPTH levels
    expect(parseXlConfig(config.toString(), 'e').findings).toEqual([]);
    expect(() => config.set('deep', list(deep))).toThrow(RangeError);
    expect(config.toString()).toBe(`ok = ${'[ '.repeat(MAX_LIST_DEPTH - 1)}[]${' ]'.repeat(MAX_LIST_DEPTH - 1)}\n`);
  });

  it('formatXlValue writes values the parser reads back', () => {
    expect(formatXlValue(list(str('a'), num(3), list()))).toBe("[ 'a', 3, [] ]");
    expect(formatXlValue(str('say "it\'s"\n'))).toBe("'say \"it\\'s\"\\n'");
  });
});

describe('parseXlConfig properties (fast-check)', () => {
  const soup = fc
    .array(
      fc.constantFrom('name', 'memory', 'Kernel', ' = ', '=', '+=', ' ', '\t', '\n', '\r\n', '#', ';', ',', '[', ']', "'", '"', '“', '”', '‘', '’', '\\', 'x', '0x1F', '010', '09', '12abc', '2048', "'vgt'", '"a b"', '\u00a0', '\ufeff', 'é', '😀', '@', '['.repeat(33), 'a.b', '_k'),
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
          // Source text is quoted in excerpts only: no message grows with the input.
          expect(f.message.length).toBeLessThanOrEqual(300);
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
