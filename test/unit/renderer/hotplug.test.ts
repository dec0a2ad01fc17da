// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { flushPromises, type VueWrapper } from '@vue/test-utils';
import App from '../../../src/renderer/App.vue';
import { useUiStore } from '../../../src/renderer/stores/ui';
import { ApiError, type Params, type PortInfo } from '../../../src/shared/api';
import { decodeEdid, edidToHex, modeLine, parseEdidText, preferredTiming } from '../../../src/shared/edid';
import { libraryMonitor } from '../../../src/shared/edid-library';
import { FakeClient, type Handlers } from './fake-client';
import { compositorHandlers } from './fixtures';
import { mountWith } from './mount';

const BUILT_IN = libraryMonitor('generic-1024x768')!.bytes;

function portB(partial: Partial<PortInfo> = {}): PortInfo {
  return {
    name: 'PORT_B',
    type: 5,
    typeName: 'HDMI_B',
    overridePort: null,
    connected: true,
    edidHex: edidToHex(BUILT_IN),
    monitorName: 'GVT 1024x768',
    preferredMode: { width: 1024, height: 768, refreshHz: 60 },
    active: true,
    pipe: 'A',
    ...partial,
  };
}

/** A host-like ports.hotplug: the port takes the EDID (and type) and its connected state. */
function hotplugInto(ports: PortInfo[], p: Params<'ports.hotplug'>): PortInfo[] {
  const bytes = p.edidHex ? parseEdidText(p.edidHex).bytes : null;
  const edid = bytes ? decodeEdid(bytes).edid : null;
  const t = edid && preferredTiming(edid);
  const cur = ports.find((x) => x.name === p.port) ?? portB({ name: p.port, connected: false, edidHex: null, monitorName: null, preferredMode: null, active: false });
  const next: PortInfo = {
    ...cur,
    ...(p.type !== undefined ? { type: p.type } : {}),
    ...(bytes ? { edidHex: edidToHex(bytes), monitorName: edid?.monitorName ?? null, preferredMode: t ? modeLine(t) : null } : {}),
    connected: p.action === 'connect',
  };
  const list = [...ports.filter((x) => x.name !== p.port), next].sort((a, b) => a.name.localeCompare(b.name));
  const first = list.find((x) => x.connected);
  return list.map((x) => ({ ...x, active: x === first }));
}

let wrapper: VueWrapper | undefined;
afterEach(() => wrapper?.unmount());

async function setup(handlers: Handlers = {}) {
  const ports: Record<number, PortInfo[]> = { 1: [portB()], 3: [portB({ name: 'PORT_E', type: 0, typeName: 'CRT' })] };
  const fake = new FakeClient({
    ...compositorHandlers(),
    'ports.list': ({ domid }) => ports[domid] ?? [],
    'ports.hotplug': (p) => (ports[p.domid] = hotplugInto(ports[p.domid] ?? [], p)),
    ...handlers,
  });
  const mounted = mountWith(fake, App);
  wrapper = mounted.wrapper as VueWrapper;
  useUiStore(mounted.pinia).connection = 'open';
  await flushPromises();
  return { fake, wrapper, ports, pinia: mounted.pinia };
}

const byTestId = (w: VueWrapper, id: string) => w.find(`[data-testid="${id}"]`);

async function click(w: VueWrapper, id: string): Promise<void> {
  const el = byTestId(w, id);
  expect(el.exists(), id).toBe(true);
  await el.trigger('click');
  await flushPromises();
}

async function change(w: VueWrapper, id: string, value: string): Promise<void> {
  const el = byTestId(w, id);
  (el.element as HTMLInputElement).value = value;
  await el.trigger('change');
  await flushPromises();
}

describe('Hotplug menu', () => {
  it('lists each running VM with its ports and the actions their state allows', async () => {
    const { wrapper, fake } = await setup();
    await click(wrapper, 'menu-hotplug');
    expect(fake.callsTo('ports.list')).toContainEqual({ domid: 1 });
    expect(fake.callsTo('ports.list')).toContainEqual({ domid: 3 });
    const list = byTestId(wrapper, 'menu-hotplug-list').text();
    expect(list).toContain('vgtHVMDomain (1)');
    expect(list).toContain('win7 (3)');
    expect(byTestId(wrapper, 'menu-hotplug-1-PORT_B').text()).toContain('HDMI_B · GVT 1024x768 1024x768@60 · pipe A');
    // Connected: Replace / Disconnect; not connected (or no monitor configured): Connect.
    expect(byTestId(wrapper, 'menu-hotplug-1-PORT_B-replace').exists()).toBe(true);
    expect(byTestId(wrapper, 'menu-hotplug-1-PORT_B-disconnect').exists()).toBe(true);
    expect(byTestId(wrapper, 'menu-hotplug-1-PORT_B-connect').exists()).toBe(false);
    expect(byTestId(wrapper, 'menu-hotplug-1-PORT_C-connect').exists()).toBe(true);
    expect(byTestId(wrapper, 'menu-hotplug-3-PORT_E-disconnect').exists()).toBe(true);
  });

  it('Disconnect calls ports.hotplug and the menu follows the result', async () => {
    const { wrapper, fake } = await setup();
    await click(wrapper, 'menu-hotplug');
    await click(wrapper, 'menu-hotplug-1-PORT_B-disconnect');
    expect(fake.callsTo('ports.hotplug')).toEqual([{ domid: 1, port: 'PORT_B', action: 'disconnect' }]);
    expect(byTestId(wrapper, 'menu-hotplug-list').exists()).toBe(false); // the menu closed
    await click(wrapper, 'menu-hotplug');
    expect(byTestId(wrapper, 'menu-hotplug-1-PORT_B-connect').exists()).toBe(true);
  });

  it('Replace EDID…: the dialog starts from the port\'s EDID; library + edited mode go to ports.hotplug', async () => {
    const { wrapper, fake } = await setup();
    await click(wrapper, 'menu-hotplug');
    await click(wrapper, 'menu-hotplug-1-PORT_B-replace');
    expect(byTestId(wrapper, 'hotplug-dialog').text()).toContain('Replace the EDID on PORT_B of vgtHVMDomain (1)');
    expect((byTestId(wrapper, 'edid-name').element as HTMLInputElement).value).toBe('GVT 1024x768');

    await byTestId(wrapper, 'edid-library').setValue('generic-1920x1080');
    await change(wrapper, 'edid-width', '1280');
    await change(wrapper, 'edid-height', '720');
    await click(wrapper, 'hotplug-connect-confirm');

    const calls = fake.callsTo('ports.hotplug') as Params<'ports.hotplug'>[];
    expect(calls).toHaveLength(1);
    // Same connector: no type change goes along.
    expect(calls[0]).toEqual({ domid: 1, port: 'PORT_B', action: 'connect', edidHex: expect.any(String) });
    const sent = decodeEdid(parseEdidText(calls[0]!.edidHex!).bytes!);
    expect(sent.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(sent.edid!.monitorName).toBe('GVT 1920x1080');
    expect(modeLine(preferredTiming(sent.edid!)!)).toEqual({ width: 1280, height: 720, refreshHz: 60 });
    expect(byTestId(wrapper, 'hotplug-dialog').exists()).toBe(false);
  });

  it('Connect with EDID… on an empty port sends its connector type; a refusal stays in the dialog', async () => {
    let refuse = true;
    const { wrapper, fake, ports } = await setup({
      'ports.hotplug': (p) => {
        if (refuse) throw new ApiError('invalid', 'EDID: byte 127: block 0 checksum is wrong');
        return (ports[p.domid] = hotplugInto(ports[p.domid] ?? [], p));
      },
    });
    await click(wrapper, 'menu-hotplug');
    await click(wrapper, 'menu-hotplug-1-PORT_C-connect');
    expect((byTestId(wrapper, 'edid-name').element as HTMLInputElement).value).toBe('GVT 1920x1080');
    await byTestId(wrapper, 'hotplug-type').setValue('DP');
    await click(wrapper, 'hotplug-connect-confirm');
    expect(byTestId(wrapper, 'hotplug-error').text()).toContain('EDID: byte 127');
    expect(byTestId(wrapper, 'hotplug-dialog').exists()).toBe(true);

    refuse = false;
    await click(wrapper, 'hotplug-connect-confirm');
    expect(fake.callsTo('ports.hotplug')[1]).toMatchObject({ domid: 1, port: 'PORT_C', action: 'connect', type: 3 }); // DP_C
    expect(byTestId(wrapper, 'hotplug-dialog').exists()).toBe(false);
  });

  it('the confirm button waits while the EDID has errors', async () => {
    const { wrapper } = await setup();
    await click(wrapper, 'menu-hotplug');
    await click(wrapper, 'menu-hotplug-1-PORT_B-replace');
    const bytes = BUILT_IN.slice();
    bytes[127] = (bytes[127]! + 1) & 0xff;
    const hex = byTestId(wrapper, 'edid-hex');
    (hex.element as HTMLTextAreaElement).value = edidToHex(bytes);
    await hex.trigger('input');
    await flushPromises();
    expect(byTestId(wrapper, 'hotplug-connect-confirm').attributes('disabled')).toBeDefined();
    await click(wrapper, 'edid-fix-checksums');
    expect(byTestId(wrapper, 'hotplug-connect-confirm').attributes('disabled')).toBeUndefined();
  });
});

describe('Hotplug menus by keyboard (lib/menu-keys, as the other menus)', () => {
  const focused = () => document.activeElement?.getAttribute('data-testid');

  it('menu bar: ArrowDown opens at the first item; arrows, Home/End move (wrapping); Escape gives focus back to the title', async () => {
    const { wrapper } = await setup();
    await byTestId(wrapper, 'menu-hotplug').trigger('keydown', { key: 'ArrowDown' });
    await flushPromises();
    expect(focused()).toBe('menu-hotplug-1-PORT_A-connect');
    const list = byTestId(wrapper, 'menu-hotplug-list');
    await list.trigger('keydown', { key: 'ArrowDown' });
    expect(focused()).toBe('menu-hotplug-1-PORT_B-replace');
    await list.trigger('keydown', { key: 'ArrowDown' });
    expect(focused()).toBe('menu-hotplug-1-PORT_B-disconnect');
    await list.trigger('keydown', { key: 'End' });
    expect(focused()).toBe('menu-hotplug-3-PORT_E-disconnect'); // win7's last port item
    await list.trigger('keydown', { key: 'ArrowDown' });
    expect(focused()).toBe('menu-hotplug-1-PORT_A-connect'); // wrapped
    await list.trigger('keydown', { key: 'ArrowUp' });
    expect(focused()).toBe('menu-hotplug-3-PORT_E-disconnect');
    await list.trigger('keydown', { key: 'Home' });
    expect(focused()).toBe('menu-hotplug-1-PORT_A-connect');
    await list.trigger('keydown', { key: 'Escape' });
    await flushPromises();
    expect(byTestId(wrapper, 'menu-hotplug-list').exists()).toBe(false);
    expect(focused()).toBe('menu-hotplug');
  });

  it('VM window: Enter on Hotplug ▾ opens at the first item, ArrowUp at the last (Edit monitor.config…); Escape returns focus to it', async () => {
    const { wrapper, fake } = await setup();
    const button = byTestId(wrapper, 'window-hotplug-1');
    expect(button.attributes('aria-label')).toBe('Hotplug vgtHVMDomain');
    await button.trigger('keydown', { key: 'Enter' });
    await flushPromises();
    expect(focused()).toBe('window-hotplug-1-PORT_A-connect');
    const menu = wrapper.find('.window-menu');
    await menu.trigger('keydown', { key: 'ArrowUp' });
    expect(focused()).toBe('window-monitors-1'); // wrapped to the last item
    await menu.trigger('keydown', { key: 'ArrowDown' });
    await menu.trigger('keydown', { key: 'ArrowDown' });
    await menu.trigger('keydown', { key: 'ArrowDown' });
    expect(focused()).toBe('window-hotplug-1-PORT_B-disconnect');
    await menu.trigger('keydown', { key: 'Escape' });
    await flushPromises();
    expect(wrapper.find('.window-menu').exists()).toBe(false);
    expect(focused()).toBe('window-hotplug-1');

    await button.trigger('keydown', { key: 'ArrowUp' });
    await flushPromises();
    expect(focused()).toBe('window-monitors-1');
    // Enter / Space on an item are the button's own: a click.
    await wrapper.find('.window-menu').trigger('keydown', { key: 'Home' });
    (document.activeElement as HTMLButtonElement).click();
    await flushPromises();
    expect(byTestId(wrapper, 'hotplug-dialog').exists()).toBe(true);
    expect(fake.callsTo('ports.hotplug')).toEqual([]);
  });

  it('a port read while its item holds focus keeps the focus (Connect becomes Replace in place)', async () => {
    const { wrapper, fake } = await setup();
    await byTestId(wrapper, 'window-hotplug-1').trigger('keydown', { key: 'ArrowDown' });
    await flushPromises();
    for (let i = 0; i < 3; i++) await wrapper.find('.window-menu').trigger('keydown', { key: 'ArrowDown' });
    expect(focused()).toBe('window-hotplug-1-PORT_C-connect');
    const el = document.activeElement;
    fake.emit('ports', { domid: 1, ports: [portB(), portB({ name: 'PORT_C', typeName: 'HDMI_C', active: false })] });
    await flushPromises();
    expect(document.activeElement).toBe(el);
    expect(focused()).toBe('window-hotplug-1-PORT_C-replace');
  });
});

describe('VM window: hotplug button, ports pane, resolution in the title', () => {
  it('the window header has its own Hotplug menu for that VM', async () => {
    const { wrapper, fake } = await setup();
    await click(wrapper, 'window-hotplug-1');
    expect(byTestId(wrapper, 'window-hotplug-1-PORT_B-replace').exists()).toBe(true);
    expect(byTestId(wrapper, 'window-hotplug-1-PORT_E-connect').exists()).toBe(true);
    expect(byTestId(wrapper, 'window-hotplug-3-PORT_E-disconnect').exists()).toBe(false); // another VM's
    await click(wrapper, 'window-hotplug-1-PORT_B-disconnect');
    expect(fake.callsTo('ports.hotplug')).toEqual([{ domid: 1, port: 'PORT_B', action: 'disconnect' }]);

    await click(wrapper, 'window-hotplug-1');
    await click(wrapper, 'window-monitors-1');
    expect(byTestId(wrapper, 'monitor-editor').exists()).toBe(true);
  });

  it('the Ports tab lists ports with state, monitor, mode and pipe A, and follows the ports event', async () => {
    const { wrapper, fake } = await setup();
    await click(wrapper, 'tab-ports-1');
    const row = byTestId(wrapper, 'port-row-1-PORT_B').text();
    expect(row).toContain('HDMI_B');
    expect(row).toContain('connected');
    expect(row).toContain('GVT 1024x768');
    expect(row).toContain('1024x768@60.00');
    expect(row).toContain('drives pipe A');

    fake.emit('ports', { domid: 1, ports: [portB({ connected: false, active: false, pipe: null })] });
    await flushPromises();
    const after = byTestId(wrapper, 'port-row-1-PORT_B').text();
    expect(after).toContain('disconnected');
    expect(after).not.toContain('drives pipe A');
  });

  it('the Ports tab shows the pipe of every connected port, not only pipe A\'s', async () => {
    const { wrapper, fake } = await setup();
    await click(wrapper, 'tab-ports-1');
    fake.emit('ports', { domid: 1, ports: [portB(), portB({ name: 'PORT_C', typeName: 'HDMI_C', active: false, pipe: null, connected: false }), portB({ name: 'PORT_D', typeName: 'DP_D', active: false, pipe: 'B' })] });
    await flushPromises();
    expect(byTestId(wrapper, 'port-pipe-1-PORT_B').text()).toBe('● drives pipe A');
    expect(byTestId(wrapper, 'port-pipe-1-PORT_C').text()).toBe('');
    expect(byTestId(wrapper, 'port-pipe-1-PORT_D').text()).toBe('● drives pipe B');
    expect(byTestId(wrapper, 'ports-1').text()).toContain('Connected monitors take pipes A, B, C in port order');
  });

  it('the title shows the guest mode and follows a mode change and the pipe going off', async () => {
    const { wrapper, fake } = await setup();
    const title = () => byTestId(wrapper, 'window-title-1').text();
    expect(title()).toBe('vgtHVMDomain — domid 1 — no signal');
    fake.emitFrame({ source: 1, width: 1024, height: 768, x: 0, y: 0, w: 1, h: 1, seq: 1, flip: 0, vblankMs: 0, rgba: new Uint8ClampedArray(4) });
    await flushPromises();
    expect(title()).toBe('vgtHVMDomain — domid 1 — 1024x768');
    fake.emitFrame({ source: 1, width: 1280, height: 720, x: 0, y: 0, w: 1, h: 1, seq: 2, flip: 0, vblankMs: 0, rgba: new Uint8ClampedArray(4) });
    await flushPromises();
    expect(title()).toBe('vgtHVMDomain — domid 1 — 1280x720');
    fake.emitFrame({ source: 1, width: 0, height: 0, x: 0, y: 0, w: 0, h: 0, seq: 3, flip: 0, vblankMs: 0, rgba: new Uint8ClampedArray(0) });
    await flushPromises();
    expect(title()).toBe('vgtHVMDomain — domid 1 — no signal');
    expect(byTestId(wrapper, 'window-1').text()).toContain('No signal');
  });
});
