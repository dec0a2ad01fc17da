/** Waiting on the app's guest windows in the browser-mode benchmarks. */
import type { Page } from 'playwright-core';

/** Wait until every window of `domids` shows a 1920-pixel-wide frame; throws after 60 s naming the widths seen. */
export async function waitForWindows(page: Page, domids: number[]): Promise<void> {
  const end = Date.now() + 60_000;
  for (;;) {
    const sizes = await Promise.all(domids.map((d) => page.getByTestId(`canvas-${d}`).getAttribute('data-frame-width', { timeout: 1000 }).catch(() => null)));
    if (sizes.every((w) => w === '1920')) return;
    if (Date.now() > end) throw new Error(`windows not at 1920x1080 after 60 s: ${sizes.join(', ')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
