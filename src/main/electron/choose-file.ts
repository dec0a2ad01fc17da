/**
 * files.choose in Electron: the native open/save dialog for a file the host may then read and
 * write (the host adds the chosen path to its file boundary). Only the user's answer to a dialog
 * the main process shows can widen the boundary; nothing the renderer sends names a path here.
 */
import type { BrowserWindow, Dialog } from 'electron';
import type { Params } from '../../shared/api';

const FILTERS = {
  monitorConfig: [
    { name: 'monitor.config', extensions: ['config', 'cfg', 'txt', 'bin'] },
    { name: 'All files', extensions: ['*'] },
  ],
} as const;

/**
 * Show the dialog `request` asks for, modal to `window` when there is one.
 * Resolves with the absolute path chosen, or null when the user cancelled.
 */
export async function chooseFileWithDialog(dialog: Pick<Dialog, 'showOpenDialog' | 'showSaveDialog'>, window: BrowserWindow | null, request: Params<'files.choose'>): Promise<string | null> {
  const filters = FILTERS[request.purpose].map((f) => ({ name: f.name, extensions: [...f.extensions] }));
  if (request.mode === 'open') {
    const options = { title: 'Choose a monitor.config', properties: ['openFile' as const], filters };
    const r = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
    return r.canceled ? null : (r.filePaths[0] ?? null);
  }
  const options = { title: 'Save the monitor.config as', defaultPath: request.suggestedName, filters };
  const r = window ? await dialog.showSaveDialog(window, options) : await dialog.showSaveDialog(options);
  return r.canceled || !r.filePath ? null : r.filePath;
}
