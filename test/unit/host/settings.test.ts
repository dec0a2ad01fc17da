import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SETTINGS, SettingsStore } from '../../../src/main/host/settings';
import { methods } from '../../../src/shared/api';

describe('SettingsStore', () => {
  it('starts from the defaults, persists changes atomically and reads them back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'settings-'));
    const s = new SettingsStore(dir);
    expect(s.get()).toEqual(DEFAULT_SETTINGS);
    s.set({ apertureMiB: 1024, hvmBootForeground: false });
    expect(JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8'))).toEqual({ hvmBootForeground: false, apertureMiB: 1024 });
    expect(readdirSync(dir)).toEqual(['settings.json']);
    expect(new SettingsStore(dir).get()).toEqual({ hvmBootForeground: false, apertureMiB: 1024 });
  });

  it('a corrupt or invalid file falls back to the defaults and says why', () => {
    const dir = mkdtempSync(join(tmpdir(), 'settings-'));
    writeFileSync(join(dir, 'settings.json'), '{ not json');
    const a = new SettingsStore(dir);
    expect(a.get()).toEqual(DEFAULT_SETTINGS);
    expect(a.loadProblem).toMatch(/settings\.json/);
    writeFileSync(join(dir, 'settings.json'), JSON.stringify({ apertureMiB: 300 }));
    const b = new SettingsStore(dir);
    expect(b.get()).toEqual(DEFAULT_SETTINGS);
    expect(b.loadProblem).toMatch(/apertureMiB/);
  });

  it('the API accepts only the real aperture sizes', () => {
    expect(methods['settings.set'].safeParse({ apertureMiB: 256 }).success).toBe(true);
    expect(methods['settings.set'].safeParse({ apertureMiB: 300 }).success).toBe(false);
  });
});
