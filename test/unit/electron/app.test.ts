import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeBrowserWindow } from './electron-mock';
import { createFakeHost } from '../fakes/fake-host';
import { callSocket } from '../../../src/main/cli/socket-client';
import type { HostOptions } from '../../../src/main/host/host-api';

const electron = vi.hoisted(() => ({ current: null as null | ReturnType<typeof import('./electron-mock').createElectronMock> }));
vi.mock('electron', async () => {
  const mock = (await import('./electron-mock')).createElectronMock();
  electron.current = mock;
  return mock;
});

const { parseInstanceArgs, runElectronApp } = await import('../../../src/main/electron/app');
const { CHANNELS } = await import('../../../src/main/electron/channels');

describe('parseInstanceArgs', () => {
  it('reads --data-dir and --socket in both forms and ignores the rest', () => {
    expect(parseInstanceArgs(['/usr/bin/electron', '.', '--data-dir', '/d', '--socket=/s.sock', '--no-sandbox'])).toEqual({ dataDir: '/d', socket: '/s.sock' });
    expect(parseInstanceArgs(['electron', '.', '--data-dir'])).toEqual({});
  });
});

describe('runElectronApp', () => {
  let dir: string;
  const savedArgv = process.argv;
  const savedSignals = { SIGINT: process.listeners('SIGINT'), SIGTERM: process.listeners('SIGTERM') };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gvt-electron-'));
    FakeBrowserWindow.created.length = 0;
  });
  afterEach(async () => {
    process.argv = savedArgv;
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      for (const l of process.listeners(signal)) if (!savedSignals[signal].includes(l)) process.off(signal, l);
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('starts host, CLI socket, secured window, IPC and menu; shuts them down on quit', async () => {
    const e = electron.current!;
    const data = join(dir, 'data');
    process.argv = ['electron', '.', '--data-dir', data];
    const host = createFakeHost();
    const createHost = vi.fn(async (_options: HostOptions) => host);
    await mkdir(join(dir, 'out', 'renderer'), { recursive: true });
    await writeFile(join(dir, 'out', 'renderer', 'index.html'), '<!doctype html>');
    let ready = (): void => undefined;
    e.app.whenReady.mockImplementationOnce(() => new Promise<void>((resolve) => (ready = resolve)));
    runElectronApp({ createHost, mainDir: join(dir, 'out', 'main') });

    // app:// is privileged before ready (Electron accepts it only then); it is served after ready.
    expect(e.protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
    expect(e.protocol.registerSchemesAsPrivileged.mock.invocationCallOrder[0]).toBeLessThan(e.app.whenReady.mock.invocationCallOrder[0]!);
    expect(e.protocol.handle).not.toHaveBeenCalled();
    ready();

    expect(e.app.enableSandbox).toHaveBeenCalled();
    expect(e.app.paths.get('userData')).toBe(join(data, 'electron'));
    await vi.waitFor(() => expect(FakeBrowserWindow.created).toHaveLength(1), { timeout: 10_000 });
    expect(createHost).toHaveBeenCalledWith({ dataDir: data, workerDir: join(dir, 'out', 'main'), chooseFile: expect.any(Function) });
    // files.choose opens the native save dialog; the host gets the path the user chose.
    e.dialog.showSaveDialog.mockResolvedValueOnce({ canceled: false, filePath: '/home/u/m.config' });
    const hostOptions = createHost.mock.calls[0]![0] as HostOptions;
    expect(await hostOptions.chooseFile!({ purpose: 'monitorConfig', mode: 'save' })).toBe('/home/u/m.config');

    const win = FakeBrowserWindow.created[0]!;
    expect(win.options.webPreferences).toMatchObject({
      preload: join(dir, 'out', 'preload', 'index.js'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    });
    expect(win.loadURL).toHaveBeenCalledWith('app://gvt-desk/index.html');
    // …from out/renderer, on the session the window uses.
    expect(e.session.defaultSession.protocol.handle).toHaveBeenCalledWith('app', expect.any(Function));
    const page = await e.protocol.schemeHandlers.get('app')!(new Request('app://gvt-desk/index.html'));
    expect(page.status).toBe(200);
    expect(await page.text()).toBe('<!doctype html>');
    expect(e.ipcMain.handlers.has(CHANNELS.invoke)).toBe(true);
    await vi.waitFor(() => expect(e.Menu.setApplicationMenu).toHaveBeenCalled(), { timeout: 10_000 });

    // The CLI socket serves the same host.
    const socketPath = join(data, 'gvt-desk.sock');
    expect(await callSocket(socketPath, 'gpu.info', {})).toMatchObject({ foreground: 0 });
    expect((await stat(socketPath)).mode & 0o777).toBe(0o600);

    // Host events reach the window.
    host.emit('display', { foreground: 0 });
    expect(win.webContents.sent).toContainEqual({ channel: CHANNELS.event, args: [{ event: 'display', data: { foreground: 0 } }] });

    // Quit: cleanup first, then exit.
    const quitEvent = { preventDefault: vi.fn() };
    e.app.emit('will-quit', quitEvent);
    expect(quitEvent.preventDefault).toHaveBeenCalled();
    await vi.waitFor(() => expect(e.app.exit).toHaveBeenCalledWith(0), { timeout: 10_000 });
    expect(host.closed).toBe(true);
    await expect(stat(socketPath)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(e.ipcMain.handlers.has(CHANNELS.invoke)).toBe(false);
  });
});
