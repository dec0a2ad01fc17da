/**
 * Multi-head guests in the compositor (issue 10 item 2), in a real browser against browser mode:
 * start the seeds' xlexample.hvm with a monitor.config of two monitors (HDMI 1024x768 on PORT_B,
 * DP 1280x1024 on PORT_D), see one window per head titled with its connector and mode, both
 * painting (and the host's second physical monitor, showing the foreground guest's pipe B, in a
 * window `physical:D`); type and point into the pipe B window (keys reach the guest's terminal, the
 * pointer lands on pipe B at the head-relative point, the cursor plane moves there); unplug PORT_D
 * from the Hotplug menu (pipe B off) and its window closes; plug it back and the window returns;
 * four windows cascaded and tiled at 1280x720 keep the VM name and connector in their titles.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { libraryMonitor } from '../../src/shared/edid-library';
import { vgtPortType, writeMonitorConfig } from '../../src/shared/monitor-config';
import { type App, EXAMPLES, ROOT, canvasSample, cliScreenshot, launchBrowser, regionHash, startApp, until } from './harness';

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

/** One CRTC's part of the guest's i915_display_info (from its "CRTC n: pipe: X" line to its underrun line). */
async function crtcInfo(pipe: 'A' | 'B'): Promise<string> {
  const r = await app.cli('console', 'vgtHVMDomain', '--exec', 'cat /sys/kernel/debug/dri/0/i915_display_info');
  const at = r.stdout.indexOf(`pipe: ${pipe},`);
  return at < 0 ? `(exit ${r.code}) ${r.stdout.slice(0, 300)} ${r.stderr}` : r.stdout.slice(at, r.stdout.indexOf('underrun', at));
}

/** Every open window's title whose drawn end (connector and mode) is clipped by the title box or squeezed below a connector's width (about 40 px). */
async function titlesKeepTheirEnd(): Promise<string[]> {
  return page.locator('.title.split').evaluateAll((titles) =>
    titles.flatMap((t) => {
      const end = t.querySelector('.title-shown .end');
      const box = t.getBoundingClientRect();
      const e = end?.getBoundingClientRect();
      return e && e.width >= 40 && e.right <= box.right + 0.5 && e.left >= box.left ? [] : [t.getAttribute('title') ?? '?'];
    }),
  );
}

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

  it('the pipe B window takes input: typed keys reach the guest, the pointer lands on pipe B at the head-relative point (extended: offset by pipe A\'s width)', async () => {
    const canvas = page.getByTestId('canvas-1-B');
    expect(await canvas.getAttribute('aria-label')).toBe('vgtHVMDomain pipe B display: click to send keyboard and mouse input');
    await canvas.click({ position: { x: 20, y: 20 } });
    expect(await text('input-hint-1-B')).toBe('Input goes to vgtHVMDomain — press Ctrl+Alt to release');
    // The desktop is 2304x1024 (1024 + 1280 wide); its terminal window (528x300, 40 px from the
    // bottom-right corner, a 28-px title bar) lies on pipe B at x 2304 - 568 - 1024 = 712.
    const body = [712, 1024 - 340 + 28, 528, 272] as const;
    const before = regionHash(await cliScreenshot(app, 'vgtHVMDomain', '--pipe', 'B'), ...body);
    await page.keyboard.type('echo from head B');
    await page.keyboard.press('Enter');
    await until('the terminal on pipe B to show what was typed', async () => regionHash(await cliScreenshot(app, 'vgtHVMDomain', '--pipe', 'B'), ...body) !== before);

    const box = (await canvas.boundingBox())!;
    const cx = Math.round(box.x + (300.5 * box.width) / 1280);
    const cy = Math.round(box.y + (200.5 * box.height) / 1024);
    const gx = Math.floor(((cx - box.x) * 1280) / box.width);
    const gy = Math.floor(((cy - box.y) * 1024) / box.height);
    await page.mouse.move(cx, cy);
    let seen = '';
    const b = await until(`pipe B's cursor at (${gx}, ${gy})`, async () => {
      seen = await crtcInfo('B');
      return seen.includes(`cursor visible? yes, position (${gx}, ${gy})`) ? seen : '';
    }).catch((e: unknown) => Promise.reject(new Error(`${String(e)}; CRTC B last read:\n${seen}`)));
    expect(b).toContain(`type=CUR, crtc_pos=${String(gx).padStart(4)}x${String(gy).padStart(4)}`);
    // Pipe A (the desktop's left 1024 columns) no longer shows the cursor: the pointer is at x 1024 + gx.
    expect(await crtcInfo('A')).toContain('cursor visible? no');
    await page.screenshot({ path: join(SHOTS, 'multihead-input-pipe-b.png') });
    await page.keyboard.down('Control');
    await page.keyboard.down('Alt');
    await page.keyboard.up('Alt');
    await page.keyboard.up('Control');
    expect(await text('input-hint-1-B')).toBe('Click to send input · Ctrl+Alt releases');
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
  });

  it('four windows cascaded or tiled at 1280x720 keep the VM name and the connector and mode in their titles', async () => {
    expect(await page.locator('section.window').count()).toBe(4);
    for (const [how, shot] of [['cascade', 'multihead-cascade-1280.png'], ['tile', 'multihead-tiled-1280.png']] as const) {
      await page.getByTestId('menu-window').click();
      await page.getByTestId(`menu-window-${how}`).click();
      await page.waitForTimeout(300);
      await page.screenshot({ path: join(SHOTS, shot) });
      let clipped: string[] = [];
      await until(`every ${how}d title keeps its end`, async () => (clipped = await titlesKeepTheirEnd()).length === 0).catch((e: unknown) =>
        Promise.reject(new Error(`${String(e)}; clipped: ${clipped.join(' | ')}`)),
      );
    }
    // The tooltip keeps the whole title, whatever the window shows of it.
    expect(await page.getByTestId('window-title-1').getAttribute('title')).toMatch(/^vgtHVMDomain — domid 1 — HDMI-B 1024x768$/);
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.getByTestId('menu-window').click();
    await page.getByTestId('menu-window-tile').click();
    await page.screenshot({ path: join(SHOTS, 'multihead-tiled-1920.png') });
  });
});
