import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SESSION_FILE, loadSession, saveSession } from '../../../src/main/host/browser-session';

let dir: string;
beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'gvt-session-'))));
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('browser session (port and token kept across restarts)', () => {
  it('starts new (any port, a fresh 32-hex-digit token) without a file, and reuses a saved one', async () => {
    const fresh = await loadSession(dir);
    expect(fresh.port).toBe(0);
    expect(fresh.token).toMatch(/^[0-9a-f]{32}$/);
    expect(fresh.discarded).toBeUndefined();
    await saveSession(dir, { port: 43117, token: fresh.token });
    expect((await stat(join(dir, SESSION_FILE))).mode & 0o777).toBe(0o600);
    expect(await loadSession(dir)).toEqual({ port: 43117, token: fresh.token });
    expect(JSON.parse(await readFile(join(dir, SESSION_FILE), 'utf8'))).toEqual({ port: 43117, token: fresh.token });
  });

  it('starts new, saying why, when the file is not JSON or has a bad field', async () => {
    for (const [text, why] of [
      ['{', 'not JSON'],
      ['{"port": 70000, "token": "0123456789abcdef0123456789abcdef"}', 'port:'],
      ['{"port": 8080, "token": "short"}', 'token:'],
      ['{"port": 8080, "token": "0123456789abcdef0123456789abcdef", "extra": 1}', '(root)'],
    ]) {
      await writeFile(join(dir, SESSION_FILE), text);
      const s = await loadSession(dir);
      expect(s.port).toBe(0);
      expect(s.discarded).toContain(why);
    }
  });
});
