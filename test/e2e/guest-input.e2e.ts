/**
 * Guests you can use (issue 7), in a real browser against browser mode: keyboard and pointer into
 * a VM window (the guest's terminal window and cursor plane answer), dragging a guest window by
 * its title bar, typing on the Serial tab, the xl lifecycle from the library, the context menu and
 * the Dom0 console (pause, unpause, reboot with a new domid, shutdown, `xl console`), and a guest
 * that ignores Shut down.
 * Screenshots for people to look at go to /tmp/shots/.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, EXAMPLES, cliScreenshot, launchBrowser, regionHash, startApp, until } from './harness';

const SHOTS = '/tmp/shots';
const NAME = 'vgtHVMDomain';
/** GVTg_V5_4's built-in monitor in xlexample.hvm drives 1024x768. */
const W = 1024;
const H = 768;
/** The guest desktop's terminal window: 528x300 at 40 px from the bottom-right corner, a 28-px title bar. */
const TERM = { x: W - 528 - 40, y: H - 300 - 40, w: 528, h: 300, title: 28 };
const TERM_BG = [0x1b, 0x1d, 0x1f];

let app: App;
let browser: Browser;
let page: Page;

const text = (testid: string): Promise<string> => page.getByTestId(testid).innerText();
const badge = (name: string): Promise<string> => page.getByTestId(`library-row-${name}`).getByTestId('state-badge').innerText();
/** The domid the library shows for a domain ('—' when stopped). */
const domidOf = async (name: string): Promise<number> => Number(await page.getByTestId(`library-row-${name}`).locator('.domid').innerText());

async function consoleRun(line: string): Promise<string> {
  const before = (await page.getByTestId('dom0-console-log').textContent()) ?? '';
  await page.getByTestId('dom0-console').locator('.xterm').click();
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
  // The command's output is complete once the next prompt is printed.
  return until(`console output of ${line}`, async () => {
    const log = (await page.getByTestId('dom0-console-log').textContent()) ?? '';
    const added = log.slice(before.length);
    return added.includes(line) && added.trimEnd().endsWith('root@dom0:~#') ? added : '';
  });
}

/** Share of a rectangle's pixels that have the terminal's background colour. */
function terminalShare(png: PNG, x: number, y: number, w: number, h: number): number {
  let hits = 0;
  for (let row = y; row < y + h; row++) {
    for (let col = x; col < x + w; col++) {
      const i = (row * png.width + col) * 4;
      if (png.data[i] === TERM_BG[0] && png.data[i + 1] === TERM_BG[1] && png.data[i + 2] === TERM_BG[2]) hits++;
    }
  }
  return hits / (w * h);
}

/** The client (CSS) point over guest pixel (x, y) of a VM's canvas, rounded to whole CSS pixels, and the guest pixel it maps back to. */
async function clientPoint(domid: number, x: number, y: number): Promise<{ cx: number; cy: number; gx: number; gy: number }> {
  const box = (await page.getByTestId(`canvas-${domid}`).boundingBox())!;
  const cx = Math.round(box.x + ((x + 0.5) * box.width) / W);
  const cy = Math.round(box.y + ((y + 0.5) * box.height) / H);
  return { cx, cy, gx: Math.floor(((cx - box.x) * W) / box.width), gy: Math.floor(((cy - box.y) * H) / box.height) };
}

async function displayInfo(): Promise<string> {
  const r = await app.cli('console', NAME, '--exec', 'cat /sys/kernel/debug/dri/0/i915_display_info');
  return r.stdout + r.stderr;
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  app = await startApp();
  browser = await launchBrowser();
  // Wide enough that the VM window (beside the physical display's) is not clipped by the dashboard.
  page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  await page.goto(app.url);
  await page.getByTestId('library-row-Domain-0').waitFor();
  await page.getByTestId('import-input').setInputFiles(join(EXAMPLES, 'xlexample.hvm'));
  await page.getByTestId(`start-${NAME}`).click();
  await page.getByTestId('window-1').waitFor();
  await until('the guest desktop with its terminal window', async () => terminalShare(await cliScreenshot(app, NAME), TERM.x + 8, TERM.y + TERM.h - 12, 64, 8) > 0.9);
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('input into a VM window', () => {
  it('a click grabs the canvas (focus ring, hint); typed keys reach the guest terminal; the pointer moves its cursor plane', async () => {
    const canvas = page.getByTestId('canvas-1');
    expect(await canvas.getAttribute('aria-label')).toBe(`${NAME} display: click to send keyboard and mouse input`);
    expect(await text('input-hint-1')).toBe('Click to send input · Ctrl+Alt releases');
    await canvas.click({ position: { x: 20, y: 20 } });
    expect(await canvas.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await text('input-hint-1')).toBe(`Input goes to ${NAME} — press Ctrl+Alt to release`);

    // The terminal's text area, before: steady (nothing else draws there).
    const body = [TERM.x, TERM.y + TERM.title, TERM.w, TERM.h - TERM.title] as const;
    const before = regionHash(await cliScreenshot(app, NAME), ...body);
    expect(regionHash(await cliScreenshot(app, NAME), ...body)).toBe(before);
    await page.keyboard.type('echo hi');
    await page.keyboard.press('Enter');
    await until('the terminal window to show what was typed', async () => regionHash(await cliScreenshot(app, NAME), ...body) !== before);

    const p = await clientPoint(1, 300, 200);
    await page.mouse.move(p.cx, p.cy);
    const info = await until(`the cursor plane at (${p.gx}, ${p.gy})`, async () => {
      const out = await displayInfo();
      return out.includes(`position (${p.gx}, ${p.gy})`) ? out : '';
    });
    expect(info).toMatch(/cursor visible\? yes/);
    await page.getByTestId('window-1').screenshot({ path: join(SHOTS, 'vm-grabbed.png') });
  });

  it("drags the guest's terminal window by its title bar", async () => {
    const from = await clientPoint(1, TERM.x + 200, TERM.y + 14);
    const to = await clientPoint(1, TERM.x + 200 - 380, TERM.y + 14 - 300);
    await page.mouse.move(from.cx, from.cy);
    await page.mouse.down();
    for (let i = 1; i <= 10; i++) {
      await page.mouse.move(from.cx + ((to.cx - from.cx) * i) / 10, from.cy + ((to.cy - from.cy) * i) / 10);
      await page.waitForTimeout(20);
    }
    await page.mouse.up();
    // The window moved by what the pointer moved, in guest pixels.
    const x = TERM.x + to.gx - from.gx;
    const y = TERM.y + to.gy - from.gy;
    await until(`the terminal at (${x}, ${y})`, async () => {
      const png = await cliScreenshot(app, NAME);
      // Its bottom padding (no text there) at the new place, and no longer at the old one.
      return terminalShare(png, x + 8, y + TERM.h - 12, 64, 8) > 0.95 && terminalShare(png, TERM.x + TERM.w - 80, TERM.y + TERM.h - 12, 64, 8) < 0.5;
    });
  });

  it('Ctrl+Alt releases the grab', async () => {
    await page.keyboard.down('Control');
    await page.keyboard.down('Alt');
    await page.keyboard.up('Alt');
    await page.keyboard.up('Control');
    expect(await page.getByTestId('canvas-1').evaluate((el) => el === document.activeElement)).toBe(false);
    expect(await text('input-hint-1')).toBe('Click to send input · Ctrl+Alt releases');
  });
});

describe('the Serial tab', () => {
  it('takes typing: uname -a answers on the serial shell', async () => {
    await page.getByTestId('tab-serial-1').click();
    const serial = page.getByTestId('serial-1');
    await serial.locator('.xterm').click();
    await page.keyboard.type('uname -a');
    await page.keyboard.press('Enter');
    await until('uname output in the serial terminal', async () => (await serial.locator('.xterm-rows').innerText()).includes(`Linux ${NAME}`));
    // Columns follow the pane: the terminal spans the window.
    const [pane, screen] = await Promise.all([serial.boundingBox(), serial.locator('.xterm-screen').boundingBox()]);
    expect(screen!.width).toBeGreaterThan(pane!.width - 20);
    await page.getByTestId('window-1').screenshot({ path: join(SHOTS, 'serial.png') });
  });
});

describe('the xl lifecycle from the UI', () => {
  it('pauses and resumes: badge, overlay, xl list flags', async () => {
    await page.getByTestId('tab-screen-1').click();
    await page.getByTestId(`pause-${NAME}`).click();
    await until('the Paused badge', async () => (await badge(NAME)) === 'Paused');
    expect(await page.getByTestId('screen-overlay-1').textContent()).toBe('Paused');
    expect(await page.getByTestId(`library-row-${NAME}`).getByTestId('state-badge').getAttribute('title')).toBe('xl list state: --p---');
    expect(await consoleRun('xl list')).toMatch(new RegExp(`${NAME}\\s+1\\s+2048\\s+1\\s+--p---`));
    await page.getByTestId('window-1').screenshot({ path: join(SHOTS, 'vm-paused.png') });
    await page.getByTestId(`resume-${NAME}`).click();
    await until('the Running badge', async () => (await badge(NAME)) === 'Running');
    expect(await page.getByTestId('screen-overlay-1').count()).toBe(0);
  });

  it('asks before Destroy (Escape keeps the domain)', async () => {
    await page.getByTestId(`destroy-${NAME}`).click();
    const dialog = page.getByTestId('destroy-dialog');
    await dialog.waitFor();
    expect(await dialog.innerText()).toContain(`Destroy ${NAME}?`);
    await page.screenshot({ path: join(SHOTS, 'destroy-dialog.png') });
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await badge(NAME)).toBe('Running');
  });

  it("reboots from the window title bar's context menu: a new domid, the serial log carries both boots", async () => {
    await page.getByTestId('window-title-1').click({ button: 'right' });
    const menu = page.getByTestId('domain-menu');
    await menu.waitFor();
    expect(await menu.getByRole('menuitem').allInnerTexts()).toEqual(['Pause', 'Shut down', 'Reboot', 'Destroy…', 'Clone…', 'Export…', 'Console']);
    await page.screenshot({ path: join(SHOTS, 'context-menu.png'), clip: { x: 0, y: 0, width: 1400, height: 700 } });
    // Console opens the window's Serial tab.
    await page.getByTestId('domain-menu-console').click();
    expect(await page.getByTestId('tab-serial-1').getAttribute('aria-selected')).toBe('true');

    await page.getByTestId('window-title-1').click({ button: 'right' });
    await page.getByTestId('domain-menu-reboot').click();
    await until('the old window to go', async () => (await page.getByTestId('window-1').count()) === 0);
    const domid = await until('a new domid', async () => {
      const id = await domidOf(NAME).catch(() => NaN);
      return Number.isInteger(id) && id > 1 ? id : 0;
    });
    await page.getByTestId(`window-${domid}`).waitFor();
    expect(await badge(NAME)).toBe('Running');
    // The new window opens on the tab the old one had, with the log of both boots.
    const serial = page.getByTestId(`serial-${domid}`);
    await until('the second boot on the serial tab', async () => (await serial.locator('.xterm-rows').innerText()).includes(`domid ${domid}`));
    await serial.locator('.xterm').hover();
    await until('the first boot at the top of the scrollback', async () => {
      await page.mouse.wheel(0, -100_000);
      return (await serial.locator('.xterm-rows').innerText()).includes('domain "vgtHVMDomain" domid 1');
    });
    await page.getByTestId(`window-${domid}`).screenshot({ path: join(SHOTS, 'rebooted-serial.png') });
  });

  it('shuts down with wait: "Shutting down…", then Stopped', async () => {
    const domid = await domidOf(NAME);
    await page.getByTestId(`shutdown-${NAME}`).click();
    await until('Stopped', async () => (await badge(NAME)) === 'Stopped', 15_000);
    expect(await page.getByTestId(`window-${domid}`).count()).toBe(0);
    expect(await page.getByTestId(`status-${NAME}`).count()).toBe(0);
  });
});

describe('the xl lifecycle from the Dom0 console', () => {
  it('xl pause / xl unpause / xl console (Ctrl+] detaches) / xl shutdown -w', async () => {
    await page.getByTestId(`start-${NAME}`).click();
    await until('Running', async () => (await badge(NAME)) === 'Running');
    const domid = await domidOf(NAME);
    await until('the serial shell', async () => (await app.cli('console', NAME, '--exec', 'true')).code === 0);

    await consoleRun(`xl pause ${NAME}`);
    await until('Paused', async () => (await badge(NAME)) === 'Paused');
    expect(await consoleRun('xl list')).toMatch(new RegExp(`${NAME}\\s+${domid}\\s+2048\\s+1\\s+--p---`));
    await consoleRun(`xl unpause ${NAME}`);
    await until('Running', async () => (await badge(NAME)) === 'Running');

    // Attached: the guest's log and live output; typed keys go to its serial shell.
    const before = (await page.getByTestId('dom0-console-log').textContent()) ?? '';
    await page.getByTestId('dom0-console').locator('.xterm').click();
    await page.keyboard.type(`xl console ${NAME}`);
    await page.keyboard.press('Enter');
    await until('attached', async () => (await text('dom0-console-attached')).includes(NAME));
    await page.keyboard.type('uname -n');
    await page.keyboard.press('Enter');
    const attached = await until('the guest answering', async () => {
      const added = ((await page.getByTestId('dom0-console-log').textContent()) ?? '').slice(before.length);
      return added.includes(`uname -n\n${NAME}\n`) ? added : '';
    });
    expect(attached).toContain('Linux version');
    await page.keyboard.press('Control+BracketRight');
    const detached = await until('detached, back at the Dom0 prompt', async () => {
      const added = ((await page.getByTestId('dom0-console-log').textContent()) ?? '').slice(before.length);
      return added.includes(`[detached from ${NAME}]`) && added.trimEnd().endsWith('root@dom0:~#') ? added : '';
    });
    expect(detached).toMatch(new RegExp(`\\[detached from ${NAME}\\]\\nroot@dom0:~# $`));
    expect(await page.getByTestId('dom0-console-attached').count()).toBe(0);

    const out = await consoleRun(`xl shutdown -w ${NAME}`);
    expect(out).toContain(`Shutting down domain ${domid}`);
    expect(out).toContain(`Domain ${domid} has been shut down`);
    await until('Stopped', async () => (await badge(NAME)) === 'Stopped');
  });
});

describe('a guest that ignores Shut down', () => {
  it('asks after 10 s whether to destroy it; Destroy does', async () => {
    // A hostile guest never answers the toolstack's shutdown request.
    const file = join(app.dataDir, 'stubborn.hvm');
    writeFileSync(file, readFileSync(join(EXAMPLES, 'xlexample.hvm'), 'utf8').replace(`name = '${NAME}'`, "name = 'stubborn'") + "gvt_workload = 'hostile:malformed'\n");
    await page.getByTestId('import-input').setInputFiles(file);
    await page.getByTestId('start-stubborn').click();
    await until('Running', async () => (await badge('stubborn')) === 'Running');
    await page.getByTestId('shutdown-stubborn').click();
    expect(await text('status-stubborn')).toBe('Shutting down…');
    const dialog = page.getByTestId('shutdown-timeout-dialog');
    await dialog.waitFor({ timeout: 20_000 });
    expect(await dialog.locator('h2').innerText()).toBe('stubborn did not shut down within 10 s');
    // The request stays pending, as xl's does.
    expect(await text('status-stubborn')).toBe('Shutting down…');
    await page.screenshot({ path: join(SHOTS, 'shutdown-timeout.png') });
    await page.getByTestId('shutdown-timeout-destroy').click();
    await until('Stopped', async () => (await badge('stubborn')) === 'Stopped');
  });
});
