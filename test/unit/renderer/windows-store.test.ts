// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushPromises } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { createApp, nextTick } from 'vue';
import { apiKey } from '../../../src/renderer/api';
import { useDomainsStore } from '../../../src/renderer/stores/domains';
import { useUiStore } from '../../../src/renderer/stores/ui';
import { SAVE_DELAY_MS, useWindowsStore } from '../../../src/renderer/stores/windows';
import type { Layout, WindowLayout } from '../../../src/shared/api';
import { FakeClient } from './fake-client';
import { sampleDomains } from './fixtures';

const win = (over: Partial<WindowLayout> = {}): WindowLayout => ({ x: 10, y: 20, w: 400, h: 300, z: 1, maximized: false, scale: 'fit', closed: false, ...over });

let stored: Layout;
let warning: string | null;

function setup() {
  const fake = new FakeClient({
    'layout.get': () => ({ layout: stored, warning }),
    'layout.set': ({ layout }) => {
      stored = layout;
      return { windows: Object.keys(layout.windows).length };
    },
    'domains.list': () => sampleDomains(),
  });
  const pinia = createPinia();
  // Stores look the API up with inject(): give them an app that provides the fake.
  const app = createApp({});
  app.provide(apiKey, fake);
  app.use(pinia);
  setActivePinia(pinia);
  const windows = app.runWithContext(() => useWindowsStore());
  const ui = app.runWithContext(() => useUiStore());
  const domains = app.runWithContext(() => useDomainsStore());
  return { fake, windows, ui, domains };
}

beforeEach(() => {
  vi.useFakeTimers();
  stored = { version: 1, windows: {} };
  warning = null;
});
afterEach(() => vi.useRealTimers());

describe('windows store', () => {
  it('places new windows only once the area is measured: side by side, then cascaded, inside it', async () => {
    const { windows } = setup();
    windows.ensure('physical');
    windows.ensure('vm:a');
    windows.ensure('vm:b');
    windows.area = { w: 720, h: 450 };
    await nextTick();
    const [p, a, b] = ['physical', 'vm:a', 'vm:b'].map((k) => windows.rect(k));
    expect(a!.x).toBe(p!.x + p!.w + 6);
    expect(a!.y).toBe(p!.y);
    expect(b!.x - p!.x).toBe(2 * 28);
    for (const r of [p!, a!, b!]) expect(r.x + r.w <= 720 && r.y + r.h <= 450).toBe(true);
  });

  it('shows stored geometry clamped into a smaller area, without changing what is stored', async () => {
    stored = { version: 1, windows: { physical: win({ x: 1200, y: 700, w: 800, h: 600 }) } };
    const { windows } = setup();
    await windows.load();
    windows.area = { w: 720, h: 450 };
    expect(windows.rect('physical')).toEqual({ x: 0, y: 0, w: 720, h: 450 });
    windows.area = { w: 1000, h: 700 };
    expect(windows.rect('physical')).toEqual({ x: 200, y: 100, w: 800, h: 600 });
    expect(windows.layouts.physical).toMatchObject({ x: 1200, y: 700 });
  });

  it('maximize shows the whole area and restore gives the old place back; move and resize stay inside', async () => {
    const { windows } = setup();
    windows.area = { w: 720, h: 450 };
    await windows.load();
    windows.ensure('physical');
    windows.move('physical', 5000, -40);
    const placed = windows.rect('physical');
    expect(placed.x + placed.w).toBe(720);
    expect(placed.y).toBe(0);
    windows.toggleMaximize('physical');
    expect(windows.rect('physical')).toEqual({ x: 0, y: 0, w: 720, h: 450 });
    windows.move('physical', 10, 10); // a maximized window does not move
    windows.toggleMaximize('physical');
    expect(windows.rect('physical')).toEqual(placed);
    windows.resize('physical', 10_000, 10_000);
    expect(windows.rect('physical').w + windows.rect('physical').x).toBeLessThanOrEqual(720);
  });

  it('covered: open windows wholly inside one open window above them (a maximized one covers all below); not partly covered, closed or below ones', async () => {
    stored = {
      version: 1,
      windows: {
        physical: win({ x: 0, y: 0, w: 600, h: 400, z: 3 }),
        'vm:a': win({ x: 10, y: 10, w: 200, h: 150, z: 1 }), // inside physical, below it
        'vm:b': win({ x: 500, y: 10, w: 200, h: 150, z: 2 }), // sticks out to the right
        'vm:c': win({ x: 20, y: 20, w: 100, h: 100, z: 4 }), // inside physical, above it
        'vm:d': win({ x: 30, y: 30, w: 50, h: 50, z: 2, closed: true }),
      },
    };
    const { windows } = setup();
    await windows.load();
    expect([...windows.covered]).toEqual([]); // area not measured yet: nothing is known to be hidden
    windows.area = { w: 1000, h: 700 };
    expect([...windows.covered]).toEqual(['vm:a']);
    windows.close('physical');
    expect([...windows.covered]).toEqual([]);
    windows.show('physical'); // reopened in front: now above vm:c too
    expect([...windows.covered].sort()).toEqual(['vm:a', 'vm:c']);
    windows.toggleMaximize('vm:b');
    windows.raise('vm:b');
    expect([...windows.covered].sort()).toEqual(['physical', 'vm:a', 'vm:c']);
    windows.toggleMaximize('vm:b');
    expect([...windows.covered].sort()).toEqual(['vm:a', 'vm:c']);
  });

  it('raise renumbers the stack 1..n with the raised window on top', () => {
    const { windows } = setup();
    for (const k of ['physical', 'vm:a', 'vm:b']) windows.ensure(k);
    windows.raise('physical');
    expect(Object.fromEntries(Object.entries(windows.layouts).map(([k, w]) => [k, w.z]))).toEqual({ 'vm:a': 1, 'vm:b': 2, physical: 3 });
    expect(windows.frontmost(['physical', 'vm:a', 'vm:b'])).toBe('physical');
  });

  it('close hides a window (frontmost skips it); show reopens it in front', () => {
    const { windows } = setup();
    windows.ensure('physical');
    windows.ensure('vm:a');
    windows.close('vm:a');
    expect(windows.frontmost(['physical', 'vm:a'])).toBe('physical');
    windows.show('vm:a');
    expect(windows.layouts['vm:a']!.closed).toBe(false);
    expect(windows.frontmost(['physical', 'vm:a'])).toBe('vm:a');
  });

  it('tiles the open windows of the running guests and the physical display, un-maximized, not the closed ones', async () => {
    const { windows, domains } = setup();
    await domains.refresh();
    windows.area = { w: 1000, h: 600 };
    for (const k of windows.liveKeys) windows.ensure(k);
    expect(windows.liveKeys).toEqual(['physical', 'vm:vgtHVMDomain', 'vm:win7']);
    windows.toggleMaximize('physical');
    windows.close('vm:win7');
    const before = { ...windows.layouts['vm:win7']! };
    windows.tileWindows();
    expect(windows.layouts.physical!.maximized).toBe(false);
    expect(windows.rect('physical').w).toBeGreaterThan(400);
    expect(windows.layouts['vm:win7']).toEqual(before);
  });

  it('saves once, debounced, only after the stored layout was read', async () => {
    const { windows, fake } = setup();
    windows.area = { w: 720, h: 450 };
    windows.ensure('physical');
    await nextTick();
    vi.advanceTimersByTime(SAVE_DELAY_MS * 2);
    expect(fake.callsTo('layout.set')).toHaveLength(0);
    await windows.load();
    for (let i = 0; i < 10; i++) {
      windows.move('physical', i * 10, i);
      await nextTick();
    }
    vi.advanceTimersByTime(SAVE_DELAY_MS - 1);
    expect(fake.callsTo('layout.set')).toHaveLength(0);
    vi.advanceTimersByTime(1);
    await flushPromises();
    expect(fake.callsTo('layout.set')).toHaveLength(1);
    expect(stored.windows.physical).toMatchObject({ x: 90, y: 9 });
  });

  it('a warning from the host (corrupt layout.json) lands in the error banner; the defaults stay', async () => {
    warning = '/data/layout.json: not valid JSON; the default layout is used';
    const { windows, ui } = setup();
    await windows.load();
    expect(ui.errors.map((e) => e.message)).toEqual(['Window layout: /data/layout.json: not valid JSON; the default layout is used']);
    expect(windows.loaded).toBe(true);
  });

  it('a layout.get that fails is not fatal and nothing is saved over the stored file', async () => {
    const { windows, fake, ui } = setup();
    fake.handlers['layout.get'] = () => Promise.reject(new Error('gone'));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    await windows.load();
    warn.mockRestore();
    windows.ensure('physical');
    windows.move('physical', 50, 50);
    await nextTick();
    vi.advanceTimersByTime(SAVE_DELAY_MS * 2);
    expect(fake.callsTo('layout.set')).toHaveLength(0);
    expect(ui.errors).toEqual([]);
  });

  it('a fresh window takes its guest\'s mode on the first picture; a touched or stored one keeps its size', async () => {
    stored = { version: 1, windows: { 'vm:kept': win() } };
    const { windows } = setup();
    windows.area = { w: 1360, h: 810 };
    await windows.load();
    windows.ensure('vm:new');
    windows.adoptMode('vm:new', { w: 640, h: 480 });
    expect(windows.layouts['vm:new']).toMatchObject({ w: 642, h: 560 });
    windows.adoptMode('vm:kept', { w: 640, h: 480 });
    expect(windows.layouts['vm:kept']).toMatchObject({ w: 400, h: 300 });
  });
});
