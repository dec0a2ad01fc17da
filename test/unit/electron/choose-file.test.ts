import { describe, expect, it, vi } from 'vitest';
import { createElectronMock } from './electron-mock';

vi.mock('electron', async () => (await import('./electron-mock')).createElectronMock());

const { chooseFileWithDialog } = await import('../../../src/main/electron/choose-file');

describe('files.choose in Electron', () => {
  it('save: the save dialog with the suggested name; the chosen path comes back', async () => {
    const { dialog } = createElectronMock();
    dialog.showSaveDialog.mockResolvedValue({ canceled: false, filePath: '/home/u/vm1.monitor.config' });
    expect(await chooseFileWithDialog(dialog as never, null, { purpose: 'monitorConfig', mode: 'save', suggestedName: 'vm1.monitor.config' })).toBe('/home/u/vm1.monitor.config');
    expect(dialog.showSaveDialog.mock.calls[0]![0]).toMatchObject({ defaultPath: 'vm1.monitor.config' });
  });

  it('open: the open dialog; cancel gives null', async () => {
    const { dialog } = createElectronMock();
    dialog.showOpenDialog.mockResolvedValue({ canceled: false, filePaths: ['/srv/monitor.config'] });
    expect(await chooseFileWithDialog(dialog as never, null, { purpose: 'monitorConfig', mode: 'open' })).toBe('/srv/monitor.config');
    dialog.showOpenDialog.mockResolvedValue({ canceled: true, filePaths: [] });
    expect(await chooseFileWithDialog(dialog as never, null, { purpose: 'monitorConfig', mode: 'open' })).toBeNull();
    dialog.showSaveDialog.mockResolvedValue({ canceled: true, filePath: '' });
    expect(await chooseFileWithDialog(dialog as never, null, { purpose: 'monitorConfig', mode: 'save' })).toBeNull();
  });
});
