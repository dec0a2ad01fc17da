/**
 * The main window and its security settings: isolated, sandboxed renderer without Node; no
 * navigation away from the app, no new windows, no webviews, no permissions.
 */
import { BrowserWindow, type WebContents, type WebPreferences } from 'electron';
import { APP_INDEX_URL, isAppUrl } from './app-protocol';

/** The webPreferences every GVT Desk window uses; `preload` is the absolute path of out/preload/index.js. */
export function secureWebPreferences(preload: string): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    spellcheck: false,
  };
}

/** Permissions the renderer may use: writing to the clipboard (copy from consoles). */
const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write']);

/**
 * Lock down a window's web contents: every navigation is prevented (the app is a single page),
 * window.open and target=_blank are denied, <webview> cannot attach, and permission requests are
 * refused except clipboard writes.
 */
export function hardenWebContents(contents: WebContents): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.session.setPermissionRequestHandler((_wc, permission, callback) => callback(ALLOWED_PERMISSIONS.has(permission)));
  contents.session.setPermissionCheckHandler((_wc, permission) => ALLOWED_PERMISSIONS.has(permission));
}

/** Where the renderer comes from: the Vite dev server (ELECTRON_RENDERER_URL) or the built files on app://gvt-desk/. */
export type RendererSource = { kind: 'dev'; url: string } | { kind: 'app' };

/** Pick the renderer source: ELECTRON_RENDERER_URL (set by `electron-vite dev`) when not packaged, else app://. */
export function rendererSource(env: Record<string, string | undefined>, isPackaged: boolean): RendererSource {
  const devUrl = env.ELECTRON_RENDERER_URL;
  if (!isPackaged && devUrl) return { kind: 'dev', url: devUrl };
  return { kind: 'app' };
}

/**
 * True when `url` is a page of our renderer: any URL on app://gvt-desk/ (see isAppUrl), or, for
 * the dev server, any URL with its (http) origin. Nothing else: no file: URL, no other app:// host.
 */
export function isRendererUrl(url: string, source: RendererSource): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (source.kind === 'app') return isAppUrl(u);
  const origin = new URL(source.url).origin;
  // Non-special schemes all have the origin 'null', which must not match itself.
  return origin !== 'null' && u.origin === origin;
}

export interface MainWindowOptions {
  /** Absolute path of the preload script (out/preload/index.js). */
  preload: string;
  source: RendererSource;
}

/**
 * Create, harden and load the main window (the dev server URL, or APP_INDEX_URL, which needs the
 * app:// handler on the default session); it is shown once its first paint is ready.
 */
export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: 1360,
    height: 860,
    minWidth: 800,
    minHeight: 500,
    title: 'GVT Desk',
    backgroundColor: '#1e1f24',
    show: false,
    webPreferences: secureWebPreferences(options.preload),
  });
  hardenWebContents(win.webContents);
  win.once('ready-to-show', () => win.show());
  win.loadURL(options.source.kind === 'dev' ? options.source.url : APP_INDEX_URL).catch((err: unknown) => console.error('gvt-desk: cannot load the renderer', err));
  return win;
}
