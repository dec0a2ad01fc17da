/**
 * The application menu. The Display menu lists Domain-0 and the running VMs as radio items (the
 * foreground VM checked) and switches the physical display through the same host API call the UI
 * and `echo N > /sys/kernel/vgt/control/foreground_vm` use. It is rebuilt on the host's `domains`
 * and `display` events.
 */
import type { Menu as ElectronMenu, MenuItemConstructorOptions } from 'electron';
import type { DomainInfo } from '../../shared/api';
import type { HostApi } from '../host/host-api';

/** What the Display menu shows. */
export interface DisplayState {
  domains: DomainInfo[];
  /** domid owning the physical display. */
  foreground: number;
  /** hvm_boot_foreground: new VMs take the display once their driver is ready. */
  bootForeground: boolean;
}

export interface MenuActions {
  /** Switch the physical display; failures are reported by the caller. */
  selectDisplay(domid: number): void;
  /** Turn hvm_boot_foreground on or off. */
  setBootForeground(on: boolean): void;
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

/** The whole menu template: (macOS app menu,) File, Display, View, Help. */
export function buildMenuTemplate(state: DisplayState, actions: MenuActions, env: MenuEnv): MenuItemConstructorOptions[] {
  const isMac = env.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [];
  if (isMac) template.push({ role: 'appMenu' });
  template.push({
    label: 'File',
    submenu: [
      { id: 'import', label: 'Import Domain Config…', accelerator: 'CmdOrCtrl+O', click: () => actions.importConfig() },
      { type: 'separator' },
      isMac ? { role: 'close' } : { role: 'quit' },
    ],
  });
  template.push({ id: 'display', label: 'Display', submenu: displayMenuItems(state, actions) });
  template.push({ role: 'editMenu' });
  const view: MenuItemConstructorOptions[] = [];
  if (!env.isPackaged) view.push({ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }, { type: 'separator' });
  view.push({ role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, { role: 'togglefullscreen' });
  template.push({ label: 'View', submenu: view });
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
  const state: DisplayState = { domains: [], foreground: 0, bootForeground: true };
  let shownKey = '';
  const keyOf = (s: DisplayState): string => JSON.stringify([s.foreground, s.bootForeground, displayCandidates(s.domains)]);

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
  }

  rebuild(true);
  return {
    state: () => ({ ...state, domains: [...state.domains] }),
    refresh,
    dispose: () => {
      for (const u of unsubscribe) u();
    },
  };
}
