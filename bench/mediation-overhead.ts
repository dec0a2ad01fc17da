/**
 * mediation-overhead: the same guest blit workload through a vGPU (trap emulation, shadow GGTT
 * with audit, command scan, shadow ring copy, scheduler) vs "native" (the same driver programming
 * the Gen9Gpu directly; see nativeGuest in lib/systems.ts for the one piece of emulation left).
 * The mediated guest uses GVT-g's PV paths, which its vGPU advertises (VGT_CAPS_PV: PV
 * submission, PVMMIO interrupt reads, PV GGTT binds); a second mediated guest whose driver asks for
 * no PV (pvCaps 0, every access trapped) is measured alongside for comparison.
 * In-thread; a simulated clock advances with the engine's busy time and the mediator's scheduler
 * ticks every TICK_NS of it. Each round runs the three systems in a rotating order so drift hits
 * all alike.
 */
import {
  MI_FLUSH_DW,
  MI_NOOP,
  MI_STORE_DATA_IMM_GGTT,
  MI_USER_INTERRUPT,
  ROP_PATCOPY,
  ROP_SRCCOPY,
  XY_COLOR_BLT_CMD,
  XY_SRC_COPY_BLT_CMD,
  br13,
} from '../src/shared/commands';
import type { Gen9Gpu } from '../src/main/gpu/gpu';
import { GuestDriver } from '../src/main/guest/driver';
import { DesktopScene } from '../src/main/guest/workloads/desktop';
import { TICK_NS } from '../src/main/mediator/scheduler';
import { benchLine, fmt, header, median, pad, percentile, rate } from './lib/common';
import { type Clock, type Guest, mediatedGuest, mediatedHost, nativeGuest } from './lib/systems';

const ROUNDS = 30;
const ROUND_MS = 100;
const FIXED_MS = Date.UTC(2026, 0, 1, 12, 0, 0);

interface System {
  guest: Guest;
  gpu: Gen9Gpu;
  clock: Clock;
  /** Start of vblank (virtual + physical for the mediated one). */
  vblank(): void;
  /** Let emulated time pass until the blitter is idle again (the scheduler runs on mediated). */
  settle(): void;
  /** Trapped MMIO accesses so far (mediated only). */
  traps(): number;
  check(): void;
}

function native(): System {
  const n = nativeGuest();
  return {
    guest: n,
    gpu: n.gpu,
    clock: n.clock,
    vblank: () => n.gpu.vblank(),
    settle() {
      n.clock.ns = Math.max(n.clock.ns, n.gpu.busyUntilNs.bcs);
    },
    traps: () => 0,
    // Both sides run full PPGTT, as bare-metal i915 and a GVT-g guest do: compare like with like.
    check() {
      if (!n.driver.ppgttTables) throw new Error('the native driver is not on full PPGTT');
    },
  };
}

/** A guest behind the Mediator; `pv` false: its driver asks for no PV (pvCaps 0) and traps every access. */
function mediated(pv: boolean): System {
  const h = mediatedHost();
  const m = mediatedGuest(h, 1);
  const g = pv ? m : { ...m, driver: new GuestDriver(m.port, m.ram, (l) => m.lines.push(l), { pvCaps: 0 }) };
  let nextTick = 0;
  return {
    guest: g,
    gpu: h.gpu,
    clock: h.clock,
    vblank: () => h.m.vblank(),
    settle() {
      h.clock.ns = Math.max(h.clock.ns, h.gpu.busyUntilNs.bcs);
      // The scheduler ticks every TICK_NS of emulated time, as the GPU thread's 1 ms timer does.
      if (h.clock.ns >= nextTick) {
        h.m.tick(h.clock.ns);
        nextTick = (Math.floor(h.clock.ns / TICK_NS) + 1) * TICK_NS;
      }
      // Past its 2 s priority window the only vGPU, busy all the time, sometimes overdraws its
      // timeslice (each balance period starts at the tick that balances, as upstream's
      // expire_time = cur_time + period does) and the scheduler holds its work until a later tick.
      // The GPU thread's wall clock runs on meanwhile; this clock only follows engine busy time,
      // so idle time is let pass here, tick by tick, until the work has run.
      while (m.v.queue.length > 0) {
        h.clock.ns = Math.max(nextTick, h.gpu.busyUntilNs.bcs);
        h.m.tick(h.clock.ns);
        nextTick = (Math.floor(h.clock.ns / TICK_NS) + 1) * TICK_NS;
        h.clock.ns = Math.max(h.clock.ns, h.gpu.busyUntilNs.bcs);
      }
    },
    traps: () => m.v.stats.mmioTraps,
    check() {
      if (m.v.failsafe) throw new Error(`vGPU failsafe: ${m.v.failsafe}`);
      if (m.v.stats.droppedPtes) throw new Error(`vGPU dropped ${m.v.stats.droppedPtes} PTEs`);
      if (m.v.pv.refused) throw new Error(`vGPU refused ${m.v.pv.refused} PV requests`);
      if (!g.driver.ppgttTables) throw new Error('the mediated driver is not on full PPGTT');
      if ((g.driver.pvCaps !== 0) !== pv) throw new Error(`driver pv_caps 0x${g.driver.pvCaps.toString(16)} on the ${pv ? 'PV' : 'trapped'} path`);
    },
  };
}

function bootDriver(s: System): void {
  const d = s.guest.driver;
  d.probe();
  d.initBlitterRing();
  d.enableInterrupts();
}

/** One DesktopScene frame per step (1024x768, as the app's guests draw), vblank-paced like boot.ts. */
function desktopWorkload(s: System): () => void {
  bootDriver(s);
  const d = s.guest.driver;
  const scene = new DesktopScene(d, { name: 'vm1', domid: 1 });
  scene.boot();
  scene.setMode({ width: 1024, height: 768, refresh: 60 });
  d.setDisplayReady();
  return () => {
    s.vblank();
    d.handleInterrupt();
    const seq = scene.frame(FIXED_MS);
    s.settle();
    if (scene.completedSeqno() !== seq) throw new Error(`frame ${seq} did not complete (got ${scene.completedSeqno()})`);
    if (!d.handleInterrupt().bcsUser) throw new Error('no BCS user interrupt');
  };
}

/** A tighter loop: batches of 8 XY_COLOR_BLT + 8 XY_SRC_COPY_BLT of 32x32 px, MI_FLUSH_DW, seqno, interrupt. */
function smallBlitWorkload(s: System): () => void {
  bootDriver(s);
  const d = s.guest.driver;
  const pitch = 256 * 4;
  const dst = d.allocObject(pitch * 256, 'aperture');
  const src = d.allocObject(pitch * 256, 'hidden');
  const status = d.allocObject(4096, 'aperture');
  for (let i = 0; i < src.words.length; i++) src.words[i] = 0xff000000 | (i * 2654435761);
  const xy = (x: number, y: number): number => ((y << 16) | x) >>> 0;
  let seq = 0;
  return () => {
    seq = (seq + 1) >>> 0;
    const cmds: number[] = [];
    for (let i = 0; i < 8; i++) {
      const x = ((seq * 7 + i * 29) % 7) * 32;
      const y = i * 32;
      cmds.push(XY_COLOR_BLT_CMD, br13(ROP_PATCOPY, pitch), xy(x, y), xy(x + 32, y + 32), dst.gm, 0, 0xff000000 | (seq * 0x10101 + i));
    }
    for (let i = 0; i < 8; i++) {
      const x = ((seq * 3 + i * 11) % 7) * 32;
      const y = i * 32;
      cmds.push(XY_SRC_COPY_BLT_CMD, br13(ROP_SRCCOPY, pitch), xy(x, y), xy(x + 32, y + 32), dst.gm, 0, xy(i * 32, x), pitch, src.gm, 0);
    }
    cmds.push(MI_FLUSH_DW, 0, 0, 0, 0, MI_STORE_DATA_IMM_GGTT, status.gm, 0, seq, MI_USER_INTERRUPT, MI_NOOP);
    d.submit(cmds);
    s.settle();
    if (status.words[0] !== seq) throw new Error(`batch ${seq} did not complete`);
    if (!d.handleInterrupt().bcsUser) throw new Error('no BCS user interrupt');
  };
}

const SYSTEMS = ['native', 'mediated', 'trapped'] as const;
type Which = (typeof SYSTEMS)[number];

interface Row {
  name: string;
  perSec: Record<Which, number[]>;
  /** mediated (PV) ÷ native and trapped ÷ native, per round. */
  ratios: number[];
  trappedRatios: number[];
  traps: { mediated: number; trapped: number };
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

function main(): void {
  header('mediation-overhead', 'guest blit workloads through the mediator vs the same driver on the bare Gen9Gpu (in-thread)');
  console.log('native path: registers -> gpu.mmioWrite/mmioRead, PTEs -> gpu.ggtt (gpa = hpa, RAM at host-physical 0);');
  console.log('             the only emulation left is the PVINFO page, answered with the whole GPU (all GM, all fences)');
  const workloads = [
    { name: 'desktop frame (1024x768 DesktopScene)', make: desktopWorkload },
    { name: 'small-blit batch (16 x 32x32 blits)', make: smallBlitWorkload },
  ];
  const rows: Row[] = [];
  for (const wl of workloads) {
    const sys: Record<Which, System> = { native: native(), mediated: mediated(true), trapped: mediated(false) };
    const steps = { native: wl.make(sys.native), mediated: wl.make(sys.mediated), trapped: wl.make(sys.trapped) };
    // Warm up every path (JIT) before measuring.
    for (const which of SYSTEMS) rate(300, steps[which]);
    const row: Row = { name: wl.name, perSec: { native: [], mediated: [], trapped: [] }, ratios: [], trappedRatios: [], traps: { mediated: 0, trapped: 0 } };
    for (let r = 0; r < ROUNDS; r++) {
      const got = {} as Record<Which, number>;
      for (let k = 0; k < SYSTEMS.length; k++) {
        const which = SYSTEMS[(r + k) % SYSTEMS.length];
        const before = sys[which].traps();
        const res = rate(ROUND_MS, steps[which]);
        if (which !== 'native') row.traps[which] = (sys[which].traps() - before) / res.iterations;
        sys[which].check();
        got[which] = res.perSec;
      }
      for (const which of SYSTEMS) row.perSec[which].push(got[which]);
      row.ratios.push(got.mediated / got.native);
      row.trappedRatios.push(got.trapped / got.native);
    }
    rows.push(row);
    const spread = (xs: number[]): string => `p10 ${pct(percentile(xs, 10))}, p90 ${pct(percentile(xs, 90))}`;
    console.log(
      `${wl.name}: native ${fmt(median(row.perSec.native))} workloads/s, mediated with PV ${fmt(median(row.perSec.mediated))} workloads/s ` +
        `(${pct(median(row.ratios))} of native; ${spread(row.ratios)}; ${fmt(row.traps.mediated)} traps/workload), ` +
        `mediated trapped (no PV) ${fmt(median(row.perSec.trapped))} workloads/s (${pct(median(row.trappedRatios))}; ${spread(row.trappedRatios)}; ${fmt(row.traps.trapped)} traps/workload); ` +
        `medians of ${ROUNDS} side-by-side rounds`,
    );
  }
  console.log('');
  console.log(`${'workload'.padEnd(40)} ${pad('native/s', 10)} ${pad('PV/s', 9)} ${pad('ratio', 7)} ${pad('trapped/s', 10)} ${pad('ratio', 7)}`);
  for (const r of rows) {
    console.log(
      `${r.name.padEnd(40)} ${pad(fmt(median(r.perSec.native)), 10)} ${pad(fmt(median(r.perSec.mediated)), 9)} ${pad(median(r.ratios).toFixed(3), 7)} ${pad(fmt(median(r.perSec.trapped)), 10)} ${pad(median(r.trappedRatios).toFixed(3), 7)}`,
    );
  }
  console.log('(GVT-g paper: mediated pass-through reaches up to 95% of native performance)');
  const trapped = median(rows[0].trappedRatios).toFixed(3);
  console.log(`trapped (no PV) mediated ÷ native, desktop frames: ${trapped}`);
  benchLine('mediation-overhead', median(rows[0].ratios), `mediated (GVT-g PV) ÷ native throughput (desktop frames, workloads/s); trapped without PV ${trapped}`);
}

main();
