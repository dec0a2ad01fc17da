/**
 * Multi-head guests in the compositor (issue 10 item 2), in a real browser against browser mode:
 * start the seeds' xlexample.hvm with a monitor.config of two monitors (HDMI 1024x768 on PORT_B,
 * DP 1280x1024 on PORT_D), see one window per head titled with its connector and mode, both
 * painting (and the host's second physical monitor, showing the foreground guest's pipe B, in a
 * window `physical:D`); unplug PORT_D from the Hotplug menu (pipe B off) and its window closes; plug it back
 * and the window returns.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { libraryMonitor } from '../../src/shared/edid-library';
import { vgtPortType, writeMonitorConfig } from '../../src/shared/monitor-config';
import { type App, EXAMPLES, ROOT, canvasSample, launchBrowser, startApp, until } from './harness';

/** Screenshots for people to look at (not compared): test-results/e2e/. */
const SHOTS = join(ROOT, 'test-results', 'e2e');

let app: App;
let browser: Browser;
let page: Page;

const text = (testid: string): Promise<string> => page.getByTestId(testid).innerText();
const painted = (testid: string, width: number, height: number) =>
  until(`${testid} at ${width}x${height} with content`, async () => {
    const s = await canvasSample(page, testid);
    return s.width === width && s.height === height && s.distinct > 3 ? s : null;
  });

beforeAll(async () => {
  app = await startApp();
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  await page.goto(app.url);
  await page.getByTestId('library-row-Domain-0').waitFor();
  mkdirSync(SHOTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('a window per display head', () => {
  it('a guest with two monitors in its monitor.config gets two windows titled with connector and mode, both painting', async () => {
    // The monitor.config lies under the data dir (the file boundary); the xl config names it.
    const monitors = join(app.dataDir, 'monitors');
    mkdirSync(monitors, { recursive: true });
    const configPath = join(monitors, 'two-heads.monitor.config');
    const record = (port: 'PORT_B' | 'PORT_D', portType: 'HDMI' | 'DP', id: string) => ({ virtualPort: port, portType, vgtPortType: vgtPortType(port, portType), overridePort: port, edid: libraryMonitor(id)!.bytes });
    writeFileSync(configPath, writeMonitorConfig({ mode: 'text', records: [record('PORT_B', 'HDMI', 'generic-1024x768'), record('PORT_D', 'DP', 'generic-1280x1024')] }, 'text'));
    const xl = readFileSync(join(EXAMPLES, 'xlexample.hvm'), 'utf8').replace(/^vgt_monitor_config_file=.*$/m, `vgt_monitor_config_file='${configPath}'`);
    expect(xl).toContain(configPath);
    const xlPath = join(mkdtempSync(join(tmpdir(), 'multihead-')), 'xlexample.hvm');
    writeFileSync(xlPath, xl);

    await page.getByTestId('import-input').setInputFiles(xlPath);
    await page.getByTestId('start-vgtHVMDomain').click();
    await page.getByTestId('window-1').waitFor();
    await page.getByTestId('window-1-B').waitFor();
    await painted('canvas-1', 1024, 768);
    await painted('canvas-1-B', 1280, 1024);
    await until('both titles', async () => (await text('window-title-1-B')) === 'vgtHVMDomain — DP-D 1280x1024' && (await text('window-title-1')).includes('HDMI-B 1024x768'));
    expect(await text('window-title-1')).toBe('vgtHVMDomain — domid 1 — HDMI-B 1024x768');
    // The guest took the display at boot: its pipe B shows on the host's second monitor (PORT_D), a window of its own.
    await until('the physical PORT_D window', async () => (await page.getByTestId('window-title-physical-D').count()) && (await text('window-title-physical-D')) === 'Physical display — port D 1280x1024');
    await painted('canvas-physical-D', 1280, 1024);
    await page.getByTestId('menu-window').click();
    expect(await text('menu-window-vm-vgtHVMDomain-B')).toContain('vgtHVMDomain — DP-D');
    // Choosing it brings the pipe B window to the front.
    await page.getByTestId('menu-window-vm-vgtHVMDomain-B').click();
    await page.screenshot({ path: join(SHOTS, 'multihead-two-windows.png') });
  });

  it('unplugging the second monitor closes its window; plugging it back reopens it', async () => {
    await page.getByTestId('menu-hotplug').click();
    await page.getByTestId('menu-hotplug-1-PORT_D-disconnect').click();
    await until('the pipe B window gone', async () => (await page.getByTestId('window-1-B').count()) === 0);
    // The first head is alone again: its title no longer names the connector.
    await until('the single-head title', async () => (await text('window-title-1')) === 'vgtHVMDomain — domid 1 — 1024x768');
    await page.screenshot({ path: join(SHOTS, 'multihead-unplugged.png') });

    await page.getByTestId('menu-hotplug').click();
    await page.getByTestId('menu-hotplug-1-PORT_D-connect').click();
    await page.getByTestId('hotplug-dialog').waitFor();
    await page.getByTestId('hotplug-connect-confirm').click();
    await page.getByTestId('window-1-B').waitFor();
    const title = await until('the replugged head titled', async () => {
      const t = await text('window-title-1-B');
      return /^vgtHVMDomain — DP-D \d+x\d+$/.test(t) ? t : null;
    });
    const [w, h] = title.split(' ').at(-1)!.split('x').map(Number);
    await painted('canvas-1-B', w!, h!);
    await page.screenshot({ path: join(SHOTS, 'multihead-replugged.png') });
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.getByTestId('menu-window').click();
    await page.getByTestId('menu-window-tile').click();
    await page.screenshot({ path: join(SHOTS, 'multihead-tiled-1920.png') });
  });
});
