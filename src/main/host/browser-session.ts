/**
 * Browser mode's session: the TCP port and access token `gvt-desk serve` used last, kept in the
 * data dir (`browser-session.json`, mode 0600, written atomically) so a restarted host listens
 * where an open tab reconnects and accepts the token in its address. A missing, unreadable or
 * malformed file starts a new session (port 0: any free one; a fresh random token).
 */
import { chmod, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { writeFileAtomically } from '../files/checked-io';

export const SESSION_FILE = 'browser-session.json';

const sessionSchema = z.object({ port: z.number().int().min(1).max(65535), token: z.string().regex(/^[0-9a-f]{32,128}$/) }).strict();

export interface BrowserSession {
  /** The port to listen on: the saved one, or 0 (any free port) for a new session. */
  port: number;
  token: string;
  /** Why the saved session was not used (for the log), if there was a file and it was not. */
  discarded?: string;
}

/** The saved session in `dataDir`, or a new one (port 0, fresh token) when there is none usable. */
export async function loadSession(dataDir: string): Promise<BrowserSession> {
  const fresh = (discarded?: string): BrowserSession => ({ port: 0, token: randomBytes(16).toString('hex'), ...(discarded ? { discarded } : {}) });
  let text: string;
  try {
    text = await readFile(join(dataDir, SESSION_FILE), 'utf8');
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? fresh() : fresh(`${SESSION_FILE}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return fresh(`${SESSION_FILE}: not JSON`);
  }
  const r = sessionSchema.safeParse(parsed);
  if (!r.success) return fresh(`${SESSION_FILE}: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  return r.data;
}

/** Keep `port` and `token` for the next start (atomically, readable by the owner only). */
export async function saveSession(dataDir: string, session: { port: number; token: string }): Promise<void> {
  const path = join(dataDir, SESSION_FILE);
  await writeFileAtomically(path, `${JSON.stringify({ port: session.port, token: session.token })}\n`, 'browser session');
  await chmod(path, 0o600);
}
