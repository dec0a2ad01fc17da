import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DebugLogger } from 'builder-util';
import type { Configuration } from 'electron-builder';
// electron-builder's own loader and schema check (electron-builder re-exports neither), so the test
// sees exactly what `electron-builder` would: electron-builder.yml, or a package.json "build" key.
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config';

const projectDir = fileURLToPath(new URL('../../..', import.meta.url));

describe('electron-builder.yml', () => {
  it('is valid for electron-builder and packages out/ into an asar', async () => {
    const config: Configuration = await getConfig(projectDir, null, null);
    await validateConfiguration(structuredClone(config), new DebugLogger(false));
    expect(config).toMatchObject({ productName: 'GVT Desk', directories: { output: 'dist' }, asar: true });
    expect(config.appId).toMatch(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/);
    // (electron-builder normalises a plain list of patterns into one file set.)
    expect(config.files).toEqual([{ filter: ['out/**', 'package.json'] }]);
  });

  it('builds an AppImage and a deb, with what the deb target requires', async () => {
    const config: Configuration = await getConfig(projectDir, null, null);
    expect(config.linux?.target).toEqual(['AppImage', 'deb']);
    // FpmTarget.computeFpmMetaInfoOptions refuses a deb without a homepage and an author email
    // (or linux.maintainer); it reads them from package.json.
    const pkg = JSON.parse(readFileSync(join(projectDir, 'package.json'), 'utf8')) as { homepage?: string; author?: { name?: string; email?: string } };
    expect(pkg.homepage).toMatch(/^https:\/\//);
    expect(pkg.author?.email).toMatch(/^[^@\s]+@[^@\s]+$/);
    expect(pkg.author?.name).toBeTruthy();
  });

  it('ships the seeds\' examples as resources (File ▸ Import opens there)', async () => {
    const config: Configuration = await getConfig(projectDir, null, null);
    expect(config.extraResources).toEqual([{ from: 'resources/examples', to: 'examples' }]);
    expect(readdirSync(join(projectDir, 'resources', 'examples')).sort()).toEqual(['kvmgt-qemu.sh', 'monitor.config', 'xlexample.hvm', 'xmexample-2013.conf']);
  });

  it('has an npm script that packages after building', () => {
    const pkg = JSON.parse(readFileSync(join(projectDir, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.dist).toBe('npm run build && electron-builder --linux');
  });

  it('flips exactly the hardening fuses', async () => {
    const config: Configuration = await getConfig(projectDir, null, null);
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });
});
