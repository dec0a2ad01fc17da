import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeBrowserWindow } from './electron-mock';
import { createFakeHost } from '../fakes/fake-host';
import { callSocket } from '../../../src/main/cli/socket-client';

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
    const createHost = vi.fn(async () => host);
    runElectronApp({ createHost, mainDir: join(dir, 'out', 'main') });

    expect(e.app.enableSandbox).toHaveBeenCalled();
    expect(e.app.paths.get('userData')).toBe(join(data, 'electron'));
    await vi.waitFor(() => expect(FakeBrowserWindow.created).toHaveLength(1));
    expect(createHost).toHaveBeenCalledWith({ dataDir: data, workerDir: join(dir, 'out', 'main') });

    const win = FakeBrowserWindow.created[0]!;
    expect(win.options.webPreferences).toMatchObject({
      preload: join(dir, 'out', 'preload', 'index.js'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    });
    expect(win.loadFile).toHaveBeenCalledWith(join(dir, 'out', 'renderer', 'index.html'));
    expect(e.ipcMain.handlers.has(CHANNELS.invoke)).toBe(true);
    await vi.waitFor(() => expect(e.Menu.setApplicationMenu).toHaveBeenCalled());

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
    await vi.waitFor(() => expect(e.app.exit).toHaveBeenCalledWith(0));
    expect(host.closed).toBe(true);
    await expect(stat(socketPath)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(e.ipcMain.handlers.has(CHANNELS.invoke)).toBe(false);
  });
});
