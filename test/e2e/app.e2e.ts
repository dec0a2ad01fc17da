/**
 * The seeds' core workflow by point-and-click, in a real browser against browser mode:
 * import xlexample.hvm, start it, watch its framebuffer change, switch the display from the
 * Display menu and from the Dom0 console, have a fourth guest refused, destroy a VM.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, EXAMPLES, ROOT, canvasSample, launchBrowser, startApp } from './harness';

/** Screenshots for people to look at (not compared): test-results/e2e/. */
const SHOTS = join(ROOT, 'test-results', 'e2e');

let app: App;
let browser: Browser;
let page: Page;

/** Poll `probe` until it returns a truthy value (or time out with the last value in the message). */
async function until<T>(what: string, probe: () => Promise<T>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < end) {
    last = await probe().catch(() => undefined);
    if (last) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
}

const text = (testid: string): Promise<string> => page.getByTestId(testid).innerText();

async function consoleRun(line: string): Promise<string> {
  const before = await page.getByTestId('dom0-console-log').textContent();
  await page.getByTestId('dom0-console').click();
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
  // The command's output is complete once the next prompt is printed.
  return until(`console output of ${line}`, async () => {
    const log = (await page.getByTestId('dom0-console-log').textContent()) ?? '';
    const added = log.slice((before ?? '').length);
    return added.includes(line) && /root@dom0:~# $/.test(log.trimEnd() + ' ') && added.trimEnd().endsWith('#') ? added : '';
  });
}

function guestConfig(name: string): string {
  const path = join(app.dataDir, `${name}.hvm`);
  writeFileSync(path, readFileSync(join(EXAMPLES, 'xlexample.hvm'), 'utf8').replace("name = 'vgtHVMDomain'", `name = '${name}'`));
  return path;
}

beforeAll(async () => {
  app = await startApp();
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  await page.goto(app.url);
  await page.getByTestId('library-row-Domain-0').waitFor();
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('GVT Desk in browser mode', () => {
  it('imports the seeds\' xlexample.hvm unchanged and starts it; its framebuffer is live', async () => {
    await page.getByTestId('import-input').setInputFiles(join(EXAMPLES, 'xlexample.hvm'));
    await page.getByTestId('library-row-vgtHVMDomain').waitFor();
    // Every key is kept: the stored config is the file, byte for byte.
    const stored = readFileSync(join(app.dataDir, 'domains', 'vgtHVMDomain.cfg'), 'utf8');
    expect(stored).toBe(readFileSync(join(EXAMPLES, 'xlexample.hvm'), 'utf8'));

    await page.getByTestId('start-vgtHVMDomain').click();
    await page.getByTestId('window-1').waitFor();
    const first = await until('a non-blank framebuffer', async () => {
      const s = await canvasSample(page, 'canvas-1');
      return s.width === 1024 && s.distinct > 3 ? s : null;
    });
    const later = await until('the framebuffer to change', async () => {
      await page.waitForTimeout(300);
      const s = await canvasSample(page, 'canvas-1');
      return s.hash !== first.hash ? s : null;
    });
    expect(later.height).toBe(768);
    // hvm_boot_foreground: the new VM took the physical display once its driver was ready.
    await until('VM 1 in the foreground', async () => (await text('physical-foreground')).includes('(1)'));
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, 'started.png') });
  });

  it('switches the display from the Display menu', async () => {
    await page.getByTestId('menu-display').click();
    await page.getByTestId('menu-display-item-0').click();
    await until('Domain-0 in the foreground', async () => (await text('physical-foreground')).includes('(0)'));
    const host = await until('the host console on the physical display', async () => {
      const s = await canvasSample(page, 'canvas-physical');
      return s.width === 1024 ? s : null;
    });
    await page.getByTestId('menu-display').click();
    await page.getByTestId('menu-display-item-1').click();
    await until('VM 1 in the foreground', async () => (await text('physical-foreground')).includes('(1)'));
    await until('the physical display to follow', async () => (await canvasSample(page, 'canvas-physical')).hash !== host.hash);
  });

  it('switches the display from the Dom0 console with the seeds\' commands', async () => {
    await consoleRun('echo 0 > /sys/kernel/vgt/control/foreground_vm');
    await until('Domain-0 in the foreground', async () => (await text('physical-foreground')).includes('(0)'));
    expect(await consoleRun('cat /sys/kernel/vgt/control/foreground_vm')).toMatch(/\n0\s/);
    const list = await consoleRun('xl list');
    expect(list).toMatch(/Name\s+ID\s+Mem\s+VCPUs\s+State\s+Time\(s\)/);
    // A live guest is running or blocked (idle between vblanks), as xl list shows it.
    expect(list).toMatch(/vgtHVMDomain\s+1\s+2048\s+1\s+(r-----|-b----)/);
    await consoleRun('echo 1 > /sys/kernel/vgt/control/foreground_vm');
    await until('VM 1 in the foreground', async () => (await text('physical-foreground')).includes('(1)'));
  });

  it('fits three 128 MiB guests and refuses a fourth with the short resource', async () => {
    for (const name of ['guest2', 'guest3']) {
      const r = await app.cli('xl', 'create', guestConfig(name));
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
    await page.getByTestId('window-3').waitFor();
    // Both booted with hvm_boot_foreground on: each takes the display when its driver says
    // display_ready, before it draws. Once both draw, the foreground no longer moves by itself.
    for (const domid of [2, 3]) await until(`guest${domid} to draw`, async () => (await canvasSample(page, `canvas-${domid}`)).distinct > 3);
    await page.getByTestId('import-input').setInputFiles(guestConfig('guest4'));
    // The host's accounting says it does not fit: Start is disabled and says what is short.
    const start = page.getByTestId('start-guest4');
    await until('Start disabled', () => start.isDisabled());
    expect(await start.getAttribute('title')).toBe('Cannot start: needs 128 MiB aperture (low GM), 0 MiB free');
    expect(await text('start-blocked-guest4')).toBe('Cannot start: needs 128 MiB aperture (low GM), 0 MiB free');
    expect(await page.getByTestId('window-4').count()).toBe(0);
  });

  it('destroys a VM: its window goes, its resources are freed, the library keeps its config', async () => {
    await page.getByTestId('destroy-guest2').click();
    await page.getByTestId('destroy-confirm').click();
    await until('window 2 to close', async () => (await page.getByTestId('window-2').count()) === 0);
    await page.getByTestId('start-guest2').waitFor();
    const list = await consoleRun('xl list');
    expect(list).not.toMatch(/guest2/);
    // The freed aperture now admits the guest that was refused. With hvm_boot_foreground turned
    // off from the Display menu, it boots without taking the physical display.
    const before = await text('physical-foreground');
    await page.getByTestId('menu-display').click();
    await page.getByTestId('menu-display-boot-foreground').click();
    await until('the setting to be saved', async () => JSON.parse(readFileSync(join(app.dataDir, 'settings.json'), 'utf8')).hvmBootForeground === false);
    await page.getByTestId('start-guest4').click();
    await page.getByTestId('window-4').waitFor();
    await until('guest4 to draw', async () => (await canvasSample(page, 'canvas-4')).distinct > 3);
    expect(await text('physical-foreground')).toBe(before);
    await page.screenshot({ path: join(SHOTS, 'three-guests.png') });
  });

  it('the CLI screenshot is the VM\'s current framebuffer as PNG', async () => {
    const file = join(app.dataDir, 'vm1.png');
    const r = await app.cli('screenshot', 'vgtHVMDomain', file);
    expect(r.code).toBe(0);
    const png = PNG.sync.read(readFileSync(file));
    expect([png.width, png.height]).toEqual([1024, 768]);
    const colours = new Set<number>();
    for (let i = 0; i < png.data.length; i += 4 * 101) colours.add(png.data.readUInt32BE(i));
    expect(colours.size).toBeGreaterThan(3);
  });
});
