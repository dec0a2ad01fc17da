/**
 * frame-decode: what the compositor thread pays per 1920x1080 XRGB8888 frame of a vGPU to turn it
 * into what it sends, vs a plain memcpy of the same framebuffer bytes. Measured per frame is the
 * thread's own compose (compositor-thread.ts): FrameComposer.compose of the planned source —
 * harvesting the dirty page logs, Picture.update (the surface compared in place with the picture
 * through the GGTT with the native memcmp, only where the logs say blocks were written; changed
 * columns copied), RLE32 coding of the damage straight from the picture — and frameMessages
 * building the frame messages; only the postMessage is left out. The update comparing every row
 * (no logs, native and portable JS) is printed too. The frames come from a guest running
 * DesktopScene at 1920x1080 through the mediator (a moving window + the top-bar clock), so the
 * damage is what the app really sees; a full-frame change is measured too.
 */
import { decodePlaneRegs } from '../src/main/gpu/scanout';
import { planeFrom } from '../src/main/mediator/display-regs';
import { jsSpanEqual } from '../src/main/mediator/damage';
import { FrameComposer, ScanoutPlanner, type ScanoutSource } from '../src/main/mediator/compositor-feed';
import { Picture } from '../src/main/mediator/picture';
import { frameMessages } from '../src/main/host/frame-messages';
import { nativeSpanEqual } from '../src/main/host/native-compare';
import { DesktopScene } from '../src/main/guest/workloads/desktop';
import { CPU_LOG, markDirty } from '../src/shared/dirty-log';
import { vmHeadSource } from '../src/shared/heads';
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
  header('frame-decode', `compositor thread per ${W}x${H} XRGB8888 frame (damage + RLE32 frame messages) vs a plain memcpy of the same bytes`);
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
  // The compositor thread's composer (guided by the logs) fed by the GPU side's planner; for
  // comparison, pictures compared whole with the native and with the portable JS compare.
  const planner = new ScanoutPlanner(h.gpu, h.m);
  const composer = new FrameComposer(h.gpu.ggtt, nativeSpanEqual);
  const head = vmHeadSource(v.domid, 0);
  const picWhole = new Picture();
  const picJs = new Picture();
  const drawFrame = (i: number): void => {
    const seq = scene.frame(T0_MS + i * 1000);
    h.clock.ns = Math.max(h.clock.ns, h.gpu.busyUntilNs.bcs);
    h.m.tick(h.clock.ns);
    if (scene.completedSeqno() !== seq) throw new Error(`frame ${seq} did not complete`);
    d.handleInterrupt();
  };
  /** This frame's plan for the guest's pipe A (the GPU thread's work at vblank, not timed). */
  let planned: ScanoutSource | undefined;
  const t = { frame: [] as number[], code: [] as number[], js: [] as number[], whole: [] as number[], copy: [] as number[], fresh: [] as number[] };
  let damagedPx = 0;
  let pieces = 0;
  let codedBytes = 0;
  let seq = 0;
  let sink = 0;
  /** What the compositor thread does with a plan: compose it and build the frame messages. */
  const compose = (plan: ScanoutSource[]) => {
    const items = composer.compose(plan);
    const out = frameMessages(items, seq);
    seq = out.seq;
    return { items, messages: out.messages };
  };
  const one = (i: number, record: boolean): void => {
    drawFrame(i);
    planned = planner.plan(h.clock.ns, T0_MS + i * 1000).find((s) => s.source === head);
    if (!planned) throw new Error('the desktop frame was not planned');
    const p = plane();
    if (p.width !== W || p.height !== H) throw new Error(`plane ${p.width}x${p.height}`);
    const a = now();
    const { items, messages } = compose([planned]);
    const b = now();
    const last = composer.lastFrame(head)!;
    const rects = items.flatMap((it) => it.damage.pieces.map((pc) => pc.rect));
    // The coding part alone, done again on the same rects (informative: the thread codes once).
    for (const r of rects) sink ^= last.rle32(r)[0]!;
    const c = now();
    picJs.update(h.gpu.ggtt, p, null, jsSpanEqual);
    const e = now();
    const whole = picWhole.update(h.gpu.ggtt, p, null, nativeSpanEqual);
    const e1 = now();
    if (whole.length !== rects.length) sink ^= 1;
    dst.set(src);
    const k = now();
    sink ^= dst[i & 1023];
    if (!record) return;
    t.frame.push(b - a);
    t.code.push(c - b);
    t.js.push(e - c);
    t.whole.push(e1 - e);
    t.copy.push(k - e1);
    for (const r of rects) damagedPx += r.w * r.h;
    pieces += rects.length;
    for (const m of messages) codedBytes += m.length;
  };
  for (let i = 0; i < WARMUP; i++) one(i, false);
  for (let i = 0; i < ITER; i++) one(WARMUP + i, true);

  // A copy into a fresh buffer, for scale: apart from the frames, as its 8 MiB allocation per
  // frame (which the compositor thread never makes) drew garbage collections into the composes.
  for (let i = 0; i < FULL_ITER; i++) {
    const a = now();
    const fresh = src.slice();
    t.fresh.push(now() - a);
    sink ^= fresh[i & 4095];
  }

  // Worst case: every pixel changes (CPU rewrites the whole framebuffer between frames).
  const full: number[] = [];
  const words = new Uint32Array(src.buffer, src.byteOffset, fbBytes / 4);
  for (let i = 0; i < FULL_ITER; i++) {
    words.fill(0xff000000 | ((i * 0x3f1d27) & 0xffffff));
    markDirty(where.region.dirty!, CPU_LOG, where.offset, fbBytes);
    const a = now();
    const { items } = compose([planned!]);
    full.push(now() - a);
    const rects = items.flatMap((it) => it.damage.pieces.map((pc) => pc.rect));
    if (rects.length !== 1 || rects[0].w * rects[0].h !== W * H) throw new Error('full change not seen as one full rect');
  }

  const ms = (xs: number[]): string => `${fmt(median(xs))} ms (p90 ${fmt(percentile(xs, 90))})`;
  const row = (label: string, text: string): void => console.log(`${label.padEnd(60)} ${text}`);
  console.log(`desktop frames: ${ITER} measured; typical damage ${fmt(pieces / ITER)} rects, ${fmt(damagedPx / ITER / 1000)} kpx of ${fmt((W * H) / 1000)} kpx per frame, ${fmt(codedBytes / ITER / 1000)} kB of frame messages`);
  row('per frame: compose (logs, update, RLE32 of the damage) + messages', ms(t.frame));
  row('  of which RLE32 coding of the damage (timed again apart)', ms(t.code));
  row('Picture.update comparing every row (native memcmp)', ms(t.whole));
  row('Picture.update comparing every row (portable JS)', ms(t.js));
  row('plain memcpy of the fb bytes (Uint8Array.set)', ms(t.copy));
  row('copy into a fresh buffer (slice)', ms(t.fresh));
  row('worst case: every pixel changed, compose + messages', `${fmt(median(full))} ms`);
  const ratio = median(t.frame) / median(t.copy);
  console.log(`frames/s one core could feed at this cost: ${fmt(1000 / median(t.frame))} (desktop), ${fmt(1000 / median(full))} (full change); sink ${sink & 1}`);
  benchLine('frame-decode', ratio, `compositor thread's compose + frame messages ms ÷ memcpy ms per ${W}x${H} frame (${fmt(median(t.frame))} ms vs ${fmt(median(t.copy))} ms)`);
}

main();
