/**
 * In-thread systems the benchmarks drive, built only from public APIs:
 *  - `mediatedHost` + `mediatedGuest`: Gen9Gpu + Mediator, a guest whose trap port calls the
 *    mediator directly (like test/unit/helpers/system.ts, no threads);
 *  - `nativeGuest`: the same guest driver programming the Gen9Gpu directly (bare metal).
 * Time is a simulated clock (`clock.ns`) advanced by the benchmark.
 */
import { dirtyLogBytes } from '../../src/shared/dirty-log';
import { Gen9Gpu } from '../../src/main/gpu/gpu';
import { allocateGuestRam } from '../../src/main/gpu/ram-ops';
import { GuestDriver } from '../../src/main/guest/driver';
import { GuestRam } from '../../src/main/guest/guest-ram';
import type { TrapPort } from '../../src/main/guest/trap-port';
import { DOM0_RAM_BYTES } from '../../src/main/mediator/host-gm';
import { Mediator } from '../../src/main/mediator/mediator';
import type { Vgpu } from '../../src/main/mediator/vgpu';
import { MiB } from '../../src/shared/platform';
import { PVINFO, VGT_CAPS_FULL_PPGTT, VGT_MAGIC_HI, VGT_MAGIC_LO, VGT_VERSION_MAJOR, VGT_VERSION_MINOR } from '../../src/shared/pvinfo';
import { GTT_OFFSET, VGT_PVINFO_PAGE, VGT_PVINFO_SIZE } from '../../src/shared/regs';

export interface Clock {
  ns: number;
}

export interface MediatedHost {
  gpu: Gen9Gpu;
  m: Mediator;
  clock: Clock;
  msis: Map<number, number>;
  failsafes: string[];
}

export function mediatedHost(): MediatedHost {
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
  return { gpu, m, clock: { ns: 0 }, msis, failsafes };
}

export interface VgpuSize {
  lowMiB: number;
  highMiB: number;
  fences: number;
  ramMiB: number;
}

export const DEFAULT_SIZE: VgpuSize = { lowMiB: 128, highMiB: 384, fences: 4, ramMiB: 64 };

export interface Guest {
  driver: GuestDriver;
  ram: GuestRam;
  port: TrapPort;
  lines: string[];
}

export interface MediatedGuest extends Guest {
  v: Vgpu;
}

/** A vGPU on `h` plus a guest driver whose trap port calls the mediator directly (in-thread). */
export function mediatedGuest(h: MediatedHost, domid: number, size: VgpuSize = DEFAULT_SIZE): MediatedGuest {
  // Guest RAM as domains.ts allocates it (a wasm memory when possible, for native-speed blits).
  const { buffer: buf, memory: ramMemory } = allocateGuestRam(size.ramMiB * MiB);
  // A dirty page log, as domains.ts gives every domain: its cost is part of mediation.
  const dirty = new SharedArrayBuffer(dirtyLogBytes(buf.byteLength));
  const v = h.m.createVgpu({
    domid,
    name: `vm${domid}`,
    lowGmBytes: size.lowMiB * MiB,
    highGmBytes: size.highMiB * MiB,
    fences: size.fences,
    ram: buf,
    ramMemory,
    dirty,
    bootForeground: false,
  });
  const port: TrapPort = {
    read32: (off) => h.m.mmioRead(v, off),
    write32: (off, val) => h.m.mmioWrite(v, off, val, h.clock.ns),
    write64: (off, lo, hi) => h.m.mmioWrite64(v, off, lo, hi, h.clock.ns),
    apertureRead32: (off) => h.m.apertureAccess(v, off, false),
    apertureWrite32: (off, val) => void h.m.apertureAccess(v, off, true, val),
  };
  const ram = new GuestRam(buf, dirty);
  const lines: string[] = [];
  return { v, port, ram, lines, driver: new GuestDriver(port, ram, (l) => lines.push(l)) };
}

export interface NativeSystem extends Guest {
  gpu: Gen9Gpu;
  clock: Clock;
}

/**
 * Bare metal: the same guest driver programs the Gen9Gpu directly. Guest RAM is attached at
 * host-physical 0, so guest-physical = host-physical and PTEs go straight into the GGTT; register
 * accesses go straight to gpu.mmioRead / gpu.mmioWrite. The only emulation left is the PVINFO
 * page, answered here with the whole GPU (all of GM and every fence) so the unmodified driver can
 * "balloon" to everything, as bare-metal i915 would own it, and full PPGTT as bare-metal i915 uses;
 * PVINFO writes (display_ready, the PPGTT g2v notifications) are ignored.
 */
export function nativeGuest(ramMiB = DEFAULT_SIZE.ramMiB): NativeSystem {
  const gpu = new Gen9Gpu();
  // The same kind of RAM as the mediated guests' (native-speed blits on both sides).
  const { buffer: buf, memory } = allocateGuestRam(ramMiB * MiB);
  gpu.memory.attach(0, buf, undefined, memory);
  const clock: Clock = { ns: 0 };
  const g = gpu.geometry;
  const pvinfo = (rel: number): number => {
    switch (rel) {
      case PVINFO.magic:
        return VGT_MAGIC_LO;
      case PVINFO.magic + 4:
        return VGT_MAGIC_HI;
      case PVINFO.version_major:
        return (VGT_VERSION_MAJOR | (VGT_VERSION_MINOR << 16)) >>> 0;
      case PVINFO.mappable_gmadr_base:
        return 0;
      case PVINFO.mappable_gmadr_size:
        return g.apertureBytes;
      case PVINFO.nonmappable_gmadr_base:
        return g.apertureBytes;
      case PVINFO.nonmappable_gmadr_size:
        return g.totalGmBytes - g.apertureBytes;
      case PVINFO.fence_num:
        return g.fences;
      case PVINFO.vgt_caps:
        // Bare-metal i915 runs every context on full 48-bit PPGTT, so the native driver does too
        // (its tables sit in its RAM, walked by the GPU directly); no PV paths.
        return VGT_CAPS_FULL_PPGTT;
      default:
        return 0;
    }
  };
  const isPvinfo = (off: number): boolean => off >= VGT_PVINFO_PAGE && off < VGT_PVINFO_PAGE + VGT_PVINFO_SIZE;
  const port: TrapPort = {
    apertureRead32: (off) => gpu.apertureRead32(off),
    apertureWrite32: (off, val) => gpu.apertureWrite32(off, val),
    read32(off) {
      if (off >= GTT_OFFSET) return gpu.ggtt.ptes[(off - GTT_OFFSET) >>> 2];
      if (isPvinfo(off)) return pvinfo(off - VGT_PVINFO_PAGE);
      return gpu.mmioRead(off);
    },
    write32(off, val) {
      if (off >= GTT_OFFSET) {
        const i = (off - GTT_OFFSET) >>> 3;
        const [lo, hi] = gpu.ggtt.getPte(i);
        if (((off - GTT_OFFSET) >>> 2) & 1) gpu.ggtt.setPte(i, lo, val >>> 0);
        else gpu.ggtt.setPte(i, val >>> 0, hi);
        return;
      }
      if (isPvinfo(off)) return;
      gpu.mmioWrite(off, val, clock.ns);
    },
    write64(off, lo, hi) {
      if (off >= GTT_OFFSET) {
        gpu.ggtt.setPte((off - GTT_OFFSET) >>> 3, lo >>> 0, hi >>> 0);
        return;
      }
      port.write32(off, lo);
      port.write32(off + 4, hi);
    },
  };
  const ram = new GuestRam(buf);
  const lines: string[] = [];
  return { gpu, clock, port, ram, lines, driver: new GuestDriver(port, ram, (l) => lines.push(l)) };
}
