import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

interface StartJs {
  electronBinary(root: string, env: Record<string, string | undefined>): string | null;
  hasDisplay(env: Record<string, string | undefined>, platform: string): boolean;
  earlyFailure(code: number | null, signal: string | null, elapsedMs: number): string | null;
  EARLY_FAILURE_MS: number;
}
const start = createRequire(import.meta.url)('../../../bin/start.js') as StartJs;

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'gvt-start-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('bin/start.js', () => {
  it('finds the Electron binary only when path.txt and the dist binary both exist', async () => {
    const pkg = join(root, 'node_modules', 'electron');
    await mkdir(join(pkg, 'dist'), { recursive: true });
    expect(start.electronBinary(root, {})).toBeNull();
    await writeFile(join(pkg, 'path.txt'), 'electron');
    expect(start.electronBinary(root, {})).toBeNull(); // not downloaded
    await writeFile(join(pkg, 'dist', 'electron'), '');
    expect(start.electronBinary(root, {})).toBe(join(pkg, 'dist', 'electron'));
    await mkdir(join(root, 'other'));
    expect(start.electronBinary(root, { ELECTRON_OVERRIDE_DIST_PATH: join(root, 'other') })).toBeNull();
  });

  it('needs $DISPLAY or $WAYLAND_DISPLAY on Linux only', () => {
    expect(start.hasDisplay({}, 'linux')).toBe(false);
    expect(start.hasDisplay({ DISPLAY: ':0' }, 'linux')).toBe(true);
    expect(start.hasDisplay({ WAYLAND_DISPLAY: 'wayland-0' }, 'linux')).toBe(true);
    expect(start.hasDisplay({}, 'darwin')).toBe(true);
    expect(start.hasDisplay({}, 'win32')).toBe(true);
  });

  it('treats an early failure or crash as "could not start", not a user quit or a late failure', () => {
    expect(start.earlyFailure(1, null, 500)).toBe('Electron exited with code 1 right after launch');
    expect(start.earlyFailure(null, 'SIGTRAP', 500)).toBe('Electron was killed by SIGTRAP right after launch');
    expect(start.earlyFailure(0, null, 500)).toBeNull();
    expect(start.earlyFailure(null, 'SIGINT', 500)).toBeNull();
    expect(start.earlyFailure(1, null, start.EARLY_FAILURE_MS + 1)).toBeNull();
  });
});
