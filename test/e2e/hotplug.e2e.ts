/**
 * Virtual hotplug and the monitor editor by point-and-click (seed 001 §4.1.3, §5.2), in a real
 * browser against browser mode: start the seeds' xlexample.hvm (its monitor.config path does not
 * exist, so it gets the built-in 1024x768 monitor on PORT_B), replace PORT_B's EDID with a library
 * monitor whose preferred mode is edited to 1280x720 in the EDID editor, watch the VM window follow
 * the new mode, unplug the monitor (pipe off: No signal), and save a monitor.config through the
 * monitor editor.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeEdid, modeLine, preferredTiming } from '../../src/shared/edid';
import { parseMonitorConfig } from '../../src/shared/monitor-config';
import { type App, EXAMPLES, ROOT, canvasSample, until, closeSession, openSession } from './harness';

/** Screenshots for people to look at (not compared): test-results/e2e/. */
const SHOTS = join(ROOT, 'test-results', 'e2e');

let app: App;
let browser: Browser;
let page: Page;

const text = (testid: string): Promise<string> => page.getByTestId(testid).innerText();

/** Type into a form field of the EDID editor and leave it: fields apply on change. */
async function setField(testid: string, value: string): Promise<void> {
  const field = page.getByTestId(testid);
  await field.fill(value);
  await field.press('Tab');
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  ({ app, browser, page } = await openSession({ width: 1600, height: 1000 }));
});

afterAll(async () => {
  await closeSession({ app, browser });
});

describe('virtual hotplug and the monitor editor', () => {
  it('starts xlexample.hvm with the built-in 1024x768 monitor (its monitor.config does not exist)', async () => {
    await page.getByTestId('import-input').setInputFiles(join(EXAMPLES, 'xlexample.hvm'));
    await page.getByTestId('start-vgtHVMDomain').click();
    await page.getByTestId('window-1').waitFor();
    await until('canvas-1 at 1024x768 with content', async () => {
      const s = await canvasSample(page, 'canvas-1');
      return s.width === 1024 && s.height === 768 && s.distinct > 3 ? s : null;
    });
    expect(await text('window-title-1')).toContain('1024x768');
  });

  it('Replace EDID… on PORT_B with a library monitor edited to 1280x720: the window follows', async () => {
    await page.getByTestId('menu-hotplug').click();
    const row = page.getByTestId('menu-hotplug-1-PORT_B');
    await until('PORT_B with the built-in monitor in the menu', async () => (await row.innerText()).includes('GVT 1024x768'));
    await page.screenshot({ path: join(SHOTS, 'hotplug-menu.png') });
    await page.getByTestId('menu-hotplug-1-PORT_B-replace').click();
    const dialog = page.getByTestId('hotplug-dialog');
    await dialog.waitFor();
    // Pre-filled with the port's current EDID.
    expect(await page.getByTestId('edid-name').inputValue()).toBe('GVT 1024x768');

    await page.getByTestId('edid-library').selectOption('generic-1920x1080');
    await until('the library EDID in the form', async () => (await page.getByTestId('edid-name').inputValue()) === 'GVT 1920x1080');
    await setField('edid-width', '1280');
    await setField('edid-height', '720');
    await until('the edited mode', async () => (await text('edid-mode')) === '1280x720@60.00');
    expect(await page.getByTestId('edid-clock').inputValue()).toBe('64020');
    expect(await text('edid-checksum')).toContain('✓');
    // The hex view is the edited EDID.
    const hex = await page.getByTestId('edid-hex').inputValue();
    const { edid } = decodeEdid(Uint8Array.from(hex.replace(/\s+/g, '').match(/../g)!.map((b) => parseInt(b, 16))));
    expect(modeLine(preferredTiming(edid!)!)).toEqual({ width: 1280, height: 720, refreshHz: 60 });
    await page.screenshot({ path: join(SHOTS, 'hotplug-dialog.png') });

    await page.getByTestId('hotplug-connect-confirm').click();
    await dialog.waitFor({ state: 'detached' });
    const after = await until('canvas-1 at 1280x720 with content', async () => {
      const s = await canvasSample(page, 'canvas-1');
      return s.width === 1280 && s.height === 720 && s.distinct > 3 ? s : null;
    }, 30_000);
    expect(after.distinct).toBeGreaterThan(3);
    await until('the title to show 1280x720', async () => (await text('window-title-1')).includes('1280x720'));

    // The Ports tab shows the new monitor driving pipe A.
    await page.getByTestId('tab-ports-1').click();
    const port = await until('PORT_B with the new monitor', async () => {
      const t = await text('port-row-1-PORT_B');
      return t.includes('GVT 1920x1080') && t.includes('1280x720') ? t : '';
    });
    expect(port).toContain('connected');
    expect(port).toContain('drives pipe A');
    await page.screenshot({ path: join(SHOTS, 'hotplug-ports.png') });
    await page.getByTestId('tab-screen-1').click();
    await page.screenshot({ path: join(SHOTS, 'hotplug.png') });
  });

  it('Disconnect turns the pipe off: No signal', async () => {
    await page.getByTestId('menu-hotplug').click();
    await page.getByTestId('menu-hotplug-1-PORT_B-disconnect').click();
    // innerText is as rendered: the label is uppercased by CSS.
    await until('No signal in window 1', async () => /no signal/i.test(await text('window-1')));
    expect(await page.getByTestId('canvas-1').isVisible()).toBe(false);
    expect(await text('window-title-1')).toContain('no signal');
    // The window's own Hotplug menu now offers to connect PORT_B again.
    await page.getByTestId('window-hotplug-1').click();
    await page.getByTestId('window-hotplug-1-PORT_B-connect').waitFor();
    await page.screenshot({ path: join(SHOTS, 'hotplug-disconnected.png') });
    await page.keyboard.press('Escape');
  });

  it('saves a monitor.config through the monitor editor; the file parses and the config names it', async () => {
    const path = join(app.dataDir, 'monitors', 'vgtHVMDomain.monitor.config');
    await page.getByTestId('monitors-vgtHVMDomain').click();
    await page.getByTestId('monitor-editor').waitFor();
    // The seeds' '/path/to/monitor.config' is outside the file boundary: the editor offers the data dir's default.
    await until('the boundary noted', async () => (await text('monitor-notes')).includes("/path/to/monitor.config: outside GVT Desk's file boundary"));
    expect(await page.getByTestId('monitor-path').inputValue()).toBe(path);
    // A file outside the boundary cannot be read through the editor either.
    await page.getByTestId('monitor-path').fill('/etc/passwd');
    await page.getByTestId('monitor-load').click();
    expect(await until('the refusal', async () => (await page.getByTestId('monitor-error').count()) && (await text('monitor-error')))).toContain("/etc/passwd: outside GVT Desk's file boundary");
    expect(await page.getByTestId('monitor-editor').textContent()).not.toContain('root:');

    await page.getByTestId('monitor-path').fill(path);
    await page.getByTestId('monitor-load').click();
    await until('the missing file noted', async () => (await text('monitor-notes')).includes('does not exist yet'));
    await page.getByTestId('monitor-add').click();
    await page.getByTestId('monitor-row-PORT_B').waitFor();
    await page.getByTestId('edid-library').selectOption('generic-1280x1024');
    await until('the library EDID in the form', async () => (await page.getByTestId('edid-name').inputValue()) === 'GVT 1280x1024');
    await page.getByTestId('monitor-add').click();
    await page.getByTestId('monitor-row-PORT_C').waitFor();
    await page.getByTestId('monitor-type-PORT_C').selectOption('DP');
    await page.screenshot({ path: join(SHOTS, 'monitor-editor.png') });
    await page.getByTestId('monitor-save').click();
    const status = await until('the save', async () => (await page.getByTestId('monitor-status').count()) && (await text('monitor-status')));
    expect(status).toContain(`Saved ${path} (2 monitors)`);

    const parsed = parseMonitorConfig(readFileSync(path), path);
    expect(parsed.findings.filter((f) => f.severity === 'error')).toEqual([]);
    const recs = parsed.config!.records;
    expect(recs.map((r) => [r.virtualPort, r.portType, r.overridePort])).toEqual([
      ['PORT_B', 'HDMI', 'PORT_B'],
      ['PORT_C', 'DP', 'PORT_C'],
    ]);
    expect(decodeEdid(recs[0]!.edid).edid!.monitorName).toBe('GVT 1280x1024');
    const stored = readFileSync(join(app.dataDir, 'domains', 'vgtHVMDomain.cfg'), 'utf8');
    expect(stored).toContain(`vgt_monitor_config_file='${path}' #only valid for indirect display mode`);
    await page.getByTestId('monitor-close').click();
  });
});
