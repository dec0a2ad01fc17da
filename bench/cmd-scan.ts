/**
 * cmd-scan: command scanner throughput (scanWorkload from src/main/mediator/cmd-scan.ts, called
 * the way buildWorkload calls it: over the ring copy, with its GGTT reader for batch buffers) on a
 * realistic mix of blits and MI commands, vs a plain copy of the same bytes (Uint32Array.set, and
 * a JS loop copy). Also prints the other per-byte stages of a submission for context: the copy-out
 * of the guest ring through the GGTT, the whole buildWorkload (copy-out + scan), the copy into the
 * host's shadow ring, and the i915-style variant where the ring only calls batch buffers (which
 * the scanner reads through the GGTT and shadows).
 */
import {
  MI_BATCH_BUFFER_END,
  MI_BATCH_BUFFER_START_GGTT,
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
import { MAX_BATCH_SEGMENTS, scanWorkload } from '../src/main/mediator/cmd-scan';
import { buildWorkload, gmReader } from '../src/main/mediator/workload-build';
import { RING_CTL_SIZE, RING_CTL_VALID } from '../src/shared/regs';
import { SHADOW_RING_BYTES } from '../src/main/mediator/host-gm';
import { benchLine, fmt, header, median, pad, rate } from './lib/common';
import { mediatedGuest, mediatedHost } from './lib/systems';

const ROUNDS = 6;
const ROUND_MS = 250;
const MiB = 1 << 20;

/**
 * One frame's worth of a desktop guest's commands (the DesktopScene mix plus two small fills and a
 * post-sync flush): 62 dwords, 10 commands, every GM address inside the vGPU.
 */
function unit(fb: number, bg: number, status: number, win: number, k: number): number[] {
  const p = 4096; // 1024 px XRGB8888
  const xy = (x: number, y: number): number => ((y << 16) | x) >>> 0;
  const x = 40 + (k % 600);
  const y = 80 + (k % 400);
  return [
    XY_SRC_COPY_BLT_CMD, br13(ROP_SRCCOPY, p), xy(x + 6, y + 6), xy(x + 366, y + 206), fb, 0, xy(x + 6, y + 6), p, bg, 0,
    XY_SRC_COPY_BLT_CMD, br13(ROP_SRCCOPY, p), xy(x, y), xy(x + 360, y + 200), fb, 0, xy(x, y), p, bg, 0,
    XY_COLOR_BLT_CMD, br13(ROP_PATCOPY, p), xy(x + 6, y + 6), xy(x + 366, y + 206), fb, 0, 0xff000000,
    XY_SRC_COPY_BLT_CMD, br13(ROP_SRCCOPY, p), xy(x, y), xy(x + 360, y + 200), fb, 0, xy(0, 0), 360 * 4, win, 0,
    XY_COLOR_BLT_CMD, br13(ROP_PATCOPY, p), xy(12, 4), xy(300, 36), fb, 0, 0xff101418,
    XY_COLOR_BLT_CMD, br13(ROP_PATCOPY, p), xy(700, 4), xy(1012, 36), fb, 0, 0xff101418,
    (MI_FLUSH_DW | (1 << 14)) >>> 0, (status + 8) | 4, 0, k, 0, // post-sync immediate write, GGTT (bit 2)
    MI_STORE_DATA_IMM_GGTT, status, 0, k,
    MI_USER_INTERRUPT,
    MI_NOOP,
  ];
}

function main(): void {
  header('cmd-scan', 'scanWorkload throughput on a blit/MI mix vs a plain copy of the same bytes');
  const h = mediatedHost();
  const g = mediatedGuest(h, 1);
  const v = g.v;
  const d = g.driver;
  d.probe();
  // The guest's ring lives in its aperture, mapped through its (shadowed) GGTT entries.
  const size = SHADOW_RING_BYTES;
  const ring = d.allocObject(size, 'aperture');
  const fb = d.allocObject(4096 * 768, 'aperture');
  const status = d.allocObject(4096, 'aperture');
  const bg = d.allocObject(4096 * 768, 'hidden');
  const win = d.allocObject(360 * 4 * 200, 'hidden');
  const cmds: number[] = [];
  let units = 0;
  for (;;) {
    const u = unit(fb.gm, bg.gm, status.gm, win.gm, units);
    if ((cmds.length + u.length) * 4 >= size) break;
    cmds.push(...u);
    units++;
  }
  ring.words.set(cmds);
  const tail = cmds.length * 4;
  const head = 0;
  const bytes = tail - head;
  const perUnit = unit(0, 0, 0, 0, 0).length;
  console.log(`ring mix: ${fmt(bytes / 1024)} KiB, ${units * 10} commands (${units} x [3 XY_SRC_COPY_BLT, 3 XY_COLOR_BLT, MI_FLUSH_DW, MI_STORE_DATA_IMM, MI_USER_INTERRUPT, MI_NOOP], ${perUnit * 4} B each)`);

  // Exactly the mediator's steps: copy out through the GGTT, scan the copy, copy into the shadow ring.
  const ggtt = h.gpu.ggtt;
  const copy = new Uint32Array(bytes / 4);
  const copyOut = (): void => {
    for (let i = 0; i < copy.length; i++) copy[i] = ggtt.read32(ring.gm + ((head + i * 4) % size));
  };
  copyOut();
  const scan = (): void => {
    const r = scanWorkload(v, 'bcs', copy, gmReader(ggtt));
    if (!r.ok) throw new Error(`scan rejected the mix: ${r.reason} at 0x${r.offset.toString(16)}`);
    if (r.commands !== units * 10) throw new Error(`scanned ${r.commands} commands, expected ${units * 10}`);
  };
  const ringState = { start: ring.gm, ctl: RING_CTL_SIZE(size) | RING_CTL_VALID, head, tail };
  const build = (): void => {
    const r = buildWorkload(ggtt, v, 'bcs', ringState, head);
    if (!r.ok) throw new Error(`buildWorkload refused the mix: ${r.reason}`);
  };
  const shadow = h.m.hostGm.shadowRingGm.bcs;
  const shadowIn = (): void => {
    for (let i = 0; i < copy.length; i++) ggtt.write32(shadow + i * 4, copy[i]);
  };

  // i915-style: the ring only calls batch buffers (one per request) that hold the same commands.
  const batchUnits = Math.floor(units / MAX_BATCH_SEGMENTS);
  const batchRing: number[] = [];
  let batchBytes = 0;
  for (let b = 0; b < MAX_BATCH_SEGMENTS; b++) {
    const body: number[] = [];
    for (let k = 0; k < batchUnits; k++) body.push(...unit(fb.gm, bg.gm, status.gm, win.gm, b * batchUnits + k).slice(0, perUnit - 6)); // blits + flush
    body.push(MI_BATCH_BUFFER_END);
    const obj = d.allocObject(body.length * 4, 'hidden');
    obj.words.set(body);
    batchBytes += body.length * 4;
    batchRing.push(MI_BATCH_BUFFER_START_GGTT, obj.gm, 0, MI_STORE_DATA_IMM_GGTT, status.gm, 0, b, MI_USER_INTERRUPT);
  }
  const batchCopy = Uint32Array.from(batchRing);
  const batchTotal = batchCopy.length * 4 + batchBytes;
  console.log(`batch mix: ${MAX_BATCH_SEGMENTS} batch buffers (the per-workload limit) of ${batchUnits} blit units each, ${fmt(batchTotal / 1024)} KiB incl. the ring`);
  const scanBatches = (): void => {
    const r = scanWorkload(v, 'bcs', batchCopy, gmReader(ggtt));
    if (!r.ok) throw new Error(`scan rejected the batch mix: ${r.reason} (segment ${r.segment} at 0x${r.offset.toString(16)})`);
    if (r.segments.length !== MAX_BATCH_SEGMENTS + 1) throw new Error(`${r.segments.length - 1} batch buffers shadowed`);
  };

  const dst = new Uint32Array(copy.length);
  let sink = 0;
  const setCopy = (): void => {
    dst.set(copy);
    sink ^= dst[sink & 1023];
  };
  const loopCopy = (): void => {
    for (let i = 0; i < copy.length; i++) dst[i] = copy[i];
    sink ^= dst[sink & 1023];
  };

  const stages = [
    { name: 'plain copy (Uint32Array.set)', fn: setCopy, bytes },
    { name: 'plain copy (JS loop)', fn: loopCopy, bytes },
    { name: 'scanWorkload, commands in the ring', fn: scan, bytes },
    { name: 'ring copy-out via GGTT read32', fn: copyOut, bytes },
    { name: 'buildWorkload (copy-out + scan, per submit)', fn: build, bytes },
    { name: 'shadow ring in via GGTT write32 (execute)', fn: shadowIn, bytes },
    { name: 'scanWorkload, ring calling 64 batches', fn: scanBatches, bytes: batchTotal },
  ];
  const mibs = new Map<string, number[]>(stages.map((s) => [s.name, []]));
  for (const s of stages) rate(100, s.fn); // warm-up
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? stages : [...stages].reverse();
    for (const s of order) mibs.get(s.name)!.push((rate(ROUND_MS, s.fn).perSec * s.bytes) / MiB);
  }
  if (v.failsafe) throw new Error(`vGPU failsafe: ${v.failsafe}`);
  const copyMiBs = median(mibs.get(stages[0].name)!);
  const unitBytes = perUnit * 4;
  console.log(`${'stage'.padEnd(46)} ${pad('MiB/s', 9)} ${pad('µs/frame', 9)} ${pad('vs set', 8)}`);
  for (const s of stages) {
    const m = median(mibs.get(s.name)!);
    console.log(`${s.name.padEnd(46)} ${pad(fmt(m), 9)} ${pad(fmt((unitBytes / (m * MiB)) * 1e6), 9)} ${pad(fmt(m / copyMiBs), 8)}`);
  }
  console.log(`(µs/frame: one ${unitBytes}-byte desktop frame's worth of commands at that rate; sink ${sink & 1})`);
  const scanMiBs = median(mibs.get(stages[2].name)!);
  console.log(`scan vs JS loop copy: ${fmt(scanMiBs / median(mibs.get(stages[1].name)!))}`);
  benchLine('cmd-scan', scanMiBs / copyMiBs, 'scanning throughput relative to a plain copy (scanWorkload MiB/s ÷ Uint32Array.set MiB/s)');
}

main();
