/**
 * Compositor windows that behave (issue 9 item 4), in a real browser against browser mode: start
 * the seeds' xlexample.hvm, Window ▸ Tile, maximize and restore, the scale modes, close and reopen
 * the VM's window (from the Window menu and from its library row), the Physical display raised on a display switch; then the layout survives a
 * page reload and a host restart with the same data dir (layout.json), and a corrupt layout.json
 * is ignored with a warning. No sideways scrolling at 1280x720; windows stay inside the
 * compositor area. Screenshots of tiled and maximized layouts at 1280x720 and 1920x1080.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, EXAMPLES, ROOT, startApp, until, closeSession, openSession } from './harness';

const SHOTS = join(ROOT, 'test-results', 'e2e');
const dataDir = mkdtempSync(join(tmpdir(), 'gvt-e2e-windows-'));
mkdirSync(dataDir, { recursive: true });

let app: App;
let browser: Browser;
let page: Page;

interface Shown {
  x: number;
  y: number;
  w: number;
  h: number;
  z: number;
  maximized: string;
  scale: string;
}

/** Every compositor window as shown: its rect relative to the compositor area, z-index, maximized and scale. */
async function shown(): Promise<Record<string, Shown>> {
  return page.evaluate(() => {
    const area = document.querySelector('[data-testid="compositor"]')!.getBoundingClientRect();
    const out: Record<string, Shown> = {};
    for (const el of document.querySelectorAll<HTMLElement>('[data-testid="compositor"] > section')) {
      const r = el.getBoundingClientRect();
      out[el.dataset.testid!] = {
        x: Math.round(r.x - area.x),
        y: Math.round(r.y - area.y),
        w: Math.round(r.width),
        h: Math.round(r.height),
        z: Number(getComputedStyle(el).zIndex),
        maximized: el.dataset.maximized!,
        scale: el.dataset.scale!,
      };
    }
    return out;
  });
}

const areaSize = (): Promise<{ w: number; h: number }> =>
  page.getByTestId('compositor').evaluate((el) => ({ w: el.clientWidth, h: el.clientHeight }));

async function windowMenu(item: string): Promise<void> {
  await page.getByTestId('menu-window').click();
  await page.getByTestId(`menu-window-${item}`).click();
}

/** The key of the window in front. */
const frontmost = async (): Promise<string> => Object.entries(await shown()).sort((a, b) => b[1].z - a[1].z)[0]![0];

function expectInside(windows: Record<string, Shown>, area: { w: number; h: number }): void {
  for (const [key, r] of Object.entries(windows)) {
    expect(r.x, `${key} left edge`).toBeGreaterThanOrEqual(0);
    expect(r.y, `${key} top edge`).toBeGreaterThanOrEqual(0);
    expect(r.x + r.w, `${key} right edge`).toBeLessThanOrEqual(area.w + 1);
    expect(r.y + r.h, `${key} bottom edge`).toBeLessThanOrEqual(area.h + 1);
  }
}

const overlap = (a: Shown, b: Shown): boolean => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/** The guest canvas's CSS size and its box (the screen area it sits in). */
const canvasBox = (testid: string) =>
  page.getByTestId(testid).evaluate((el) => {
    const c = el as HTMLCanvasElement;
    const r = c.getBoundingClientRect();
    return { w: Math.round(r.width), h: Math.round(r.height), boxW: c.parentElement!.clientWidth, boxH: c.parentElement!.clientHeight, frameW: Number(c.dataset.frameWidth) };
  });

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  ({ app, browser, page } = await openSession({ width: 1280, height: 720 }, { dataDir, reusePort: true }));
});

afterAll(async () => {
  await closeSession({ app, browser });
  rmSync(dataDir, { recursive: true, force: true });
});

/** What the layout must be after the reload and the restart. */
let kept: Record<string, Shown>;

describe('compositor windows', () => {
  it('a started guest gets a window inside the compositor area; no sideways scrolling at 1280x720', async () => {
    await page.getByTestId('import-input').setInputFiles(join(EXAMPLES, 'xlexample.hvm'));
    await page.getByTestId('start-vgtHVMDomain').click();
    await page.getByTestId('window-1').waitFor();
    await until('a picture in canvas-1', async () => (await canvasBox('canvas-1')).frameW === 1024 || null);
    const area = await areaSize();
    const w = await shown();
    expectInside(w, area);
    // Default placement: the Physical display and the first VM side by side.
    expect(overlap(w['window-1']!, w['window-physical']!)).toBe(false);
    const scroll = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth, bodyScroll: document.body.scrollWidth }));
    expect(scroll.scrollWidth).toBeLessThanOrEqual(scroll.innerWidth);
    expect(scroll.bodyScroll).toBeLessThanOrEqual(scroll.innerWidth);
    // Nor inside: no panel scrolls sideways (the library, the windows, the dashboard, the console).
    const sideways = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('body *')]
        .filter((e) => e.scrollWidth > e.clientWidth + 1 && ['auto', 'scroll'].includes(getComputedStyle(e).overflowX))
        .map((e) => `${e.tagName.toLowerCase()}.${e.className}`),
    );
    expect(sideways).toEqual([]);
  });

  it('Window ▸ Tile puts the windows side by side over the area, none overlapping', async () => {
    await windowMenu('tile');
    const area = await areaSize();
    const w = await shown();
    expect(Object.keys(w).sort()).toEqual(['window-1', 'window-physical']);
    expectInside(w, area);
    expect(overlap(w['window-1']!, w['window-physical']!)).toBe(false);
    // Together they cover most of the area (only the gaps are left).
    const covered = w['window-1']!.w * w['window-1']!.h + w['window-physical']!.w * w['window-physical']!.h;
    expect(covered / (area.w * area.h)).toBeGreaterThan(0.9);
    // Fit: the guest's picture fills its screen area one way and fits the other.
    const c = await canvasBox('canvas-1');
    expect(c.w).toBeLessThanOrEqual(c.boxW);
    expect(c.h).toBeLessThanOrEqual(c.boxH);
    expect(c.w === c.boxW || c.h === c.boxH).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'windows-tiled-1280x720.png') });
  });

  it('maximize fills the area; restore (double-click on the title) brings the tiled place back', async () => {
    const before = (await shown())['window-1']!;
    await page.getByRole('button', { name: 'Maximize vgtHVMDomain' }).click();
    const area = await areaSize();
    await until('window-1 maximized', async () => {
      const m = (await shown())['window-1']!;
      return m.maximized === 'true' && m.x === 0 && m.y === 0 && m.w === area.w && m.h === area.h;
    });
    expect(await frontmost()).toBe('window-1');
    await page.screenshot({ path: join(SHOTS, 'windows-maximized-1280x720.png') });
    await page.getByTestId('window-title-1').dblclick();
    await until('window-1 restored', async () => {
      const r = (await shown())['window-1']!;
      return r.maximized === 'false' && r.x === before.x && r.y === before.y && r.w === before.w && r.h === before.h;
    });
  });

  it('1:1 shows one guest pixel per device pixel (the window scrolls); Fit fits again', async () => {
    await page.getByRole('combobox', { name: 'Scale of vgtHVMDomain' }).selectOption('1:1');
    await until('canvas-1 at 1024 CSS px', async () => (await canvasBox('canvas-1')).w === 1024 || null);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true);
    await page.getByRole('combobox', { name: 'Scale of vgtHVMDomain' }).selectOption('fit');
    await until('canvas-1 fitted', async () => {
      const c = await canvasBox('canvas-1');
      return c.w <= c.boxW && c.h <= c.boxH && (c.w === c.boxW || c.h === c.boxH);
    });
  });

  /** Drag window-1's resize grip until the window is `width` CSS px wide. */
  async function resizeWindow1(width: number): Promise<void> {
    const grip = (await page.getByTestId('window-resize-1').boundingBox())!;
    const win = (await page.getByTestId('window-1').boundingBox())!;
    await page.mouse.move(grip.x + grip.width / 2, grip.y + grip.height / 2);
    await page.mouse.down();
    await page.mouse.move(win.x + width - grip.width / 2, grip.y + grip.height / 2, { steps: 4 });
    await page.mouse.up();
  }

  it('a narrow VM window keeps Hotplug ▾ whole and working: the frame rate goes first, then the button word', async () => {
    const before = (await shown())['window-1']!;
    const hotplug = page.getByRole('button', { name: 'Hotplug vgtHVMDomain' });
    /** How much of the Hotplug button the title bar's clipped extras area hides (0: all of it shows). */
    const hidden = () =>
      hotplug.evaluate((el) => {
        const b = el.getBoundingClientRect();
        const clip = el.closest('.extra')!.getBoundingClientRect();
        return Math.max(0, b.right - clip.right) + Math.max(0, clip.left - b.left);
      });
    for (const width of [420, 350, 300]) {
      await resizeWindow1(width);
      await until(`window-1 ${width} px wide`, async () => Math.abs((await shown())['window-1']!.w - width) <= 2 || null);
      expect(await hidden(), `Hotplug clipped at ${width} px`).toBe(0);
      expect(await page.getByTestId('window-1').locator('.fps').isVisible()).toBe(false);
      await page.screenshot({ path: join(SHOTS, `window-narrow-${width}.png`), clip: (await page.getByTestId('window-1').boundingBox())! });
    }
    await hotplug.click();
    await page.getByTestId('window-monitors-1').waitFor();
    await page.keyboard.press('Escape');
    await until('the Hotplug menu closed', async () => (await page.getByTestId('window-monitors-1').count()) === 0 || null);
    // A wide window shows the frame rate again (tiled at 1280x720 a window is about 350 px: narrow).
    await resizeWindow1(520);
    await until('window-1 520 px wide', async () => Math.abs((await shown())['window-1']!.w - 520) <= 2 || null);
    expect(await page.getByTestId('window-1').locator('.fps').isVisible()).toBe(true);
    expect(await hidden()).toBe(0);
    await resizeWindow1(before.w);
    await until('window-1 as wide as before', async () => Math.abs((await shown())['window-1']!.w - before.w) <= 2 || null);
  });

  it('closing the VM window hides it; the Window menu lists it and reopens it where it was', async () => {
    const before = (await shown())['window-1']!;
    await page.getByRole('button', { name: 'Close vgtHVMDomain' }).click();
    await until('window-1 gone', async () => (await page.getByTestId('window-1').count()) === 0);
    await page.getByTestId('menu-window').click();
    expect(await page.getByTestId('menu-window-vm-vgtHVMDomain').getAttribute('aria-checked')).toBe('false');
    expect(await page.getByTestId('menu-window-vm-vgtHVMDomain').getAttribute('aria-keyshortcuts')).toBe('Alt+Shift+1');
    // One line per item: a label never wraps under its shortcut.
    expect((await page.getByTestId('menu-window-physical').boundingBox())!.height).toBeLessThan(30);
    await page.screenshot({ path: join(SHOTS, 'windows-menu-1280x720.png') });
    await page.getByTestId('menu-window-vm-vgtHVMDomain').click();
    await page.getByTestId('window-1').waitFor();
    const after = (await shown())['window-1']!;
    expect({ ...after, z: 0 }).toEqual({ ...before, z: 0 });
    expect(await frontmost()).toBe('window-1');
  });

  it('a closed VM window reopens from its library row (Show, or a double-click on the row) and by Alt+Shift+digit', async () => {
    const before = (await shown())['window-1']!;
    await page.getByRole('button', { name: 'Close vgtHVMDomain' }).click();
    await until('window-1 gone', async () => (await page.getByTestId('window-1').count()) === 0);
    await page.getByRole('button', { name: 'Show vgtHVMDomain' }).click();
    await page.getByTestId('window-1').waitFor();
    expect({ ...(await shown())['window-1']!, z: 0 }).toEqual({ ...before, z: 0 });
    expect(await frontmost()).toBe('window-1');

    await page.getByRole('button', { name: 'Close vgtHVMDomain' }).click();
    await until('window-1 gone', async () => (await page.getByTestId('window-1').count()) === 0);
    await page.getByTestId('library-row-vgtHVMDomain').locator('.facts').dblclick();
    await page.getByTestId('window-1').waitFor();
    expect(await frontmost()).toBe('window-1');
    // Show on an open window behind another raises it.
    await page.getByTestId('window-physical').locator('.title').first().click();
    await until('the physical display in front', async () => (await frontmost()) === 'window-physical' || null);
    await page.getByRole('button', { name: 'Show vgtHVMDomain' }).click();
    await until('window-1 in front', async () => (await frontmost()) === 'window-1' || null);
    // Alt+Shift+1, the key the Electron Window menu sends for it, reopens it too; Alt+Shift+0 raises the Physical display.
    await page.getByRole('button', { name: 'Close vgtHVMDomain' }).click();
    await until('window-1 gone', async () => (await page.getByTestId('window-1').count()) === 0);
    await page.keyboard.press('Alt+Shift+Digit1');
    await page.getByTestId('window-1').waitFor();
    await page.keyboard.press('Alt+Shift+Digit0');
    await until('the physical display in front', async () => (await frontmost()) === 'window-physical' || null);
    await page.keyboard.press('Alt+Shift+Digit1');
    await until('window-1 in front', async () => (await frontmost()) === 'window-1' || null);
  });

  it('a display switch raises the Physical display window', async () => {
    // Leave something worth keeping: the VM window maximized with integer scale, behind the physical display.
    await page.getByRole('combobox', { name: 'Scale of vgtHVMDomain' }).selectOption('integer');
    await page.getByTestId('window-maximize-1').click();
    expect(await frontmost()).toBe('window-1');
    await page.getByTestId('menu-display').click();
    await page.getByTestId('menu-display-item-0').click();
    await until('Domain-0 in the foreground', async () => (await page.getByTestId('physical-foreground').innerText()).includes('(0)'));
    await until('the physical display in front', async () => (await frontmost()) === 'window-physical');
    await page.getByTestId('menu-display').click();
    await page.getByTestId('menu-display-item-1').click();
    await until('VM 1 in the foreground', async () => (await page.getByTestId('physical-foreground').innerText()).includes('(1)'));
    expect(await frontmost()).toBe('window-physical');
    kept = await shown();
    expect(kept['window-1']).toMatchObject({ maximized: 'true', scale: 'integer' });
    // Saved (debounced) to the data dir.
    await until('layout.json written', async () => {
      try {
        const file = JSON.parse(readFileSync(join(dataDir, 'layout.json'), 'utf8'));
        return file.windows['vm:vgtHVMDomain']?.maximized === true && file.windows['vm:vgtHVMDomain'].scale === 'integer' && file.windows.physical.z > file.windows['vm:vgtHVMDomain'].z;
      } catch {
        return false;
      }
    });
  });

  it('after a page reload the layout is the same', async () => {
    await page.reload();
    await page.getByTestId('window-1').waitFor();
    await until('the stored layout shown', async () => JSON.stringify(await shown()) === JSON.stringify(kept) || null, 10_000).catch(async () => {
      expect(await shown()).toEqual(kept);
    });
  });

  it('after a host restart with the same data dir the layout is the same', async () => {
    await app.stop({ keepData: true });
    app = await startApp({ dataDir, reusePort: true });
    await page.goto(app.url);
    await page.getByTestId('library-row-Domain-0').waitFor();
    await page.getByTestId('start-vgtHVMDomain').click();
    await page.getByTestId('window-1').waitFor();
    await until('VM 1 in the foreground', async () => (await page.getByTestId('physical-foreground').innerText()).includes('(1)'));
    await until('the stored layout shown', async () => JSON.stringify(await shown()) === JSON.stringify(kept) || null, 10_000).catch(async () => {
      expect(await shown()).toEqual(kept);
    });
  });

  it('tiled and maximized at 1920x1080; the windows follow a smaller viewport back inside the area', async () => {
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.getByTestId('window-maximize-1').click(); // restore
    await page.getByRole('combobox', { name: 'Scale of vgtHVMDomain' }).selectOption('fit');
    await windowMenu('tile');
    await page.waitForTimeout(300);
    expectInside(await shown(), await areaSize());
    await page.screenshot({ path: join(SHOTS, 'windows-tiled-1920x1080.png') });
    await page.getByTestId('window-maximize-physical').click();
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(SHOTS, 'windows-maximized-1920x1080.png') });
    await page.getByTestId('window-maximize-physical').click();
    // The tiled right-hand window was beyond a 1280-wide area: it is clamped back in.
    await page.setViewportSize({ width: 1280, height: 720 });
    await until('windows inside the smaller area', async () => {
      const area = await areaSize();
      return Object.values(await shown()).every((r) => r.x + r.w <= area.w + 1 && r.y + r.h <= area.h + 1) || null;
    });
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true);
  });

  it('a corrupt layout.json is ignored with a warning; the app shows default windows', async () => {
    await app.stop({ keepData: true });
    writeFileSync(join(dataDir, 'layout.json'), '{"version":1,"windows":{"physical":');
    app = await startApp({ dataDir, reusePort: true });
    await page.goto(app.url);
    await page.getByTestId('library-row-Domain-0').waitFor();
    await page.getByTestId('window-physical').waitFor();
    await until('the warning shown', async () => (await page.getByText(/Window layout: .*layout\.json: not valid JSON/).count()) > 0 || null);
    expectInside(await shown(), await areaSize());
  });
});
