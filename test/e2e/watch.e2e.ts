/**
 * frame.watch end to end, in a real browser against browser mode: the page tells the host which
 * sources its open windows show, and the host sends only those. The page's binary frame messages
 * are counted per source (a wrapper around WebSocket, installed before the app): with the Physical
 * display window closed no frame of PHYSICAL_SOURCE arrives while the guest's own window keeps
 * streaming; reopened from the Window menu, the first message of the physical source is its whole
 * picture and the window shows the guest's desktop again at once. A VM window on its Serial tab
 * shows no screen: its source stops too, and comes back whole on the Screen tab.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PHYSICAL_SOURCE } from '../../src/shared/api';
import { type App, EXAMPLES, ROOT, canvasSample, closeSession, openSession, until } from './harness';

/** Screenshots for people to look at (not compared): test-results/e2e/. */
const SHOTS = join(ROOT, 'test-results', 'e2e');

/**
 * Page-side (text: the e2e files are type-checked for Node): count each frame message of every
 * binary WebSocket message per source (batches: 'GVTB' + count, then messages of 56-byte headers
 * whose payload length is at byte 52), and keep each source's first rectangle since the last reset.
 */
const COUNT_FRAMES = `
window.__frames = {}; window.__first = {};
window.__resetFrames = () => { window.__frames = {}; window.__first = {}; };
const Native = window.WebSocket;
window.WebSocket = class extends Native {
  constructor(...args) {
    super(...args);
    this.addEventListener('message', (e) => {
      if (!(e.data instanceof ArrayBuffer)) return;
      const dv = new DataView(e.data);
      let at = dv.byteLength >= 8 && dv.getUint32(0, true) === 0x42545647 ? 8 : 0;
      while (at + 56 <= dv.byteLength) {
        const u = (i) => dv.getUint32(at + i * 4, true);
        const source = u(1);
        window.__frames[source] = (window.__frames[source] || 0) + 1;
        if (!window.__first[source]) window.__first[source] = { width: u(2), height: u(3), x: u(4), y: u(5), w: u(6), h: u(7) };
        at += 56 + u(13);
      }
    });
  }
};`;

let app: App;
let browser: Browser;
let page: Page;

const text = (testid: string): Promise<string> => page.getByTestId(testid).innerText();
const counts = (): Promise<Record<string, number>> => page.evaluate('window.__frames') as Promise<Record<string, number>>;
const first = (): Promise<Record<string, { width: number; height: number; x: number; y: number; w: number; h: number }>> => page.evaluate('window.__first') as never;
/** The Physical display's canvas at 1024x768 with the guest's desktop on it. */
const physicalShowsGuest = (timeoutMs: number) =>
  until('the Physical display showing the guest at 1024x768', async () => {
    if (/no signal/i.test(await text('window-physical'))) return null;
    const s = await canvasSample(page, 'canvas-physical');
    return s.width === 1024 && s.height === 768 && s.distinct > 3 ? s : null;
  }, timeoutMs);

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  ({ app, browser, page } = await openSession({ width: 1600, height: 1000 }));
  // The counter goes in before the app: reload so the page's WebSocket is the counted one.
  await page.addInitScript({ content: COUNT_FRAMES });
  await page.reload();
  await page.getByTestId('library-row-Domain-0').waitFor();
});

afterAll(async () => {
  await closeSession({ app, browser });
});

describe('frames flow only for sources a window shows', () => {
  it('the Physical display window closed: none of its frames arrive; reopened: its whole picture first, shown at once', async () => {
    await page.getByTestId('import-input').setInputFiles(join(EXAMPLES, 'xlexample.hvm'));
    await page.getByTestId('start-vgtHVMDomain').click();
    await page.getByTestId('window-1').waitFor();
    await until('vgtHVMDomain in the foreground', async () => (await text('physical-foreground')).includes('vgtHVMDomain'));
    await physicalShowsGuest(20_000);

    // Both windows open: both sources stream (the desktop redraws its clock and windows).
    await page.evaluate('window.__resetFrames()');
    await page.waitForTimeout(2000);
    const open = await counts();
    expect(open[1]).toBeGreaterThan(0);
    expect(open[PHYSICAL_SOURCE]).toBeGreaterThan(0);

    await page.getByTestId('window-close-physical').click();
    await page.getByTestId('window-physical').waitFor({ state: 'detached' });
    await page.waitForTimeout(300);
    await page.evaluate('window.__resetFrames()');
    await page.waitForTimeout(2500);
    const closed = await counts();
    expect(closed[1]).toBeGreaterThan(0);
    expect(closed[PHYSICAL_SOURCE] ?? 0).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'watch-physical-closed.png') });

    const reopenedAt = Date.now();
    await page.getByTestId('menu-window').click();
    await page.getByTestId('menu-window-physical').click();
    await physicalShowsGuest(5000);
    const tookMs = Date.now() - reopenedAt;
    // Its first message is the whole picture (a damage rect alone would paint on a stale one).
    expect((await first())[PHYSICAL_SOURCE]).toEqual({ width: 1024, height: 768, x: 0, y: 0, w: 1024, h: 768 });
    expect(tookMs).toBeLessThan(5000);
    await page.evaluate('window.__resetFrames()');
    await page.waitForTimeout(1500);
    expect((await counts())[PHYSICAL_SOURCE]).toBeGreaterThan(0);
    await page.screenshot({ path: join(SHOTS, 'watch-physical-reopened.png') });
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(SHOTS, 'watch-physical-reopened-1280.png') });
  });

  it('a VM window on its Serial tab: none of its frames arrive; back on Screen: its whole picture first', async () => {
    // Side by side: the reopened Physical display came up in front of the VM window.
    await page.getByTestId('menu-window').click();
    await page.getByTestId('menu-window-tile').click();
    await page.getByTestId('tab-serial-1').click();
    await page.waitForTimeout(300);
    await page.evaluate('window.__resetFrames()');
    await page.waitForTimeout(2500);
    const serial = await counts();
    expect(serial[PHYSICAL_SOURCE]).toBeGreaterThan(0);
    expect(serial[1] ?? 0).toBe(0);
    await page.evaluate('window.__resetFrames()');
    await page.getByTestId('tab-screen-1').click();
    await until('frames of guest 1 again', async () => ((await counts())[1] ?? 0) > 0 || null, 5000);
    expect((await first())[1]).toEqual({ width: 1024, height: 768, x: 0, y: 0, w: 1024, h: 768 });
  });

  it('a reconnected page says again what it shows: the closed VM window\'s frames stop on the new connection too', async () => {
    await page.getByTestId('window-close-1').click();
    await page.getByTestId('window-1').waitFor({ state: 'detached' });
    // The layout (window closed) is saved SAVE_DELAY_MS after the change; the reloaded page reads it.
    await page.waitForTimeout(1500);
    // A new page load is a new connection, which watches everything until the page says otherwise.
    await page.reload();
    await page.getByTestId('library-row-Domain-0').waitFor();
    await physicalShowsGuest(20_000);
    expect(await page.getByTestId('window-1').count()).toBe(0);
    await page.waitForTimeout(500);
    await page.evaluate('window.__resetFrames()');
    await page.waitForTimeout(2500);
    const c = await counts();
    expect(c[PHYSICAL_SOURCE]).toBeGreaterThan(0);
    expect(c[1] ?? 0).toBe(0);
  });
});
