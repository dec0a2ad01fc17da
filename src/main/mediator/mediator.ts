/**
 * The mediator: owns the physical Gen9 GPU and multiplexes it between vGPUs. It emulates every
 * trapped MMIO access against a vGPU's vreg, shadows its GGTT writes, scans its command
 * submissions, time-slices the engines, forwards interrupts as MSIs, and decides which VM owns the
 * physical display (foreground VM). Guests that negotiate GVT-g's PV features submit, bind GGTT
 * ranges and read interrupt state through a shared page instead (pv*.ts). Pure and synchronous;
 * time comes in as nowNs.
 * Source: GVT-g (handlers.c, gtt.c, cmd_parser.c, scheduler.c, display.c), XenGT foreground_vm,
 * the GVT-g PV series (see pv.ts).
 */
import { ApiError } from '../../shared/api';
import { GVTG_HOST_RESERVATION, type HostReservation, MiB } from '../../shared/platform';
import {
  GTT_OFFSET,
  BAR0_SIZE,
  GFX_RUN_LIST_ENABLE,
  RING_MODE_GEN7,
  maskedBitEnable,
} from '../../shared/regs';

import type { EngineId } from '../gpu/engine';
import { ENGINE_BASE, type Gen9Gpu, MMIO_SPACE_BYTES } from '../gpu/gpu';

import { MMIO_TABLE } from './mmio-table';
import { defaultMmioRead, defaultMmioWrite } from './mmio-info';
import type { Gvt } from './gvt';
import { VirtualInterrupts } from './interrupts';
import { Submission } from './submission';
import { Watchdog } from './watchdog';
import { DisplayOwner } from './display-owner';
import { ENGINES } from './engines';
import { pvNotifyContext } from './handlers/pvinfo';

import { OwnerTimeline } from './owner-timeline';

import { type ShadowGgtt, clearVgpuPtes, readGuestPte, writeGuestPte, writeGuestPteHalf } from './gtt-shadow';
import { type HostGm, setupHostGm } from './host-gm';
import { emulateHwspCsbUpdate } from './hwsp';

import { PpgttShadow } from './ppgtt-shadow';
import { GVT_PV_CAPS, VgpuPv } from './pv';
import { type PvNotifyContext } from './pv-notify';
import { pvmmioSources } from './pvmmio';
import { ResourcePool, type ResourceRequest } from './resources';
import { KernelLog } from './kernel-log';
import { Vgpu } from './vgpu';
import { type VirtualPort } from './vdisplay';
import { type PortName } from '../../shared/ports';
import { physicalPipeOrder } from '../../shared/heads';
import { DEFAULT_WEIGHT } from './vgpu-types';
import type { WasmMemory } from '../gpu/ram-ops';

/** Injected I/O: how the mediator reaches guests and the host. */
export interface MediatorPorts {
  /** Deliver an MSI to the guest owning this vGPU. */
  msi(vgpu: Vgpu): void;
  /** The vGPU entered failsafe (policy violation); reason is for the user. */
  failsafe?(vgpu: Vgpu, reason: string): void;
  /** The foreground VM changed. */
  foregroundChanged?(domid: number): void;
  /** A vGPU's virtual ports changed (hotplug). */
  portsChanged?(vgpu: Vgpu): void;
  /** An engine was reset because `vgpu`'s workload hung or faulted. */
  engineReset?(vgpu: Vgpu, engine: EngineId, reason: string): void;
}

export interface CreateVgpuRequest extends ResourceRequest {
  domid: number;
  name: string;
  /** The VM's RAM; mapped into host-physical space by the mediator. */
  ram: ArrayBufferLike;
  /** The WasmMemory `ram` is the buffer of, if any (gpu/ram-ops.ts allocateGuestRam): native-speed blits. */
  ramMemory?: WasmMemory | null;
  /** Its dirty page log (shared/dirty-log.ts), if writers log there: the compositor compares less. */
  dirty?: ArrayBufferLike;
  /** Switch the display to this VM once its driver reports display_ready (hvm_boot_foreground). */
  bootForeground: boolean;
  /** Scheduler weight (GVT-g type weight; DEFAULT_WEIGHT for explicit sizes). */
  weight?: number;
  /** Virtual ports with their monitors; none means the guest finds no display. */
  ports?: VirtualPort[];
  /** Largest mode its monitors may ask for; default 1920x1200 (the largest GVT-g type resolution). */
  maxResolution?: { width: number; height: number };
  /** Offer GVT-g's PV features (VGT_CAPS_PV: PV submission, GGTT binds, PVMMIO); default true. */
  pv?: boolean;
  /** Offer full PPGTT (VGT_CAPS_FULL_PPGTT, shadowed page tables); default true. */
  ppgtt?: boolean;
}

/** Host-physical slot per vGPU RAM window (8 GiB apart; slot 0 is Dom0). */
const RAM_SLOT_BYTES = 8 * 2 ** 30;
export { WATCHDOG_ENGINE_NS } from './watchdog';

export class Mediator implements Gvt {
  readonly pool: ResourcePool;
  readonly hostGm: HostGm;
  /** The host's own display registers (Dom0's console), indexed like vreg. */
  readonly hostDisplay = new Uint32Array(MMIO_SPACE_BYTES / 4);
  private readonly byDomid = new Map<number, Vgpu>();
  /** byDomid's values as a list, rebuilt when a vGPU comes or goes: the scheduler walks it at every tick and dispatch. */
  private live: readonly Vgpu[] = [];
  /** The emulated GPU's physical ports and monitors (direct display); set by the host. */
  readonly physicalPorts = new Map<PortName, VirtualPort>();

  /**
   * Which physical port each physical pipe drives (index 0..2 = pipes A..C; null: no monitor): the
   * connected physical monitors in port order, as the host's i915 assigns its CRTCs. The foreground
   * VM's pipe N is shown on physical pipe N.
   */
  physicalPipePorts(): (PortName | null)[] {
    return physicalPipeOrder([...this.physicalPorts.values()].filter((p) => p.connected && p.edid).map((p) => p.name));
  }
  /** Who held the time slice and each engine lately (the dashboard's scheduler timeline). */
  readonly timeline = new OwnerTimeline();
  /** Dom0's kernel log: vGPU life cycle (`gvt: core: …`) and every vGPU's notes (`gvt: vgpu N: …`). */
  readonly klog = new KernelLog();
  /** Made once: PV notifications come at every PV submission. */
  readonly pvContext: PvNotifyContext;
  /** The physical GGTT and the scratch page refused guest PTEs point at (GVT-g gvt->gtt.scratch_mfn). */
  readonly shadowGgtt: ShadowGgtt;
  // The parts (see gvt.ts): MMIO handlers reach each other through these.
  readonly irq: VirtualInterrupts;
  readonly submission: Submission;
  readonly hangs: Watchdog;
  readonly displayOwner: DisplayOwner;

  constructor(
    readonly gpu: Gen9Gpu,
    private readonly ports: MediatorPorts,
    dom0Ram: ArrayBufferLike,
    reservation: HostReservation = GVTG_HOST_RESERVATION,
  ) {
    this.irq = new VirtualInterrupts((v) => this.ports.msi(v));
    this.pool = new ResourcePool(gpu.geometry, reservation);
    this.hostGm = setupHostGm(gpu, this.pool.host, dom0Ram);
    this.submission = new Submission(this, this.hostGm, this.timeline);
    this.hangs = new Watchdog(this, (v, engine, reason) => this.ports.engineReset?.(v, engine, reason));
    this.displayOwner = new DisplayOwner(this, this.hostDisplay, ports);
    this.shadowGgtt = { ggtt: gpu.ggtt, scratchHpa: this.hostGm.scratchHpa };
    this.pvContext = pvNotifyContext(this);
    // The host drives the physical engines with execlists, as i915 does on Gen8+.
    for (const e of ENGINES) gpu.mmioWrite(ENGINE_BASE[e] + RING_MODE_GEN7, maskedBitEnable(GFX_RUN_LIST_ENABLE));
    const g = gpu.geometry;
    this.klog.printk(0, `gvt: core: gvt device initialization is done (aperture ${g.apertureBytes / MiB} MB, GM ${g.totalGmBytes / MiB} MB, ${g.fences} fences)`);
  }

  get foreground(): number {
    return this.displayOwner.foregroundDomid;
  }

  /** Every live vGPU, in creation order; the same array until one is created or destroyed (do not modify). */
  vgpus(): readonly Vgpu[] {
    return this.live;
  }

  vgpu(domid: number): Vgpu | undefined {
    return this.byDomid.get(domid);
  }

  /** Create a vGPU (admission-controlled). Throws ApiError('no_resources' | 'exists'). */
  createVgpu(req: CreateVgpuRequest): Vgpu {
    if (this.byDomid.has(req.domid)) throw new ApiError('exists', `domain ${req.domid} already has a vGPU`);
    const used = new Set(this.vgpus().map((v) => v.id));
    const alloc = this.pool.allocate(req);
    let id = 1;
    while (used.has(id)) id++;
    const base = id * RAM_SLOT_BYTES;
    this.gpu.memory.attach(base, req.ram, req.dirty, req.ramMemory);
    const printk = (line: string): void => this.klog.printk(this.submission.nowNs, line);
    const pv = new VgpuPv(req.pv === false ? 0 : GVT_PV_CAPS, new Uint32Array(req.ram, 0, req.ram.byteLength >>> 2));
    const v = new Vgpu({ id, domid: req.domid, name: req.name, alloc, ram: { base, size: req.ram.byteLength }, weight: req.weight ?? DEFAULT_WEIGHT, ports: req.ports ?? [], maxResolution: req.maxResolution ?? { width: 1920, height: 1200 }, printk, pv, now: () => this.submission.nowNs });
    if (req.ppgtt !== false) v.ppgtt = new PpgttShadow(v, this.gpu.memory, req.ram, this.hostGm.scratchHpa);
    // What a trapped read of each PVMMIO register returns, for mirroring it into the shared page.
    v.pv.mirror = pvmmioSources((offset) => {
      const info = MMIO_TABLE.find(offset);
      return info?.read ? () => info.read!(this, v, offset, info) : () => v.vreg[offset >>> 2];
    });
    // GVT-g __intel_gvt_create_vgpu's gvt_dbg_core line, with the vGPU and its domain named.
    printk(`gvt: core: create vgpu ${id} for domain ${req.domid} (${req.name}): low ${alloc.lowGm.size / MiB} MB high ${alloc.highGm.size / MiB} MB fence ${alloc.fenceCount}`);
    this.byDomid.set(req.domid, v);
    this.live = [...this.byDomid.values()];
    // Known to the scheduler, but queued only once its guest enables execlists (start()).
    this.submission.scheduler.add(v.id);
    if (req.bootForeground) this.displayOwner.bootForeground.add(req.domid);
    // HWSP_EMULATION: each virtual CSB entry is mirrored into the guest's hardware status page.
    for (const e of ENGINES) v.execlists[e].csb.mirror = (csb) => emulateHwspCsbUpdate(this.gpu.ggtt, v, e, csb);
    return v;
  }

  /** Destroy a vGPU: clear its GGTT entries, free GM and fences, unmap its RAM; the host takes the display back. */
  destroyVgpu(domid: number): void {
    const v = this.byDomid.get(domid);
    if (!v) return;
    if (this.displayOwner.foregroundDomid === domid) this.setForeground(0);
    this.submission.scheduler.remove(v.id, this.submission.nowNs);
    clearVgpuPtes(this.gpu.ggtt, v);
    // Its register values stay in the GPU until the next vGPU's first dispatch restores its own.
    if (this.submission.mmioOwner === v.id) this.submission.mmioOwner = null;
    this.pool.release(v.alloc);
    this.gpu.memory.detach(v.ram.base);
    v.ppgtt?.dispose();
    this.byDomid.delete(domid);
    this.live = [...this.byDomid.values()];
    this.displayOwner.bootForeground.delete(domid);
    this.klog.printk(this.submission.nowNs, `gvt: core: destroy vgpu ${v.id} (domain ${domid})`);
  }

  // ---- trapped MMIO ----

  /** Emulate a guest read; offset: bytes from BAR0 (GTT window at +8 MiB). Never throws for guest input. */
  mmioRead(v: Vgpu, offset: number): number {
    v.stats.mmioTraps++;
    // Bounds: a dword-aligned offset inside BAR0 (an integer: `>>> 0` keeps it unchanged).
    if (offset >>> 0 !== offset || offset >= BAR0_SIZE || offset & 3) {
      v.note(`MMIO: read of invalid offset 0x${offset.toString(16)}`);
      return 0;
    }
    if (offset >= MMIO_SPACE_BYTES) {
      if (offset < GTT_OFFSET) return 0;
      const rel = offset - GTT_OFFSET;
      return readGuestPte(v, rel >>> 3)[(rel >>> 2) & 1];
    }
    // intel_vgpu_mmio_reg_rw: the entry's read handler, or the default.
    const info = MMIO_TABLE.find(offset);
    if (info?.read) return info.read(this, v, offset, info);
    if (!info) v.untracked(offset, 'read');
    return defaultMmioRead(v, offset);
  }

  /** Emulate a guest 32-bit write. Never throws for guest input; violations go to the vGPU log. */
  mmioWrite(v: Vgpu, offset: number, value: number, nowNs: number): void {
    this.emulateWrite(v, offset, value, nowNs);
    // An ack, a master enable, a ring register or a reset may change what PVMMIO mirrors.
    this.irq.syncPvmmio(v);
  }

  private emulateWrite(v: Vgpu, offset: number, value: number, nowNs: number): void {
    v.stats.mmioTraps++;
    value >>>= 0;
    if (offset >>> 0 !== offset || offset >= BAR0_SIZE || offset & 3) {
      v.note(`MMIO: write of invalid offset 0x${offset.toString(16)}`);
      return;
    }
    if (offset >= MMIO_SPACE_BYTES) {
      if (offset < GTT_OFFSET) return;
      // A 32-bit half of a 64-bit PTE: held until the other half arrives (gtt.c partial PTEs).
      const rel = offset - GTT_OFFSET;
      writeGuestPteHalf(this.shadowGgtt, v, rel >>> 3, (rel >>> 2) & 1 ? 1 : 0, value);
      return;
    }
    const entry = MMIO_TABLE.find(offset);
    if (entry?.write) return entry.write(this, v, offset, value, nowNs, entry);
    if (!entry) v.untracked(offset, 'write');
    defaultMmioWrite(v, offset, value, entry);
  }

  /**
   * A guest CPU access through its aperture (BAR2). Only its own aperture slice is reachable (GVT-g
   * maps exactly that slice into the guest); the GPU model applies the fences' detiling.
   */
  apertureAccess(v: Vgpu, offset: number, write: boolean, value = 0): number {
    const r = v.alloc.lowGm;
    if (!Number.isInteger(offset) || offset % 4 || offset < r.base || offset + 4 > r.base + r.size) {
      v.note(`aperture: ${write ? 'write' : 'read'} at 0x${offset.toString(16)} outside the vGPU's aperture, ignored`);
      return 0;
    }
    if (write) {
      this.gpu.apertureWrite32(offset, value);
      return 0;
    }
    return this.gpu.apertureRead32(offset);
  }

  /** A guest's 64-bit write (writeq), used for GGTT PTEs. */
  mmioWrite64(v: Vgpu, offset: number, lo: number, hi: number, nowNs: number): void {
    if (offset >= GTT_OFFSET && offset < BAR0_SIZE && offset % 8 === 0) {
      v.stats.mmioTraps++;
      writeGuestPte(this.shadowGgtt, v, (offset - GTT_OFFSET) >>> 3, lo >>> 0, hi >>> 0);
      return;
    }
    this.mmioWrite(v, offset, lo, nowNs);
    this.mmioWrite(v, offset + 4, hi, nowNs);
  }

  // ---- submission and scheduling ----

  // ---- the parts' public faces ----

  /**
   * Make `domid` the foreground VM: its display state goes to the physical pipe now.
   * Throws ApiError('not_found') for an unknown domain and ApiError('busy') (XenGT's -EAGAIN)
   * while the guest driver has not set PVINFO display_ready.
   */
  setForeground(domid: number): void {
    this.displayOwner.setForeground(domid);
  }

  /** Copy the foreground's display registers to the physical pipe. */
  applyDisplay(): void {
    this.displayOwner.applyDisplay();
  }

  /** Start of vblank on every enabled virtual pipe and on the physical pipes (see DisplayOwner.vblank). */
  vblank(): void {
    this.displayOwner.vblank();
  }

  /** Virtual hotplug on a vGPU's port (see DisplayOwner.hotplug for the errors it throws). */
  hotplug(domid: number, port: PortName, connected: boolean, edid?: Uint8Array | null, type?: number, overridePort?: PortName | null): void {
    this.displayOwner.hotplug(domid, port, connected, edid, type, overridePort);
  }

  /** Raise a virtual PCH (south display) event, e.g. a port's hotplug (see DisplayOwner.raisePchEvent). */
  raisePchEvent(v: Vgpu, bits: number): void {
    this.displayOwner.raisePchEvent(v, bits);
  }

  /** Raise a virtual DE port event (e.g. DP AUX channel A done). */
  raiseDePortEvent(v: Vgpu, bits: number): void {
    this.displayOwner.raiseDePortEvent(v, bits);
  }

  /**
   * Scheduler tick (every TICK_NS): the watchdog, then one scheduling decision, then the owner's
   * queued workloads fed to idle engines (see Submission.tick).
   */
  tick(nowNs: number): void {
    this.submission.tick(nowNs);
  }

  /** GPU time `v` has owned the engines under the scheduler, ns. */
  ownedNs(v: Vgpu): number {
    return this.submission.ownedNs(v);
  }

  /** Is `v` in the scheduler's run queue (its weight counts in the split)? */
  scheduled(v: Vgpu): boolean {
    return this.submission.scheduled(v);
  }

  enterFailsafe(v: Vgpu, reason: string): void {
    v.note(`failsafe: ${reason}`);
    if (v.failsafe) return;
    v.failsafe = reason;
    v.queue.length = 0;
    this.ports.failsafe?.(v, reason);
  }
}
