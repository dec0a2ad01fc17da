// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { flushPromises, type VueWrapper } from '@vue/test-utils';
import App from '../../../src/renderer/App.vue';
import { useUiStore } from '../../../src/renderer/stores/ui';
import { PHYSICAL_SOURCE } from '../../../src/shared/api';
import { FakeClient } from './fake-client';
import { domain, sampleDomains } from './fixtures';
import { mountWith } from './mount';

const GPU = { apertureBytes: 512 << 20, totalGmBytes: 4096 << 20, fences: 32, freeLowGmBytes: 128 << 20, freeHighGmBytes: 2304 << 20, freeFences: 20, liveVgpus: 2 };

let wrapper: VueWrapper | undefined;
afterEach(() => wrapper?.unmount());

/** The host's foreground VM, as gpu.info reports it. */
let foreground = 1;

async function setup() {
  foreground = 1;
  const fake = new FakeClient({
    'domains.list': () => sampleDomains(),
    'gpu.info': () => ({ ...GPU, foreground }),
    'gpu.types': () => [{ name: 'GVTg_V5_4', lowGmBytes: 128 << 20, highGmBytes: 512 << 20, fences: 4, weight: 4, resolution: { width: 1920, height: 1200 }, availableInstances: 2, description: '' }],
    'settings.get': () => ({ hvmBootForeground: true, apertureMiB: 512 as const }),
    'frame.resync': () => null,
  });
  const mounted = mountWith(fake, App);
  wrapper = mounted.wrapper as VueWrapper;
  // Browser mode loads state once the socket opens.
  useUiStore(mounted.pinia).connection = 'open';
  await flushPromises();
  return { fake, wrapper };
}

const byTestId = (w: VueWrapper, id: string) => w.find(`[data-testid="${id}"]`);

describe('desktop', () => {
  it('lays out the library, a window per guest, the physical display, dashboard and Dom0 console', async () => {
    const { wrapper } = await setup();
    for (const id of ['library', 'menu-display', 'window-physical', 'canvas-physical', 'window-1', 'canvas-1', 'window-3', 'serial-1', 'dashboard', 'dom0-console']) {
      expect(byTestId(wrapper, id).exists(), id).toBe(true);
    }
    expect(byTestId(wrapper, 'window-0').exists()).toBe(false); // Dom0 has no guest window
    expect(byTestId(wrapper, 'window-1').text()).toContain('vgtHVMDomain — domid 1');
    expect(byTestId(wrapper, 'physical-foreground').text()).toContain('1');
    expect(byTestId(wrapper, 'dashboard').text()).toContain('128 MiB free of 512 MiB');
    expect(byTestId(wrapper, 'type-avail-GVTg_V5_4').text()).toBe('2');
    expect(byTestId(wrapper, 'dom0-console-log').text()).toBe('root@dom0:~#');
  });

  it('follows display and domains events', async () => {
    const { fake, wrapper } = await setup();
    foreground = 3;
    fake.emit('display', { foreground: 3 });
    fake.emit('domains', [domain({ name: 'Domain-0', domid: 0, state: 'running' }), domain({ name: 'win7', domid: 3, state: 'running' })]);
    await flushPromises();
    expect(byTestId(wrapper, 'physical-foreground').text()).toBe('win7 (3)');
    expect(byTestId(wrapper, 'window-1').exists()).toBe(false);
  });

  it('shows No signal until a frame arrives and again when the pipe goes 0x0', async () => {
    const { fake, wrapper } = await setup();
    const physical = () => byTestId(wrapper, 'window-physical').text();
    expect(physical()).toContain('No signal');
    fake.emitFrame({ source: PHYSICAL_SOURCE, width: 4, height: 2, x: 0, y: 0, w: 1, h: 1, seq: 1, flip: 0, vblankMs: 0, rgba: new Uint8ClampedArray(4) });
    await flushPromises();
    expect(physical()).not.toContain('No signal');
    fake.emitFrame({ source: PHYSICAL_SOURCE, width: 0, height: 0, x: 0, y: 0, w: 0, h: 0, seq: 2, flip: 0, vblankMs: 0, rgba: new Uint8ClampedArray(0) });
    await flushPromises();
    expect(physical()).toContain('No signal');
  });
});
