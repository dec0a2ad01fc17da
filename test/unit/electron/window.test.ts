import { describe, expect, it, vi } from 'vitest';
import { FakeBrowserWindow, FakeWebContents } from './electron-mock';

vi.mock('electron', async () => (await import('./electron-mock')).createElectronMock());

const { createMainWindow, hardenWebContents, isRendererUrl, rendererSource, secureWebPreferences } = await import('../../../src/main/electron/window');

describe('window security', () => {
  it('uses isolated, sandboxed webPreferences without Node', () => {
    const prefs = secureWebPreferences('/app/out/preload/index.js');
    expect(prefs).toMatchObject({
      preload: '/app/out/preload/index.js',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('creates the window with those preferences and loads the built renderer file', () => {
    const win = createMainWindow({ preload: '/app/out/preload/index.js', source: { kind: 'file', path: '/app/out/renderer/index.html' } }) as unknown as FakeBrowserWindow;
    expect(win.options.webPreferences).toEqual(secureWebPreferences('/app/out/preload/index.js'));
    expect(win.loadFile).toHaveBeenCalledWith('/app/out/renderer/index.html');
    expect(win.loadURL).not.toHaveBeenCalled();
    // Navigation and popups are locked down on the created window too.
    const event = { preventDefault: vi.fn() };
    win.webContents.emit('will-navigate', event, 'https://example.com/');
    expect(event.preventDefault).toHaveBeenCalled();
    expect(win.webContents.windowOpenHandler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
  });

  it('loads the dev server URL when given', () => {
    const win = createMainWindow({ preload: '/p.js', source: { kind: 'url', url: 'http://localhost:5173/' } }) as unknown as FakeBrowserWindow;
    expect(win.loadURL).toHaveBeenCalledWith('http://localhost:5173/');
  });

  it('prevents navigation and webviews, denies window.open and permissions except clipboard writes', () => {
    const wc = new FakeWebContents();
    hardenWebContents(wc as never);
    for (const name of ['will-navigate', 'will-attach-webview']) {
      const event = { preventDefault: vi.fn() };
      wc.emit(name, event, 'file:///etc/passwd');
      expect(event.preventDefault).toHaveBeenCalledTimes(1);
    }
    expect(wc.windowOpenHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    const answers: Record<string, boolean> = {};
    for (const perm of ['media', 'geolocation', 'notifications', 'clipboard-read', 'clipboard-sanitized-write']) {
      wc.permissionRequestHandler?.(wc, perm, (ok) => (answers[perm] = ok));
    }
    expect(answers).toEqual({ media: false, geolocation: false, notifications: false, 'clipboard-read': false, 'clipboard-sanitized-write': true });
    expect(wc.permissionCheckHandler?.(wc, 'media')).toBe(false);
  });
});

describe('renderer source and URL check', () => {
  it('uses ELECTRON_RENDERER_URL only when not packaged', () => {
    expect(rendererSource({ ELECTRON_RENDERER_URL: 'http://localhost:5173' }, false, '/r/index.html')).toEqual({ kind: 'url', url: 'http://localhost:5173' });
    expect(rendererSource({ ELECTRON_RENDERER_URL: 'http://localhost:5173' }, true, '/r/index.html')).toEqual({ kind: 'file', path: '/r/index.html' });
    expect(rendererSource({}, false, '/r/index.html')).toEqual({ kind: 'file', path: '/r/index.html' });
  });

  it('accepts only our index.html or the dev server origin', () => {
    const file = { kind: 'file' as const, path: '/app/out/renderer/index.html' };
    expect(isRendererUrl('file:///app/out/renderer/index.html', file)).toBe(true);
    expect(isRendererUrl('file:///app/out/renderer/index.html#/vm/1', file)).toBe(true);
    expect(isRendererUrl('file:///app/out/renderer/other.html', file)).toBe(false);
    expect(isRendererUrl('file:///tmp/evil.html', file)).toBe(false);
    expect(isRendererUrl('https://example.com/app/out/renderer/index.html', file)).toBe(false);
    expect(isRendererUrl('not a url', file)).toBe(false);
    const dev = { kind: 'url' as const, url: 'http://localhost:5173/' };
    expect(isRendererUrl('http://localhost:5173/some/route', dev)).toBe(true);
    expect(isRendererUrl('http://localhost:5174/', dev)).toBe(false);
  });
});
