// @vitest-environment happy-dom
/** Head windows (stores/heads.ts, HeadWindow.vue): a window per lit pipe B/C of a guest and per further physical monitor. */
import { afterEach, describe, expect, it } from 'vitest';
import { flushPromises, type VueWrapper } from '@vue/test-utils';
import App from '../../../src/renderer/App.vue';
import { useUiStore } from '../../../src/renderer/stores/ui';
import { useWindowsStore } from '../../../src/renderer/stores/windows';
import { physicalHeadSource, vmHeadSource } from '../../../src/shared/heads';
import { PHYSICAL_SOURCE } from '../../../src/shared/api';
import { useHeadsStore } from '../../../src/renderer/stores/heads';
import type { Layout, PortInfo, WindowLayout } from '../../../src/shared/api';
import { FakeClient } from './fake-client';
import { compositorHandlers, domain, sampleDomains } from './fixtures';
import { mountWith } from './mount';

const win = (over: Partial<WindowLayout> = {}): WindowLayout => ({ x: 10, y: 20, w: 400, h: 300, z: 1, maximized: false, scale: 'fit', closed: false, ...over });
const port = (name: PortInfo['name'], typeName: string, pipe: PortInfo['pipe']): PortInfo => ({
  name,
  type: 0,
  typeName,
  overridePort: null,
  connected: pipe !== null,
  edidHex: null,
  monitorName: null,
  preferredMode: null,
  active: pipe === 'A',
  pipe,
});
const frame = (source: number, width: number, height: number, seq = 1) => ({ source, width, height, x: 0, y: 0, w: width, h: height, seq, flip: 0, vblankMs: 0, rgba: new Uint8ClampedArray(width * height * 4) });

let wrapper: VueWrapper | undefined;
afterEach(() => wrapper?.unmount());

async function setup(layout: Layout = { version: 1, windows: {} }, ports: PortInfo[] = [port('PORT_B', 'DP_B', 'A'), port('PORT_C', 'HDMI_C', 'B')]) {
  const fake = new FakeClient({
    ...compositorHandlers(),
    'ports.list': ({ domid }) => (domid === 1 ? ports : []),
    'layout.get': () => ({ layout, warning: null }),
    'layout.set': ({ layout: l }) => ({ windows: Object.keys(l.windows).length }),
  });
  const mounted = mountWith(fake, App);
  wrapper = mounted.wrapper as VueWrapper;
  useUiStore(mounted.pinia).connection = 'open';
  await flushPromises();
  return { fake, wrapper, windows: useWindowsStore(mounted.pinia), heads: useHeadsStore(mounted.pinia) };
}

const byTestId = (w: VueWrapper, id: string) => w.find(`[data-testid="${id}"]`);
const B1 = vmHeadSource(1, 1);

describe('head windows', () => {
  it('a guest pipe B gets window vm:NAME:B titled with its connector and mode; the first head names its connector too', async () => {
    const { fake, wrapper, windows } = await setup(undefined, []);
    expect(byTestId(wrapper, 'window-1-B').exists()).toBe(false);
    expect(byTestId(wrapper, 'window-title-1').text()).not.toMatch(/DP-B/);
    fake.emit('ports', { domid: 1, ports: [port('PORT_B', 'DP_B', 'A'), port('PORT_C', 'HDMI_C', 'B')] });
    fake.emitFrame(frame(1, 8, 6));
    fake.emitFrame(frame(B1, 4, 2));
    await flushPromises();
    expect(byTestId(wrapper, 'window-1-B').exists()).toBe(true);
    expect(byTestId(wrapper, 'canvas-1-B').exists()).toBe(true);
    expect(byTestId(wrapper, 'window-title-1-B').text()).toBe('vgtHVMDomain — HDMI-C 4x2');
    expect(byTestId(wrapper, 'window-title-1').text()).toBe('vgtHVMDomain — domid 1 — DP-B 8x6');
    expect(windows.liveKeys).toEqual(['physical', 'vm:vgtHVMDomain', 'vm:vgtHVMDomain:B', 'vm:win7']);
    // The new window asked for a whole picture of its source.
    expect(fake.callsTo('frame.resync')).toContainEqual({ source: B1 });
  });

  it('titles are cut in the middle: the drawn parts keep the VM name and the connector, the element keeps the full title as text and tooltip', async () => {
    const { fake, wrapper } = await setup(undefined, []);
    fake.emit('ports', { domid: 1, ports: [port('PORT_B', 'DP_B', 'A'), port('PORT_C', 'HDMI_C', 'B')] });
    fake.emitFrame(frame(1, 8, 6));
    fake.emitFrame(frame(B1, 4, 2));
    await flushPromises();
    const parts = (id: string) => byTestId(wrapper, id).findAll('.title-shown > span').map((s) => [s.classes().find((c) => c !== 'keep'), s.attributes('data-text')]);
    expect(parts('window-title-1')).toEqual([['start', 'vgtHVMDomain'], ['cut', ' — domid 1 — '], ['end', 'DP-B 8x6']]);
    expect(parts('window-title-1-B')).toEqual([['start', 'vgtHVMDomain'], ['cut', ' — '], ['end', 'HDMI-C 4x2']]);
    for (const [id, full] of [['window-title-1', 'vgtHVMDomain — domid 1 — DP-B 8x6'], ['window-title-1-B', 'vgtHVMDomain — HDMI-C 4x2']]) {
      const title = byTestId(wrapper, id!);
      expect(title.attributes('title')).toBe(full);
      // The drawn parts are CSS generated content, hidden from assistive technology; the text is the full title.
      expect(title.find('.title-shown').attributes('aria-hidden')).toBe('true');
      expect(title.find('.title-shown').text()).toBe('');
      expect(title.text()).toBe(full);
    }
  });

  it('before its first frame a head counts as lit when ports.list shows a monitor on its pipe', async () => {
    const { wrapper } = await setup();
    expect(byTestId(wrapper, 'window-1-B').exists()).toBe(true);
    expect(byTestId(wrapper, 'window-title-1-B').text()).toBe('vgtHVMDomain — HDMI-C no signal');
    expect(byTestId(wrapper, 'window-1-C').exists()).toBe(false);
  });

  it('the 0x0 frame of an unplugged head closes its window without marking it closed; its next picture reopens it', async () => {
    const { fake, wrapper, windows } = await setup(undefined, []);
    fake.emitFrame(frame(vmHeadSource(1, 2), 4, 2));
    await flushPromises();
    expect(byTestId(wrapper, 'window-1-C').exists()).toBe(true);
    fake.emitFrame(frame(vmHeadSource(1, 2), 0, 0, 2));
    await flushPromises();
    expect(byTestId(wrapper, 'window-1-C').exists()).toBe(false);
    expect(windows.layouts['vm:vgtHVMDomain:C']?.closed).toBe(false);
    expect(windows.liveKeys).not.toContain('vm:vgtHVMDomain:C');
    fake.emitFrame(frame(vmHeadSource(1, 2), 4, 2, 3));
    await flushPromises();
    expect(byTestId(wrapper, 'window-1-C').exists()).toBe(true);
  });

  it('a head window the user closed stays closed while lit (and in the stored layout), and reopens when its monitor comes back', async () => {
    const { fake, wrapper, windows } = await setup({ version: 1, windows: { 'vm:vgtHVMDomain:B': win({ closed: true }) } }, []);
    fake.emitFrame(frame(B1, 4, 2));
    await flushPromises();
    expect(byTestId(wrapper, 'window-1-B').exists()).toBe(false);
    await byTestId(wrapper, 'menu-window').trigger('click');
    const item = byTestId(wrapper, 'menu-window-vm-vgtHVMDomain-B');
    expect(item.text()).toContain('vgtHVMDomain — pipe B');
    expect(item.attributes('aria-checked')).toBe('false');
    fake.emitFrame(frame(B1, 0, 0, 2));
    await flushPromises();
    fake.emitFrame(frame(B1, 4, 2, 3));
    await flushPromises();
    expect(windows.layouts['vm:vgtHVMDomain:B']?.closed).toBe(false);
    expect(byTestId(wrapper, 'window-1-B').exists()).toBe(true);
  });

  it('a closed head window reopens when its domain starts again (a new domid) and the head lights', async () => {
    const { fake, wrapper } = await setup({ version: 1, windows: { 'vm:vgtHVMDomain:B': win({ closed: true }) } }, []);
    const others = sampleDomains().filter((d) => d.name !== 'vgtHVMDomain');
    fake.emit('domains', others);
    await flushPromises();
    fake.emit('domains', [...others, domain({ name: 'vgtHVMDomain', domid: 5, state: 'running' })]);
    fake.emitFrame(frame(vmHeadSource(5, 1), 4, 2));
    await flushPromises();
    expect(byTestId(wrapper, 'window-5-B').exists()).toBe(true);
  });

  it('a physical monitor after the first gets window physical:D while it has pictures', async () => {
    const { fake, wrapper, windows, heads } = await setup(undefined, []);
    const D = physicalHeadSource('PORT_D');
    // The page is not told which port the first physical pipe drives: it names the pipe, not a made-up "port A".
    expect(heads.connector(PHYSICAL_SOURCE)).toBe('pipe A');
    expect(heads.connector(D)).toBe('port D');
    fake.emitFrame(frame(D, 4, 2));
    await flushPromises();
    expect(byTestId(wrapper, 'window-title-physical-D').text()).toBe('Physical display — port D 4x2');
    expect(windows.liveKeys.slice(0, 2)).toEqual(['physical', 'physical:D']);
    expect(fake.callsTo('frame.resync')).toContainEqual({ source: D });
    fake.emitFrame(frame(D, 0, 0, 2));
    await flushPromises();
    expect(byTestId(wrapper, 'window-physical-D').exists()).toBe(false);
    expect(byTestId(wrapper, 'window-physical').exists()).toBe(true);
  });

  it('a head of a destroyed domain goes with it', async () => {
    const { fake, wrapper } = await setup(undefined, []);
    fake.emitFrame(frame(B1, 4, 2));
    await flushPromises();
    fake.emit('domains', sampleDomains().filter((d) => d.name !== 'vgtHVMDomain'));
    await flushPromises();
    expect(byTestId(wrapper, 'window-1-B').exists()).toBe(false);
  });
});
