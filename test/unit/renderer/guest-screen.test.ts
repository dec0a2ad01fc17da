// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { flushPromises, type VueWrapper } from '@vue/test-utils';
import { defineComponent, h, reactive } from 'vue';
import { ApiError, type DomainInfo } from '../../../src/shared/api';
import { vmHeadSource } from '../../../src/shared/heads';
import GuestScreen from '../../../src/renderer/components/GuestScreen.vue';
import ErrorBanner from '../../../src/renderer/components/ErrorBanner.vue';
import { useFramesStore } from '../../../src/renderer/stores/frames';
import { FakeClient, type Handlers } from './fake-client';
import { domain, vgpu } from './fixtures';
import { mountWith } from './mount';

let wrapper: VueWrapper | undefined;
afterEach(() => wrapper?.unmount());

const nextFrame = (): Promise<void> => new Promise((r) => requestAnimationFrame(() => r()));

async function setup(handlers: Handlers = {}) {
  const vm = reactive(domain({ name: 'vgtHVMDomain', domid: 1, state: 'running', vgpu: vgpu() })) as DomainInfo & { domid: number };
  const fake = new FakeClient({ 'frame.resync': () => null, 'domain.input': ({ events }) => ({ queued: events.length, dropped: 0 }), ...handlers });
  const Screen = defineComponent(() => () => h(GuestScreen, { domain: vm }));
  const mounted = mountWith(fake, Screen, ErrorBanner);
  wrapper = mounted.wrapper as VueWrapper;
  await flushPromises();
  // A 1024x768 guest (one damage rect is enough for the store to know the size).
  useFramesStore(mounted.pinia).apply({ source: 1, width: 1024, height: 768, x: 0, y: 0, w: 1, h: 1, seq: 1, flip: 0, vblankMs: 0, rgba: new Uint8ClampedArray(4) });
  await flushPromises();
  const canvas = wrapper.find('[data-testid="canvas-1"]');
  // Shown at half size, 20 px from the viewport's corner.
  (canvas.element as HTMLElement).getBoundingClientRect = () => ({ left: 20, top: 20, width: 512, height: 384, right: 532, bottom: 404, x: 20, y: 20, toJSON: () => ({}) });
  const sent = () => fake.callsTo('domain.input').flatMap((p) => (p as { events: unknown[] }).events);
  return { fake, wrapper, vm, canvas, sent, hint: () => wrapper!.find('[data-testid="input-hint-1"]').text() };
}

describe('VM screen input', () => {
  it('is a focusable, named canvas; focusing it grabs input and the hint says so', async () => {
    const { canvas, hint } = await setup();
    expect(canvas.attributes('tabindex')).toBe('0');
    expect(canvas.attributes('aria-label')).toBe('vgtHVMDomain display: click to send keyboard and mouse input');
    expect(hint()).toBe('Click to send input · Ctrl+Alt releases');
    (canvas.element as HTMLElement).focus();
    await flushPromises();
    expect(hint()).toBe('Input goes to vgtHVMDomain — press Ctrl+Alt to release');
  });

  it('sends nothing until grabbed', async () => {
    const { canvas, sent } = await setup();
    await canvas.trigger('keydown', { key: 'a', code: 'KeyA' });
    await canvas.trigger('pointermove', { clientX: 100, clientY: 100 });
    await canvas.trigger('pointerdown', { button: 0, clientX: 100, clientY: 100 });
    await nextFrame();
    await flushPromises();
    expect(sent()).toEqual([]);
  });

  it('sends keys in order and swallows them (Tab, Backspace stay in the guest)', async () => {
    const { canvas, sent } = await setup();
    (canvas.element as HTMLElement).focus();
    const tab = new KeyboardEvent('keydown', { key: 'Tab', code: 'Tab', bubbles: true, cancelable: true });
    canvas.element.dispatchEvent(tab);
    expect(tab.defaultPrevented).toBe(true);
    await canvas.trigger('keyup', { key: 'Tab', code: 'Tab' });
    await canvas.trigger('keydown', { key: 'Shift', code: 'ShiftLeft' });
    await canvas.trigger('keydown', { key: 'H', code: 'KeyH' });
    await canvas.trigger('keyup', { key: 'Shift', code: 'ShiftLeft' });
    await canvas.trigger('keyup', { key: 'h', code: 'KeyH' });
    await canvas.trigger('keydown', { key: 'Dead', code: 'Quote' });
    await flushPromises();
    expect(sent()).toEqual([
      { type: 'key', key: 'Tab', action: 'press' },
      { type: 'key', key: 'Tab', action: 'release' },
      { type: 'key', key: 'Shift', action: 'press' },
      { type: 'key', key: 'H', action: 'press' },
      { type: 'key', key: 'Shift', action: 'release' },
      { type: 'key', key: 'H', action: 'release' },
    ]);
  });

  it('maps the pointer from CSS pixels of the scaled canvas to guest pixels, one motion per frame', async () => {
    const { canvas, sent } = await setup();
    (canvas.element as HTMLElement).focus();
    await canvas.trigger('pointermove', { clientX: 30, clientY: 30 });
    await canvas.trigger('pointermove', { clientX: 276, clientY: 212.7 });
    await nextFrame();
    await flushPromises();
    expect(sent()).toEqual([{ type: 'pointer', x: 512, y: 385 }]);
    await canvas.trigger('pointerdown', { button: 2, clientX: 531.9, clientY: 403.9 });
    await canvas.trigger('pointerup', { button: 2, clientX: 600, clientY: 0 });
    await canvas.trigger('wheel', { deltaY: -100, deltaMode: 0, clientX: 20, clientY: 20 });
    await flushPromises();
    expect(sent().slice(1)).toEqual([
      { type: 'button', button: 'right', action: 'press', x: 1023, y: 767 },
      { type: 'button', button: 'right', action: 'release', x: 1023, y: 0 },
      { type: 'wheel', delta: 1, x: 0, y: 0 },
    ]);
  });

  it('a head window (pipe B) maps the pointer onto that head\'s own frame and names the head in every pointer, button and wheel event; keys go to the same guest', async () => {
    const vm = reactive(domain({ name: 'vgtHVMDomain', domid: 1, state: 'running', vgpu: vgpu() })) as DomainInfo & { domid: number };
    const fake = new FakeClient({ 'frame.resync': () => null, 'domain.input': ({ events }) => ({ queued: events.length, dropped: 0 }) });
    const Screen = defineComponent(() => () => h(GuestScreen, { domain: vm, pipe: 'B' }));
    const mounted = mountWith(fake, Screen, ErrorBanner);
    wrapper = mounted.wrapper as VueWrapper;
    await flushPromises();
    // Pipe A at 1024x768 and pipe B at 1280x1024: the B screen maps onto B's frame, not A's.
    useFramesStore(mounted.pinia).apply({ source: 1, width: 1024, height: 768, x: 0, y: 0, w: 1, h: 1, seq: 1, flip: 0, vblankMs: 0, rgba: new Uint8ClampedArray(4) });
    useFramesStore(mounted.pinia).apply({ source: vmHeadSource(1, 1), width: 1280, height: 1024, x: 0, y: 0, w: 1, h: 1, seq: 1, flip: 0, vblankMs: 0, rgba: new Uint8ClampedArray(4) });
    await flushPromises();
    const canvas = wrapper.find('[data-testid="canvas-1-B"]');
    expect(canvas.attributes('aria-label')).toBe('vgtHVMDomain pipe B display: click to send keyboard and mouse input');
    (canvas.element as HTMLElement).getBoundingClientRect = () => ({ left: 0, top: 0, width: 640, height: 512, right: 640, bottom: 512, x: 0, y: 0, toJSON: () => ({}) });
    (canvas.element as HTMLElement).focus();
    await flushPromises();
    expect(wrapper.find('[data-testid="input-hint-1-B"]').text()).toBe('Input goes to vgtHVMDomain — press Ctrl+Alt to release');
    await canvas.trigger('pointermove', { clientX: 320, clientY: 256 });
    await nextFrame();
    await canvas.trigger('pointerdown', { button: 0, clientX: 320, clientY: 256 });
    await canvas.trigger('pointerup', { button: 0, clientX: 320, clientY: 256 });
    await canvas.trigger('wheel', { deltaY: 100, deltaMode: 0, clientX: 0, clientY: 0 });
    await canvas.trigger('keydown', { key: 'x', code: 'KeyX' });
    await flushPromises();
    expect(fake.callsTo('domain.input').map((p) => (p as { ref: number }).ref)).toEqual(expect.arrayContaining([1]));
    expect(fake.callsTo('domain.input').flatMap((p) => (p as { events: unknown[] }).events)).toEqual([
      { type: 'pointer', x: 640, y: 512, pipe: 'B' },
      { type: 'button', button: 'left', action: 'press', x: 640, y: 512, pipe: 'B' },
      { type: 'button', button: 'left', action: 'release', x: 640, y: 512, pipe: 'B' },
      { type: 'wheel', delta: -1, x: 0, y: 0, pipe: 'B' },
      { type: 'key', key: 'x', action: 'press' },
    ]);
  });

  it('Ctrl+Alt releases the grab and every key the guest holds', async () => {
    const { canvas, sent, hint } = await setup();
    (canvas.element as HTMLElement).focus();
    await canvas.trigger('keydown', { key: 'Control', code: 'ControlLeft' });
    await canvas.trigger('keydown', { key: 'Alt', code: 'AltLeft' });
    await flushPromises();
    expect(document.activeElement).not.toBe(canvas.element);
    expect(hint()).toBe('Click to send input · Ctrl+Alt releases');
    expect(sent()).toEqual([
      { type: 'key', key: 'Control', action: 'press' },
      { type: 'key', key: 'Alt', action: 'press' },
      { type: 'key', key: 'Alt', action: 'release' },
      { type: 'key', key: 'Control', action: 'release' },
    ]);
  });

  it('a paused domain shows "Paused" and its refusal reaches the banner once; input resumes with the state', async () => {
    let paused = true;
    const { wrapper, canvas, vm, fake } = await setup({
      'domain.input': ({ events }) => {
        if (paused) throw new ApiError('state', "cannot send input to domain 'vgtHVMDomain' (domid 1): it is paused (xl unpause vgtHVMDomain first)");
        return { queued: events.length, dropped: 0 };
      },
    });
    vm.state = 'paused';
    await flushPromises();
    expect(wrapper.find('[data-testid="screen-overlay-1"]').text()).toBe('Paused');
    (canvas.element as HTMLElement).focus();
    for (const key of ['a', 'b', 'c']) {
      await canvas.trigger('keydown', { key, code: `Key${key.toUpperCase()}` });
      await flushPromises();
    }
    expect(wrapper.findAll('[data-testid="error-banner"] .message').map((m) => m.text())).toEqual([
      "Input to vgtHVMDomain: cannot send input to domain 'vgtHVMDomain' (domid 1): it is paused (xl unpause vgtHVMDomain first)",
    ]);
    expect(fake.callsTo('domain.input')).toHaveLength(1);

    paused = false;
    vm.state = 'running';
    await flushPromises();
    expect(wrapper.find('[data-testid="screen-overlay-1"]').exists()).toBe(false);
    await canvas.trigger('keydown', { key: 'd', code: 'KeyD' });
    await flushPromises();
    expect(fake.callsTo('domain.input')).toHaveLength(2);
  });
});
