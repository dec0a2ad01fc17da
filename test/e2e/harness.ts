/**
 * End-to-end harness: starts the built app in browser mode (`gvt-desk serve`) in its own data
 * directory and socket, and drives Debian's Chromium with playwright-core.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { type App, type ServeOptions, launchBrowser, startServe } from '../../bench/lib/browser-mode';

export const ROOT = resolve(__dirname, '../..');
export const EXAMPLES = join(ROOT, 'resources/examples');

export type { App } from '../../bench/lib/browser-mode';

/** Start the built app (`gvt-desk serve`) in a fresh data directory; see bench/lib/browser-mode.ts. */
export const startApp = (options?: ServeOptions): Promise<App> => startServe(ROOT, options);

export { launchBrowser } from '../../bench/lib/browser-mode';

/** A started app, a browser and one page showing it. */
export interface Session {
  app: App;
  browser: Browser;
  page: Page;
}

/**
 * Start the app (options as startApp), launch Chromium and open the UI in a page of `viewport`
 * CSS px; resolves once the library lists Domain-0.
 */
export async function openSession(viewport: { width: number; height: number }, options?: ServeOptions): Promise<Session> {
  const app = await startApp(options);
  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport });
  await page.goto(app.url);
  await page.getByTestId('library-row-Domain-0').waitFor();
  return { app, browser, page };
}

/** Close what openSession opened (any part may be missing after a failed start). */
export async function closeSession(s: Partial<Session>): Promise<void> {
  await s.browser?.close();
  await s.app?.stop();
}

/**
 * RGBA checksum-ish summary of a frame canvas as shown: the guest's frame size (its data attributes,
 * set once a picture is painted; the canvas itself is the size it is shown at), the count of
 * distinct sampled colours and a hash. Pixels come from a screenshot of the canvas element: the
 * paint worker owns the canvas (transferControlToOffscreen), so the page cannot read it back.
 */
export async function canvasSample(page: Page, testid: string): Promise<{ width: number; height: number; distinct: number; hash: number }> {
  const el = page.getByTestId(testid);
  const [width, height] = (await el.evaluate((c) => [Number((c as HTMLElement).dataset.frameWidth ?? 0), Number((c as HTMLElement).dataset.frameHeight ?? 0)])) as [number, number];
  if (!width) return { width, height, distinct: 0, hash: 0 };
  const d = PNG.sync.read(await el.screenshot({ animations: 'disabled', caret: 'hide' })).data;
  const seen = new Set<number>();
  let hash = 0;
  for (let i = 0; i < d.length; i += 4 * 13) {
    const v = (d[i]! << 16) | (d[i + 1]! << 8) | d[i + 2]!;
    seen.add(v);
    hash = (hash * 31 + v) | 0;
  }
  return { width, height, distinct: seen.size, hash };
}

/** Poll `probe` until it returns a truthy value (or time out with the last value in the message). */
export async function until<T>(what: string, probe: () => Promise<T>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < end) {
    last = await probe().catch(() => undefined);
    if (last) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
}

/** The CLI's `gvt-desk screenshot ARGS… FILE` read back; throws with the CLI's stderr when it printed any. */
export async function cliScreenshot(app: App, ...args: string[]): Promise<PNG> {
  const file = join(app.dataDir, 'cli-screenshot.png');
  const r = await app.cli('screenshot', ...args, file);
  if (r.stderr !== '') throw new Error(`screenshot ${args.join(' ')}: ${r.stderr}`);
  return PNG.sync.read(readFileSync(file));
}

/** A hash of a w×h rectangle of a PNG at (x, y) (what changed, not what it shows). */
export function regionHash(png: PNG, x: number, y: number, w: number, h: number): number {
  let hash = 0;
  for (let row = y; row < y + h; row++) for (let col = x; col < x + w; col++) hash = (hash * 31 + png.data.readUInt32BE((row * png.width + col) * 4)) | 0;
  return hash;
}
