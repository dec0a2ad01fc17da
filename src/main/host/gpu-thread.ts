/**
 * GPU thread entry (a worker): hosts the emulated GPU and the mediator, services the guests' trap
 * mailboxes (woken by the shared doorbell), runs the scheduler tick (1 ms) and vblank (60 Hz).
 * At vblank it only plans which planes changed; the compositor thread (a port the host hands
 * over) decodes them from the shared GGTT and guest RAM, so frames never cost the GPU thread.
 * This is the adapter that gives the pure core its threads, timers and messages.
 */
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { MiB, SKL_GT2_DEFAULT } from '../../shared/platform';
import { ApiError } from '../../shared/api';
import { answer } from '../../shared/rpc';
import {
  MB_HI,
  MB_IRQ,
  wakeVcpu,
  MB_LO,
  MB_OFFSET,
  MB_OP,
  MB_POLLED,
  MB_RESULT,
  MB_STATE,
  MB_WAITING,
  OP_APERTURE_READ32,
  OP_APERTURE_WRITE32,
  OP_READ32,
  OP_WRITE32,
  OP_WRITE64,
  STATE_DONE,
  STATE_REQUEST,
} from '../../shared/trap-mailbox';
import { Gen9Gpu } from '../gpu/gpu';
import { ScanoutPlanner } from '../mediator/compositor-feed';
import { DOM0_RAM_BYTES } from '../mediator/host-gm';
import { drawHostConsole } from '../mediator/host-console';
import { Mediator } from '../mediator/mediator';
import { sysfsList, sysfsRead, sysfsWrite } from '../mediator/sysfs';
import type { Vgpu } from '../mediator/vgpu';
import { vgpuTypes } from '../mediator/vgpu-types';
import { portInfos } from '../mediator/port-info';
import { writeEdidRegion } from '../mediator/edid-region';
import { gpuStats, gpuTimeline, vgpuLog } from '../mediator/vgpu-stats';
import { edidToHex } from '../../shared/edid';
import type { FromGpu, GpuOp, GpuRequests, GpuStatus, GpuThreadData, GpuToCompositor, ToGpu, VgpuCreate, VgpuStatus } from './gpu-protocol';

const port = parentPort!;
const send = (m: FromGpu, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);
const t0 = performance.now();
const nowNs = (): number => Math.round((performance.now() - t0) * 1e6);

const { apertureMiB } = (workerData ?? { apertureMiB: 512 }) as GpuThreadData;
const gpu = new Gen9Gpu({ ...SKL_GT2_DEFAULT, apertureBytes: apertureMiB * MiB });
const mailboxes = new Map<number, Int32Array>();
const mediator = new Mediator(
  gpu,
  {
    msi(v) {
      const mb = mailboxes.get(v.domid);
      if (!mb) return;
      Atomics.add(mb, MB_IRQ, 1);
      wakeVcpu(mb);
    },
    failsafe: (v, reason) => send({ type: 'failsafe', domid: v.domid, reason }),
    foregroundChanged: (domid) => send({ type: 'foreground', domid }),
    portsChanged: (v) => send({ type: 'ports', domid: v.domid, ports: portInfos(v) }),
  },
  new SharedArrayBuffer(DOM0_RAM_BYTES),
);
const doorbellBuf = new SharedArrayBuffer(4);
const doorbell = new Int32Array(doorbellBuf);
let hostLines: string[] = [];

function status(v: Vgpu): VgpuStatus {
  return { domid: v.domid, vgtId: v.id, weight: v.weight, lowGm: v.alloc.lowGm, highGm: v.alloc.highGm, fenceBase: v.alloc.fenceBase, fenceCount: v.alloc.fenceCount, failsafe: v.failsafe, stats: { ...v.stats }, untrackedMmio: v.untrackedMmio.size };
}

function vgpuOf(domid: number): Vgpu {
  const v = mediator.vgpu(domid);
  if (!v) throw new ApiError('not_found', `no vGPU for domain ${domid}`);
  return v;
}

const handlers: { [K in keyof GpuRequests]: (args: GpuRequests[K][0]) => GpuRequests[K][1] } = {
  createVgpu(a: VgpuCreate) {
    const v = mediator.createVgpu({ ...a, ram: a.ram });
    mailboxes.set(a.domid, new Int32Array(a.mailbox));
    shareMemory();
    return status(v);
  },
  destroyVgpu({ domid }) {
    mediator.destroyVgpu(domid);
    mailboxes.delete(domid);
    planner.forget(domid);
    toCompositor({ type: 'forget', source: domid });
    shareMemory();
    return null;
  },
  setForeground({ domid }) {
    mediator.setForeground(domid);
    return { foreground: mediator.foreground };
  },
  status(): GpuStatus {
    const g = gpu.geometry;
    return { foreground: mediator.foreground, apertureBytes: g.apertureBytes, totalGmBytes: g.totalGmBytes, fences: g.fences, free: mediator.pool.free(), vgpus: mediator.vgpus().map(status) };
  },
  sysfsRead: ({ path }) => ({ value: sysfsRead(mediator, path) }),
  sysfsWrite({ path, value }) {
    sysfsWrite(mediator, path, value);
    return null;
  },
  sysfsList: ({ path }) => ({ entries: sysfsList(mediator, path) ?? null }),
  dmesg: () => ({ lines: mediator.klog.lines() }),
  types: () => vgpuTypes(mediator.pool),
  ports: ({ domid }) => portInfos(vgpuOf(domid)),
  hotplug({ domid, port, connected, edid, type }) {
    mediator.hotplug(domid, port, connected, edid, type);
    return portInfos(vgpuOf(domid));
  },
  edidRegion({ domid, edid, linkState }) {
    const r = writeEdidRegion(mediator, vgpuOf(domid), { edid, linkState });
    return { edidMaxSize: r.edidMaxSize, edidSize: r.edidSize, maxXres: r.maxXres, maxYres: r.maxYres, linkState: r.linkState, edidHex: edidToHex(r.edid) };
  },
  physicalPorts({ ports }) {
    mediator.physicalPorts.clear();
    for (const p of ports) mediator.physicalPorts.set(p.name, p);
    return null;
  },
  stats: () => gpuStats(mediator, nowNs(), (domid) => planner.flips(domid)),
  timeline: () => gpuTimeline(mediator, nowNs()),
  vgpuLog: ({ domid, since }) => vgpuLog(mediator, domid, since),
  hostConsole({ lines }) {
    hostLines = lines;
    redrawHost();
    return null;
  },
};

function redrawHost(): void {
  drawHostConsole(mediator, hostLines, new Date().toISOString().slice(11, 19));
}

/** The compositor thread's port, once the host handed it over. */
let compositor: MessagePort | null = null;
const toCompositor = (m: GpuToCompositor): void => compositor?.postMessage(m);

/** Tell the compositor thread which RAM regions the GGTT may point into. */
function shareMemory(): void {
  const regions = gpu.memory.list().flatMap((r) => (r.bytes.buffer instanceof SharedArrayBuffer ? [{ base: r.base, buffer: r.bytes.buffer, ...(r.dirty?.buffer instanceof SharedArrayBuffer ? { dirty: r.dirty.buffer } : {}) }] : []));
  toCompositor({ type: 'memory', regions });
}

port.on('message', (msg: ToGpu) => {
  if (msg.type === 'shutdown') {
    clearInterval(timer);
    compositor?.close();
    port.close();
    return;
  }
  if (msg.type === 'compositor') {
    compositor = msg.port;
    toCompositor({ type: 'init', ptes: gpu.ggtt.ptes.buffer as SharedArrayBuffer, totalGmBytes: gpu.geometry.totalGmBytes });
    shareMemory();
    return;
  }
  const { id, method, params } = msg.request;
  send({
    type: 'response',
    response: answer(id, () => {
      if (!Object.hasOwn(handlers, method)) throw new ApiError('invalid', `GPU thread: unknown operation '${method}'`);
      return (handlers[method as GpuOp] as (a: unknown) => unknown)(params);
    }),
  });
});

/**
 * Emulate the trapped access waiting in `mb` (STATE is REQUEST) and hand back the answer. Reads,
 * the common case in a burst, take no timestamp: only writes may start work that needs one.
 */
function serviceTrap(domid: number, mb: Int32Array): void {
  const v = mediator.vgpu(domid);
  let result = 0;
  if (v) {
    const op = mb[MB_OP];
    const off = mb[MB_OFFSET] >>> 0;
    if (op === OP_READ32) result = mediator.mmioRead(v, off);
    else if (op === OP_APERTURE_READ32) result = mediator.apertureAccess(v, off, false);
    else if (op === OP_WRITE32) mediator.mmioWrite(v, off, mb[MB_LO] >>> 0, nowNs());
    else if (op === OP_WRITE64) mediator.mmioWrite64(v, off, mb[MB_LO] >>> 0, mb[MB_HI] >>> 0, nowNs());
    else if (op === OP_APERTURE_WRITE32) mediator.apertureAccess(v, off, true, mb[MB_LO] >>> 0);
    else v.note(`trap: unknown op ${op}`);
  }
  mb[MB_RESULT] = result | 0;
  Atomics.store(mb, MB_STATE, STATE_DONE);
  // Only a guest asleep in Atomics.wait needs the futex wake-up (see MB_WAITING); a spinning one
  // sees DONE by itself, and the notify would cost the GPU thread as much as a register read.
  if (Atomics.load(mb, MB_WAITING) !== 0) {
    Atomics.notify(mb, MB_STATE);
    wokeGuest = true;
  }
}

/** Set when serviceTrap had to wake a sleeping guest (trapLoop then keeps polling longer). */
let wokeGuest = false;

/** Emulate every pending trapped access. Returns how many there were. */
function serviceTraps(): number {
  let served = 0;
  for (const [domid, mb] of mailboxes) {
    if (Atomics.load(mb, MB_STATE) !== STATE_REQUEST) continue;
    serviceTrap(domid, mb);
    served++;
  }
  return served;
}

/**
 * After the last trap, keep polling the mailboxes this long (ms) before sleeping on the doorbell:
 * a guest's MMIO comes in bursts (a frame is about 20 traps), and a wake-up through
 * Atomics.waitAsync costs tens of µs, so the next trap of a burst is answered from the poll.
 */
const SPIN_MS = 0.05;
/**
 * The same after answering a guest that had fallen asleep (ms): its next trap comes only after its
 * own futex wake-up (10-50 µs here). With SPIN_MS the thread would be asleep again by then, the
 * guest's spin would run out during the thread's wake-up, and the two would stay in step at one
 * double wake-up (50-100 µs) per trap; this outlasts a wake-up so they fall back into polling.
 */
const SPIN_AFTER_WAKE_MS = 0.25;
/**
 * The longest the poll holds the thread in one go however busy the guests are (ms); then it
 * yields one turn of the event loop (the 1 ms tick, vblank, messages) and goes on polling.
 */
const SPIN_MAX_MS = 0.5;
/** Polls between two reads of the clock (a power of two; performance.now() costs about 5-10 polls). */
const POLLS_PER_CLOCK = 64;

/** Yield one turn of the event loop (timers, messages), then resume. */
const yieldTurn = (): Promise<void> => new Promise((resume) => setImmediate(resume));

/**
 * Service traps as they come. While guests trap, the thread polls their mailboxes' STATE directly
 * (POLLED = 1 tells them not to ring), for at most SPIN_MAX_MS at a time and until SPIN_MS (or
 * SPIN_AFTER_WAKE_MS) pass without a trap; then it clears POLLED, looks once more (so no request
 * slips in between) and sleeps on the doorbell with Atomics.waitAsync, which leaves the event loop
 * free. The doorbell also brings in mailboxes created while it polls.
 */
async function trapLoop(): Promise<void> {
  for (;;) {
    let seen = Atomics.load(doorbell, 0);
    let domids = [...mailboxes.keys()];
    let boxes = [...mailboxes.values()];
    for (const mb of boxes) Atomics.store(mb, MB_POLLED, 1);
    serviceTraps();
    const start = performance.now();
    let lastTrap = start;
    let idleFor = SPIN_MS;
    let trapped = false;
    let capped = false;
    wokeGuest = false;
    for (let polls = 1; ; polls++) {
      for (let i = 0; i < boxes.length; i++) {
        if (Atomics.load(boxes[i], MB_STATE) !== STATE_REQUEST) continue;
        serviceTrap(domids[i], boxes[i]);
        trapped = true;
      }
      const rung = Atomics.load(doorbell, 0);
      if (rung !== seen) {
        // A guest not (yet) polled rang: serve it and poll its mailbox from now on.
        seen = rung;
        domids = [...mailboxes.keys()];
        boxes = [...mailboxes.values()];
        for (const mb of boxes) Atomics.store(mb, MB_POLLED, 1);
        if (serviceTraps() > 0) trapped = true;
      }
      if ((polls & (POLLS_PER_CLOCK - 1)) !== 0) continue;
      const now = performance.now();
      if (trapped) {
        lastTrap = now;
        idleFor = wokeGuest ? SPIN_AFTER_WAKE_MS : SPIN_MS;
        trapped = false;
        wokeGuest = false;
      }
      if (now - start >= SPIN_MAX_MS) {
        capped = true;
        break;
      }
      if (now - lastTrap >= idleFor) break;
    }
    if (capped) {
      // Still busy: one turn of the event loop, then back to polling (POLLED stays set, so a
      // trap in the meantime waits for the next poll or the 1 ms tick, not for the doorbell).
      await yieldTurn();
      continue;
    }
    for (const mb of boxes) Atomics.store(mb, MB_POLLED, 0);
    for (const mb of mailboxes.values()) Atomics.store(mb, MB_POLLED, 0);
    seen = Atomics.load(doorbell, 0);
    if (serviceTraps() > 0) continue;
    const w = Atomics.waitAsync(doorbell, 0, seen, 50);
    if (w.async) await w.value;
  }
}

const planner = new ScanoutPlanner(gpu, mediator);
const VBLANK_NS = 1e9 / 60;
let nextVblank = 0;
let lastHostDraw = 0;

/** Hand the planes that may have changed to the compositor thread (a few hundred bytes). */
function publishFrames(now: number): void {
  if (!compositor) return;
  const plan = planner.plan(now, performance.timeOrigin + performance.now());
  if (plan.length > 0) toCompositor({ type: 'scanout', plan });
}

const timer = setInterval(() => {
  const now = nowNs();
  mediator.tick(now);
  if (now >= nextVblank) {
    nextVblank = Math.max(nextVblank + VBLANK_NS, now);
    mediator.vblank();
    publishFrames(now);
    if (now - lastHostDraw > 1e9) {
      lastHostDraw = now;
      redrawHost();
    }
  }
  serviceTraps();
}, 1);

redrawHost();
void trapLoop();
send({ type: 'ready', doorbell: doorbellBuf });
