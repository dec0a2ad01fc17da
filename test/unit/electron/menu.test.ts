import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../../src/shared/api';
import { createElectronMock } from './electron-mock';
import { createFakeHost, domain } from '../fakes/fake-host';

vi.mock('electron', async () => (await import('./electron-mock')).createElectronMock());

const { buildMenuTemplate, displayMenuItems, installAppMenu } = await import('../../../src/main/electron/menu');
const { shortcutDigit, windowShortcuts } = await import('../../../src/shared/window-shortcuts');

const domains = [domain('Domain-0', 0), domain('win10', 4), domain('ubuntu', 2), domain('stopped', null), domain('dead', 7, 'crashed')];

function submenu(template: MenuItemConstructorOptions[], label: string): MenuItemConstructorOptions[] {
  const item = template.find((m) => m.label === label);
  expect(item, `menu ${label}`).toBeDefined();
  return item!.submenu as MenuItemConstructorOptions[];
}

const noActions = { selectDisplay: vi.fn(), setBootForeground: vi.fn(), importConfig: vi.fn(), openExternal: vi.fn() };
const radios = (items: MenuItemConstructorOptions[]) => items.filter((i) => i.type === 'radio');

describe('Display menu', () => {
  it('lists Domain-0 and the running VMs in domid order, radio-checked on the foreground', () => {
    const items = displayMenuItems({ domains, foreground: 2, bootForeground: true }, noActions);
    expect(radios(items).map((i) => [i.label, i.type, i.checked])).toEqual([
      ['Domain-0 (domid 0)', 'radio', false],
      ['ubuntu (domid 2)', 'radio', true],
      ['win10 (domid 4)', 'radio', false],
    ]);
  });

  it('always offers Domain-0', () => {
    expect(radios(displayMenuItems({ domains: [], foreground: 0, bootForeground: true }, noActions)).map((i) => i.label)).toEqual(['Domain-0 (domid 0)']);
  });

  it('has File, Display, Hotplug, Edit, View, Window and Help menus (app menu on macOS only)', () => {
    const linux = buildMenuTemplate({ domains, foreground: 0, bootForeground: true }, noActions, { platform: 'linux', isPackaged: true });
    expect(linux.map((m) => m.label ?? m.role)).toEqual(['File', 'Display', 'Hotplug', 'editMenu', 'View', 'Window', 'help']);
    expect(submenu(linux, 'View').some((i) => i.role === 'toggleDevTools')).toBe(false);
    const mac = buildMenuTemplate({ domains, foreground: 0, bootForeground: true }, noActions, { platform: 'darwin', isPackaged: false });
    expect(mac[0]?.role).toBe('appMenu');
    expect(submenu(mac, 'View').some((i) => i.role === 'toggleDevTools')).toBe(true);
  });

  it('shows the global shortcuts: Ctrl+N New VM, Ctrl+O Import, Ctrl+E Edit VM Config, F11 Full Screen VM Window (app full screen on Shift+F11)', () => {
    const t = buildMenuTemplate({ domains, foreground: 0, bootForeground: true }, noActions, { platform: 'linux', isPackaged: true });
    const byId = (menu: string, id: string) => submenu(t, menu).find((i) => i.id === id);
    expect([byId('File', 'new-vm')?.accelerator, byId('File', 'import')?.accelerator, byId('File', 'edit-config')?.accelerator, byId('View', 'vm-fullscreen')?.accelerator]).toEqual([
      'CmdOrCtrl+N',
      'CmdOrCtrl+O',
      'CmdOrCtrl+E',
      'F11',
    ]);
    // The page handles these keys itself: shown, not registered (else Electron would swallow them).
    expect([byId('File', 'new-vm'), byId('File', 'edit-config'), byId('View', 'vm-fullscreen')].map((i) => i?.registerAccelerator)).toEqual([false, false, false]);
    expect(byId('File', 'import')?.registerAccelerator).toBeUndefined();
    expect(submenu(t, 'View').find((i) => i.role === 'togglefullscreen')?.accelerator).toBe('Shift+F11');
  });

  it('clicking a page shortcut sends its key to the window (Cmd on macOS)', () => {
    for (const [platform, mod] of [['linux', 'control'], ['darwin', 'meta']] as const) {
      const t = buildMenuTemplate({ domains, foreground: 0, bootForeground: true }, noActions, { platform, isPackaged: true });
      const sendInputEvent = vi.fn();
      const item = submenu(t, 'File').find((i) => i.id === 'new-vm')!;
      (item.click as (i: unknown, w: unknown) => void)({}, { webContents: { sendInputEvent } });
      expect(sendInputEvent.mock.calls.map((c) => c[0])).toEqual([
        { type: 'keyDown', keyCode: 'N', modifiers: [mod] },
        { type: 'keyUp', keyCode: 'N', modifiers: [mod] },
      ]);
      // No window focused: nothing to send to.
      expect(() => (item.click as (i: unknown, w: unknown) => void)({}, undefined)).not.toThrow();
    }
  });

  it('Window lists Tile, Cascade and the windows (Physical display, each existing guest in host order), each with the page\'s Alt+Shift key', () => {
    const t = buildMenuTemplate({ domains, foreground: 0, bootForeground: true }, noActions, { platform: 'linux', isPackaged: true });
    const items = submenu(t, 'Window').filter((i) => i.type !== 'separator');
    // win10 (4), ubuntu (2), dead (7, crashed: its domain and window still exist); 'stopped' has no window.
    expect(items.map((i) => [i.label, i.accelerator, i.registerAccelerator])).toEqual([
      ['Tile', 'Alt+Shift+T', false],
      ['Cascade', 'Alt+Shift+C', false],
      ['Physical Display', 'Alt+Shift+0', false],
      ['win10 (domid 4)', 'Alt+Shift+1', false],
      ['ubuntu (domid 2)', 'Alt+Shift+2', false],
      ['dead (domid 7)', 'Alt+Shift+3', false],
    ]);
  });

  it('Window items send the page the keys its Window menu handles (CompositorView: tile, cascade, show window N), the same on macOS', () => {
    for (const platform of ['linux', 'darwin'] as const) {
      const t = buildMenuTemplate({ domains, foreground: 0, bootForeground: true }, noActions, { platform, isPackaged: true });
      const sent = (label: string) => {
        const sendInputEvent = vi.fn();
        (submenu(t, 'Window').find((i) => i.label === label)!.click as (i: unknown, w: unknown) => void)({}, { webContents: { sendInputEvent } });
        return sendInputEvent.mock.calls.map((c) => c[0]);
      };
      expect(sent('Tile')).toEqual([
        { type: 'keyDown', keyCode: 'T', modifiers: ['alt', 'shift'] },
        { type: 'keyUp', keyCode: 'T', modifiers: ['alt', 'shift'] },
      ]);
      expect(sent('Cascade')[0]).toEqual({ type: 'keyDown', keyCode: 'C', modifiers: ['alt', 'shift'] });
      expect(sent('Physical Display')[0]).toEqual({ type: 'keyDown', keyCode: '0', modifiers: ['alt', 'shift'] });
      expect(sent('ubuntu (domid 2)')[0]).toEqual({ type: 'keyDown', keyCode: '2', modifiers: ['alt', 'shift'] });
    }
  });

  it('the page takes the same digit for the same window (shared/window-shortcuts)', () => {
    expect(windowShortcuts(domains)).toEqual([
      { vm: null, digit: 0 },
      { vm: 'win10', digit: 1 },
      { vm: 'ubuntu', digit: 2 },
      { vm: 'dead', digit: 3 },
    ]);
    expect([shortcutDigit({ code: 'Digit2', key: '@' }), shortcutDigit({ code: '', key: '7' }), shortcutDigit({ code: 'KeyT', key: 'T' })]).toEqual([2, 7, null]);
    // Ten keys at most: a guest past the ninth has none.
    const many = [domain('Domain-0', 0), ...Array.from({ length: 12 }, (_, i) => domain(`vm${i + 1}`, i + 1))];
    expect(windowShortcuts(many).map((w) => w.vm)).toEqual([null, 'vm1', 'vm2', 'vm3', 'vm4', 'vm5', 'vm6', 'vm7', 'vm8', 'vm9']);
  });

  it('File ▸ Import calls the import action', () => {
    const importConfig = vi.fn();
    const t = buildMenuTemplate({ domains, foreground: 0, bootForeground: true }, { ...noActions, importConfig }, { platform: 'linux', isPackaged: true });
    (submenu(t, 'File').find((i) => i.id === 'import')?.click as () => void)();
    expect(importConfig).toHaveBeenCalledTimes(1);
  });
});

describe('installAppMenu', () => {
  function install(host = createFakeHost({ domains, foreground: 0 })) {
    const { Menu } = createElectronMock();
    const onError = vi.fn();
    const menu = installAppMenu({ Menu: Menu as never, host, env: { platform: 'linux', isPackaged: true }, importConfig: vi.fn(), openExternal: vi.fn(), onError });
    const display = () => submenu((Menu.current as { template: MenuItemConstructorOptions[] }).template, 'Display');
    return { Menu, host, menu, onError, display };
  }

  it('clicking a VM calls host.call("display.setForeground", { domid }) and checks it', async () => {
    const { host, menu, display } = install();
    await menu.refresh();
    const call = vi.spyOn(host, 'call');
    const ubuntu = display().find((i) => i.label === 'ubuntu (domid 2)')!;
    (ubuntu.click as () => void)();
    expect(call).toHaveBeenCalledWith('display.setForeground', { domid: 2 });
    await vi.waitFor(() => expect(display().find((i) => i.checked)?.label).toBe('ubuntu (domid 2)'), { timeout: 10_000 });
    menu.dispose();
  });

  it('is filled from domains.list + gpu.info and rebuilt on domains/display events', async () => {
    const { Menu, host, menu, display } = install(createFakeHost({ domains, foreground: 4 }));
    expect(radios(display()).map((i) => i.label)).toEqual(['Domain-0 (domid 0)']);
    await menu.refresh();
    expect(radios(display()).map((i) => [i.label, i.checked])).toEqual([
      ['Domain-0 (domid 0)', false],
      ['ubuntu (domid 2)', false],
      ['win10 (domid 4)', true],
    ]);
    host.emit('domains', [domain('Domain-0', 0), domain('win10', 4), domain('new-vm', 5)]);
    expect(radios(display()).map((i) => i.label)).toEqual(['Domain-0 (domid 0)', 'win10 (domid 4)', 'new-vm (domid 5)']);
    const windowMenu = submenu((Menu.current as { template: MenuItemConstructorOptions[] }).template, 'Window');
    expect(windowMenu.filter((i) => /^window-\d$/.test(i.id ?? '')).map((i) => i.label)).toEqual(['Physical Display', 'win10 (domid 4)', 'new-vm (domid 5)']);
    host.emit('display', { foreground: 0 });
    expect(display().find((i) => i.checked)?.label).toBe('Domain-0 (domid 0)');

    // A domains event that changes nothing shown (run time ticking) does not rebuild the menu.
    const builds = Menu.setApplicationMenu.mock.calls.length;
    host.emit('domains', [domain('Domain-0', 0), { ...domain('win10', 4), timeS: 99 }, domain('new-vm', 5)]);
    expect(Menu.setApplicationMenu.mock.calls.length).toBe(builds);

    menu.dispose();
    expect(host.listenerCount()).toBe(0);
  });

  it('the hvm_boot_foreground checkbox reflects and changes the host setting', async () => {
    const { host, menu, display } = install();
    await menu.refresh();
    const box = () => display().find((i) => i.id === 'display-boot-foreground')!;
    expect([box().type, box().checked]).toEqual(['checkbox', true]);
    (box().click as () => void)();
    await vi.waitFor(() => expect(box().checked).toBe(false), { timeout: 10_000 });
    expect(host.calls.at(-1)).toEqual({ method: 'settings.set', params: { hvmBootForeground: false } });
    menu.dispose();
  });

  it('Hotplug lists running VMs and their ports; a library monitor connects, Disconnect unplugs', async () => {
    const port = { name: 'PORT_B' as const, type: 5, typeName: 'HDMI_B', overridePort: null, connected: true, edidHex: null, monitorName: 'GVT 1024x768', preferredMode: null, active: true, pipe: 'A' as const };
    const host = createFakeHost({ domains, foreground: 0 });
    host.portsByDomid = new Map([[2, [port]], [4, []]]);
    const { Menu, menu } = install(host);
    await menu.refresh();
    const hotplug = () => submenu((Menu.current as { template: MenuItemConstructorOptions[] }).template, 'Hotplug');
    expect(hotplug().map((i) => i.label)).toEqual(['ubuntu (domid 2)', 'win10 (domid 4)']);
    const ubuntuPorts = hotplug()[0].submenu as MenuItemConstructorOptions[];
    expect(ubuntuPorts.map((i) => i.label)).toEqual(['PORT_B — GVT 1024x768']);
    const actions = ubuntuPorts[0].submenu as MenuItemConstructorOptions[];
    const library = actions[0].submenu as MenuItemConstructorOptions[];
    (library.find((i) => String(i.label).startsWith('Generic 1920x1080'))!.click as () => void)();
    await vi.waitFor(() => expect(host.calls.at(-1)).toMatchObject({ method: 'ports.hotplug', params: { domid: 2, port: 'PORT_B', action: 'connect', edidHex: expect.stringMatching(/^00ffffffffffff00/) } }), { timeout: 10_000 });
    (actions[1].click as () => void)();
    await vi.waitFor(() => expect(host.calls.at(-1)).toEqual({ method: 'ports.hotplug', params: { domid: 2, port: 'PORT_B', action: 'disconnect' } }), { timeout: 10_000 });
    expect((hotplug()[1].submenu as MenuItemConstructorOptions[])[0].label).toBe('No virtual ports');
    menu.dispose();
  });

  it('reports a failed switch and restores the check to the real foreground', async () => {
    const { host, menu, display, onError } = install();
    await menu.refresh();
    host.failNext('display.setForeground', new ApiError('busy', 'display switch in progress'));
    (display().find((i) => i.label === 'win10 (domid 4)')!.click as () => void)();
    await vi.waitFor(() => expect(onError).toHaveBeenCalledWith('Cannot switch the display to domid 4', expect.any(ApiError)), { timeout: 10_000 });
    expect(display().find((i) => i.checked)?.label).toBe('Domain-0 (domid 0)');
  });
});
