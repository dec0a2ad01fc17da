/**
 * Browser mode across a host restart and with a bad address: the page a user keeps open reconnects
 * to a restarted `gvt-desk serve` (same data dir: same port and token, browser-session.json), and a
 * page with a wrong or missing token says so in words instead of retrying forever.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, ROOT, launchBrowser, startApp, until } from './harness';

const SHOTS = join(ROOT, 'test-results', 'e2e');
let browser: Browser;
let page: Page;
let app: App | null = null;
const dataDir = mkdtempSync(join(tmpdir(), 'gvt-e2e-session-'));

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const status = (): Promise<string | null> =>
  page
    .getByTestId('connection-status')
    .textContent({ timeout: 200 })
    .catch(() => null);

describe('browser mode keeps its session', () => {
  it('an open page reconnects by itself after the host restarts, on the same address', async () => {
    app = await startApp({ dataDir, reusePort: true });
    const url = app.url;
    await page.goto(url);
    await page.getByText('Domain-0').first().waitFor();
    expect(await status()).toBeNull();
    await app.stop({ keepData: true });
    await until('the page notices the host is gone', async () => (await status())?.includes('reconnecting') || null);
    app = await startApp({ dataDir, reusePort: true });
    expect(app.url).toBe(url);
    await until('the page is connected again', async () => ((await status()) === null ? true : null), 20_000);
    await page.getByText('Domain-0').first().waitFor();
    expect(await page.getByTestId('access-refused').count()).toBe(0);
  });

  it('a wrong token gets a page that says so, and no retries', async () => {
    const wrong = app!.url.replace(/token=[0-9a-f]+/, 'token=0123456789abcdef0123456789abcdef');
    const sockets: string[] = [];
    page.on('websocket', (ws) => sockets.push(ws.url()));
    await page.goto(wrong);
    const notice = page.getByTestId('access-refused');
    await notice.waitFor();
    expect(await notice.textContent()).toContain('does not accept the access token');
    await page.screenshot({ path: join(SHOTS, 'access-refused.png') });
    const tried = sockets.length;
    await page.waitForTimeout(2000);
    expect(sockets.length).toBe(tried); // it gave up: no reconnect loop
    expect(await status()).toBe('Not signed in to this host');
  });

  it('an address without a token is told what to open', async () => {
    await page.goto(app!.url.replace(/\?token=[0-9a-f]+/, ''));
    await page.getByTestId('access-refused').waitFor();
    expect(await page.getByTestId('access-refused').textContent()).toContain('has no access token');
  });
});
