/**
 * frame-decode: what the compositor thread pays per 1920x1080 XRGB8888 frame of a vGPU: the fb
 * decoder (decodePlane into the buffer of the frame before last: plane registers -> surface read
 * through the GGTT, page by page) plus damage (DamageTracker.update with the native memcmp:
 * changedRects against the last frame + RGBA conversion of the changed bands), vs a plain memcpy of the same framebuffer bytes. The frames come from a guest
 * running DesktopScene at 1920x1080 through the mediator (a moving window + the top-bar clock),
 * so the damage is what the app really sees; a full-frame change is measured too.
 */
import { decodePlane, vgpuPlaneGuard } from '../src/main/mediator/fb-decoder';
import { planeFrom } from '../src/main/mediator/display-regs';
import { DamageTracker, changedRects, jsRangeEqual } from '../src/main/mediator/damage';
import { nativeRangeEqual } from '../src/main/host/native-compare';
import { DesktopScene } from '../src/main/guest/workloads/desktop';
import { PLANE_SURF_1_A } from '../src/shared/regs';
import { benchLine, fmt, header, median, now, percentile } from './lib/common';
import { mediatedGuest, mediatedHost } from './lib/systems';

const W = 1920;
const H = 1080;
const WARMUP = 20;
const ITER = 150;
const FULL_ITER = 20;
const T0_MS = Date.UTC(2026, 0, 1, 12, 0, 0);

function main(): void {
  header('frame-decode', `fb decoder + damage per ${W}x${H} XRGB8888 frame vs a plain memcpy of the same bytes`);
  const h = mediatedHost();
  const g = mediatedGuest(h, 1, { lowMiB: 128, highMiB: 384, fences: 4, ramMiB: 64 });
  const d = g.driver;
  d.probe();
  d.initBlitterRing();
  d.enableInterrupts();
  const scene = new DesktopScene(d, { name: 'vm1', domid: 1 });
  scene.boot();
  scene.setMode({ width: W, height: H, refresh: 60 });
  d.setDisplayReady();
  const v = g.v;

  // The framebuffer's own bytes in guest RAM (one contiguous object), for the memcpy baseline.
  const surf = v.vreg[PLANE_SURF_1_A >>> 2] & 0xfffff000;
  const where = h.gpu.ggtt.resolve(surf);
  if (!where) throw new Error('framebuffer not mapped');
  const fbBytes = W * H * 4; // pitch = 7680 B = width * 4: the frame is exactly these bytes
  const src = where.region.bytes.subarray(where.offset, where.offset + fbBytes);
  const dst = new Uint8Array(fbBytes);

  // The comparison the compositor thread uses.
  const tracker = new DamageTracker(nativeRangeEqual);
  let prev: Uint32Array | null = null;
  let spare: Uint32Array | null = null;
  const drawFrame = (i: number): void => {
    const seq = scene.frame(T0_MS + i * 1000);
    h.clock.ns = Math.max(h.clock.ns, h.gpu.busyUntilNs.bcs);
    h.m.tick(h.clock.ns);
    if (scene.completedSeqno() !== seq) throw new Error(`frame ${seq} did not complete`);
    d.handleInterrupt();
  };
  const t = { decode: [] as number[], damage: [] as number[], rects: [] as number[], rectsJs: [] as number[], copy: [] as number[], fresh: [] as number[] };
  let damagedPx = 0;
  let pieces = 0;
  let sink = 0;
  const one = (i: number, record: boolean): void => {
    drawFrame(i);
    const a = now();
    // As the compositor thread does: decode into the frame before the last one (double-buffered).
    const r = decodePlane(h.gpu.ggtt, planeFrom(v.vreg), true, spare ?? undefined, vgpuPlaneGuard(v));
    const b = now();
    if ('error' in r) throw new Error(r.error);
    const f = r.frame;
    if (f.width !== W || f.height !== H) throw new Error(`decoded ${f.width}x${f.height}`);
    const dmg = tracker.update(1, f.width, f.height, f.xrgb);
    const c = now();
    // changedRects alone (already included in the damage time above), for the breakdown.
    if (prev) changedRects(prev, f.xrgb, W, H, undefined, nativeRangeEqual);
    const e = now();
    // The portable comparison, for the record (the core's default, used where Node is absent).
    if (prev) changedRects(prev, f.xrgb, W, H, undefined, jsRangeEqual);
    const e2 = now();
    dst.set(src);
    const k = now();
    const fresh = src.slice();
    const l = now();
    sink ^= dst[i & 1023] ^ fresh[i & 4095];
    spare = prev;
    prev = f.xrgb;
    if (!record) return;
    t.decode.push(b - a);
    t.damage.push(c - b);
    t.rects.push(e - c);
    t.rectsJs.push(e2 - e);
    t.copy.push(k - e);
    t.fresh.push(l - k);
    for (const p of dmg.pieces) damagedPx += p.rect.w * p.rect.h;
    pieces += dmg.pieces.length;
  };
  for (let i = 0; i < WARMUP; i++) one(i, false);
  for (let i = 0; i < ITER; i++) one(WARMUP + i, true);
  const total = t.decode.map((x, i) => x + t.damage[i]);

  // Worst case: every pixel changes (CPU rewrites the whole framebuffer between frames).
  const full: number[] = [];
  const words = new Uint32Array(src.buffer, src.byteOffset, fbBytes / 4);
  for (let i = 0; i < FULL_ITER; i++) {
    words.fill(0xff000000 | ((i * 0x3f1d27) & 0xffffff));
    const a = now();
    const r = decodePlane(h.gpu.ggtt, planeFrom(v.vreg), true, spare ?? undefined, vgpuPlaneGuard(v));
    if ('error' in r) throw new Error(r.error);
    const dmg = tracker.update(1, W, H, r.frame.xrgb);
    full.push(now() - a);
    spare = prev;
    prev = r.frame.xrgb;
    if (dmg.pieces.length !== 1 || dmg.pieces[0].rect.w * dmg.pieces[0].rect.h !== W * H) throw new Error('full change not seen as one full rect');
  }

  const ms = (xs: number[]): string => `${fmt(median(xs))} ms (p90 ${fmt(percentile(xs, 90))})`;
  const row = (label: string, text: string): void => console.log(`${label.padEnd(52)} ${text}`);
  console.log(`desktop frames: ${ITER} measured; typical damage ${fmt(pieces / ITER)} rects, ${fmt(damagedPx / ITER / 1000)} kpx of ${fmt((W * H) / 1000)} kpx per frame`);
  row('decodePlane (GGTT read into the spare buffer)', ms(t.decode));
  row('DamageTracker.update (compare + RGBA of bands)', ms(t.damage));
  row('  of which changedRects (native memcmp)', ms(t.rects));
  row('  changedRects with the portable JS compare', ms(t.rectsJs));
  row('decode + damage (per frame)', ms(total));
  row('plain memcpy of the fb bytes (Uint8Array.set)', ms(t.copy));
  row('copy into a fresh buffer (slice)', ms(t.fresh));
  row('worst case: every pixel changed, decode + damage', `${fmt(median(full))} ms`);
  const ratio = median(total) / median(t.copy);
  console.log(`frames/s one core could feed at this cost: ${fmt(1000 / median(total))} (desktop), ${fmt(1000 / median(full))} (full change); sink ${sink & 1}`);
  benchLine('frame-decode', ratio, `decode+damage ms ÷ memcpy ms per ${W}x${H} frame (${fmt(median(total))} ms vs ${fmt(median(t.copy))} ms)`);
}

main();
