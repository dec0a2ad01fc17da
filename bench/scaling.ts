/**
 * scaling: aggregate guest throughput with 1, 2, 3 and 7 busy vGPUs on one emulated GPU,
 * in-thread, scheduled by Mediator.tick (GVT-g's time-based scheduler) on a simulated clock that
 * advances one scheduler tick (TICK_NS = 1 ms) per step, as the GPU thread's 1 ms timer does. Every
 * guest runs DesktopScene (1024x768) and submits its next frame as soon as it sees the previous one
 * complete, so every vGPU always has work queued; the measurement starts after the scheduler's 2 s
 * priority window for new vGPUs (the simulated clock jumps over it). vGPUs are 32 MiB aperture /
 * 64 MiB hidden GM / 2 fences (seven of them fit next to the host's reservation). Throughput is
 * wall-clock frames/s of this process: one CPU thread does all the work, so ideal scaling keeps
 * the aggregate constant (1.0); what is lost goes to scheduling, owner switches (MMIO context
 * save/restore) and the larger memory footprint of more guests.
 *
 * The memmove reference beside it: the blitter's copies and fills of a stretch of each setup are
 * recorded (bench/lib/ram-replay.ts) and replayed on the same guest RAM in the same order, without
 * the GPU model, mediator or guests; its ratio is what the host's caches alone make of 1, 2, 3
 * and 7 guests' working sets (each guest's frame reuses its background, window surfaces and back
 * buffer only every n frames).
 */
import { DesktopScene } from '../src/main/guest/workloads/desktop';
import { PRIORITY_WINDOW_NS, TICK_NS } from '../src/main/mediator/scheduler';
import { benchLine, fmt, header, median, pad, rate } from './lib/common';
import { type RecordedFrame, type RecordingStats, RamRecorder, distinctBytes, replayFrame } from './lib/ram-replay';
import { type MediatedGuest, type MediatedHost, type VgpuSize, mediatedGuest, mediatedHost } from './lib/systems';

const COUNTS = [1, 2, 3, 7] as const;
const ROUNDS = 15;
const ROUND_MS = 150;
const SIZE: VgpuSize = { lowMiB: 32, highMiB: 64, fences: 2, ramMiB: 32 };
const FIXED_MS = Date.UTC(2026, 0, 1, 12, 0, 0);
/** Frames per guest recorded for the memmove reference (both back buffers, four positions each). */
const REF_FRAMES_PER_GUEST = 8;
const REF_ROUNDS = 9;
const REF_ROUND_MS = 100;

interface Busy {
  g: MediatedGuest;
  scene: DesktopScene;
  seq: number;
  inFlight: boolean;
  frames: number;
}

interface Setup {
  h: MediatedHost;
  guests: Busy[];
  step(): void;
  frames(): number;
  ticks(): number;
}

function setup(n: number): Setup {
  const h = mediatedHost();
  const guests: Busy[] = [];
  for (let i = 1; i <= n; i++) {
    const g = mediatedGuest(h, i, SIZE);
    g.driver.probe();
    g.driver.initBlitterRing();
    g.driver.enableInterrupts();
    const scene = new DesktopScene(g.driver, { name: `vm${i}`, domid: i });
    scene.boot();
    scene.setMode({ width: 1024, height: 768, refresh: 60 });
    g.driver.setDisplayReady();
    guests.push({ g, scene, seq: 0, inFlight: false, frames: 0 });
  }
  // Let the new vGPUs' priority window pass (idle time) before any work is submitted.
  h.clock.ns = PRIORITY_WINDOW_NS + TICK_NS;
  h.m.tick(h.clock.ns);
  let total = 0;
  let ticks = 0;
  return {
    h,
    guests,
    frames: () => total,
    ticks: () => ticks,
    step() {
      for (const b of guests) {
        if (b.inFlight && b.scene.completedSeqno() === b.seq) {
          b.inFlight = false;
          b.frames++;
          total++;
          if (!b.g.driver.handleInterrupt().bcsUser) throw new Error(`vm${b.g.v.domid}: no BCS user interrupt`);
        }
        if (!b.inFlight) {
          b.seq = b.scene.frame(FIXED_MS);
          b.inFlight = true;
        }
      }
      // One scheduler tick of emulated time: the owner for the next tick is picked and fed.
      h.clock.ns += TICK_NS;
      ticks++;
      h.m.tick(h.clock.ns);
    },
  };
}

/** Record the blitter's RAM operations of REF_FRAMES_PER_GUEST more frames of every guest of `s`. */
function record(s: Setup): { frames: RecordedFrame[]; stats: RecordingStats } {
  const buffers = new Set(s.guests.map((b) => b.g.ram.bytes.buffer));
  const rec = new RamRecorder(s.h.gpu.memory.list().filter((r) => buffers.has(r.bytes.buffer)));
  // One frame per tick: every cut holds one guest's whole frame, in the order the GPU ran them.
  for (let i = 0; i < REF_FRAMES_PER_GUEST * s.guests.length; i++) {
    s.step();
    rec.cut();
  }
  rec.stop();
  return { frames: rec.frames, stats: rec.stats() };
}

function main(): void {
  header('scaling', 'aggregate DesktopScene throughput with 1, 2, 3 and 7 busy vGPUs (in-thread, Mediator.tick every simulated 1 ms)');
  console.log(`vGPU size: ${SIZE.lowMiB} MiB aperture, ${SIZE.highMiB} MiB hidden GM, ${SIZE.fences} fences, ${SIZE.ramMiB} MiB RAM`);
  const setups = new Map<number, Setup>(COUNTS.map((n) => [n, setup(n)]));
  const samples = new Map<number, number[]>(COUNTS.map((n) => [n, []]));
  const measure = (n: number, ms: number): number => {
    const s = setups.get(n)!;
    const f0 = s.frames();
    const r = rate(ms, s.step);
    return ((s.frames() - f0) * 1000) / r.elapsedMs;
  };
  for (const n of COUNTS) measure(n, 250); // warm-up
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? COUNTS : [...COUNTS].reverse();
    for (const n of order) samples.get(n)!.push(measure(n, ROUND_MS));
  }
  for (const s of setups.values()) {
    if (s.h.failsafes.length) throw new Error(`failsafe: ${s.h.failsafes.join('; ')}`);
  }
  const base = median(samples.get(1)!);
  console.log(`${pad('vGPUs', 5)} ${pad('frames/s', 9)} ${pad('per vGPU', 9)} ${pad('vs 1', 6)} ${pad('emulated f/s', 12)}  fairness: frames min/max, engine-time share min/max, ownership share min/max`);
  let ratio7 = NaN;
  for (const n of COUNTS) {
    const agg = median(samples.get(n)!);
    const ratio = agg / base;
    if (n === 7) ratio7 = ratio;
    const s = setups.get(n)!;
    const frames = s.guests.map((b) => b.frames);
    const share = (xs: number[]): string => {
      const t = xs.reduce((a, b) => a + b, 0);
      return `${((Math.min(...xs) / t) * 100).toFixed(1)}%/${((Math.max(...xs) / t) * 100).toFixed(1)}%`;
    };
    console.log(
      `${pad(n, 5)} ${pad(fmt(agg), 9)} ${pad(fmt(agg / n), 9)} ${pad(ratio.toFixed(3), 6)} ${pad(fmt((s.frames() * 1e9) / (s.ticks() * TICK_NS)), 12)}  ` +
        `${Math.min(...frames)}/${Math.max(...frames)}, ${share(s.guests.map((b) => b.g.v.stats.gpuTimeNs))}, ${share(s.guests.map((b) => s.h.m.ownedNs(b.g.v)))}`,
    );
  }
  console.log('(frames/s: wall clock, this process; emulated f/s: frames per simulated second of GPU time, all vGPUs)');
  // The memmove reference, after the measurement and its table (recording adds a little to every frame, and frames).
  const recorded = new Map<number, ReturnType<typeof record>>(COUNTS.map((n) => [n, record(setups.get(n)!)]));
  const refSamples = new Map<number, number[]>(COUNTS.map((n) => [n, []]));
  const replay = (n: number, ms: number): number => {
    const { frames } = recorded.get(n)!;
    let i = 0;
    return rate(ms, () => replayFrame(frames, i++)).perSec;
  };
  for (const n of COUNTS) replay(n, REF_ROUND_MS); // warm-up
  for (let r = 0; r < REF_ROUNDS; r++) {
    const order = r % 2 === 0 ? COUNTS : [...COUNTS].reverse();
    for (const n of order) refSamples.get(n)!.push(replay(n, REF_ROUND_MS));
  }
  const one = recorded.get(1)!;
  const st = one.stats;
  const kb = (bytes: number): string => fmt(bytes / st.frames / 1024);
  // The windows move (and overlap or not), so the set a frame pair touches varies: the mean over the recording.
  let pairBytes = 0;
  for (let i = 0; i + 1 < one.frames.length; i++) pairBytes += distinctBytes(one.frames.slice(i, i + 2)) / (one.frames.length - 1);
  console.log(
    `blitter RAM traffic per frame (1 vGPU, ${st.frames} frames): ${fmt(st.copies / st.frames)} memmoves of ${kb(st.copyBytes)} KiB in all (read once, written once), ` +
      `${fmt(st.fills / st.frames)} fills of ${kb(st.fillBytes)} KiB; ` +
      `a guest's two consecutive frames (both back buffers) touch ${fmt(pairBytes / 2 ** 20)} MiB of its RAM (mean), reused every n frames with n guests`,
  );
  const refBase = median(refSamples.get(1)!);
  console.log(`${pad('vGPUs', 5)} ${pad('model ms/frame', 14)} ${pad('memmove ms/frame', 16)} ${pad('model vs 1', 10)} ${pad('memmove vs 1', 12)}`);
  for (const n of COUNTS) {
    const agg = median(samples.get(n)!);
    const ref = median(refSamples.get(n)!);
    console.log(`${pad(n, 5)} ${pad((1000 / agg).toFixed(3), 14)} ${pad((1000 / ref).toFixed(3), 16)} ${pad((agg / base).toFixed(3), 10)} ${pad((ref / refBase).toFixed(3), 12)}`);
  }
  console.log('(memmove: the same copies and fills replayed on the same guest RAM without the GPU model; ms/frame: wall clock per frame, aggregate)');
  console.log(`memmove reference: 7 working sets ÷ 1 = ${(median(refSamples.get(7)!) / refBase).toFixed(3)}x (the model: ${ratio7.toFixed(3)}x)`);
  benchLine('scaling', ratio7, 'aggregate throughput with 7 busy vGPUs relative to 1');
}

main();
