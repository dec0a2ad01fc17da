// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { flushPromises, type VueWrapper } from '@vue/test-utils';
import MenuBar from '../../../src/renderer/components/MenuBar.vue';
import { useDisplayStore } from '../../../src/renderer/stores/display';
import { useDomainsStore } from '../../../src/renderer/stores/domains';
import { useUiStore } from '../../../src/renderer/stores/ui';
import { FakeClient } from './fake-client';
import { sampleDomains } from './fixtures';
import { mountWith } from './mount';

const RESOURCES = { apertureBytes: 512 << 20, totalGmBytes: 4096 << 20, fences: 32, freeLowGmBytes: 128 << 20, freeHighGmBytes: 2304 << 20, freeFences: 20, liveVgpus: 2 };

let wrapper: VueWrapper | undefined;
afterEach(() => wrapper?.unmount());

async function setup() {
  let foreground = 1;
  const fake = new FakeClient({
    'domains.list': () => sampleDomains(),
    'gpu.info': () => ({ ...RESOURCES, foreground }),
    'gpu.types': () => [],
    'settings.get': () => ({ hvmBootForeground: true, apertureMiB: 512 as const }),
    'display.setForeground': ({ domid }) => ({ foreground: (foreground = domid) }),
  });
  const mounted = mountWith(fake, MenuBar);
  wrapper = mounted.wrapper as VueWrapper;
  await useDomainsStore(mounted.pinia).refresh();
  await useDisplayStore(mounted.pinia).refresh();
  await flushPromises();
  return { fake, wrapper, pinia: mounted.pinia };
}

const byTestId = (w: VueWrapper, id: string) => w.find(`[data-testid="${id}"]`);
const displayItems = (w: VueWrapper) => w.findAll('[data-testid^="menu-display-item-"]');

describe('menu bar', () => {
  it('opens the Display menu on click with Domain-0 and each running VM, foreground checked', async () => {
    const { wrapper } = await setup();
    expect(displayItems(wrapper)).toHaveLength(0);
    await byTestId(wrapper, 'menu-display').trigger('click');

    const items = displayItems(wrapper);
    expect(items.map((i) => i.attributes('data-testid'))).toEqual(['menu-display-item-0', 'menu-display-item-1', 'menu-display-item-3']);
    expect(items.map((i) => i.text())).toEqual(['Domain-0 (0)', '✓vgtHVMDomain (1)', 'win7 (3)']);
    expect(items.map((i) => i.attributes('aria-checked'))).toEqual(['false', 'true', 'false']);
  });

  it('calls display.setForeground with the chosen domid, closes, and checks the new foreground', async () => {
    const { fake, wrapper } = await setup();
    await byTestId(wrapper, 'menu-display').trigger('click');
    await byTestId(wrapper, 'menu-display-item-3').trigger('click');
    await flushPromises();
    expect(fake.callsTo('display.setForeground')).toEqual([{ domid: 3 }]);
    expect(displayItems(wrapper)).toHaveLength(0);

    await byTestId(wrapper, 'menu-display').trigger('click');
    expect(byTestId(wrapper, 'menu-display-item-3').attributes('aria-checked')).toBe('true');
    expect(byTestId(wrapper, 'menu-display-item-1').attributes('aria-checked')).toBe('false');
  });

  it('follows a display event (e.g. echo 0 > foreground_vm in the Dom0 console)', async () => {
    const { fake, wrapper } = await setup();
    fake.emit('display', { foreground: 0 });
    await byTestId(wrapper, 'menu-display').trigger('click');
    expect(byTestId(wrapper, 'menu-display-item-0').attributes('aria-checked')).toBe('true');
  });

  it('closes on Escape and on a click outside', async () => {
    const { wrapper } = await setup();
    await byTestId(wrapper, 'menu-display').trigger('click');
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }));
    await flushPromises();
    expect(displayItems(wrapper)).toHaveLength(0);

    await byTestId(wrapper, 'menu-display').trigger('click');
    expect(displayItems(wrapper)).not.toHaveLength(0);
    document.body.dispatchEvent(new PointerEvent('pointerdown', { bubbles: true }));
    await flushPromises();
    expect(displayItems(wrapper)).toHaveLength(0);
  });

  it('File ▸ Import asks the library for a file; View toggles the console and dashboard', async () => {
    const { wrapper, pinia } = await setup();
    const ui = useUiStore(pinia);
    await byTestId(wrapper, 'menu-file').trigger('click');
    await byTestId(wrapper, 'menu-file-import').trigger('click');
    expect(ui.importRequests).toBe(1);

    await byTestId(wrapper, 'menu-view').trigger('click');
    await byTestId(wrapper, 'menu-view-console').trigger('click');
    expect(ui.consoleOpen).toBe(false);
    await byTestId(wrapper, 'menu-view').trigger('click');
    await byTestId(wrapper, 'menu-view-dashboard').trigger('click');
    expect(ui.dashboardOpen).toBe(false);
  });
});
