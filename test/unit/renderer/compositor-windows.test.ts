// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { flushPromises, type VueWrapper } from '@vue/test-utils';
import App from '../../../src/renderer/App.vue';
import { useUiStore } from '../../../src/renderer/stores/ui';
import { useWindowsStore } from '../../../src/renderer/stores/windows';
import type { Layout, WindowLayout } from '../../../src/shared/api';
import { FakeClient } from './fake-client';
import { compositorHandlers, domain } from './fixtures';
import { mountWith } from './mount';

const win = (over: Partial<WindowLayout> = {}): WindowLayout => ({ x: 10, y: 20, w: 400, h: 300, z: 1, maximized: false, scale: 'fit', closed: false, ...over });

let wrapper: VueWrapper | undefined;
afterEach(() => wrapper?.unmount());

async function setup(layout: Layout) {
  const fake = new FakeClient({
    ...compositorHandlers(),
    'ports.list': () => [],
    'layout.get': () => ({ layout, warning: null }),
    'layout.set': ({ layout: l }) => ({ windows: Object.keys(l.windows).length }),
  });
  const mounted = mountWith(fake, App);
  wrapper = mounted.wrapper as VueWrapper;
  useUiStore(mounted.pinia).connection = 'open';
  await flushPromises();
  return { fake, wrapper, windows: useWindowsStore(mounted.pinia) };
}

const byTestId = (w: VueWrapper, id: string) => w.find(`[data-testid="${id}"]`);

describe('compositor windows in the app', () => {
  it('a window closed in the stored layout stays closed on load; the Window menu lists it unchecked and reopens it', async () => {
    const { wrapper } = await setup({ version: 1, windows: { 'vm:vgtHVMDomain': win({ closed: true }) } });
    expect(byTestId(wrapper, 'window-1').exists()).toBe(false);
    expect(byTestId(wrapper, 'window-3').exists()).toBe(true);
    await byTestId(wrapper, 'menu-window').trigger('click');
    const item = byTestId(wrapper, 'menu-window-vm-vgtHVMDomain');
    expect(item.attributes('aria-checked')).toBe('false');
    expect(item.attributes('role')).toBe('menuitemcheckbox');
    await item.trigger('click');
    await flushPromises();
    expect(byTestId(wrapper, 'window-1').exists()).toBe(true);
  });

  it('a closed VM window reopens when its domain starts again (a new domid)', async () => {
    const { fake, wrapper } = await setup({ version: 1, windows: { 'vm:vgtHVMDomain': win({ closed: true }) } });
    fake.emit('domains', [domain({ name: 'Domain-0', domid: 0, state: 'running' }), domain({ name: 'win7', domid: 3, state: 'running' })]);
    await flushPromises();
    fake.emit('domains', [domain({ name: 'Domain-0', domid: 0, state: 'running' }), domain({ name: 'vgtHVMDomain', domid: 5, state: 'running' }), domain({ name: 'win7', domid: 3, state: 'running' })]);
    await flushPromises();
    expect(byTestId(wrapper, 'window-5').exists()).toBe(true);
  });

  it('a display event raises the Physical display; the close button and Maximize carry the VM name', async () => {
    const { fake, wrapper, windows } = await setup({ version: 1, windows: { physical: win({ z: 1 }), 'vm:vgtHVMDomain': win({ z: 2 }) } });
    expect(windows.frontmost()).not.toBe('physical');
    fake.emit('display', { foreground: 0 });
    await flushPromises();
    expect(windows.frontmost()).toBe('physical');
    expect(byTestId(wrapper, 'window-maximize-1').attributes('aria-label')).toBe('Maximize vgtHVMDomain');
    await byTestId(wrapper, 'window-close-1').trigger('click');
    await flushPromises();
    expect(byTestId(wrapper, 'window-1').exists()).toBe(false);
  });

  it('Alt+Shift+digit (the Electron Window menu sends it) reopens and raises that window; the in-app Window menu shows the same keys', async () => {
    const { wrapper, windows } = await setup({ version: 1, windows: { physical: win({ z: 3 }), 'vm:vgtHVMDomain': win({ closed: true, z: 1 }), 'vm:win7': win({ z: 2 }) } });
    const press = async (code: string, key: string) => {
      document.dispatchEvent(new KeyboardEvent('keydown', { code, key, altKey: true, shiftKey: true }));
      await flushPromises();
    };
    await press('Digit1', '!');
    expect(byTestId(wrapper, 'window-1').exists()).toBe(true);
    expect(windows.frontmost()).toBe('vm:vgtHVMDomain');
    await press('Digit0', ')');
    expect(windows.frontmost()).toBe('physical');
    await press('Digit2', '@');
    expect(windows.frontmost()).toBe('vm:win7');
    await press('Digit9', '('); // no ninth window: nothing happens
    expect(windows.frontmost()).toBe('vm:win7');

    await byTestId(wrapper, 'menu-window').trigger('click');
    const shortcut = (id: string) => byTestId(wrapper, `menu-window-${id}`).attributes('aria-keyshortcuts');
    expect([shortcut('tile'), shortcut('cascade'), shortcut('physical'), shortcut('vm-vgtHVMDomain'), shortcut('vm-win7')]).toEqual([
      'Alt+Shift+T',
      'Alt+Shift+C',
      'Alt+Shift+0',
      'Alt+Shift+1',
      'Alt+Shift+2',
    ]);
  });

  it('Alt+Shift+T tiles the open windows', async () => {
    const { windows } = await setup({ version: 1, windows: {} });
    windows.area = { w: 1000, h: 600 };
    document.dispatchEvent(new KeyboardEvent('keydown', { code: 'KeyT', altKey: true, shiftKey: true }));
    const rects = windows.liveKeys.map((k) => windows.rect(k));
    expect(rects).toHaveLength(3);
    for (let i = 0; i < rects.length; i++)
      for (let j = i + 1; j < rects.length; j++) {
        const [a, b] = [rects[i]!, rects[j]!];
        expect(a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h).toBe(false);
      }
  });
});
