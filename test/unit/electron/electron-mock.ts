/**
 * A minimal stand-in for the parts of the `electron` module the main process uses, for
 * vi.mock('electron', …). Records what was created and registered so tests can drive it.
 */
import { EventEmitter } from 'node:events';
import { vi } from 'vitest';

export class FakeWebContents extends EventEmitter {
  private static nextId = 1;
  id = FakeWebContents.nextId++;
  destroyed = false;
  sent: { channel: string; args: unknown[] }[] = [];
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  permissionRequestHandler: ((wc: unknown, permission: string, cb: (ok: boolean) => void) => void) | null = null;
  permissionCheckHandler: ((wc: unknown, permission: string) => boolean) | null = null;
  mainFrame = { url: '', parent: null };
  session = {
    setPermissionRequestHandler: (h: FakeWebContents['permissionRequestHandler']) => (this.permissionRequestHandler = h),
    setPermissionCheckHandler: (h: FakeWebContents['permissionCheckHandler']) => (this.permissionCheckHandler = h),
  };
  setWindowOpenHandler(h: FakeWebContents['windowOpenHandler']): void {
    this.windowOpenHandler = h;
  }
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static created: FakeBrowserWindow[] = [];
  webContents = new FakeWebContents();
  destroyed = false;
  loadURL = vi.fn(async (_url: string) => undefined);
  show = vi.fn();
  constructor(public options: Record<string, unknown>) {
    super();
    FakeBrowserWindow.created.push(this);
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
}

export function createElectronMock() {
  const handlers = new Map<string, (...args: unknown[]) => unknown>();
  const ipcMain = Object.assign(new EventEmitter(), {
    handlers,
    handle: vi.fn((channel: string, fn: (...args: unknown[]) => unknown) => {
      handlers.set(channel, fn);
    }),
    removeHandler: vi.fn((channel: string) => {
      handlers.delete(channel);
    }),
  });
  const Menu = {
    current: null as unknown,
    buildFromTemplate: vi.fn((template: unknown) => ({ template })),
    setApplicationMenu: vi.fn((menu: unknown) => {
      Menu.current = menu;
    }),
  };
  const app = Object.assign(new EventEmitter(), {
    isPackaged: false,
    paths: new Map<string, string>(),
    setPath: vi.fn((name: string, value: string) => app.paths.set(name, value)),
    enableSandbox: vi.fn(),
    whenReady: vi.fn(() => Promise.resolve()),
    quit: vi.fn(),
    exit: vi.fn(),
  });
  const dialog = {
    showErrorBox: vi.fn(),
    showOpenDialog: vi.fn(),
    showSaveDialog: vi.fn(),
    showMessageBox: vi.fn(),
  };
  const shell = { openExternal: vi.fn(async () => undefined) };
  // As in Electron, the protocol module is the default session's protocol.
  const schemeHandlers = new Map<string, (request: Request) => Response | Promise<Response>>();
  const protocol = {
    schemeHandlers,
    registerSchemesAsPrivileged: vi.fn(),
    handle: vi.fn((scheme: string, handler: (request: Request) => Response | Promise<Response>) => {
      schemeHandlers.set(scheme, handler);
    }),
  };
  const session = { defaultSession: { protocol } };
  return { BrowserWindow: FakeBrowserWindow, ipcMain, Menu, app, dialog, shell, protocol, session };
}
