/**
 * Electron wiring: one host, the CLI socket, the main window (IPC + pushed events/frames) and the
 * application menu; orderly shutdown on quit, SIGINT or SIGTERM.
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, session, shell } from 'electron';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { HostApi, HostOptions } from '../host/host-api';
import { resolvePaths, type PathOptions } from '../host/paths';
import { prepareSocketPath, startSocketServer, type SocketServer } from '../host/socket-server';
import { APP_SCHEME, appProtocolHandler, registerAppScheme } from './app-protocol';
import { chooseFileWithDialog } from './choose-file';
import { examplesDir, importConfigFromDialog } from './import';
import { makeSenderCheck, pushHostToWindow, registerIpc, type WindowPush } from './ipc';
import { installAppMenu, type AppMenu } from './menu';
import { createMainWindow, isRendererUrl, rendererSource } from './window';

export interface ElectronAppOptions {
  createHost: (options: HostOptions) => Promise<HostApi>;
  /** Directory of the built main process (out/main): workers live here, preload and renderer beside it. */
  mainDir: string;
}

/**
 * `--data-dir DIR` / `--socket PATH` (or `--opt=value`) from Electron's argv; other arguments
 * (Electron's and Chromium's own) are ignored.
 */
export function parseInstanceArgs(argv: string[]): PathOptions {
  const out: PathOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    for (const [flag, key] of [['--data-dir', 'dataDir'], ['--socket', 'socket']] as const) {
      if (arg === flag && i + 1 < argv.length) out[key] = argv[++i];
      else if (arg.startsWith(`${flag}=`)) out[key] = arg.slice(flag.length + 1);
    }
  }
  return out;
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Start the Electron app (call once, from the main entry, before `ready`: it registers the app:// scheme). */
export function runElectronApp(options: ElectronAppOptions): void {
  const { dataDir, socketPath } = resolvePaths(parseInstanceArgs(process.argv), process.env);
  // Each data dir gets its own Chromium profile, so instances side by side do not share one.
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  app.setPath('userData', join(dataDir, 'electron'));
  app.enableSandbox();
  registerAppScheme(protocol);

  let host: HostApi | null = null;
  let socket: SocketServer | null = null;
  let win: BrowserWindow | null = null;
  let push: WindowPush | null = null;
  let menu: AppMenu | null = null;
  let unregisterIpc: (() => void) | null = null;
  let shutdownDone = false;
  let shuttingDown: Promise<void> | null = null;

  const showError = (title: string, err: unknown): void => {
    console.error(`gvt-desk: ${title}:`, err);
    dialog.showErrorBox(title, messageOf(err));
  };

  async function shutdown(): Promise<void> {
    shuttingDown ??= (async () => {
      menu?.dispose();
      push?.dispose();
      unregisterIpc?.();
      await socket?.close().catch((err: unknown) => console.error('gvt-desk: closing the socket failed', err));
      await host?.close().catch((err: unknown) => console.error('gvt-desk: closing the host failed', err));
    })();
    return shuttingDown;
  }

  async function start(): Promise<void> {
    // Fail before the host (GPU thread, guests) starts if another instance owns the socket.
    await prepareSocketPath(socketPath, { dataDir });
    host = await options.createHost({ dataDir, workerDir: options.mainDir, chooseFile: (request) => chooseFileWithDialog(dialog, win, request) });
    socket = await startSocketServer({ host, path: socketPath, dataDir });
    const liveHost = host;

    const source = rendererSource(process.env, app.isPackaged);
    // The main window has no partition, so it uses the default session: serve app:// there.
    session.defaultSession.protocol.handle(APP_SCHEME, appProtocolHandler(join(options.mainDir, '..', 'renderer')));
    unregisterIpc = registerIpc({
      ipcMain,
      host: liveHost,
      isTrustedSender: makeSenderCheck(() => win, (url) => isRendererUrl(url, source)),
      onFrameAck: () => push?.ack(),
      frames: () => push?.flow,
    });
    win = createMainWindow({ preload: join(options.mainDir, '..', 'preload', 'index.js'), source });
    const thisWindow = win;
    push = pushHostToWindow(liveHost, win.webContents);
    win.webContents.on('did-start-loading', () => push?.reset());
    win.on('closed', () => {
      if (win === thisWindow) win = null;
      push?.dispose();
      push = null;
    });

    menu = installAppMenu({
      Menu,
      host: liveHost,
      env: { platform: process.platform, isPackaged: app.isPackaged },
      importConfig: () => {
        importConfigFromDialog({ dialog, host: liveHost, window: win, defaultPath: examplesDir({ isPackaged: app.isPackaged, resourcesPath: process.resourcesPath, appPath: app.getAppPath() }) }).catch((err: unknown) => showError('Import failed', err));
      },
      openExternal: (url) => {
        shell.openExternal(url).catch((err: unknown) => showError('Cannot open the link', err));
      },
      onError: showError,
    });
    menu.refresh().catch((err: unknown) => console.error('gvt-desk: cannot fill the Display menu', err));
  }

  // Defence in depth for any web contents (devtools included): no popups, no webviews.
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', (event) => {
    if (shutdownDone) return;
    event.preventDefault();
    void shutdown().finally(() => {
      shutdownDone = true;
      app.exit(process.exitCode === undefined ? 0 : Number(process.exitCode));
    });
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());

  app
    .whenReady()
    .then(start)
    .catch(async (err: unknown) => {
      dialog.showErrorBox('GVT Desk cannot start', messageOf(err));
      console.error('gvt-desk: cannot start:', err);
      process.exitCode = 1;
      await shutdown();
      shutdownDone = true;
      app.exit(1);
    });
}
