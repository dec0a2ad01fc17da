/**
 * The dashboard's charts, scheduler timeline, hang badge and vGPU Log view in a real browser
 * against browser mode: two desktop guests (the seeds' xlexample.hvm and a copy) make the charts
 * move and both appear on the BCS strip; a hostile guest whose batch buffer loops on itself hangs
 * the blitter, the mediator resets it, a red badge appears on that VM, and its log shows the hang.
 * Screenshots of the dashboard at 1280x720 and 1920x1080 (test-results/e2e/charts-*.png).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vmColor } from '../../src/renderer/lib/vm-colors';
import { type App, EXAMPLES, ROOT, until, closeSession, openSession } from './harness';

const SHOTS = join(ROOT, 'test-results', 'e2e');

let app: App;
let browser: Browser;
let page: Page;

function config(name: string, extra = ''): string {
  const path = join(app.dataDir, `${name}.hvm`);
  writeFileSync(path, readFileSync(join(EXAMPLES, 'xlexample.hvm'), 'utf8').replace("name = 'vgtHVMDomain'", `name = '${name}'`) + extra);
  return path;
}

/** A chart's newest value per VM name, and how many samples it holds. */
async function chart(testid: string): Promise<{ latest: Record<string, number | null>; samples: number }> {
  const el = page.getByTestId(testid);
  return { latest: JSON.parse((await el.getAttribute('data-latest')) ?? '{}') as Record<string, number | null>, samples: Number(await el.getAttribute('data-samples')) };
}

/**
 * How many device pixels of a timeline strip's canvas are painted in each VM's colour (colours
 * given as '#rrggbb' by domid; the strip's canvas is painted only while on screen).
 */
async function stripPixels(testid: string, colours: Record<number, string>): Promise<Record<number, number>> {
  return page.getByTestId(testid).evaluate((c, want) => {
    const canvas = c as HTMLCanvasElement;
    const px = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    const counts: Record<number, number> = {};
    for (const [domid, hex] of Object.entries(want)) {
      const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
      let n = 0;
      for (let i = 0; i < px.length; i += 4) if (px[i] === r && px[i + 1] === g && px[i + 2] === b && px[i + 3] === 255) n++;
      counts[Number(domid)] = n;
    }
    return counts;
  }, colours);
}

/** No sideways scrolling: neither the page nor the dashboard is wider than its box. */
async function noSidewaysScroll(): Promise<{ page: boolean; dashboard: boolean }> {
  return page.evaluate(() => {
    const d = document.querySelector('[data-testid="dashboard"]')!;
    return { page: document.documentElement.scrollWidth <= document.documentElement.clientWidth, dashboard: d.scrollWidth <= d.clientWidth };
  });
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  ({ app, browser, page } = await openSession({ width: 1280, height: 720 }));
});

afterAll(async () => {
  await closeSession({ app, browser });
});

describe('charts, scheduler timeline, hang badge and vGPU log', () => {
  it('with no guest running the charts say so, without errors', async () => {
    await page.getByTestId('charts-empty').waitFor();
    expect(await page.getByTestId('vgpu-charts').getByRole('alert').count()).toBe(0);
    await page.getByTestId('sched-timeline').getByTestId('timeline-idle').waitFor();
  });

  it('two guests: every chart has a line per VM and moves; the timeline shows both on BCS', async () => {
    await page.getByTestId('import-input').setInputFiles(join(EXAMPLES, 'xlexample.hvm'));
    await page.getByTestId('start-vgtHVMDomain').click();
    await page.getByTestId('import-input').setInputFiles(config('second'));
    await page.getByTestId('start-second').click();
    const names = ['vgtHVMDomain', 'second'];
    const first = await until('workloads/s of both VMs', async () => {
      const c = await chart('chart-workloads');
      return names.every((n) => (c.latest[n] ?? 0) > 0) ? c : null;
    }, 60_000);
    for (const id of ['chart-share', 'chart-mmio', 'chart-fps', 'chart-gm']) {
      const c = await chart(id);
      expect(Object.keys(c.latest).sort(), id).toEqual([...names].sort());
    }
    // Frames, GM and MMIO traps of a desktop guest are not zero.
    const fps = await until('fps of both VMs', async () => {
      const c = await chart('chart-fps');
      return names.every((n) => (c.latest[n] ?? 0) > 1) ? c : null;
    });
    expect(Object.values(fps.latest).every((v) => v! < 200)).toBe(true);
    expect(Object.values((await chart('chart-gm')).latest).every((v) => v! > 1)).toBe(true);
    expect(Object.values((await chart('chart-mmio')).latest).every((v) => v! > 10)).toBe(true);
    const share = await chart('chart-share');
    expect(Object.values(share.latest).every((v) => v !== null && v >= 0 && v <= 100)).toBe(true);
    // A few seconds later the data has moved on.
    await page.waitForTimeout(3000);
    const later = await chart('chart-workloads');
    expect(later.samples).toBeGreaterThan(first.samples);
    expect(JSON.stringify(later.latest) !== JSON.stringify(first.latest) || later.samples > first.samples + 2).toBe(true);
    // Both desktops blit: each appears on the BCS strip (and holds time slices).
    const owners = await until('both VMs on the BCS strip', async () => {
      const o = (await page.getByTestId('timeline-bcs').getAttribute('data-owners')) ?? '';
      return o.split(',').filter(Boolean).length >= 2 ? o : null;
    });
    expect(owners.split(',').sort()).toEqual(['1', '2']);
    // Scrolled into view, the BCS strip's canvas shows bars in both VMs' colours.
    await page.getByTestId('sched-timeline').scrollIntoViewIfNeeded();
    const colours = { 1: vmColor(1), 2: vmColor(2) };
    await until('both VMs painted on the BCS strip', async () => {
      const n = await stripPixels('timeline-bcs', colours);
      return n[1]! > 0 && n[2]! > 0 ? n : null;
    });
    expect(await page.getByTestId('timeline-bcs').getAttribute('aria-label')).toBe('BCS: held by domid 1, 2 in the last 2 s');
    expect(((await page.getByTestId('timeline-slice').getAttribute('data-owners')) ?? '').length).toBeGreaterThan(0);
    await page.getByTestId('legend-2').first().waitFor();
    expect(await page.getByTestId('sched-timeline').getByTestId('legend-1').innerText()).toContain('vgtHVMDomain (1)');
  });

  it('the dashboard fits: no sideways scroll at 1280x720 and 1920x1080 (screenshots)', async () => {
    for (const [w, h] of [
      [1280, 720],
      [1920, 1080],
    ]) {
      await page.setViewportSize({ width: w, height: h });
      await page.waitForTimeout(1200);
      expect(await noSidewaysScroll(), `${w}x${h}`).toEqual({ page: true, dashboard: true });
      await page.getByTestId('dashboard').evaluate((d) => (d.scrollTop = 0));
      await page.screenshot({ path: join(SHOTS, `charts-${w}x${h}.png`) });
      await page.getByTestId('chart-share').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(SHOTS, `charts-${w}x${h}-charts.png`) });
      await page.getByTestId('sched-timeline').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(SHOTS, `charts-${w}x${h}-timeline.png`) });
    }
    await page.setViewportSize({ width: 1280, height: 720 });
  });

  it('a guest that hangs the blitter gets a red badge; its log shows the hang and viewing it clears the badge', async () => {
    const r = await app.cli('xl', 'create', config('hangs', "gvt_workload = 'hostile:batch-loop'\n"));
    expect(r.code).toBe(0);
    const row = page.getByTestId('library-row-hangs');
    const badge = row.locator('[data-testid^="hang-badge-"]');
    await until('the hang badge', async () => (await badge.count()) > 0, 30_000);
    expect(await badge.innerText()).toBe('hang ×1');
    expect(await badge.getAttribute('title')).toMatch(/1 GPU hang recovered by the mediator[\s\S]*engine reset: bcs: workload (did not complete in \d+ ms of engine time|made no progress in \d+ checks) \(GPU hang\)/);
    const domid = Number((await badge.getAttribute('data-testid'))!.replace('hang-badge-', ''));
    // The VM window's title carries it too.
    await page.getByTestId(`window-${domid}`).getByTestId(`hang-badge-${domid}`).waitFor();
    await page.screenshot({ path: join(SHOTS, 'charts-hang-badge.png') });
    await badge.click();
    const log = page.getByTestId(`vgpu-log-${domid}`);
    await log.waitFor();
    const lines = await until('the hang line', async () => {
      const t = await page.getByTestId(`vgpu-log-lines-${domid}`).innerText();
      return /\[\s*\d+\.\d{6}\] engine reset: bcs: .*\(GPU hang\)/.test(t) ? t : null;
    });
    expect(lines).toContain('engine reset: bcs');
    await page.screenshot({ path: join(SHOTS, 'charts-log-view.png') });
    // Viewed: the badge is gone everywhere.
    await until('the badge to clear', async () => (await page.locator(`[data-testid="hang-badge-${domid}"]`).count()) === 0);
    await page.keyboard.press('Escape');
    await until('the log view to close', async () => (await log.count()) === 0);
    // The log also opens from the dashboard's vGPU row, and it scrolls.
    await page.getByTestId(`dashboard-vgpu-${domid}`).getByTestId(`open-log-${domid}`).click();
    await log.waitFor();
    const box = page.getByTestId(`vgpu-log-lines-${domid}`);
    expect(await box.evaluate((el) => getComputedStyle(el).overflowY)).toBe('auto');
    await page.getByTestId(`vgpu-log-close-${domid}`).click();
  });

  it('a VM that stops leaves the charts and the timeline', async () => {
    expect((await app.cli('xl', 'destroy', 'second')).code).toBe(0);
    await until('the second VM to leave the charts', async () => !('second' in (await chart('chart-workloads')).latest));
    await until('the second VM to leave the BCS strip', async () => !((await page.getByTestId('timeline-bcs').getAttribute('data-owners')) ?? '').split(',').includes('2'));
    expect(await page.getByTestId('vgpu-charts').getByRole('alert').count()).toBe(0);
  });
});
