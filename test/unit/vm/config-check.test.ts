import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { methods } from '../../../src/shared/api';
import { MAX_CONFIG_BYTES } from '../../../src/shared/limits';
import { checkConfigText } from '../../../src/main/vm/config-check';
import { readDomainConfig } from '../../../src/main/vm/domain-spec';
import { formatFinding, parseXlConfig } from '../../../src/main/vm/xlcfg';

const EXAMPLE = readFileSync(join(__dirname, '../../../resources/examples/xlexample.hvm'), 'utf8');

/** The source text a finding's range covers. */
function covered(text: string, f: { line: number; column: number; endLine?: number; endColumn?: number }): string {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return text.slice(starts[f.line - 1]! + f.column - 1, starts[f.endLine! - 1]! + f.endColumn! - 1);
}

describe('xlcfg findings carry their range (endLine:endColumn)', () => {
  it.each([
    ['memory = abc\n', "expected a value (a number, a 'quoted string' or a [list]), got 'abc'; quote text values", 'abc'],
    ['memory = 12ab\n', 'bad number', '12ab'],
    ["name = 'unterminated\n", 'unterminated string', "'unterminated"],
    ['memory = 1 2\n', "unexpected '2' after the value", '2'],
    ['mem@ry = 1\n', "'@' cannot be in a key", '@ry'],
    ['Kernel = 1\n', "invalid key 'Kernel'", 'Kernel'],
    ['disk = [ 1 2 ]\n', "expected ',' or ']' in the list", '2'],
    ["s = 'a\\qb'\n", "unknown escape '\\q'", '\\q'],
    ['a = 1\na = 2\n', 'set again (also at line 1)', 'a = 2'],
    ['a = 1\na += [2]\n', "'+=' adds only to a list or a string", 'a += [2]'],
  ])('%j: the range covers the offending text', (text, message, expected) => {
    const f = parseXlConfig(text, 't').findings.find((x) => x.message.includes(message));
    expect(f, `a finding '${message}'`).toBeDefined();
    expect(covered(text, f!)).toBe(expected);
  });

  it('a missing value is a point at the end of the line; messages and positions are unchanged', () => {
    const [f] = parseXlConfig('memory =\n', 't').findings;
    expect(f).toEqual({ severity: 'error', file: 't', line: 1, column: 9, field: 'memory', message: "missing value after '='", endLine: 1, endColumn: 9 });
    expect(formatFinding(f!)).toBe("t:1:9: error: memory: missing value after '='");
  });
});

describe('checkConfigText (library.check): what xl create prints, with ranges', () => {
  it("the seeds' example has no diagnostics", () => {
    expect(checkConfigText(EXAMPLE, 'xlexample.hvm', 'vgtHVMDomain').filter((d) => d.severity === 'error')).toEqual([]);
  });

  it("messages are formatFinding's lines of readDomainConfig, in file order", () => {
    const text = EXAMPLE.replace('memory = 2048', "memory = 'abc'").replace('vgt_fence_sz=4', 'vgt_fence_sz=99');
    const expected = readDomainConfig(text, 'vm.cfg').findings.map(formatFinding);
    const got = checkConfigText(text, 'vm.cfg', 'vgtHVMDomain');
    expect(got.map((d) => d.message)).toEqual(expected);
    expect(got.map((d) => d.message)).toContain("vm.cfg:2:1: error: memory: must be a number of MiB, got 'abc'");
  });

  it("a setting's finding (domain-spec) underlines its whole statement", () => {
    const text = EXAMPLE.replace('vgt_fence_sz=4', 'vgt_fence_sz=99');
    const d = checkConfigText(text, 'vm.cfg', 'vgtHVMDomain').find((x) => x.field === 'vgt_fence_sz')!;
    expect(d).toMatchObject({ severity: 'error', line: 20, column: 1, endLine: 20, endColumn: 16, message: 'vm.cfg:20:1: error: vgt_fence_sz: must be 0..32, got 99' });
    expect(covered(text, d)).toBe('vgt_fence_sz=99');
  });

  it('a syntax error is located at its token; the spoiled key then reads as absent, as xl create sees it', () => {
    const d = checkConfigText('name = "a"\nmemory = abc\n', 'a.cfg', 'a');
    expect(d).toEqual([
      { severity: 'error', line: 2, column: 10, endLine: 2, endColumn: 13, field: 'memory', message: "a.cfg:2:10: error: memory: expected a value (a number, a 'quoted string' or a [list]), got 'abc'; quote text values" },
    ]);
  });

  it("a name= other than the library entry's is the error Library.load reports; without an entry name it is not checked", () => {
    const d = checkConfigText("name = 'other'\n", 'a.cfg', 'a');
    expect(d).toEqual([{ severity: 'error', line: 1, column: 1, endLine: 1, endColumn: 15, field: 'name', message: "a.cfg:1:1: error: name: 'other' does not match the library entry 'a' (stored as a.cfg)" }]);
    expect(checkConfigText("name = 'other'\n", 'a.cfg')).toEqual([]);
  });

  it('a missing name is a point at 1:1; garbage gets located errors, never a throw', () => {
    expect(checkConfigText('', 'e.cfg', 'e')).toEqual([
      { severity: 'error', line: 1, column: 1, endLine: 1, endColumn: 1, field: 'name', message: "e.cfg:1:1: error: name: required: add name = '…' (1-64 letters, digits, '.', '_' or '-')" },
    ]);
    const junk = '\u0000\u00ff[[[ ]]] = = ;;; "\n\'\n'.repeat(50);
    const d = checkConfigText(junk, 'j.cfg', 'j');
    expect(d.length).toBeGreaterThan(0);
    for (const x of d) expect(x.endLine * 1e6 + x.endColumn).toBeGreaterThanOrEqual(x.line * 1e6 + x.column);
  });

  // A range lookup per finding that scanned every statement made this quadratic (26,885 unknown-key
  // findings). Timed as a ratio to parsing the same text, measured side by side (best of 3 each), so
  // a slow or busy machine cancels out; a quadratic lookup is hundreds of times over.
  it('MAX_CONFIG_BYTES of statements, one finding each, is checked within 5x the time of parsing it', () => {
    const line = 'my_custom_key = "some value" # comment\n';
    const text = `name = 'big'\n${line.repeat(Math.floor((MAX_CONFIG_BYTES - 20) / line.length))}`;
    const best = (fn: () => unknown): number => {
      let ms = Infinity;
      for (let run = 0; run < 3; run++) {
        const t0 = performance.now();
        fn();
        ms = Math.min(ms, performance.now() - t0);
      }
      return ms;
    };
    expect(checkConfigText(text, 'big.cfg', 'big').length).toBeGreaterThan(20_000);
    const parse = best(() => parseXlConfig(text, 'big.cfg'));
    const check = best(() => checkConfigText(text, 'big.cfg', 'big'));
    expect(check / parse).toBeLessThan(5);
  });
});

describe('library.check parameters', () => {
  it('accepts text and an optional domain name', () => {
    expect(methods['library.check'].safeParse({ text: 'a = 1' }).success).toBe(true);
    expect(methods['library.check'].safeParse({ text: '', name: 'vgtHVMDomain' }).success).toBe(true);
  });

  it.each([
    ['no text', { name: 'a' }],
    ['text over MAX_CONFIG_BYTES', { text: 'x'.repeat(MAX_CONFIG_BYTES + 1) }],
    ['a name that is not a domain name', { text: '', name: '../etc/passwd' }],
    ['an unknown field', { text: '', fileName: 'x' }],
    ['text of the wrong type', { text: 42 }],
  ])('refuses %s', (_what, params) => {
    expect(methods['library.check'].safeParse(params).success).toBe(false);
  });
});
