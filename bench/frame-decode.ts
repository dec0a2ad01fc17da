/**
 * frame-decode: what the compositor thread pays per 1920x1080 XRGB8888 frame of a vGPU: bringing
 * the source's Picture up to date (the surface compared in place with the picture through the
 * GGTT with the native memcmp, only where the dirty page logs say pages were written; changed
 * columns copied; RGBA of the damage), vs a plain memcpy of the same framebuffer bytes. The
 * comparison of every row (no logs) is printed too. The frames come from a
 * guest running DesktopScene at 1920x1080 through the mediator (a moving window + the top-bar
 * clock), so the damage is what the app really sees; a full-frame change is measured too.
 */
import { decodePlaneRegs } from '../src/main/gpu/scanout';
import { planeFrom } from '../src/main/mediator/display-regs';
import { jsSpanEqual } from '../src/main/mediator/damage';
import { BlockWrites } from '../src/main/mediator/block-writes';
import { Picture } from '../src/main/mediator/picture';
import { nativeSpanEqual } from '../src/main/host/native-compare';
import { DesktopScene } from '../src/main/guest/workloads/desktop';
import { CPU_LOG, markDirty } from '../src/shared/dirty-log';
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

  const plane = () => {
    const p = decodePlaneRegs(planeFrom(v.vreg));
    if (!p || 'error' in p) throw new Error('plane not shown');
    return p;
  };
  // The compositor thread's picture (guided by the logs), one compared whole, one with the portable JS compare.
  const writes = new BlockWrites();
  const pic = new Picture();
  const picWhole = new Picture();
  const picJs = new Picture();
  const drawFrame = (i: number): void => {
    const seq = scene.frame(T0_MS + i * 1000);
    h.clock.ns = Math.max(h.clock.ns, h.gpu.busyUntilNs.bcs);
    h.m.tick(h.clock.ns);
    if (scene.completedSeqno() !== seq) throw new Error(`frame ${seq} did not complete`);
    d.handleInterrupt();
  };
  const t = { update: [] as number[], rgba: [] as number[], js: [] as number[], whole: [] as number[], copy: [] as number[], fresh: [] as number[] };
  let damagedPx = 0;
  let pieces = 0;
  let sink = 0;
  const one = (i: number, record: boolean): void => {
    drawFrame(i);
    const p = plane();
    if (p.width !== W || p.height !== H) throw new Error(`plane ${p.width}x${p.height}`);
    const a = now();
    writes.harvest(h.gpu.memory.list());
    const rects = pic.update(h.gpu.ggtt, p, null, nativeSpanEqual, writes);
    const b = now();
    for (const r of rects) sink ^= pic.rgba(r)[0]!;
    const c = now();
    picJs.update(h.gpu.ggtt, p, null, jsSpanEqual);
    const e = now();
    const whole = picWhole.update(h.gpu.ggtt, p, null, nativeSpanEqual);
    const e1 = now();
    if (whole.length !== rects.length) sink ^= 1;
    dst.set(src);
    const k = now();
    const fresh = src.slice();
    const l = now();
    sink ^= dst[i & 1023] ^ fresh[i & 4095];
    if (!record) return;
    t.update.push(b - a);
    t.rgba.push(c - b);
    t.js.push(e - c);
    t.whole.push(e1 - e);
    t.copy.push(k - e1);
    t.fresh.push(l - k);
    for (const r of rects) damagedPx += r.w * r.h;
    pieces += rects.length;
  };
  for (let i = 0; i < WARMUP; i++) one(i, false);
  for (let i = 0; i < ITER; i++) one(WARMUP + i, true);
  const total = t.update.map((x, i) => x + t.rgba[i]);

  // Worst case: every pixel changes (CPU rewrites the whole framebuffer between frames).
  const full: number[] = [];
  const words = new Uint32Array(src.buffer, src.byteOffset, fbBytes / 4);
  for (let i = 0; i < FULL_ITER; i++) {
    words.fill(0xff000000 | ((i * 0x3f1d27) & 0xffffff));
    markDirty(where.region.dirty!, CPU_LOG, where.offset, fbBytes);
    const a = now();
    writes.harvest(h.gpu.memory.list());
    const rects = pic.update(h.gpu.ggtt, plane(), null, nativeSpanEqual, writes);
    for (const r of rects) sink ^= pic.rgba(r)[0]!;
    full.push(now() - a);
    if (rects.length !== 1 || rects[0].w * rects[0].h !== W * H) throw new Error('full change not seen as one full rect');
  }

  const ms = (xs: number[]): string => `${fmt(median(xs))} ms (p90 ${fmt(percentile(xs, 90))})`;
  const row = (label: string, text: string): void => console.log(`${label.padEnd(52)} ${text}`);
  console.log(`desktop frames: ${ITER} measured; typical damage ${fmt(pieces / ITER)} rects, ${fmt(damagedPx / ITER / 1000)} kpx of ${fmt((W * H) / 1000)} kpx per frame`);
  row('Picture.update guided by the dirty page logs', ms(t.update));
  row('RGBA of the damage rects', ms(t.rgba));
  row('Picture.update comparing every row (native memcmp)', ms(t.whole));
  row('Picture.update comparing every row (portable JS)', ms(t.js));
  row('update + RGBA (per frame)', ms(total));
  row('plain memcpy of the fb bytes (Uint8Array.set)', ms(t.copy));
  row('copy into a fresh buffer (slice)', ms(t.fresh));
  row('worst case: every pixel changed, update + RGBA', `${fmt(median(full))} ms`);
  const ratio = median(total) / median(t.copy);
  console.log(`frames/s one core could feed at this cost: ${fmt(1000 / median(total))} (desktop), ${fmt(1000 / median(full))} (full change); sink ${sink & 1}`);
  benchLine('frame-decode', ratio, `picture update + RGBA of the damage ms ÷ memcpy ms per ${W}x${H} frame (${fmt(median(total))} ms vs ${fmt(median(t.copy))} ms)`);
}

main();
