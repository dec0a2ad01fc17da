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

  it('creates the window with those preferences and loads the built renderer from app://gvt-desk/', () => {
    const win = createMainWindow({ preload: '/app/out/preload/index.js', source: { kind: 'app' } }) as unknown as FakeBrowserWindow;
    expect(win.options.webPreferences).toEqual(secureWebPreferences('/app/out/preload/index.js'));
    expect(win.loadURL.mock.calls).toEqual([['app://gvt-desk/index.html']]);
    // Navigation and popups are locked down on the created window too.
    const event = { preventDefault: vi.fn() };
    win.webContents.emit('will-navigate', event, 'https://example.com/');
    expect(event.preventDefault).toHaveBeenCalled();
    expect(win.webContents.windowOpenHandler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
  });

  it('loads the dev server URL when given', () => {
    const win = createMainWindow({ preload: '/p.js', source: { kind: 'dev', url: 'http://localhost:5173/' } }) as unknown as FakeBrowserWindow;
    expect(win.loadURL.mock.calls).toEqual([['http://localhost:5173/']]);
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
  it('uses ELECTRON_RENDERER_URL only when not packaged, else app://', () => {
    expect(rendererSource({ ELECTRON_RENDERER_URL: 'http://localhost:5173' }, false)).toEqual({ kind: 'dev', url: 'http://localhost:5173' });
    expect(rendererSource({ ELECTRON_RENDERER_URL: 'http://localhost:5173' }, true)).toEqual({ kind: 'app' });
    expect(rendererSource({}, false)).toEqual({ kind: 'app' });
  });

  it.each([
    ['app://gvt-desk/index.html', true],
    ['app://gvt-desk/index.html#/vm/1', true],
    ['app://gvt-desk/x', true],
    ['app://gvt-desk/', true],
    ['file:///app/out/renderer/index.html', false],
    ['file:///tmp/evil.html', false],
    ['app://evil/', false],
    ['app://evil/index.html', false],
    ['app://gvt-desk:1234/index.html', false],
    ['app://attacker@gvt-desk/index.html', false],
    ['other://gvt-desk/index.html', false],
    ['http://gvt-desk/index.html', false],
    ['https://example.com/', false],
    ['not a url', false],
  ])('built renderer: %s is ours: %s', (url, ours) => {
    expect(isRendererUrl(url, { kind: 'app' })).toBe(ours);
  });

  it('dev server: accepts its origin only', () => {
    const dev = { kind: 'dev' as const, url: 'http://localhost:5173/' };
    expect(isRendererUrl('http://localhost:5173/some/route', dev)).toBe(true);
    expect(isRendererUrl('http://localhost:5174/', dev)).toBe(false);
    expect(isRendererUrl('app://gvt-desk/index.html', dev)).toBe(false);
    expect(isRendererUrl('file:///app/out/renderer/index.html', dev)).toBe(false);
  });
});
