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
import { GVTG_HOST_RESERVATION, type HostReservation, MiB, PAGE_SIZE } from '../../shared/platform';
import {
  PIPE_COUNT,
  PIPE_NAMES,
  pipeReg,
  GEN8_PIPE_VBLANK,
  GEN9_PIPE_PLANE1_FLIP_DONE,
  GTT_OFFSET,
  BAR0_SIZE,
  PLANE_CTL_1_A,
  CUR_BASE_A,
  CUR_CTL_A,
  MCURSOR_MODE_MASK,
  PLANE_CTL_ENABLE,
  PLANE_STRIDE_1_A,
  PLANE_SURF_1_A,
  RING_CTL,
  RING_CTL_VALID,
  RING_START,
  RING_TAIL,
  RING_ADDR_MASK,
  VGT_PVINFO_PAGE,
  VGT_PVINFO_SIZE,
  RING_HEAD,
  GT_RENDER_USER_INTERRUPT,
  GEN8_BCS_IRQ_SHIFT,
  GEN8_RCS_IRQ_SHIFT,
  GFX_RUN_LIST_ENABLE,
  GT_CONTEXT_SWITCH_INTERRUPT,
  GT_RENDER_PIPECTL_NOTIFY_INTERRUPT,
  GEN6_GDRST,
  GEN6_GRDOM_BLT,
  GEN6_GRDOM_FULL,
  GEN6_GRDOM_RENDER,
  RING_CONTEXT_STATUS_PTR,
  RING_ELSP,
  RING_MODE_GEN7,
  applyMasked,
  maskedBitEnable,
} from '../../shared/regs';

import { PVINFO, PVINFO_GUEST_WRITABLE, PVINFO_RSV5_BYTES, VGT_DRV_DISPLAY_READY } from '../../shared/pvinfo';
import { INTEL_LEGACY_32B_CONTEXT, INTEL_LEGACY_64B_CONTEXT, contextDescriptor } from '../../shared/execlist';
import type { EngineId, ExecResult } from '../gpu/engine';
import { ENGINE_BASE, type Gen9Gpu, MMIO_SPACE_BYTES } from '../gpu/gpu';
import { ackIir } from '../gpu/irq';
import type { FlipRequest } from './cmd-scan';
import { execlistRegister, virtualExeclistRead } from './execlist-regs';
import { CONTEXT_SWITCHED_MMIO, MMIO_TABLE } from './mmio-table';
import { defaultMmioRead, defaultMmioWrite } from './mmio-info';
import type { Gvt } from './gvt';
import { VirtualInterrupts } from './interrupts';
import { TimeSliceScheduler } from './scheduler';
import { OwnerTimeline } from './owner-timeline';
import { CONTEXT_IMAGE_BYTES, buildWorkload, contextRing, layoutShadowBatches, setContextHead, writeContextRing, writeDwords } from './workload-build';
import { DISPLAY_REGS, displayRegPipe, pipeOnIn } from './display-regs';
import { CURSOR_64_BYTES } from '../gpu/scanout';
import { type ShadowGgtt, clearVgpuPtes, readGuestPte, writeGuestPte, writeGuestPteHalf } from './gtt-shadow';
import { type HostGm, SHADOW_RING_BYTES, setupHostGm } from './host-gm';
import { pvinfoRead } from './pvinfo';
import { contextPpgtt, handlePpgttNotification, writeContextPdps } from './ppgtt-context';
import { PpgttShadow } from './ppgtt-shadow';
import { GVT_PV_CAPS, VgpuPv } from './pv';
import { type PvNotifyContext, handlePvNotification, refusePv } from './pv-notify';
import { pvmmioSources } from './pvmmio';
import { ResourcePool, type ResourceRequest } from './resources';
import { KernelLog } from './kernel-log';
import { Vgpu, type Workload } from './vgpu';
import { VirtualDisplay, type VirtualPort } from './vdisplay';
import { PORT_NAMES, type PortName } from '../../shared/ports';
import { DEFAULT_WEIGHT } from './vgpu-types';
import { type CtxDesc, ctxDesc, sameContext } from './virtual-execlist';

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

const ENGINES: readonly EngineId[] = ['rcs', 'bcs'];
/** PVINFO_GUEST_WRITABLE as a set: g2v_notify is written at every PV submission. */
const GUEST_WRITABLE: ReadonlySet<number> = new Set(PVINFO_GUEST_WRITABLE);
const ENGINE_IRQ_SHIFT: Record<EngineId, number> = { rcs: GEN8_RCS_IRQ_SHIFT, bcs: GEN8_BCS_IRQ_SHIFT };
/** Host-physical slot per vGPU RAM window (8 GiB apart; slot 0 is Dom0). */
const RAM_SLOT_BYTES = 8 * 2 ** 30;
/**
 * Hangs are judged by progress, as i915's hangcheck does (a seqno that stops advancing while the
 * engine keeps executing), never by wall-clock time, so a busy host CPU cannot fake one: a
 * workload that has used this much *engine* time without completing is a GPU hang (a batch
 * looping on itself). Time the workload spent waiting (for the GPU thread, for the engine) is not
 * engine time. Source: i915 hangcheck (1.5 s checks, several of them), shortened.
 */
export const WATCHDOG_ENGINE_NS = 250e6;

/** A workload left on an engine (out of its command budget) and the engine time it has used. */
interface InFlight {
  v: Vgpu;
  w: Workload;
  /** Engine time it has used so far, ns. */
  engineNs: number;
}
const ENGINE_GRDOM: Record<EngineId, number> = { rcs: GEN6_GRDOM_RENDER, bcs: GEN6_GRDOM_BLT };
/** Context ID the host gives its shadow contexts (guest context IDs only appear in virtual CSBs). */
const SHADOW_CTX_ID = 0xffff;
/** Bound on workloads dispatched per engine per tick (keeps a tick's cost bounded). */
const MAX_DISPATCH_PER_TICK = 64;

/** Surface-address registers and the control register whose enable depends on them, every pipe. */
const CONTROL_OF: ReadonlyMap<number, number> = new Map(
  PIPE_NAMES.flatMap((_, pipe) => [
    [pipeReg(PLANE_SURF_1_A, pipe), pipeReg(PLANE_CTL_1_A, pipe)],
    [pipeReg(CUR_BASE_A, pipe), pipeReg(CUR_CTL_A, pipe)],
  ]),
);

export class Mediator implements Gvt {
  readonly pool: ResourcePool;
  readonly hostGm: HostGm;
  /** The host's own display registers (Dom0's console), indexed like vreg. */
  readonly hostDisplay = new Uint32Array(MMIO_SPACE_BYTES / 4);
  private readonly byDomid = new Map<number, Vgpu>();
  /** The emulated GPU's physical ports and monitors (direct display); set by the host. */
  readonly physicalPorts = new Map<PortName, VirtualPort>();

  /**
   * Which physical port each physical pipe drives (index 0..2 = pipes A..C; null: no monitor): the
   * connected physical monitors in port order, as the host's i915 assigns its CRTCs. The foreground
   * VM's pipe N is shown on physical pipe N.
   */
  physicalPipePorts(): (PortName | null)[] {
    const order = PORT_NAMES.filter((n) => {
      const p = this.physicalPorts.get(n);
      return p?.connected && p.edid;
    });
    return PIPE_NAMES.map((_, pipe) => order[pipe] ?? null);
  }
  private readonly bootForeground = new Set<number>();
  /** Who held the time slice and each engine lately (the dashboard's scheduler timeline). */
  readonly timeline = new OwnerTimeline();
  private readonly scheduler = new TimeSliceScheduler(this.timeline);
  /** Workloads still on a physical engine (stalled on a semaphore, or hung). */
  private readonly running: Partial<Record<EngineId, InFlight>> = {};
  /** Latest emulated time seen (ticks and trapped accesses), ns. */
  private nowNs = 0;
  private foregroundDomid = 0;
  /**
   * The vGPU whose command-accessible registers the physical GPU holds (null: none yet). Switched
   * lazily when another vGPU's workload is dispatched, as GVT-g's scheduler->engine_owner is in
   * shadow_context_status_change, so an owner going idle and coming back costs no switch.
   */
  private mmioOwner: number | null = null;
  /** Dom0's kernel log: vGPU life cycle (`gvt: core: …`) and every vGPU's notes (`gvt: vgpu N: …`). */
  readonly klog = new KernelLog();
  /** Made once: PV notifications come at every PV submission. */
  private readonly pvContext: PvNotifyContext;
  /** The physical GGTT and the scratch page refused guest PTEs point at (GVT-g gvt->gtt.scratch_mfn). */
  private readonly shadowGgtt: ShadowGgtt;
  readonly irq: VirtualInterrupts;

  constructor(
    readonly gpu: Gen9Gpu,
    private readonly ports: MediatorPorts,
    dom0Ram: ArrayBufferLike,
    reservation: HostReservation = GVTG_HOST_RESERVATION,
  ) {
    this.irq = new VirtualInterrupts((v) => this.ports.msi(v));
    this.pool = new ResourcePool(gpu.geometry, reservation);
    this.hostGm = setupHostGm(gpu, this.pool.host, dom0Ram);
    this.shadowGgtt = { ggtt: gpu.ggtt, scratchHpa: this.hostGm.scratchHpa };
    this.pvContext = this.pvNotifyContext();
    // The host drives the physical engines with execlists, as i915 does on Gen8+.
    for (const e of ENGINES) gpu.mmioWrite(ENGINE_BASE[e] + RING_MODE_GEN7, maskedBitEnable(GFX_RUN_LIST_ENABLE));
    const g = gpu.geometry;
    this.klog.printk(0, `gvt: core: gvt device initialization is done (aperture ${g.apertureBytes / MiB} MB, GM ${g.totalGmBytes / MiB} MB, ${g.fences} fences)`);
  }

  get foreground(): number {
    return this.foregroundDomid;
  }

  vgpus(): Vgpu[] {
    return [...this.byDomid.values()];
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
    this.gpu.memory.attach(base, req.ram, req.dirty);
    const printk = (line: string): void => this.klog.printk(this.nowNs, line);
    const pv = new VgpuPv(req.pv === false ? 0 : GVT_PV_CAPS, new Uint32Array(req.ram, 0, req.ram.byteLength >>> 2));
    const v = new Vgpu({ id, domid: req.domid, name: req.name, alloc, ram: { base, size: req.ram.byteLength }, weight: req.weight ?? DEFAULT_WEIGHT, ports: req.ports ?? [], maxResolution: req.maxResolution ?? { width: 1920, height: 1200 }, printk, pv, now: () => this.nowNs });
    if (req.ppgtt !== false) v.ppgtt = new PpgttShadow(v, this.gpu.memory, req.ram, this.hostGm.scratchHpa);
    // What a trapped read of each PVMMIO register returns, for mirroring it into the shared page.
    v.pv.mirror = pvmmioSources((offset) => {
      const info = MMIO_TABLE.find(offset);
      return info?.read ? () => info.read!(this, v, offset, info) : () => v.vreg[offset >>> 2];
    });
    // GVT-g __intel_gvt_create_vgpu's gvt_dbg_core line, with the vGPU and its domain named.
    printk(`gvt: core: create vgpu ${id} for domain ${req.domid} (${req.name}): low ${alloc.lowGm.size / MiB} MB high ${alloc.highGm.size / MiB} MB fence ${alloc.fenceCount}`);
    this.byDomid.set(req.domid, v);
    // Known to the scheduler, but queued only once its guest enables execlists (start()).
    this.scheduler.add(v.id);
    if (req.bootForeground) this.bootForeground.add(req.domid);
    return v;
  }

  /** Destroy a vGPU: clear its GGTT entries, free GM and fences, unmap its RAM; the host takes the display back. */
  destroyVgpu(domid: number): void {
    const v = this.byDomid.get(domid);
    if (!v) return;
    if (this.foregroundDomid === domid) this.setForeground(0);
    this.scheduler.remove(v.id, this.nowNs);
    clearVgpuPtes(this.gpu.ggtt, v);
    // Its register values stay in the GPU until the next vGPU's first dispatch restores its own.
    if (this.mmioOwner === v.id) this.mmioOwner = null;
    this.pool.release(v.alloc);
    this.gpu.memory.detach(v.ram.base);
    v.ppgtt?.dispose();
    this.byDomid.delete(domid);
    this.bootForeground.delete(domid);
    this.klog.printk(this.nowNs, `gvt: core: destroy vgpu ${v.id} (domain ${domid})`);
  }

  /**
   * Make `domid` the foreground VM: its display state goes to the physical pipe now.
   * Throws ApiError('not_found') for an unknown domain and ApiError('busy') (XenGT's -EAGAIN)
   * while the guest driver has not set PVINFO display_ready.
   */
  setForeground(domid: number): void {
    if (domid !== 0) {
      const v = this.byDomid.get(domid);
      if (!v) throw new ApiError('not_found', `no running domain with id ${domid}`);
      if (v.pvinfoWritten.get(PVINFO.display_ready) !== VGT_DRV_DISPLAY_READY) throw new ApiError('busy', `domain ${domid}'s display is not ready yet (EAGAIN)`);
    }
    this.foregroundDomid = domid;
    this.bootForeground.delete(domid);
    this.applyDisplay();
    this.ports.foregroundChanged?.(domid);
  }

  /** Copy the foreground's display registers to the physical pipe. */
  applyDisplay(): void {
    const v = this.byDomid.get(this.foregroundDomid);
    const src = v ? v.vreg : this.hostDisplay;
    for (const off of DISPLAY_REGS) this.gpu.mmioWrite(off, this.displayValue(v, src, off));
  }

  private displayValue(v: Vgpu | undefined, src: Uint32Array, off: number): number {
    const value = src[off >>> 2];
    const pipe = displayRegPipe(off);
    if (!v || pipe === undefined) return value;
    // A guest surface or cursor image outside its own GM, or a plane on a pipe without a monitor,
    // never reaches the physical pipe.
    if (pipe > 0 && off === pipeReg(PLANE_CTL_1_A, pipe) && v.display.pipePorts()[pipe] === null) return value & ~PLANE_CTL_ENABLE;
    if (off === pipeReg(PLANE_CTL_1_A, pipe) && !v.ownsGm(src[pipeReg(PLANE_SURF_1_A, pipe) >>> 2] & ~0xfff, PAGE_SIZE)) return value & ~PLANE_CTL_ENABLE;
    if (off === pipeReg(CUR_CTL_A, pipe) && !v.ownsGm(src[pipeReg(CUR_BASE_A, pipe) >>> 2] & ~0xfff, CURSOR_64_BYTES)) return value & ~MCURSOR_MODE_MASK;
    return value;
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
    if (offset >= VGT_PVINFO_PAGE && offset < VGT_PVINFO_PAGE + VGT_PVINFO_SIZE) return pvinfoRead(v, offset - VGT_PVINFO_PAGE);
    if (VirtualDisplay.owns(offset)) return v.display.read(offset);
    const el = execlistRegister(offset);
    if (el) return virtualExeclistRead(v.execlists[el.engine], el.rel);
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
    if (offset >= VGT_PVINFO_PAGE && offset < VGT_PVINFO_PAGE + VGT_PVINFO_SIZE) return this.pvinfoWrite(v, offset - VGT_PVINFO_PAGE, value, nowNs);
    if (VirtualDisplay.owns(offset)) return v.display.write(offset, value);
    const el = execlistRegister(offset);
    if (el) return this.execlistWrite(v, el.engine, el.rel, value, nowNs);
    if (!entry) v.untracked(offset, 'write');
    if (!defaultMmioWrite(v, offset, value, entry)) return;
    if (offset === GEN6_GDRST) {
      v.vreg[offset >>> 2] = 0; // the reset completes at once; i915 polls for the bits to clear
      return this.guestReset(v, value);
    }
    for (const e of ENGINES) {
      if (offset === ENGINE_BASE[e] + RING_TAIL) return this.submit(v, e, nowNs);
      // Ours: GVT-g has no legacy ring submission for guests (it starts scheduling a vGPU when its
      // guest enables execlists); a guest on the legacy ring starts when it enables a ring.
      if (offset === ENGINE_BASE[e] + RING_CTL && value & RING_CTL_VALID) this.scheduler.start(v.id, nowNs);
    }
    const pipe = displayRegPipe(offset);
    if (pipe && offset === pipeReg(PLANE_CTL_1_A, pipe) && value & PLANE_CTL_ENABLE && v.display.pipePorts()[pipe] === null) {
      // Contained, not fatal: the plane stays in vreg (the guest reads back what it wrote) but no
      // physical pipe shows it. Pipes B and C only: pipe A is shown as before (GVT-g's
      // emulate_monitor_status_change keeps TRANSCONF_A enabled whatever the monitors).
      v.note(`display: PLANE_CTL_1_${PIPE_NAMES[pipe]} enabled on pipe ${PIPE_NAMES[pipe]}, which has no monitor; not shown`);
    }
    if (pipe !== undefined && this.foregroundDomid === v.domid) {
      // A new surface address re-checks the control register it goes with: a later bad PLANE_SURF
      // or CUR_BASE must turn the physical plane off, not slip past the check made at its CTL write.
      const ctl = CONTROL_OF.get(offset);
      if (ctl !== undefined) this.gpu.mmioWrite(ctl, this.displayValue(v, v.vreg, ctl));
      this.gpu.mmioWrite(offset, this.displayValue(v, v.vreg, offset));
    }
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

  /**
   * A guest write into its PVINFO page, as GVT-g's pvinfo_mmio_write: the listed fields are stored
   * (and display_ready / g2v_notify / pv_caps acted on); a write to rsv5 means the guest found its
   * resources insufficient (GVT_FAILSAFE_INSUFFICIENT_RESOURCE: failsafe); any other offset is an
   * "invalid pvinfo write", logged and ignored (the page keeps its value).
   */
  private pvinfoWrite(v: Vgpu, rel: number, value: number, nowNs: number): void {
    if (!GUEST_WRITABLE.has(rel)) {
      if (rel >= PVINFO.rsv5 && rel < PVINFO.rsv5 + PVINFO_RSV5_BYTES) {
        this.enterFailsafe(v, `PVINFO: write 0x${value.toString(16)} to rsv5 at offset 0x${rel.toString(16)}: graphics resource is not enough for the guest`);
      } else {
        v.note(`PVINFO: invalid pvinfo write offset 0x${rel.toString(16)} data 0x${value.toString(16)}, ignored`);
      }
      return;
    }
    if (rel === PVINFO.pv_caps) return v.pv.writeCaps(value);
    v.pvinfoWritten.set(rel, value);
    if (rel === PVINFO.display_ready && value === VGT_DRV_DISPLAY_READY && this.bootForeground.has(v.domid)) this.setForeground(v.domid);
    if (rel === PVINFO.g2v_notify) this.handleG2vNotification(v, value, nowNs);
  }

  /**
   * A g2v_notify write: the PV notifications (pv-notify.ts); GVT-g's PPGTT and context
   * notifications have nothing to do here (no PPGTT in this model). Source: GVT-g handlers.c
   * handle_g2v_notification.
   */
  private handleG2vNotification(v: Vgpu, notification: number, nowNs: number): void {
    if (handlePpgttNotification(v, notification)) return;
    if (!handlePvNotification(v, notification, nowNs, this.pvContext)) v.note(`PVINFO: g2v notification ${notification} ignored`);
  }

  /** What pv-notify.ts may do to a vGPU: submit through the ELSP path, mirror PVMMIO. */
  private pvNotifyContext(): PvNotifyContext {
    return {
      shadow: this.shadowGgtt,
      engines: ENGINES,
      submit: (v, engine, elements, nowNs) => {
        if ((v.execlists[engine].gfxMode & GFX_RUN_LIST_ENABLE) === 0) {
          refusePv(v, `${engine}: PV submission with execlists disabled (GFX_MODE)`);
          return false;
        }
        return this.submitExeclist(v, engine, elements, nowNs, true);
      },
      registered: (v) => this.irq.syncPvmmio(v),
    };
  }

  // ---- submission and scheduling ----

  /** Legacy ring submission: a trapped RING_TAIL write. */
  private submit(v: Vgpu, engine: EngineId, nowNs: number): void {
    if (v.failsafe) return;
    const base = ENGINE_BASE[engine];
    const r = (rel: number): number => v.vreg[(base + rel) >>> 2];
    const ring = { start: r(RING_START), ctl: r(RING_CTL), head: r(RING_HEAD), tail: r(RING_TAIL) };
    if ((ring.ctl & RING_CTL_VALID) === 0) return void v.note(`${engine}: RING_TAIL written while the ring is disabled`);
    const tail = ring.tail & RING_ADDR_MASK;
    if (tail === v.scannedTail[engine]) return;
    const built = buildWorkload(this.gpu.ggtt, v, engine, ring, v.scannedTail[engine]);
    if (!built.ok) return this.refuse(v, built);
    v.scannedTail[engine] = tail;
    v.queue.push({ engine, tail, scan: built.scan });
    this.dispatch(engine, nowNs);
  }

  /** GFX_MODE, the CSB read pointer and ELSP of a vGPU's virtual execlist port. */
  private execlistWrite(v: Vgpu, engine: EngineId, rel: number, value: number, nowNs: number): void {
    const ve = v.execlists[engine];
    if (rel === RING_MODE_GEN7) {
      ve.gfxMode = applyMasked(ve.gfxMode, value);
      // ring_mode_mmio_write: enabling the run list starts scheduling the vGPU (intel_vgpu_start_schedule).
      if (value & (GFX_RUN_LIST_ENABLE << 16) && value & GFX_RUN_LIST_ENABLE) this.scheduler.start(v.id, nowNs);
    } else if (rel === RING_CONTEXT_STATUS_PTR) ve.csb.writePtrRegister(value);
    else if (rel === RING_ELSP) {
      ve.elsp.push(value);
      if (ve.elsp.length < 4) return;
      const [hi1, lo1, hi0, lo0] = ve.elsp;
      ve.elsp = [];
      if ((ve.gfxMode & GFX_RUN_LIST_ENABLE) === 0) return void v.note(`${engine}: ELSP written with execlists disabled (GFX_MODE)`);
      this.submitExeclist(v, engine, [[lo0, hi0], [lo1, hi1]], nowNs, false);
    }
  }

  /**
   * An ELSP submission (elements: [lo, hi] of element 0 and 1): each valid element names a guest
   * context (LRCA inside the vGPU's GM) whose image holds the ring state; the commands from the
   * last scanned position to its RING_TAIL become one workload. As intel_vgpu_submit_execlist, a
   * submission whose element 0 is invalid, or with a valid element lacking the privilege bit (a
   * non-GGTT context), is refused whole: logged (gvt_vgpu_err) and ignored, no failsafe. `pv`: it
   * came through PV submission (shared page + one notification). True when the workloads were
   * queued. Source: GVT-g execlist.c intel_vgpu_submit_execlist / submit_context, scheduler.c.
   */
  private submitExeclist(v: Vgpu, engine: EngineId, elements: [number, number][], nowNs: number, pv: boolean): boolean {
    if (v.failsafe) return false;
    const [e0 = [0, 0], e1 = [0, 0]] = elements;
    const desc: [CtxDesc, CtxDesc] = [ctxDesc(e0[0], e0[1]), ctxDesc(e1[0], e1[1])];
    const hex = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');
    const dump = `desc0 ${hex(e0[1])} ${hex(e0[0])} desc1 ${hex(e1[1])} ${hex(e1[0])}`;
    if (!desc[0].valid) {
      v.note(`${engine}: invalid elsp submission, desc0 is invalid (${dump}), ignored`);
      return false;
    }
    if (desc.some((d) => d.valid && !d.privileged)) {
      v.note(`${engine}: unexpected GGTT elsp submission: a descriptor without the privilege bit (${dump}), ignored`);
      return false;
    }
    const built: Workload[] = [];
    const valid = desc.filter((d) => d.valid);
    for (const [i, d] of valid.entries()) {
      const lrca = d.lrca;
      if (!v.ownsGm(lrca, CONTEXT_IMAGE_BYTES)) {
        this.enterFailsafe(v, `${engine}: context descriptor LRCA 0x${lrca.toString(16)} outside the vGPU's graphics memory`);
        return false;
      }
      const ring = contextRing(this.gpu.ggtt, lrca);
      const ve = v.execlists[engine];
      const from = ve.scannedTail.get(lrca) ?? ring.head;
      // A 48-bit PPGTT context: its tables are shadowed now, its batches scanned through the shadow.
      const pp = contextPpgtt(this.gpu.ggtt, v, (d === desc[0] ? e0 : e1)[0], lrca);
      if (!pp.ok) {
        this.enterFailsafe(v, `${engine}: ${pp.reason}`);
        return false;
      }
      const b = buildWorkload(this.gpu.ggtt, v, engine, ring, from, pp.mm && v.ppgtt ? v.ppgtt.walker(pp.mm) : null);
      if (!b.ok) {
        this.refuse(v, b);
        return false;
      }
      ve.scannedTail.set(lrca, ring.tail & RING_ADDR_MASK);
      // Element 0 carries the pair: its arrival on the engine is the slot's schedule-in.
      built.push({ engine, tail: ring.tail & RING_ADDR_MASK, scan: b.scan, context: { desc: d, elsp: i === 0 ? desc : undefined, pv }, ...(pp.mm ? { shadowPml4: pp.mm.shadowPml4 } : {}) });
    }
    v.queue.push(...built);
    this.dispatch(engine, nowNs);
    return true;
  }

  private refuse(v: Vgpu, b: { reason: string; rejected: boolean }): void {
    if (b.rejected) v.stats.rejectedCommands++;
    this.enterFailsafe(v, b.reason);
  }

  /**
   * Scheduler tick (every TICK_NS): charge the owner's time, pick the owner for the next tick with
   * GVT-g's time-based policy (switching only when no engine has work in flight, with the
   * per-engine MMIO context saved and restored), then feed its queued workloads to idle engines.
   */
  tick(nowNs: number): void {
    this.watchdog(nowNs);
    this.schedule(nowNs);
    for (const e of ENGINES) this.dispatch(e, nowNs);
  }

  /**
   * One scheduling decision (charge, pick); dispatches nothing. The MMIO context follows the
   * workloads, not the owner: see execute().
   */
  private schedule(nowNs: number): void {
    this.nowNs = Math.max(this.nowNs, nowNs);
    const inFlight = ENGINES.some((e) => this.gpu.busyUntilNs[e] > nowNs || this.running[e] !== undefined);
    const entities = this.vgpus()
      .filter((v) => !v.failsafe)
      .map((v) => ({ id: v.id, weight: v.weight, busy: () => v.queue.length > 0 }));
    this.scheduler.tick(nowNs, entities, inFlight);
  }

  /** GPU time `v` has owned the engines under the scheduler, ns. */
  ownedNs(v: Vgpu): number {
    return this.scheduler.ownedNs(v.id, this.nowNs);
  }

  /** Is `v` in the scheduler's run queue (its weight counts in the split)? */
  scheduled(v: Vgpu): boolean {
    return this.scheduler.started(v.id);
  }

  /** Feed the current owner's queued workloads for `engine` while the engine is idle. */
  private dispatch(engine: EngineId, nowNs: number): void {
    this.nowNs = Math.max(this.nowNs, nowNs);
    // Nobody owns the GPU: decide now rather than leave a new submission waiting for the tick.
    if (this.scheduler.current === null && this.anyQueued()) this.schedule(nowNs);
    const v = this.byId(this.scheduler.current);
    if (!v || v.failsafe || this.running[engine]) return;
    for (let n = 0; n < MAX_DISPATCH_PER_TICK && this.gpu.busyUntilNs[engine] <= nowNs && !this.running[engine]; n++) {
      // An owner whose timeslice ran out waits for the next tick to reschedule (GVT-g need_reschedule).
      if (!this.scheduler.mayRun(v.id, nowNs)) return;
      const idx = v.queue.findIndex((w) => w.engine === engine);
      if (idx < 0) return;
      const w = v.queue.splice(idx, 1)[0];
      this.execute(v, w, nowNs);
    }
  }

  private anyQueued(): boolean {
    for (const v of this.byDomid.values()) if (v.queue.length > 0) return true;
    return false;
  }

  private byId(id: number | null): Vgpu | undefined {
    if (id === null) return undefined;
    for (const v of this.byDomid.values()) if (v.id === id) return v;
    return undefined;
  }

  /**
   * MMIO context switch between vGPUs: registers guest commands may change (the F_CMD_ACCESS set:
   * GPRs, predicate, cache-mode registers) are saved from the physical GPU into the outgoing
   * vGPU's vreg and restored from the incoming one's. One owner for both engines (GVT-g keeps one
   * per engine). Source: GVT-g mmio_context.c intel_gvt_switch_mmio.
   */
  private switchMmioContext(fromId: number | null, toId: number | null): void {
    const from = this.byId(fromId);
    const to = this.byId(toId);
    for (const off of CONTEXT_SWITCHED_MMIO) {
      if (from) from.vreg[off >>> 2] = this.gpu.mmioRead(off);
      this.gpu.mmioWrite(off, to ? to.vreg[off >>> 2] : 0);
    }
  }

  /**
   * Run a workload on the physical engine: its scanned copy goes into the host's shadow ring, the
   * host's shadow context image points at it, and the physical ELSP submits that context. Then the
   * guest sees its own completion: RING_HEAD (legacy) or the context image head plus CSB entries
   * and a context-switch interrupt (execlists), and MI_USER_INTERRUPTs on its virtual GT bank.
   */
  private execute(v: Vgpu, w: Workload, nowNs: number): void {
    const gpu = this.gpu;
    const base = ENGINE_BASE[w.engine];
    const ring = this.hostGm.shadowRingGm[w.engine];
    const ctx = this.hostGm.shadowContextGm[w.engine];
    if (w.context?.elsp && !w.context.pv) {
      // prepare_execlist_workload: element 0 reaching the engine is the slot's schedule-in.
      const up = v.execlists[w.engine].scheduleIn(w.context.elsp);
      if (up.error) {
        // The workload fails before it runs; GVT-g then drops the engine's queued work (clean_workloads).
        v.note(`${w.engine}: fail to emulate execlist schedule in: ${up.error}; workloads dropped`);
        v.queue.splice(0, v.queue.length, ...v.queue.filter((q) => q.engine !== w.engine));
        return;
      }
      if (up.interrupt) this.irq.raise(v, v.gt0, GT_CONTEXT_SWITCH_INTERRUPT << ENGINE_IRQ_SHIFT[w.engine]);
    }
    const ringDwords = layoutShadowBatches(gpu.ggtt, w.scan, this.hostGm.shadowBatchGm);
    writeDwords(gpu.ggtt, ring, ringDwords);
    writeContextRing(gpu.ggtt, ctx, { start: ring, ctl: ((SHADOW_RING_BYTES - PAGE_SIZE) & 0x1ff000) | RING_CTL_VALID, head: 0, tail: ringDwords.length * 4 });
    // The shadow context points at the shadow PML4, never the guest's (update_shadow_pdps).
    writeContextPdps(gpu.ggtt, ctx, w.shadowPml4 ?? null, base);
    const [lo, hi] = contextDescriptor(ctx, SHADOW_CTX_ID, w.shadowPml4 === undefined ? INTEL_LEGACY_32B_CONTEXT : INTEL_LEGACY_64B_CONTEXT);
    if (this.mmioOwner !== v.id) {
      this.switchMmioContext(this.mmioOwner, v.id);
      this.mmioOwner = v.id;
    }
    // Element 1 (empty) first, element 0 last: the fourth write submits.
    let res: ExecResult | undefined;
    const before = gpu.busyUntilNs[w.engine];
    for (const dw of [0, 0, hi, lo]) res = gpu.mmioWrite(base + RING_ELSP, dw, nowNs) ?? res;
    if (!res) return this.enterFailsafe(v, `${w.engine}: the physical engine did not take the shadow context (execlists disabled?)`);
    v.stats.workloads++;
    this.progress(v, w, res, before, nowNs);
  }

  /**
   * Account what the engine did for workload `w` and, when it completed, report completion to the
   * guest. A workload that runs out of its command budget stays on the engine as in flight; the
   * tick resumes it, and the watchdog resets engine and vGPU if it never finishes. One that stops
   * on a fault or a stall is contained at once.
   */
  private progress(v: Vgpu, w: Workload, res: ExecResult, busyBefore: number, nowNs: number, prior?: InFlight): void {
    const gpu = this.gpu;
    const engineNs = gpu.busyUntilNs[w.engine] - Math.max(busyBefore, nowNs);
    v.stats.commands += res.commands;
    v.stats.gpuTimeNs += engineNs;
    this.timeline.record(w.engine, v.id, gpu.busyUntilNs[w.engine] - engineNs, gpu.busyUntilNs[w.engine]);
    const inFlight: InFlight = { v, w, engineNs: (prior?.engineNs ?? 0) + engineNs };
    // Physical interrupts are consumed here and re-raised on the owner's virtual bank.
    ackIir(gpu.gt0, (GT_RENDER_USER_INTERRUPT | GT_CONTEXT_SWITCH_INTERRUPT | GT_RENDER_PIPECTL_NOTIFY_INTERRUPT) << ENGINE_IRQ_SHIFT[w.engine]);
    let bits = (res.userInterrupts > 0 ? GT_RENDER_USER_INTERRUPT : 0) | ((res.notifyInterrupts ?? 0) > 0 ? GT_RENDER_PIPECTL_NOTIFY_INTERRUPT : 0);
    if (res.fault || res.stalled) {
      // The engine stopped on a command the scanner let through (a stall needs MI_SEMAPHORE_WAIT,
      // which the scanner refuses as GVT-g does): contain it like a hang.
      this.running[w.engine] = inFlight;
      this.recoverHang(w.engine, res.fault ?? `${w.engine}: stalled on a semaphore`);
      return;
    }
    if (res.hung) {
      this.running[w.engine] = inFlight;
      if (bits) this.irq.raise(v, v.gt0, bits << ENGINE_IRQ_SHIFT[w.engine]);
      return;
    }
    this.running[w.engine] = undefined;
    const base = ENGINE_BASE[w.engine];
    if (w.context?.pv) {
      // PV submission: no execlist emulation, no CSB and no context-switch interrupt; the context
      // image's head is all the guest reads (GVTg support pv workload submssion).
      setContextHead(gpu.ggtt, w.context.desc.lrca, w.tail);
    } else if (w.context) {
      setContextHead(gpu.ggtt, w.context.desc.lrca, w.tail);
      // complete_execlist_workload: when the next workload queued on this engine continues the same
      // context (a lite restore), the context is not scheduled out: no CSB entry, no interrupt.
      const next = v.queue.find((q) => q.engine === w.engine);
      if (!next?.context || !sameContext(next.context.desc, w.context.desc)) {
        const up = v.execlists[w.engine].scheduleOut(w.context.desc);
        if (up.error) v.note(`${w.engine}: fail to emulate execlist schedule out: ${up.error}`);
        if (up.interrupt) bits |= GT_CONTEXT_SWITCH_INTERRUPT;
      }
    } else {
      // The workload is consumed: the guest's view of RING_HEAD moves to its tail.
      v.vreg[(base + RING_HEAD) >>> 2] = (v.vreg[(base + RING_HEAD) >>> 2] & ~RING_ADDR_MASK) | w.tail;
    }
    if (bits) this.irq.raise(v, v.gt0, bits << ENGINE_IRQ_SHIFT[w.engine]);
    else this.irq.syncPvmmio(v);
    for (const flip of w.scan.flips) this.emulateFlip(v, flip);
  }

  /**
   * Continue workloads left on an engine (the engine keeps executing one that ran out of its
   * command budget) and reset an engine whose workload used WATCHDOG_ENGINE_NS of engine time
   * without completing. Checks come with the ticks: a starved GPU thread checks less often, and
   * only engine time counts, so starvation delays a detection and never fakes one.
   */
  private watchdog(nowNs: number): void {
    for (const e of ENGINES) {
      const r = this.running[e];
      if (!r) continue;
      if (r.engineNs >= WATCHDOG_ENGINE_NS) {
        this.recoverHang(e, `${e}: workload did not complete in ${(r.engineNs / 1e6).toFixed(0)} ms of engine time (GPU hang)`);
        continue;
      }
      if (this.gpu.busyUntilNs[e] > nowNs) continue;
      const before = this.gpu.busyUntilNs[e];
      this.progress(r.v, r.w, this.gpu.resume(e, nowNs), before, nowNs, r);
    }
  }

  /**
   * GPU hang recovery: reset the physical engine (GEN6_GDRST), drop the guilty vGPU's work on it
   * and reset that vGPU's engine state; the other vGPUs resume. Source: i915 hangcheck + GVT-g
   * engine reset handling (intel_gvt_reset_vgpu_locked with an engine mask).
   */
  private recoverHang(engine: EngineId, reason: string): void {
    const r = this.running[engine];
    this.running[engine] = undefined;
    this.gpu.mmioWrite(GEN6_GDRST, ENGINE_GRDOM[engine]);
    ackIir(this.gpu.gt0, 0xffff << ENGINE_IRQ_SHIFT[engine]);
    if (!r) return;
    r.v.recordReset('hang', `engine reset: ${reason}`);
    this.resetVgpuEngine(r.v, engine);
    this.ports.engineReset?.(r.v, engine, reason);
  }

  /** Reset a vGPU's view of one engine: queued work dropped, ring and execlist state back to idle. */
  private resetVgpuEngine(v: Vgpu, engine: EngineId): void {
    v.queue.splice(0, v.queue.length, ...v.queue.filter((w) => w.engine !== engine));
    v.scannedTail[engine] = 0;
    const base = ENGINE_BASE[engine];
    for (const reg of [RING_HEAD, RING_TAIL, RING_START, RING_CTL]) v.vreg[(base + reg) >>> 2] = 0;
    // reset_execlist: slots emptied, CSB pointers back to GVT-g's read 0 / write 0x7.
    v.execlists[engine].reset();
    this.irq.syncPvmmio(v);
  }

  /**
   * A guest's GEN6_GDRST write resets only its own vGPU: its engines (and, if they are on the
   * physical engine right now, the physical engine too); a full reset also clears failsafe.
   */
  private guestReset(v: Vgpu, value: number): void {
    for (const e of ENGINES) {
      if (!(value & (GEN6_GRDOM_FULL | ENGINE_GRDOM[e]))) continue;
      if (this.running[e]?.v === v) {
        this.running[e] = undefined;
        this.gpu.mmioWrite(GEN6_GDRST, ENGINE_GRDOM[e]);
      }
      this.resetVgpuEngine(v, e);
    }
    if (value & GEN6_GRDOM_FULL && v.failsafe) {
      v.note(`failsafe cleared by a full reset (was: ${v.failsafe})`);
      v.failsafe = null;
    }
    v.recordReset('reset', `guest reset GDRST=0x${value.toString(16)}`);
  }

  /**
   * MI_DISPLAY_FLIP, emulated: the vGPU's primary plane takes the new surface (and, for a
   * foreground VM, the physical plane), and the guest gets its flip-done event.
   * Source: GVT-g cmd_parser.c cmd_handler_mi_display_flip / display.c.
   */
  private emulateFlip(v: Vgpu, flip: FlipRequest): void {
    // MI_DISPLAY_FLIP's plane select: 0, 1, 2 are the primary planes of pipes A, B, C.
    const pipe = flip.plane;
    if (pipe >= PIPE_COUNT) return v.note(`MI_DISPLAY_FLIP: plane ${flip.plane} is not a primary plane of pipe A..C; ignored`);
    const stride = pipeReg(PLANE_STRIDE_1_A, pipe);
    const surf = pipeReg(PLANE_SURF_1_A, pipe);
    v.vreg[stride >>> 2] = flip.pitch / 64;
    v.vreg[surf >>> 2] = flip.surf;
    if (this.foregroundDomid === v.domid) {
      this.gpu.mmioWrite(stride, flip.pitch / 64);
      this.gpu.mmioWrite(surf, flip.surf);
    }
    this.irq.raise(v, v.dePipe[pipe], GEN9_PIPE_PLANE1_FLIP_DONE);
  }

  // ---- interrupts, vblank, failsafe ----

  /**
   * Raise a virtual PCH (south display) event, e.g. a port's hotplug: latched into SDEIIR when
   * unmasked, propagated to the master as the PCH bit, delivered as an MSI. Source: GVT-g
   * interrupt.c (intel_vgpu_trigger_virtual_event, gen8_check_pending_irq).
   */
  raisePchEvent(v: Vgpu, bits: number): void {
    this.irq.raise(v, v.sde, bits);
  }

  /**
   * Virtual hotplug: connect, disconnect or replace the monitor on a vGPU's virtual port; the guest
   * gets the hotplug interrupt on the PCH (SDEIIR; port A too: SDE_PORTA_HOTPLUG_SPT on Skylake,
   * GVT-g display.c emulate_monitor_status_change) and re-probes.
   * Throws ApiError('not_found') for an unknown domain and ApiError('invalid') for a fourth monitor.
   */
  hotplug(domid: number, port: PortName, connected: boolean, edid?: Uint8Array | null, type?: number, overridePort?: PortName | null): void {
    const v = this.byDomid.get(domid);
    if (!v) throw new ApiError('not_found', `no running domain with id ${domid}`);
    const lit = v.display.pipePorts().filter((p) => p !== null);
    if (connected && !lit.includes(port) && lit.length >= PIPE_COUNT) {
      throw new ApiError('invalid', `${port}: domain ${domid} already drives ${PIPE_COUNT} monitors (${lit.join(', ')} on pipes ${PIPE_NAMES.join(', ')}); a Skylake GPU has no fourth pipe: unplug one first`);
    }
    const ev = v.display.hotplug(port, connected, edid, type, overridePort);
    this.ports.portsChanged?.(v);
    v.note(`hotplug: ${port} ${connected ? 'connected' : 'disconnected'}`);
    this.raisePchEvent(v, ev.sdeBit);
  }

  /** Raise a virtual DE port event (e.g. DP AUX channel A done); see raisePchEvent. */
  raiseDePortEvent(v: Vgpu, bits: number): void {
    this.irq.raise(v, v.dePort, bits);
  }

  /** Start of vblank on every enabled virtual pipe (each vGPU, pipes A..C) and on the physical pipes. Source: GVT-g display.c intel_vgpu_emulate_vblank (for_each_pipe emulate_vblank_on_pipe). */
  vblank(): void {
    this.gpu.vblank();
    for (const v of this.byDomid.values()) {
      for (let pipe = 0; pipe < PIPE_COUNT; pipe++) if (pipeOnIn(v.vreg, pipe)) this.irq.raise(v, v.dePipe[pipe], GEN8_PIPE_VBLANK);
    }
  }

  enterFailsafe(v: Vgpu, reason: string): void {
    v.note(`failsafe: ${reason}`);
    if (v.failsafe) return;
    v.failsafe = reason;
    v.queue.length = 0;
    this.ports.failsafe?.(v, reason);
  }
}
