/**
 * The browser-mode scene of the frame-delivery and screen-updates benchmarks: three guests on the
 * seeds' PA238 monitor.config at 1920x1080 (the desktop flips at vblank), served by `gvt-desk
 * serve` to headless Chromium at a 1920x1080 viewport, the app's default windows open.
 */
import type { Browser, Page } from 'playwright-core';
import { type App, launchBrowser, startServe } from './browser-mode';
import { createPa238Guests } from './guests';

export const GUESTS = 3;
/** After every window shows its 1920x1080 frame, ms before measuring. */
const WARMUP_MS = 4000;

export interface DesktopScene {
  app: App;
  browser: Browser;
  page: Page;
  /** The guests' domids (1..GUESTS). */
  domids: number[];
}

/** Wait until every window of `domids` shows a 1920-pixel-wide frame; throws after 60 s naming the widths seen. */
async function waitForWindows(page: Page, domids: number[]): Promise<void> {
  const end = Date.now() + 60_000;
  for (;;) {
    const sizes = await Promise.all(domids.map((d) => page.getByTestId(`canvas-${d}`).getAttribute('data-frame-width', { timeout: 1000 }).catch(() => null)));
    if (sizes.every((w) => w === '1920')) return;
    if (Date.now() > end) throw new Error(`windows not at 1920x1080 after 60 s: ${sizes.join(', ')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Build the scene (guests named `prefix`1..3, `initScript` run in the page before the app: page-side
 * code as text, since bench files are type-checked for Node without the DOM's types), warm it up,
 * run `measure` on it, then close the browser and stop the host whatever happened.
 */
export async function withDesktopScene(root: string, prefix: string, initScript: string, measure: (scene: DesktopScene) => Promise<void>): Promise<void> {
  const app = await startServe(root);
  // A browser that cannot start (no /usr/bin/chromium) must not leave the host serving.
  const browser = await launchBrowser().catch(async (e: unknown) => {
    await app.stop();
    throw e;
  });
  try {
    const domids = await createPa238Guests(app, root, GUESTS, prefix);
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.addInitScript({ content: initScript });
    await page.goto(app.url);
    await waitForWindows(page, domids);
    await page.waitForTimeout(WARMUP_MS);
    await measure({ app, browser, page, domids });
  } finally {
    await browser.close();
    await app.stop();
  }
}
