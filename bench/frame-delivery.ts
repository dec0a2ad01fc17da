/**
 * frame-delivery: what a user sees. Three guests drive the seeds' ASUS PA238 at 1920x1080 (the
 * desktop workload flips once per vblank, 60 Hz), served in browser mode to headless Chromium with
 * the three windows open side by side. Each paint of a newly flipped frame fires FrameCanvas's
 * `gvt-paint` event carrying the flip count the host latched at vblank and the flip → paint
 * latency. Per window: painted = distinct flips painted, flipped = flips latched over the same
 * span. The ratio is painted ÷ flipped summed over the windows (1.0: every flip reached the screen);
 * the line also gives the guests' flip rate and the p95 latency. Needs `npm run build` (bench/run.mjs
 * builds first) and /usr/bin/chromium (or CHROMIUM_PATH).
 *
 * With CLOSE_PHYSICAL=1 the page closes the Physical display window as it loads (the app's default
 * layout has it open): its source is then unwatched (frame.watch), so the host neither composes nor
 * sends it, and the line says so.
 */
import { benchLine, fmt, header, percentile } from './lib/common';
import { cpuSnapshot, cpuUse, formatCpuUse, processTree } from './lib/cpu-use';
import { GUESTS, withDesktopScene } from './lib/desktop-scene';

const ROOT = process.cwd();
const MEASURE_MS = 10_000;
const CLOSE_PHYSICAL = process.env.CLOSE_PHYSICAL === '1';
/** Page script: click the Physical display window's close button once it exists. */
const CLOSER = "const closer = setInterval(() => { const b = document.querySelector('[data-testid=window-close-physical]'); if (b) { b.click(); clearInterval(closer); } }, 200);";

interface Paint {
  source: number;
  flip: number;
  latencyMs: number | null;
}

async function main(): Promise<void> {
  const physical = CLOSE_PHYSICAL ? 'Physical display closed' : 'Physical display open';
  header('frame-delivery', `${GUESTS} guests at 1920x1080 (PA238), desktop flipping at vblank, browser mode in headless Chromium, ${physical}`);
  const init = `window.paints = []; document.addEventListener('gvt-paint', (e) => window.paints.push(e.detail), true);${CLOSE_PHYSICAL ? ` ${CLOSER}` : ''}`;
  await withDesktopScene(ROOT, 'fd', init, async ({ app, page, domids }) => {
    const open = (await page.evaluate("document.querySelector('[data-testid=window-physical]') !== null")) as boolean;
    if (open === CLOSE_PHYSICAL) throw new Error(`the Physical display window is ${open ? 'open' : 'closed'}, expected ${CLOSE_PHYSICAL ? 'closed' : 'open'}`);
    const pids = processTree(process.pid);
    const before = cpuSnapshot(pids);
    await page.evaluate('window.paints = []');
    await page.waitForTimeout(MEASURE_MS);
    const paints = (await page.evaluate('window.paints')) as Paint[];
    const after = cpuSnapshot(pids);

    let painted = 0;
    let flipped = 0;
    const latencies: number[] = [];
    for (const d of domids) {
      const mine = paints.filter((p) => p.source === d);
      if (mine.length < 2) throw new Error(`window ${d} painted ${mine.length} frames in ${MEASURE_MS / 1000} s`);
      // Over the span from the first paint to the last: each later paint shows a new flip.
      const span = mine[mine.length - 1]!.flip - mine[0]!.flip;
      painted += mine.length - 1;
      flipped += span;
      for (const p of mine) if (p.latencyMs !== null) latencies.push(p.latencyMs);
      const l = mine.flatMap((p) => (p.latencyMs === null ? [] : [p.latencyMs]));
      console.log(`window ${d}: ${mine.length - 1} painted / ${span} flipped = ${fmt((mine.length - 1) / span)}; guest ${fmt((span * 1000) / MEASURE_MS)} flips/s, painted ${fmt(((mine.length - 1) * 1000) / MEASURE_MS)} fps; flip→paint p50 ${fmt(percentile(l, 50))} ms, p95 ${fmt(percentile(l, 95))} ms`);
    }
    // Where the CPU went while measuring: the machine has few cores and the host, Chromium's processes and this driver share them.
    const group = (pid: number): string => (pid === app.pid ? 'host' : pid === process.pid ? 'this driver' : 'chromium');
    console.log(`CPU over the ${MEASURE_MS / 1000} s: ${before && after ? formatCpuUse(cpuUse(before, after, group), fmt) : 'not measured (no /proc)'}`);
    const p95 = percentile(latencies, 95);
    const flipsPerSec = (flipped * 1000) / MEASURE_MS / GUESTS;
    console.log(`all: ${painted} painted / ${flipped} flipped; flip→paint p50 ${fmt(percentile(latencies, 50))} ms, p95 ${fmt(p95)} ms, p99 ${fmt(percentile(latencies, 99))} ms`);
    benchLine('frame-delivery', painted / flipped, `painted ÷ flipped, ${GUESTS} windows at 1920x1080, ${physical} (guests ${fmt(flipsPerSec)} flips/s each; p95 flip→paint ${fmt(p95)} ms)`);
  });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
