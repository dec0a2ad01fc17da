/**
 * Host-side I/O for the monitor editor: reading and atomically writing monitor.config files
 * through the file boundary (refusing malformed ones with line-numbered findings), and turning
 * EDID hex text from a request into validated bytes.
 */
import { ApiError } from '../../shared/api';
import { decodeEdid, parseEdidText } from '../../shared/edid';
import { formatMonitorConfigFinding, parseMonitorConfig } from '../../shared/monitor-config';
import type { FileBoundary } from '../files/boundary';
import { FILE_LIMITS, FileAccessError } from '../files/checked-io';
import { fileApiError } from './file-api-error';

/** EDID bytes from hex text; ApiError('invalid') naming the line or the EDID problem (byte offset). */
export function edidFromHex(text: string): Uint8Array {
  const parsed = parseEdidText(text);
  if (parsed.bytes === null) throw new ApiError('invalid', `EDID: line ${parsed.error.line}: ${parsed.error.message}`);
  const bad = decodeEdid(parsed.bytes).findings.find((f) => f.severity === 'error');
  if (bad) throw new ApiError('invalid', `EDID: byte ${bad.offset}: ${bad.message}`);
  return parsed.bytes;
}

/**
 * Read a monitor.config (at most FILE_LIMITS.monitorConfig bytes) as text; text null when it does
 * not exist. path: absolute, inside the boundary. Throws ApiError: invalid (outside the boundary,
 * relative, not a regular file, too large), internal (I/O).
 */
export async function readMonitorConfigFile(files: FileBoundary, path: string): Promise<{ path: string; text: string | null }> {
  try {
    return { path, text: (await files.read(path, FILE_LIMITS.monitorConfig, 'monitor.config')).bytes.toString('utf8') };
  } catch (e) {
    if (e instanceof FileAccessError && e.reason === 'not_found') return { path, text: null };
    throw fileApiError(e);
  }
}

/**
 * Write a monitor.config atomically after checking it. Throws ApiError('config') listing its
 * errors by line, and the boundary's errors as readMonitorConfigFile does (a missing directory is
 * 'not_found').
 */
export async function writeMonitorConfigFile(files: FileBoundary, path: string, text: string): Promise<{ path: string }> {
  const parsed = parseMonitorConfig(text, path);
  const errors = parsed.findings.filter((f) => f.severity === 'error');
  if (errors.length > 0) throw new ApiError('config', `${path} not saved:\n${errors.map((f) => formatMonitorConfigFinding(path, f)).join('\n')}`);
  try {
    await files.write(path, text, 'monitor.config');
  } catch (e) {
    throw fileApiError(e);
  }
  return { path };
}
