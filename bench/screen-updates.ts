/**
 * screen-updates: what reaches the screen. The frame-delivery scene (three guests at 1920x1080 on
 * the seeds' PA238, the desktop flipping at vblank, the three windows and the Physical display open in headless
 * Chromium), traced in the browser's display compositor (viz): each window's canvas is its own
 * surface, and a canvas frame reaches the screen when a `Display::DrawAndSwap` follows its
 * `Surface::ActivateFrame` (frames activated twice between two draws: only the last is seen).
 *
 * Per window (the three guests' and the Physical display, which shows the foreground VM): updates
 * shown per second and the gaps between them (p50, p95, longest; the eye sees a gap over ~50 ms as a
 * stutter). The ratio is the mean on-screen updates per window ÷ the guests' mean flips over the
 * same span (1.0: every flip was on screen); frame-delivery counts paints, this counts what the
 * compositor drew. Then a screenshot series: with SCREENCAST_DIR=<dir>, two seconds of the DevTools
 * screencast (`Page.startScreencast`, one 960x540 PNG per captured compositor frame, named by its ms) are
 * written there to look at (the capture's own cost slows the scene: it is not measured).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { benchLine, fmt, header, percentile } from './lib/common';
import { GUESTS, withDesktopScene } from './lib/desktop-scene';

const ROOT = process.cwd();
const TRACE_MS = 8000;
const SCREENCAST_MS = 2000;

interface TraceEvent {
  name: string;
  ph: string;
  /** Microseconds. */
  ts: number;
  args?: { SurfaceId?: string };
}

/** Guests' flip counts: the host's latched flip of each window's last frame painted. */
async function flipCounts(page: Page, domids: number[]): Promise<number[]> {
  return (await page.evaluate(`(() => { const f = window.lastFlip || {}; return ${JSON.stringify(domids)}.map((d) => f[d] ?? 0); })()`)) as number[];
}

/**
 * Per canvas surface, the times (ms) its frames reached the screen: a draw after one or more new
 * activations of that surface shows it updated. Canvas surfaces are those whose FrameSinkId client
 * id has the top bit set (OffscreenCanvas / canvas resource sinks), not the page's own layer tree.
 */
function screenUpdates(events: TraceEvent[]): Map<string, number[]> {
  const sorted = events.filter((e) => e.name === 'Display::DrawAndSwap' || e.name === 'Surface::ActivateFrame').sort((a, b) => a.ts - b.ts);
  const pending = new Set<string>();
  const shown = new Map<string, number[]>();
  for (const e of sorted) {
    if (e.name === 'Surface::ActivateFrame') {
      const m = e.args?.SurfaceId?.match(/FrameSinkId\((\d+), (\d+)\)/);
      if (m && Number(m[2]) >= 0x80000000) pending.add(`${m[1]}:${m[2]}`);
    } else {
      for (const sink of pending) {
        if (!shown.has(sink)) shown.set(sink, []);
        shown.get(sink)!.push(e.ts / 1000);
      }
      pending.clear();
    }
  }
  return shown;
}

/** Record SCREENCAST_MS of screencast frames into `dir` (frame-NNNN-<ms>.png) to look at. */
async function screencast(page: Page, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const cdp = await page.context().newCDPSession(page);
  let t0 = -1;
  let n = 0;
  cdp.on('Page.screencastFrame', (e: { data: string; sessionId: number; metadata: { timestamp?: number } }) => {
    const t = e.metadata.timestamp ?? Date.now() / 1000;
    if (t0 < 0) t0 = t;
    writeFileSync(join(dir, `frame-${String(n++).padStart(4, '0')}-${Math.round((t - t0) * 1000)}ms.png`), Buffer.from(e.data, 'base64'));
    void cdp.send('Page.screencastFrameAck', { sessionId: e.sessionId }).catch(() => undefined);
  });
  await cdp.send('Page.startScreencast', { format: 'png', maxWidth: 960, maxHeight: 540, everyNthFrame: 1 });
  await page.waitForTimeout(SCREENCAST_MS);
  await cdp.send('Page.stopScreencast');
  console.log(`screenshot series: ${n} screencast frames in ${SCREENCAST_MS / 1000} s written to ${dir}`);
}

async function trace(browser: Browser, page: Page): Promise<TraceEvent[]> {
  await browser.startTracing(page, { categories: ['viz'] });
  await page.waitForTimeout(TRACE_MS);
  const json = JSON.parse((await browser.stopTracing()).toString('utf8')) as { traceEvents: TraceEvent[] };
  return json.traceEvents;
}

async function main(): Promise<void> {
  header('screen-updates', `${GUESTS} guests at 1920x1080 (PA238), desktop flipping at vblank, windows traced in the display compositor`);
  const lastFlip = "window.lastFlip = {}; document.addEventListener('gvt-paint', (e) => { window.lastFlip[e.detail.source] = e.detail.flip; }, true);";
  await withDesktopScene(ROOT, 'su', lastFlip, async ({ browser, page, domids }) => {
    const flips0 = await flipCounts(page, domids);
    const t0 = Date.now();
    const events = await trace(browser, page);
    const flips1 = await flipCounts(page, domids);
    const flipsPerMs = (flips1.reduce((a, b) => a + b, 0) - flips0.reduce((a, b) => a + b, 0)) / (Date.now() - t0);
    const draws = events.filter((e) => e.name === 'Display::DrawAndSwap').map((e) => e.ts / 1000);
    const spanMs = Math.max(...draws) - Math.min(...draws);
    console.log(`display: ${draws.length} draws in ${fmt(spanMs / 1000)} s (${fmt((draws.length * 1000) / spanMs)}/s)`);
    // Every guest-window canvas (the guests' windows and the Physical display, which shows the
    // foreground VM's frames): its own surface, in no order that names its window.
    const canvases = [...screenUpdates(events)];
    if (canvases.length < GUESTS) throw new Error(`the trace shows ${canvases.length} canvas surfaces drawn, not at least ${GUESTS}`);
    let shown = 0;
    for (const [sink, times] of canvases) {
      const gaps = times.slice(1).map((t, i) => t - times[i]!);
      shown += times.length;
      console.log(`canvas surface ${sink}: ${times.length} updates on screen (${fmt((times.length * 1000) / spanMs)}/s); gaps p50 ${fmt(percentile(gaps, 50))} ms, p95 ${fmt(percentile(gaps, 95))} ms, longest ${fmt(Math.max(...gaps))} ms`);
    }
    // A guest's flips over the span the draws cover, at the guests' mean rate from before to after the trace.
    const flipsPerGuest = (flipsPerMs * spanMs) / GUESTS;
    console.log(`guests: ${fmt((flipsPerGuest * 1000) / spanMs)} flips/s each`);
    const dir = process.env.SCREENCAST_DIR;
    if (dir) await screencast(page, dir);
    benchLine('screen-updates', shown / canvases.length / flipsPerGuest, `on-screen updates per window ÷ flips per guest, ${canvases.length} windows of ${GUESTS} guests at 1920x1080 (display ${fmt((draws.length * 1000) / spanMs)} draws/s)`);
  });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
