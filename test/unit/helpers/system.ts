/** In-thread test rig: the emulated GPU, the mediator and guests whose trap port calls it directly. */
import { Gen9Gpu } from '../../../src/main/gpu/gpu';
import { Ggtt } from '../../../src/main/gpu/ggtt';
import { HostMemory } from '../../../src/main/gpu/memory';
import { FrameComposer, type FeedItem, ScanoutPlanner } from '../../../src/main/mediator/compositor-feed';
import { DOM0_RAM_BYTES } from '../../../src/main/mediator/host-gm';
import { Mediator } from '../../../src/main/mediator/mediator';
import type { Vgpu } from '../../../src/main/mediator/vgpu';
import type { TrapPort } from '../../../src/main/guest/trap-port';
import type { VirtualPort } from '../../../src/main/mediator/vdisplay';
import { GuestDriver } from '../../../src/main/guest/driver';
import { GuestRam } from '../../../src/main/guest/guest-ram';
import { DesktopScene } from '../../../src/main/guest/workloads/desktop';
import { dirtyLogBytes } from '../../../src/shared/dirty-log';
import { MiB } from '../../../src/shared/platform';
import { BLT_RING_BASE, GTT_OFFSET, RING_CTL, RING_CTL_SIZE, RING_CTL_VALID, RING_START, RING_TAIL } from '../../../src/shared/regs';
import { MI_NOOP, ROP_PATCOPY, XY_COLOR_BLT_CMD, br13 } from '../../../src/shared/commands';

export interface Rig {
  gpu: Gen9Gpu;
  m: Mediator;
  msis: Map<number, number>;
  failsafes: string[];
  now: { ns: number };
}

export function rig(): Rig {
  const gpu = new Gen9Gpu();
  const msis = new Map<number, number>();
  const failsafes: string[] = [];
  const m = new Mediator(
    gpu,
    {
      msi: (v) => msis.set(v.domid, (msis.get(v.domid) ?? 0) + 1),
      failsafe: (v, reason) => failsafes.push(`${v.domid}: ${reason}`),
    },
    new SharedArrayBuffer(DOM0_RAM_BYTES),
  );
  return { gpu, m, msis, failsafes, now: { ns: 0 } };
}

/** A VM with a vGPU; its RAM has a dirty page log (as domains.ts gives every domain). */
export function addVm(r: Rig, domid: number, opts: { lowMiB?: number; highMiB?: number; fences?: number; ramMiB?: number; bootForeground?: boolean } = {}): { v: Vgpu; ram: SharedArrayBuffer; dirty: SharedArrayBuffer } {
  const ram = new SharedArrayBuffer((opts.ramMiB ?? 64) * MiB);
  const dirty = new SharedArrayBuffer(dirtyLogBytes(ram.byteLength));
  const v = r.m.createVgpu({
    domid,
    name: `vm${domid}`,
    lowGmBytes: (opts.lowMiB ?? 128) * MiB,
    highGmBytes: (opts.highMiB ?? 384) * MiB,
    fences: opts.fences ?? 4,
    ram,
    dirty,
    bootForeground: opts.bootForeground ?? false,
  });
  return { v, ram, dirty };
}

/** A trap port straight into the mediator (no threads). */
export function directPort(r: Rig, v: Vgpu): TrapPort {
  return {
    read32: (off) => r.m.mmioRead(v, off),
    write32: (off, val) => r.m.mmioWrite(v, off, val, r.now.ns),
    write64: (off, lo, hi) => r.m.mmioWrite64(v, off, lo, hi, r.now.ns),
    apertureRead32: (off) => r.m.apertureAccess(v, off, false),
    apertureWrite32: (off, val) => void r.m.apertureAccess(v, off, true, val),
  };
}

/**
 * A guest booted with the desktop workload at 1024x768 through the mediator (in-thread): driver
 * probed, execlists and interrupts on, display ready. `lines` collects its driver log.
 */
export function bootDesktop(r: Rig, domid: number) {
  const { v, ram, dirty } = addVm(r, domid);
  const lines: string[] = [];
  const driver = new GuestDriver(directPort(r, v), new GuestRam(ram, dirty), (l) => lines.push(l));
  driver.probe();
  driver.initBlitterRing();
  driver.enableInterrupts();
  const scene = new DesktopScene(driver, { name: `vm${domid}`, domid });
  scene.boot();
  scene.setMode({ width: 1024, height: 768, refresh: 60 });
  driver.setDisplayReady();
  return { r, v, ram, driver, scene, lines };
}

/** The GPU thread's planner and, as on the compositor thread, a composer over a second view of the shared GGTT and RAM. */
export function compositorFeed(r: Rig) {
  const planner = new ScanoutPlanner(r.gpu, r.m);
  const memory = new HostMemory();
  for (const reg of r.gpu.memory.list()) memory.attach(reg.base, reg.bytes.buffer, reg.dirty?.buffer);
  const composer = new FrameComposer(new Ggtt(r.gpu.geometry.totalGmBytes, memory, r.gpu.ggtt.ptes.buffer as SharedArrayBuffer));
  return { planner, composer, collect: (now: number): FeedItem[] => composer.compose(planner.plan(now)) };
}

/**
 * A vGPU (domid, 64 MiB low and high GM) whose legacy BCS ring is kept full of small blits:
 * `topUp()` queues 256x64 XY_COLOR_BLTs until two workloads wait. weight: its scheduler weight.
 */
export function busyBcsGuest(r: Rig, domid: number, weight?: number): { v: Vgpu; topUp(): void } {
  const vm = addVm(r, domid, { lowMiB: 64, highMiB: 64 });
  const v = vm.v;
  if (weight !== undefined) (v as { weight: number }).weight = weight;
  const p = directPort(r, v);
  const words = new Uint32Array(vm.ram);
  for (let i = 0; i < 16; i++) p.write64(GTT_OFFSET + (v.alloc.lowGm.base / 4096 + i) * 8, (i + 1) * 4096 + 1, 0);
  p.write32(BLT_RING_BASE + RING_START, v.alloc.lowGm.base);
  p.write32(BLT_RING_BASE + RING_CTL, RING_CTL_SIZE(4096) | RING_CTL_VALID);
  let tail = 0;
  return {
    v,
    topUp() {
      while (v.queue.length < 2) {
        const cmd = [XY_COLOR_BLT_CMD, br13(ROP_PATCOPY, 1024), 0, (64 << 16) | 256, v.alloc.lowGm.base + 4096, 0, domid, MI_NOOP];
        cmd.forEach((d, i) => (words[1024 + tail / 4 + i] = d));
        tail = (tail + 32) % 4096;
        p.write32(BLT_RING_BASE + RING_TAIL, tail);
      }
    },
  };
}

/**
 * A guest (domid 1, 128 MiB low GM, 384 MiB high GM) on virtual `ports` whose driver has probed,
 * started its blitter ring and interrupts, and booted the desktop scene; `log` collects its lines.
 * The caller sets the mode(s) from probeDisplays. ramMiB: the guest's RAM.
 */
export function bootGuestOnPorts(ports: VirtualPort[], ramMiB: number) {
  const r = rig();
  const ram = new SharedArrayBuffer(ramMiB * MiB);
  const v = r.m.createVgpu({ domid: 1, name: 'vm1', lowGmBytes: 128 * MiB, highGmBytes: 384 * MiB, fences: 4, ram, bootForeground: false, ports, maxResolution: { width: 1920, height: 1200 } });
  const port = directPort(r, v);
  const log: string[] = [];
  const d = new GuestDriver(port, new GuestRam(ram), (l) => log.push(l));
  d.probe();
  d.initBlitterRing();
  d.enableInterrupts();
  const scene = new DesktopScene(d, { name: 'vm1', domid: 1 });
  scene.boot();
  return { r, v, port, d, scene, log };
}
