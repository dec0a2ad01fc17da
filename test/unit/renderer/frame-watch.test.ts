// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { flushPromises, type VueWrapper } from '@vue/test-utils';
import App from '../../../src/renderer/App.vue';
import { useUiStore, vmWindowKey } from '../../../src/renderer/stores/ui';
import { useWindowsStore } from '../../../src/renderer/stores/windows';
import { PHYSICAL_SOURCE, type Layout, type WindowLayout } from '../../../src/shared/api';
import { physicalHeadSource, vmHeadSource } from '../../../src/shared/heads';
import { PORT_NAMES } from '../../../src/shared/ports';
import { FakeClient } from './fake-client';
import { compositorHandlers } from './fixtures';
import { mountWith } from './mount';

const win = (over: Partial<WindowLayout> = {}): WindowLayout => ({ x: 10, y: 20, w: 400, h: 300, z: 1, maximized: false, scale: 'fit', closed: false, ...over });

let wrapper: VueWrapper | undefined;
afterEach(() => wrapper?.unmount());

/** Dark heads are watched so the page learns when one lights: every physical head but the first, and pipes B, C of guests 1 and 3. */
const DARK = [...PORT_NAMES.map(physicalHeadSource), ...[1, 3].flatMap((d) => [vmHeadSource(d, 1), vmHeadSource(d, 2)])];
const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);

async function setup(layout: Layout) {
  const fake = new FakeClient({
    ...compositorHandlers(),
    'ports.list': () => [],
    'layout.get': () => ({ layout, warning: null }),
    'layout.set': ({ layout: l }) => ({ windows: Object.keys(l.windows).length }),
  });
  const mounted = mountWith(fake, App);
  wrapper = mounted.wrapper as VueWrapper;
  const ui = useUiStore(mounted.pinia);
  ui.connection = 'open';
  await flushPromises();
  const watched = (): number[] => (fake.callsTo('frame.watch').at(-1) as { sources: number[] }).sources;
  return { fake, ui, wrapper, watched, windows: useWindowsStore(mounted.pinia) };
}

const byTestId = (w: VueWrapper, id: string) => w.find(`[data-testid="${id}"]`);

describe('frame.watch from the page', () => {
  it('watches the open windows\' sources (and the dark heads); the stored closed Physical display is not watched', async () => {
    const { watched } = await setup({ version: 1, windows: { physical: win({ closed: true }) } });
    expect(watched()).toEqual(sorted([1, 3, ...DARK]));
  });

  it('closing a window sends the smaller set; reopening it sends the source again before the window asks for its picture', async () => {
    const { fake, wrapper, watched, windows } = await setup({ version: 1, windows: {} });
    expect(watched()).toEqual(sorted([PHYSICAL_SOURCE, 1, 3, ...DARK]));
    await byTestId(wrapper, 'window-close-physical').trigger('click');
    await flushPromises();
    expect(watched()).toEqual(sorted([1, 3, ...DARK]));
    await byTestId(wrapper, 'window-close-3').trigger('click');
    await flushPromises();
    expect(watched()).toEqual(sorted([1, ...DARK]));
    const before = fake.calls.length;
    windows.show('physical');
    await flushPromises();
    expect(watched()).toContain(PHYSICAL_SOURCE);
    const after = fake.calls.slice(before).map((c) => c.method).filter((m) => m.startsWith('frame.'));
    // The host hears of the watch first (and sends the whole picture); the canvas's own ask then joins it.
    expect(after).toEqual(['frame.watch', 'frame.resync']);
  });

  it('sends its set again after a reconnect (a new connection watches everything until told)', async () => {
    const { fake, ui } = await setup({ version: 1, windows: { physical: win({ closed: true }) } });
    const n = fake.callsTo('frame.watch').length;
    ui.connection = 'closed';
    await flushPromises();
    expect(fake.callsTo('frame.watch')).toHaveLength(n);
    ui.connection = 'open';
    await flushPromises();
    expect(fake.callsTo('frame.watch')).toHaveLength(n + 1);
    expect((fake.callsTo('frame.watch').at(-1) as { sources: number[] }).sources).not.toContain(PHYSICAL_SOURCE);
  });

  it('a lit head shows a window and is watched while it is open, not once closed', async () => {
    const { fake, wrapper, watched } = await setup({ version: 1, windows: {} });
    const pipeB = vmHeadSource(1, 1);
    fake.emitFrame({ source: pipeB, width: 640, height: 480, x: 0, y: 0, w: 0, h: 0, seq: 1, flip: 0, vblankMs: 0, rgba: new Uint8Array(0) } as never);
    await flushPromises();
    expect(byTestId(wrapper, 'window-1-B').exists()).toBe(true);
    expect(watched()).toContain(pipeB);
    await byTestId(wrapper, 'window-close-1-B').trigger('click');
    await flushPromises();
    expect(watched()).not.toContain(pipeB);
  });

  it('a VM window on its Serial or Ports tab is not watched; back on Screen it is', async () => {
    const { ui, watched } = await setup({ version: 1, windows: {} });
    expect(watched()).toContain(3);
    ui.showVmTab('win7', 'serial');
    await flushPromises();
    expect(watched()).not.toContain(3);
    ui.showVmTab('win7', 'ports');
    await flushPromises();
    expect(watched()).not.toContain(3);
    ui.showVmTab('win7', 'screen');
    await flushPromises();
    expect(watched()).toEqual(sorted([PHYSICAL_SOURCE, 1, 3, ...DARK]));
  });

  it('windows wholly under a maximized one are not watched until it is restored', async () => {
    const { watched, windows } = await setup({ version: 1, windows: {} });
    windows.area = { w: 1200, h: 800 };
    await flushPromises();
    expect(watched()).toEqual(sorted([PHYSICAL_SOURCE, 1, 3, ...DARK]));
    const vm1 = vmWindowKey('vgtHVMDomain');
    windows.raise(vm1);
    windows.toggleMaximize(vm1);
    await flushPromises();
    expect(watched()).toEqual(sorted([1, ...DARK]));
    windows.toggleMaximize(vm1);
    await flushPromises();
    expect(watched()).toEqual(sorted([PHYSICAL_SOURCE, 1, 3, ...DARK]));
  });
});
