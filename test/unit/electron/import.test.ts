import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../../src/shared/api';
import { createElectronMock } from './electron-mock';
import { createFakeHost } from '../fakes/fake-host';

vi.mock('electron', async () => (await import('./electron-mock')).createElectronMock());

const { examplesDir, importConfigFromDialog } = await import('../../../src/main/electron/import');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gvt-import-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('File ▸ Import', () => {
  it('imports the picked file through library.import', async () => {
    const file = join(dir, 'xlexample.hvm');
    await writeFile(file, "name='vgtHVMDomain'\nvgt=1\n");
    const { dialog } = createElectronMock();
    dialog.showOpenDialog.mockResolvedValue({ canceled: false, filePaths: [file] });
    const host = createFakeHost();
    expect(await importConfigFromDialog({ dialog: dialog as never, host, window: null })).toBe('xlexample');
    expect(host.calls).toEqual([{ method: 'library.import', params: { fileName: 'xlexample.hvm', text: "name='vgtHVMDomain'\nvgt=1\n" } }]);
  });

  it('opens in the shipped examples folder (electron-builder.yml extraResources → <resources>/examples)', async () => {
    const { dialog } = createElectronMock();
    dialog.showOpenDialog.mockResolvedValue({ canceled: true, filePaths: [] });
    await importConfigFromDialog({ dialog: dialog as never, host: createFakeHost(), window: null, defaultPath: '/opt/GVT Desk/resources/examples' });
    expect(dialog.showOpenDialog.mock.calls[0][0]).toMatchObject({ defaultPath: '/opt/GVT Desk/resources/examples' });
    expect(examplesDir({ isPackaged: true, resourcesPath: '/opt/GVT Desk/resources', appPath: '/opt/GVT Desk/resources/app.asar' })).toBe('/opt/GVT Desk/resources/examples');
    expect(examplesDir({ isPackaged: false, resourcesPath: '/usr/lib/electron/resources', appPath: '/src/gvt-desk' })).toBe('/src/gvt-desk/resources/examples');
  });

  it('does nothing when cancelled', async () => {
    const { dialog } = createElectronMock();
    dialog.showOpenDialog.mockResolvedValue({ canceled: true, filePaths: [] });
    const host = createFakeHost();
    expect(await importConfigFromDialog({ dialog: dialog as never, host, window: null })).toBeNull();
    expect(host.calls).toEqual([]);
  });

  it('a taken name: Import as a Copy, Replace or Cancel, as the library banner offers', async () => {
    const file = join(dir, 'vm.hvm');
    await writeFile(file, "name='vm'\n");
    const { dialog } = createElectronMock();
    dialog.showOpenDialog.mockResolvedValue({ canceled: false, filePaths: [file] });
    const host = createFakeHost();
    host.failNext('library.import', new ApiError('exists', "domain 'vm' already exists"));
    dialog.showMessageBox.mockResolvedValueOnce({ response: 1 });
    expect(await importConfigFromDialog({ dialog: dialog as never, host, window: null })).toBe('vm');
    expect(host.calls.map((c) => (c.params as { replace?: boolean }).replace)).toEqual([undefined, true]);
    expect(dialog.showMessageBox.mock.calls[0]?.[0]).toMatchObject({ buttons: ['Import as a Copy', 'Replace', 'Cancel'], cancelId: 2 });

    host.failNext('library.import', new ApiError('exists', "domain 'vm' already exists"));
    dialog.showMessageBox.mockResolvedValueOnce({ response: 0 });
    expect(await importConfigFromDialog({ dialog: dialog as never, host, window: null })).toBe('vm-2');
    expect(host.calls.at(-1)).toEqual({ method: 'library.importCopy', params: { fileName: 'vm.hvm', text: "name='vm'\n" } });

    host.failNext('library.import', new ApiError('exists', "domain 'vm' already exists"));
    dialog.showMessageBox.mockResolvedValueOnce({ response: 2 });
    expect(await importConfigFromDialog({ dialog: dialog as never, host, window: null })).toBeNull();
    expect(host.calls).toHaveLength(5);
  });

  it('passes other host errors on and refuses files over 1 MiB', async () => {
    const file = join(dir, 'bad.hvm');
    await writeFile(file, 'memory=');
    const { dialog } = createElectronMock();
    dialog.showOpenDialog.mockResolvedValue({ canceled: false, filePaths: [file] });
    const host = createFakeHost();
    host.failNext('library.import', new ApiError('config', 'bad.hvm:1: memory: expected a number'));
    await expect(importConfigFromDialog({ dialog: dialog as never, host, window: null })).rejects.toMatchObject({ code: 'config' });
    await writeFile(file, Buffer.alloc((1 << 20) + 1, 0x61));
    await expect(importConfigFromDialog({ dialog: dialog as never, host, window: null })).rejects.toThrow('is 1048577 bytes; the limit is 1048576 bytes');
  });

  it('refuses a FIFO or a device at once, through the same checked reader as every other entry point', async () => {
    const fifo = join(dir, 'fifo.hvm');
    execFileSync('mkfifo', [fifo]);
    const { dialog } = createElectronMock();
    const host = createFakeHost();
    dialog.showOpenDialog.mockResolvedValue({ canceled: false, filePaths: [fifo] });
    await expect(importConfigFromDialog({ dialog: dialog as never, host, window: null })).rejects.toThrow(`config file ${fifo}: is a FIFO, not a regular file`);
    dialog.showOpenDialog.mockResolvedValue({ canceled: false, filePaths: ['/dev/zero'] });
    await expect(importConfigFromDialog({ dialog: dialog as never, host, window: null })).rejects.toThrow('/dev/zero: is a character device, not a regular file');
    expect(host.calls).toEqual([]);
  });
});
