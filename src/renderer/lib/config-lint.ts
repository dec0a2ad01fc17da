/**
 * The config editor's live diagnostics: the host's library.check findings as CodeMirror lint
 * diagnostics (gutter marker and underline at the finding's line:column range).
 */
import type { Diagnostic } from '@codemirror/lint';
import type { Text } from '@codemirror/state';
import type { ConfigDiagnostic } from '../../shared/api';

/** How long typing must pause before the text is checked, ms (CodeMirror's linter debounce). */
export const LINT_DELAY_MS = 250;

/**
 * Document offset of a 1-based line:column (UTF-16 columns, as the host counts them), clamped to
 * the document and to the line's end, so a stale or odd position never throws.
 */
export function offsetOf(doc: Text, line: number, column: number): number {
  if (line < 1) return 0;
  if (line > doc.lines) return doc.length;
  const l = doc.line(line);
  return Math.min(l.from + Math.max(column - 1, 0), l.to);
}

/**
 * CodeMirror diagnostics for the host's findings on `doc` (the text that was checked). The message
 * is the host's line as `xl create` prints it; `source` names the key.
 */
export function toCmDiagnostics(doc: Text, diagnostics: readonly ConfigDiagnostic[]): Diagnostic[] {
  return diagnostics.map((d) => {
    const from = offsetOf(doc, d.line, d.column);
    const to = Math.max(from, offsetOf(doc, d.endLine, d.endColumn));
    return { from, to, severity: d.severity, message: d.message, ...(d.field !== undefined ? { source: d.field } : {}) };
  });
}
