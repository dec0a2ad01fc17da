/**
 * Export a library domain in another format: the one implementation behind the `domain.export`
 * API method, which the UI's Export… dialog and `gvt-desk export DOMAIN --format F` both call.
 * Each format has its own module: xl.ts, qemu-kvmgt.ts, qemu.ts, libvirt.ts, mdevctl.ts.
 */
import { ApiError } from '../../../shared/api';
import type { ExportFormat } from '../../../shared/export-formats';
import type { DomainSpec } from '../domain-spec';
import type { Library, LibraryEntry } from '../library';
import { formatFinding } from '../xlcfg';
import { exportLibvirt } from './libvirt';
import { exportMdevctl } from './mdevctl';
import { exportQemu } from './qemu';
import { exportQemuKvmgt } from './qemu-kvmgt';
import { exportXl } from './xl';

/** What an export produces: the text and the file name to offer when saving it. */
export interface ExportResult {
  text: string;
  /** `<name>.cfg`, `<name>.kvmgt.sh`, `<name>.qemu.sh`, `<name>.xml` or `<name>.mdevctl.json`. */
  suggestedName: string;
}

const WRITERS: Record<ExportFormat, { suffix: string; write: (entry: LibraryEntry, spec: DomainSpec) => string }> = {
  xl: { suffix: '.cfg', write: (entry) => exportXl(entry) },
  'qemu-kvmgt': { suffix: '.kvmgt.sh', write: (_entry, spec) => exportQemuKvmgt(spec) },
  qemu: { suffix: '.qemu.sh', write: (_entry, spec) => exportQemu(spec) },
  libvirt: { suffix: '.xml', write: (_entry, spec) => exportLibvirt(spec) },
  mdevctl: { suffix: '.mdevctl.json', write: (_entry, spec) => exportMdevctl(spec) },
};

/**
 * Export one library entry.
 * @throws ApiError('config') when the config has errors (the message lists them as
 *   `file:line:col: error: field: reason`, as xl create would), and for the qemu, libvirt and
 *   mdevctl formats when the domain has no vGPU or no GVT-g type covers its sizes;
 *   ApiError('invalid') for an unknown format (the API schema refuses those first)
 */
export function exportEntry(entry: LibraryEntry, format: ExportFormat): ExportResult {
  const writer = Object.hasOwn(WRITERS, format) ? WRITERS[format] : undefined;
  if (!writer) throw new ApiError('invalid', `unknown export format '${String(format)}'`);
  if (!entry.spec) {
    const errors = entry.findings.filter((f) => f.severity === 'error');
    throw new ApiError('config', `${entry.name} cannot be exported: its config has errors; fix them first:\n${errors.map(formatFinding).join('\n')}`);
  }
  return { text: writer.write(entry, entry.spec), suggestedName: `${entry.name}${writer.suffix}` };
}

/**
 * Export the library domain `name`.
 * @throws ApiError('invalid') for Domain-0 (the host has no domain config) or a malformed name,
 *   ApiError('not_found') when the library has no such domain, and whatever exportEntry throws
 */
export function exportDomain(library: Library, name: string, format: ExportFormat): ExportResult {
  if (name === 'Domain-0') throw new ApiError('invalid', 'Domain-0 is the host (Dom0): it has no domain config to export');
  return exportEntry(library.get(name), format);
}
