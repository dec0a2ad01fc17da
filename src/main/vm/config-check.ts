/**
 * Diagnostics for an xl config being edited (the API's library.check): the findings `xl create`
 * and the library report for that text, each with the range an editor underlines.
 *
 * The checks are the ones a start runs: readDomainConfig (xlcfg.ts's parser, then domain-spec.ts)
 * plus the library's rule that name= matches the entry the text is saved as (Library.load reports
 * it, so `xl create NAME` prints it too). Messages are formatFinding's lines, exactly what
 * `xl create` and a refused library.save print.
 */
import type { ConfigDiagnostic } from '../../shared/api';
import { readDomainConfig } from './domain-spec';
import { formatFinding, type ConfigFinding, type XlConfig } from './xlcfg';

/**
 * Check config text as the library and `xl create` would.
 * @param text the config text (at most MAX_CONFIG_BYTES; linear in its length)
 * @param fileName the name findings carry (the library entry's file name)
 * @param entryName the library entry the text belongs to: a different name= is an error, as in
 *   Library.load; omit for a config that is not in the library yet
 * @returns diagnostics in file order; every one has a range (endLine:endColumn, exclusive, never
 *   before line:column)
 */
export function checkConfigText(text: string, fileName: string, entryName?: string): ConfigDiagnostic[] {
  const { config, findings } = readDomainConfig(text, fileName);
  const all = [...findings];
  const declared = config.get('name');
  if (entryName !== undefined && declared?.kind === 'string' && declared.value !== entryName) {
    // Library.load's wording, so the editor says what a start of the saved file would.
    const e = config.entry('name')!;
    all.push({ severity: 'error', file: fileName, line: e.line, column: e.column, field: 'name', message: `'${declared.value}' does not match the library entry '${entryName}' (stored as ${entryName}.cfg)` });
    all.sort((a, b) => a.line - b.line || a.column - b.column);
  }
  return all.map((f) => toDiagnostic(f, config));
}

/** A finding with its range: the parser's own, else the statement of the key it names at that spot. */
function toDiagnostic(f: ConfigFinding, config: XlConfig): ConfigDiagnostic {
  let end = f.endLine !== undefined && f.endColumn !== undefined ? { line: f.endLine, column: f.endColumn } : null;
  if (end === null && f.field !== undefined) {
    const e = config.entries().find((x) => x.key === f.field && x.line === f.line && x.column === f.column);
    if (e) end = endOf(e.raw, e.line, e.column);
  }
  end ??= { line: f.line, column: f.column };
  return {
    severity: f.severity,
    line: f.line,
    column: f.column,
    endLine: end.line,
    endColumn: end.column,
    ...(f.field !== undefined ? { field: f.field } : {}),
    message: formatFinding(f),
  };
}

/** Where `raw`, starting at line:column, ends (exclusive). */
function endOf(raw: string, line: number, column: number): { line: number; column: number } {
  const lines = raw.split('\n');
  return lines.length === 1 ? { line, column: column + raw.length } : { line: line + lines.length - 1, column: lines[lines.length - 1]!.length + 1 };
}
