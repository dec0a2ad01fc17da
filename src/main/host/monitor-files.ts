/**
 * Host-side I/O for the monitor editor: reading and atomically writing monitor.config files
 * (refusing malformed ones with line-numbered findings), and turning EDID hex text from a request
 * into validated bytes.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { ApiError } from '../../shared/api';
import { decodeEdid, parseEdidText } from '../../shared/edid';
import { formatMonitorConfigFinding, parseMonitorConfig } from '../../shared/monitor-config';

/** EDID bytes from hex text; ApiError('invalid') naming the line or the EDID problem (byte offset). */
export function edidFromHex(text: string): Uint8Array {
  const parsed = parseEdidText(text);
  if (parsed.bytes === null) throw new ApiError('invalid', `EDID: line ${parsed.error.line}: ${parsed.error.message}`);
  const bad = decodeEdid(parsed.bytes).findings.find((f) => f.severity === 'error');
  if (bad) throw new ApiError('invalid', `EDID: byte ${bad.offset}: ${bad.message}`);
  return parsed.bytes;
}

function checkPath(path: string): void {
  if (!isAbsolute(path)) throw new ApiError('invalid', `monitor.config path must be absolute, got '${path}'`);
}

/** Read a monitor.config as text; null when it does not exist. */
export async function readMonitorConfigFile(path: string): Promise<{ path: string; text: string | null }> {
  checkPath(path);
  try {
    return { path, text: await readFile(path, 'utf8') };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { path, text: null };
    throw new ApiError('internal', `cannot read ${path}: ${(e as Error).message}`);
  }
}

/** Write a monitor.config atomically after checking it; ApiError('config') lists its errors by line. */
export async function writeMonitorConfigFile(path: string, text: string): Promise<{ path: string }> {
  checkPath(path);
  const parsed = parseMonitorConfig(text, path);
  const errors = parsed.findings.filter((f) => f.severity === 'error');
  if (errors.length > 0) throw new ApiError('config', `${path} not saved:\n${errors.map((f) => formatMonitorConfigFinding(path, f)).join('\n')}`);
  try {
    await writeFileAtomic(path, text);
  } catch (e) {
    throw new ApiError('internal', `cannot write ${path}: ${(e as Error).message}`);
  }
  return { path };
}
