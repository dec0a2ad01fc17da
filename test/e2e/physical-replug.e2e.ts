/**
 * Regression test for issue 10 item 3's bug: "after a disconnect and connect of the foreground VM's
 * monitor the Physical display stays 'no signal' until the foreground is switched away and back".
 * Through the UI, in a real browser against browser mode: start the seeds' xlexample.hvm (the
 * built-in 1024x768 monitor on PORT_B; it takes the display at boot), unplug PORT_B from the
 * Hotplug menu (the Physical display shows No signal), plug it back, and the Physical display's
 * canvas shows the guest's pixels again — without any display switch.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, EXAMPLES, ROOT, canvasSample, closeSession, openSession, until } from './harness';

/** Screenshots for people to look at (not compared): test-results/e2e/. */
const SHOTS = join(ROOT, 'test-results', 'e2e');

let app: App;
let browser: Browser;
let page: Page;

const text = (testid: string): Promise<string> => page.getByTestId(testid).innerText();
/** The Physical display's canvas at 1024x768 with the guest's desktop on it (not blank, not the No signal card). */
const physicalShowsGuest = () =>
  until('the Physical display showing the guest at 1024x768', async () => {
    if (/no signal/i.test(await text('window-physical'))) return null;
    if (!(await page.getByTestId('canvas-physical').isVisible())) return null;
    const s = await canvasSample(page, 'canvas-physical');
    return s.width === 1024 && s.height === 768 && s.distinct > 3 ? s : null;
  }, 15_000);

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  ({ app, browser, page } = await openSession({ width: 1600, height: 1000 }));
});

afterAll(async () => {
  await closeSession({ app, browser });
});

describe("the foreground VM's monitor unplugged and plugged back", () => {
  it('the Physical display shows the guest again after Hotplug disconnect + connect, with no display switch', async () => {
    await page.getByTestId('import-input').setInputFiles(join(EXAMPLES, 'xlexample.hvm'));
    await page.getByTestId('start-vgtHVMDomain').click();
    await page.getByTestId('window-1').waitFor();
    await until('vgtHVMDomain in the foreground', async () => (await text('physical-foreground')).includes('vgtHVMDomain'));
    await physicalShowsGuest();

    await page.getByTestId('menu-hotplug').click();
    await page.getByTestId('menu-hotplug-1-PORT_B-disconnect').click();
    await until('No signal on the Physical display', async () => /no signal/i.test(await text('window-physical')));
    await page.screenshot({ path: join(SHOTS, 'physical-replug-unplugged.png') });

    await page.getByTestId('menu-hotplug').click();
    await page.getByTestId('menu-hotplug-1-PORT_B-connect').click();
    await page.getByTestId('hotplug-dialog').waitFor();
    await page.getByTestId('hotplug-connect-confirm').click();
    await page.getByTestId('hotplug-dialog').waitFor({ state: 'detached' });
    const back = await physicalShowsGuest();
    expect(back.distinct).toBeGreaterThan(3);
    // Still the same foreground: nobody switched the display away and back.
    expect(await text('physical-foreground')).toContain('vgtHVMDomain');
    // And it keeps showing it (no late 0x0 frame turns it back to No signal).
    await page.waitForTimeout(1500);
    expect(/no signal/i.test(await text('window-physical'))).toBe(false);
    await page.screenshot({ path: join(SHOTS, 'physical-replug-back.png') });
  });
});
