import { Text } from '@codemirror/state';
import { describe, expect, it } from 'vitest';
import { offsetOf, toCmDiagnostics } from '../../../src/renderer/lib/config-lint';

const doc = Text.of(['name = "a"', 'memory = abc', '']);

describe('config-lint: host diagnostics as CodeMirror diagnostics', () => {
  it('line:column ranges become document offsets; the message is the host line as is', () => {
    const message = "a.cfg:2:10: error: memory: expected a value (a number, a 'quoted string' or a [list]), got 'abc'; quote text values";
    const [d] = toCmDiagnostics(doc, [{ severity: 'error', line: 2, column: 10, endLine: 2, endColumn: 13, field: 'memory', message }]);
    expect(d).toEqual({ from: 20, to: 23, severity: 'error', message, source: 'memory' });
    expect(doc.sliceString(d!.from, d!.to)).toBe('abc');
  });

  it('positions outside the document (a stale answer) are clamped, never thrown', () => {
    expect(offsetOf(doc, 0, 5)).toBe(0);
    expect(offsetOf(doc, 9, 1)).toBe(doc.length);
    expect(offsetOf(doc, 1, 500)).toBe(10);
    const [d] = toCmDiagnostics(doc, [{ severity: 'warning', line: 2, column: 40, endLine: 1, endColumn: 1, message: 'm' }]);
    expect(d!.to).toBeGreaterThanOrEqual(d!.from);
  });
});
