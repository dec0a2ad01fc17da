/**
 * The application menu. The Display menu lists Domain-0 and the running VMs as radio items (the
 * foreground VM checked) and switches the physical display through the same host API call the UI
 * and `echo N > /sys/kernel/vgt/control/foreground_vm` use. It is rebuilt on the host's `domains`
 * and `display` events.
 *
 * File ▸ New VM… (Ctrl+N), File ▸ Edit VM Config (Ctrl+E) and View ▸ Full Screen VM Window (F11)
 * are the renderer's: their dialogs, selection and windows live in the page, which handles those
 * keys itself in the browser too. Their accelerators are shown but not registered (so the key
 * reaches the page), and clicking the item sends the page that key (webContents.sendInputEvent).
 * Ctrl+O stays the native import dialog; the app window's own full screen moves to Shift+F11.
 * The Window menu's items (Tile, Cascade, each window) are page keys the same way.
 */
import type { BrowserWindow, KeyboardInputEvent, Menu as ElectronMenu, MenuItemConstructorOptions } from 'electron';
import type { DomainInfo, PortInfo } from '../../shared/api';
import { edidToHex } from '../../shared/edid';
import { MONITOR_LIBRARY } from '../../shared/edid-library';
import { CASCADE_KEY, TILE_KEY, windowAccelerator, windowShortcuts } from '../../shared/window-shortcuts';
import type { HostApi } from '../host/host-api';

/** What the Display menu shows. */
export interface DisplayState {
  domains: DomainInfo[];
  /** domid owning the physical display. */
  foreground: number;
  /** hvm_boot_foreground: new VMs take the display once their driver is ready. */
  bootForeground: boolean;
  /** Virtual ports of running guests, by domid (for the Hotplug menu). */
  ports?: Map<number, PortInfo[]>;
}

export interface MenuActions {
  /** Switch the physical display; failures are reported by the caller. */
  selectDisplay(domid: number): void;
  /** Turn hvm_boot_foreground on or off. */
  setBootForeground(on: boolean): void;
  /** Virtual hotplug: connect `edidHex` (a library monitor) to a port, or disconnect it. */
  hotplug?(domid: number, port: PortInfo['name'], edidHex: string | null): void;
  /** File ▸ Import Domain Config… */
  importConfig(): void;
  openExternal(url: string): void;
}

export interface MenuEnv {
  platform: NodeJS.Platform;
  /** Packaged builds hide Reload / DevTools. */
  isPackaged: boolean;
}

export const SETUP_GUIDE_URL = 'https://github.com/intel/gvt-linux/wiki/GVTg_Setup_Guide';
export const PROJECT_URL = 'https://github.com/intel/gvt-linux';

/**
 * The domains that can own the display, in domid order: Domain-0 (always, domid 0) and every
 * running guest with a domid.
 */
export function displayCandidates(domains: DomainInfo[]): { name: string; domid: number }[] {
  const dom0 = domains.find((d) => d.domid === 0);
  const guests = domains
    .filter((d): d is DomainInfo & { domid: number } => d.domid !== null && d.domid !== 0 && d.state === 'running')
    .sort((a, b) => a.domid - b.domid)
    .map((d) => ({ name: d.name, domid: d.domid }));
  return [{ name: dom0?.name ?? 'Domain-0', domid: 0 }, ...guests];
}

/**
 * Display menu items: one radio item per candidate, checked for the foreground domid, then the
 * hvm_boot_foreground checkbox.
 */
export function displayMenuItems(state: DisplayState, actions: Pick<MenuActions, 'selectDisplay' | 'setBootForeground'>): MenuItemConstructorOptions[] {
  return [
    ...displayCandidates(state.domains).map(({ name, domid }): MenuItemConstructorOptions => ({
      id: `display-${domid}`,
      label: `${name} (domid ${domid})`,
      type: 'radio',
      checked: domid === state.foreground,
      accelerator: domid <= 9 ? `CmdOrCtrl+Alt+${domid}` : undefined,
      click: () => actions.selectDisplay(domid),
    })),
    { type: 'separator' },
    {
      id: 'display-boot-foreground',
      label: 'Show New VMs on Boot (hvm_boot_foreground)',
      type: 'checkbox',
      checked: state.bootForeground,
      click: () => actions.setBootForeground(!state.bootForeground),
    },
  ];
}

/**
 * Hotplug menu: running VM → port → Connect / Replace EDID with a library monitor, or Disconnect.
 * (Editing an EDID before plugging it in is the renderer's Hotplug menu, which has the editor.)
 */
export function hotplugMenuItems(state: DisplayState, actions: Pick<MenuActions, 'hotplug'>): MenuItemConstructorOptions[] {
  const vms = displayCandidates(state.domains).filter((d) => d.domid !== 0);
  if (vms.length === 0) return [{ label: 'No running VMs', enabled: false }];
  return vms.map(({ name, domid }) => {
    const ports = state.ports?.get(domid) ?? [];
    return {
      id: `hotplug-${domid}`,
      label: `${name} (domid ${domid})`,
      submenu: ports.length
        ? ports.map((p): MenuItemConstructorOptions => ({
            id: `hotplug-${domid}-${p.name}`,
            label: `${p.name} — ${p.connected ? (p.monitorName ?? 'monitor') : 'disconnected'}`,
            submenu: [
              {
                label: p.connected ? 'Replace EDID' : 'Connect with EDID',
                submenu: MONITOR_LIBRARY.map((m) => ({ label: m.label, click: () => actions.hotplug?.(domid, p.name, edidToHex(m.bytes)) })),
              },
              { label: 'Disconnect', enabled: p.connected, click: () => actions.hotplug?.(domid, p.name, null) },
            ],
          }))
        : [{ label: 'No virtual ports', enabled: false }],
    };
  });
}

/** A shortcut the page handles: `key` with `modifiers` (sendInputEvent's names). */
export interface PageShortcut {
  accelerator: string;
  keyCode: string;
  modifiers: KeyboardInputEvent['modifiers'];
}

/** The page's global shortcuts (see MenuBar.vue), by menu item id. */
export const PAGE_SHORTCUTS = {
  'new-vm': { accelerator: 'CmdOrCtrl+N', keyCode: 'N', modifiers: ['control'] },
  'edit-config': { accelerator: 'CmdOrCtrl+E', keyCode: 'E', modifiers: ['control'] },
  'vm-fullscreen': { accelerator: 'F11', keyCode: 'F11', modifiers: [] },
} as const satisfies Record<string, PageShortcut>;

/** Send the page the key of a shortcut it handles (key down, then up), as if typed in its window. */
export function sendPageShortcut(win: Pick<BrowserWindow, 'webContents'> | undefined, shortcut: PageShortcut, platform: NodeJS.Platform): void {
  if (!win) return;
  // CmdOrCtrl: the page takes Ctrl or Cmd alike (MenuBar.vue).
  const modifiers = platform === 'darwin' ? shortcut.modifiers?.map((m) => (m === 'control' ? 'meta' : m)) : shortcut.modifiers;
  win.webContents.sendInputEvent({ type: 'keyDown', keyCode: shortcut.keyCode, modifiers });
  win.webContents.sendInputEvent({ type: 'keyUp', keyCode: shortcut.keyCode, modifiers });
}

/** A menu item for a key the page handles: accelerator shown, not registered; a click sends the key to the window. */
function pageKeyItem(id: string, label: string, shortcut: PageShortcut, platform: NodeJS.Platform): MenuItemConstructorOptions {
  return { id, label, accelerator: shortcut.accelerator, registerAccelerator: false, click: (_item, win) => sendPageShortcut(win as BrowserWindow | undefined, shortcut, platform) };
}

const pageItem = (id: keyof typeof PAGE_SHORTCUTS, label: string, platform: NodeJS.Platform): MenuItemConstructorOptions => pageKeyItem(id, label, PAGE_SHORTCUTS[id], platform);

/**
 * Window menu, as the page's (MenuBar.vue): Tile, Cascade, then the windows — the Physical display
 * and each guest's — each sending the page its Alt+Shift key (shared/window-shortcuts.ts), which
 * tiles, cascades, or reopens and raises that window there. The page alone knows which windows
 * are closed and which further heads are lit, so these items carry no check marks and the heads'
 * windows are in the page's Window menu only.
 */
export function windowMenuItems(state: Pick<DisplayState, 'domains'>, platform: NodeJS.Platform): MenuItemConstructorOptions[] {
  const key = (accelerator: string, keyCode: string): PageShortcut => ({ accelerator, keyCode, modifiers: ['alt', 'shift'] });
  const domid = new Map(state.domains.map((d) => [d.name, d.domid]));
  return [
    pageKeyItem('window-tile', 'Tile', key(TILE_KEY.accelerator, 'T'), platform),
    pageKeyItem('window-cascade', 'Cascade', key(CASCADE_KEY.accelerator, 'C'), platform),
    { type: 'separator' },
    ...windowShortcuts(state.domains).map((w) =>
      pageKeyItem(`window-${w.digit}`, w.vm === null ? 'Physical Display' : `${w.vm} (domid ${domid.get(w.vm)})`, key(windowAccelerator(w.digit), String(w.digit)), platform),
    ),
  ];
}

/** The whole menu template: (macOS app menu,) File, Display, Hotplug, Edit, View, Window, Help. */
export function buildMenuTemplate(state: DisplayState, actions: MenuActions, env: MenuEnv): MenuItemConstructorOptions[] {
  const isMac = env.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [];
  if (isMac) template.push({ role: 'appMenu' });
  template.push({
    label: 'File',
    submenu: [
      pageItem('new-vm', 'New VM…', env.platform),
      { id: 'import', label: 'Import Domain Config…', accelerator: 'CmdOrCtrl+O', click: () => actions.importConfig() },
      pageItem('edit-config', 'Edit VM Config', env.platform),
      { type: 'separator' },
      isMac ? { role: 'close' } : { role: 'quit' },
    ],
  });
  template.push({ id: 'display', label: 'Display', submenu: displayMenuItems(state, actions) });
  template.push({ id: 'hotplug', label: 'Hotplug', submenu: hotplugMenuItems(state, actions) });
  template.push({ role: 'editMenu' });
  const view: MenuItemConstructorOptions[] = [];
  if (!env.isPackaged) view.push({ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }, { type: 'separator' });
  view.push({ role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, pageItem('vm-fullscreen', 'Full Screen VM Window', env.platform), { role: 'togglefullscreen', accelerator: 'Shift+F11' });
  template.push({ label: 'View', submenu: view });
  template.push({ id: 'window', label: 'Window', submenu: windowMenuItems(state, env.platform) });
  template.push({
    role: 'help',
    submenu: [
      { label: 'GVT-g Setup Guide', click: () => actions.openExternal(SETUP_GUIDE_URL) },
      { label: 'Intel GVT-g Project', click: () => actions.openExternal(PROJECT_URL) },
      ...(isMac ? [] : [{ type: 'separator' as const }, { role: 'about' as const }]),
    ],
  });
  return template;
}

export interface AppMenuOptions {
  Menu: Pick<typeof ElectronMenu, 'buildFromTemplate' | 'setApplicationMenu'>;
  host: HostApi;
  env: MenuEnv;
  importConfig(): void;
  openExternal(url: string): void;
  /** Show a failed display switch (or menu refresh) to the user. */
  onError(title: string, err: unknown): void;
}

export interface AppMenu {
  /** Current display state the menu was built from. */
  state(): DisplayState;
  /** Fetch domains and foreground from the host and rebuild. */
  refresh(): Promise<void>;
  /** Unsubscribe from host events. */
  dispose(): void;
}

/**
 * Install the application menu and keep its Display menu current: built at once (Domain-0 only),
 * then from `domains.list` + `gpu.info`, and again on every `domains`/`display` event that changes
 * what the menu shows. Clicking a display item calls `display.setForeground { domid }`; on failure
 * the menu is rebuilt (so the radio check returns to the real foreground) and onError is called.
 */
export function installAppMenu(options: AppMenuOptions): AppMenu {
  const { Menu, host } = options;
  const state: DisplayState = { domains: [], foreground: 0, bootForeground: true, ports: new Map() };
  let shownKey = '';
  const portsKey = (s: DisplayState): unknown => [...(s.ports ?? new Map<number, PortInfo[]>())].map(([d, ps]) => [d, ps.map((p) => [p.name, p.connected, p.monitorName])]);
  const keyOf = (s: DisplayState): string => JSON.stringify([s.foreground, s.bootForeground, displayCandidates(s.domains), windowShortcuts(s.domains), portsKey(s)]);

  /** Fetch the ports of every running guest (the Hotplug menu lists them). */
  async function refreshPorts(): Promise<void> {
    const guests = displayCandidates(state.domains).filter((d) => d.domid !== 0);
    const lists = await Promise.all(guests.map((g) => host.call('ports.list', { domid: g.domid }).catch(() => [])));
    state.ports = new Map(guests.map((g, i) => [g.domid, lists[i] as PortInfo[]]));
    rebuild();
  }

  const actions: MenuActions = {
    selectDisplay: (domid) => {
      host.call('display.setForeground', { domid }).then(
        (r) => {
          const { foreground } = r as { foreground: number };
          state.foreground = foreground;
          rebuild(true);
        },
        (err: unknown) => {
          rebuild(true);
          options.onError(`Cannot switch the display to domid ${domid}`, err);
        },
      );
    },
    setBootForeground: (on) => {
      host.call('settings.set', { hvmBootForeground: on }).then(
        (r) => {
          state.bootForeground = (r as { hvmBootForeground: boolean }).hvmBootForeground;
          rebuild(true);
        },
        (err: unknown) => {
          rebuild(true);
          options.onError('Cannot change hvm_boot_foreground', err);
        },
      );
    },
    hotplug: (domid, port, edidHex) => {
      const params = edidHex === null ? { domid, port, action: 'disconnect' as const } : { domid, port, action: 'connect' as const, edidHex };
      host.call('ports.hotplug', params).then(
        (r) => {
          state.ports?.set(domid, r as PortInfo[]);
          rebuild(true);
        },
        (err: unknown) => options.onError(`Hotplug on ${port} of domid ${domid} failed`, err),
      );
    },
    importConfig: () => options.importConfig(),
    openExternal: (url) => options.openExternal(url),
  };

  function rebuild(force = false): void {
    const key = keyOf(state);
    if (!force && key === shownKey) return;
    shownKey = key;
    Menu.setApplicationMenu(Menu.buildFromTemplate(buildMenuTemplate(state, actions, options.env)));
  }

  const unsubscribe = [
    host.on('domains', (domains) => {
      state.domains = domains;
      rebuild();
      void refreshPorts();
    }),
    host.on('ports', ({ domid, ports }) => {
      state.ports?.set(domid, ports);
      rebuild();
    }),
    host.on('display', ({ foreground }) => {
      state.foreground = foreground;
      rebuild();
    }),
  ];

  async function refresh(): Promise<void> {
    const [domains, info, settings] = await Promise.all([host.call('domains.list', {}), host.call('gpu.info', {}), host.call('settings.get', {})]);
    state.domains = domains as DomainInfo[];
    state.foreground = (info as { foreground: number }).foreground;
    state.bootForeground = (settings as { hvmBootForeground: boolean }).hvmBootForeground;
    rebuild();
    await refreshPorts();
  }

  rebuild(true);
  return {
    state: () => ({ ...state, domains: [...state.domains], ports: new Map(state.ports) }),
    refresh,
    dispose: () => {
      for (const u of unsubscribe) u();
    },
  };
}
