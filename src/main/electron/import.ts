/**
 * File ▸ Import Domain Config…: pick an xl config (or a KVMGT command line, or libvirt domain XML)
 * with the native dialog and add it to the library through the host API (`library.import`); a
 * name that is taken gets the same choice as the library's banner: Import as a copy
 * (`library.importCopy`), Replace (`library.import` with replace, refused while the domain runs)
 * or Cancel.
 */
import type { BrowserWindow, Dialog } from 'electron';
import { realpath } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ApiError } from '../../shared/api';
import { FILE_LIMITS, readRegularFile } from '../files/checked-io';
import type { HostApi } from '../host/host-api';

export interface ImportDeps {
  dialog: Pick<Dialog, 'showOpenDialog' | 'showMessageBox'>;
  host: HostApi;
  window: BrowserWindow | null;
  /** Folder the dialog opens in: the seeds' examples shipped with the app (examplesDir). */
  defaultPath?: string;
}

/**
 * Where the seeds' example configs are: `<resources>/examples` in a packaged app
 * (electron-builder.yml extraResources), `resources/examples` of the checkout otherwise.
 */
export function examplesDir(env: { isPackaged: boolean; resourcesPath: string; appPath: string }): string {
  return env.isPackaged ? join(env.resourcesPath, 'examples') : join(env.appPath, 'resources', 'examples');
}

/**
 * Run the import flow. Resolves with the imported domain name, or null if the user cancelled.
 * Rejects with ApiError from the host (e.g. 'config') or FileAccessError for a file that is not a
 * regular file, is over FILE_LIMITS.config or cannot be read (the checked reader every entry uses).
 */
export async function importConfigFromDialog(deps: ImportDeps): Promise<string | null> {
  const options = {
    title: 'Import domain config',
    ...(deps.defaultPath ? { defaultPath: deps.defaultPath } : {}),
    properties: ['openFile' as const],
    filters: [
      // What library.import reads: xl configs, KVMGT qemu command lines and libvirt domain XML.
      { name: 'Domain configs (xl, KVMGT command line, libvirt XML)', extensions: ['hvm', 'cfg', 'conf', 'xl', 'sh', 'xml'] },
      { name: 'All files', extensions: ['*'] },
    ],
  };
  const picked = deps.window ? await deps.dialog.showOpenDialog(deps.window, options) : await deps.dialog.showOpenDialog(options);
  const file = picked.filePaths[0];
  if (picked.canceled || !file) return null;
  const text = (await readRegularFile(await realpath(file), FILE_LIMITS.config, 'config file')).toString('utf8');
  const fileName = basename(file);
  try {
    return ((await deps.host.call('library.import', { fileName, text })) as { name: string }).name;
  } catch (err) {
    if (!(err instanceof ApiError && err.code === 'exists')) throw err;
    const box = {
      type: 'question' as const,
      buttons: ['Import as a Copy', 'Replace', 'Cancel'],
      defaultId: 0,
      cancelId: 2,
      message: err.message,
      detail: `Import ${fileName} under a new name, or replace the library entry with it?`,
    };
    const answer = deps.window ? await deps.dialog.showMessageBox(deps.window, box) : await deps.dialog.showMessageBox(box);
    if (answer.response === 0) return ((await deps.host.call('library.importCopy', { fileName, text })) as { name: string }).name;
    if (answer.response !== 1) return null;
    return ((await deps.host.call('library.import', { fileName, text, replace: true })) as { name: string }).name;
  }
}
