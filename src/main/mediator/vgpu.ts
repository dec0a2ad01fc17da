/**
 * Per-VM virtual GPU state: virtual registers (vreg), PVINFO values, the GM/fence slice, the VM's
 * RAM window in host-physical space, the guest's view of its GGTT entries, virtual interrupt banks,
 * virtual ring state and queued workloads. Source: GVT-g gvt.h struct intel_vgpu.
 */
import { PIPE_NAMES } from '../../shared/regs';
import type { EngineId } from '../gpu/engine';
import type { ScannedWorkload } from './cmd-scan';
import { VirtualDisplay, type VirtualPort } from './vdisplay';
import { MMIO_SPACE_BYTES } from '../gpu/gpu';
import { type IrqBank, newBank } from '../gpu/irq';
import type { PartialPte } from './gtt-shadow';
import type { Allocation, Range } from './resources';
import type { VgpuPv } from './pv';
import { AuditLog } from './audit-log';
import type { PpgttShadow } from './ppgtt-shadow';
import { type CtxDesc, VirtualExeclist } from './virtual-execlist';
import type { SchedEntity } from './scheduler';

export { VirtualExeclist } from './virtual-execlist';

export interface VgpuParams {
  /** vgt_id, 1-based; 0 is the host. */
  id: number;
  domid: number;
  name: string;
  alloc: Allocation;
  /** The VM's RAM in host-physical space (guest-physical 0 maps to ram.base). */
  ram: Range;
  /** Scheduler weight. */
  weight: number;
  /** Virtual display ports (monitors), from monitor.config or the vGPU type's built-in monitor. */
  ports: VirtualPort[];
  /** Largest mode its monitors may ask for (the vGPU type's resolution). */
  maxResolution: { width: number; height: number };
  /** Dom0's kernel log: every note also goes there as `gvt: vgpu N: …` (GVT-g's gvt_vgpu_err). */
  printk: (line: string) => void;
  /** Paravirtual state: the pv_caps offered (none: the guest traps everything) and the shared page. */
  pv: VgpuPv;
  /** Emulated time now, ns (stamps the audit log's lines). */
  now: () => number;
}

export interface Workload {
  engine: EngineId;
  /** Ring tail (bytes) the guest submitted, already scanned. */
  tail: number;
  /** The scanned commands and batch buffers, copied out of guest memory; only these copies reach the engine. */
  scan: ScannedWorkload;
  /**
   * Set for an execlist submission: the guest context, and for element 0 of an ELSP write both
   * elements (`elsp`), whose arrival on the engine GVT-g emulates as the schedule-in of a virtual
   * execlist slot. `pv`: it came through PV submission, whose completion GVT reports without CSB
   * entries or a context-switch interrupt (the guest retires it on the user interrupt).
   */
  context?: { desc: CtxDesc; elsp?: [CtxDesc, CtxDesc]; pv: boolean };
  /** Host-physical shadow PML4 of a 48-bit PPGTT context (ppgtt-shadow.ts); absent for GGTT-only work. */
  shadowPml4?: number;
}

export interface VgpuStats {
  workloads: number;
  commands: number;
  rejectedCommands: number;
  droppedPtes: number;
  gpuTimeNs: number;
  mmioTraps: number;
  /** Engine resets of this vGPU (hang recovery or guest GDRST). */
  resets: number;
  /** Of those, hangs the mediator recovered from (its watchdog, or an engine fault). */
  hangs: number;
}

/** The last reset of a vGPU: a hang the mediator recovered from, or a reset the guest asked for. */
export interface ResetRecord {
  kind: 'hang' | 'reset';
  reason: string;
  atNs: number;
}

/** A vGPU is its own entity for the time-slice scheduler (id, weight, queued work): nothing to build per tick. */
export class Vgpu implements SchedEntity {
  readonly id: number;
  readonly domid: number;
  readonly name: string;
  readonly alloc: Allocation;
  readonly ram: Range;
  readonly weight: number;
  readonly vreg = new Uint32Array(MMIO_SPACE_BYTES / 4);
  /** Guest-written GGTT entries by GM page index: [lo, hi] as the guest wrote them. */
  readonly guestPtes = new Map<number, [number, number]>();
  /**
   * First 32-bit halves of GGTT entries waiting for their other half, by GM page index (at most one
   * per page of the vGPU's own GM). Source: GVT-g gtt.c ggtt_mm.partial_pte_list.
   */
  readonly partialPtes = new Map<number, PartialPte>();
  readonly gt0: IrqBank = newBank();
  /** DE pipe banks of pipes A, B and C: GEN8_DE_PIPE_ISR/IMR/IIR/IER(pipe). */
  readonly dePipe: readonly IrqBank[] = PIPE_NAMES.map(() => newBank());
  /** DE port bank (AUX channel A; port A hotplug is on the SDE bank on Skylake): GEN8_DE_PORT_ISR/IMR/IIR/IER. */
  readonly dePort: IrqBank = newBank();
  /** PCH south display engine (hotplug) bank: SDEISR/SDEIMR/SDEIIR/SDEIER. */
  readonly sde: IrqBank = newBank();
  /** Per-engine: the ring offset up to which commands have been scanned and queued. */
  readonly scannedTail: Record<EngineId, number> = { rcs: 0, bcs: 0 };
  readonly queue: Workload[] = [];
  readonly execlists: Record<EngineId, VirtualExeclist> = { rcs: new VirtualExeclist(), bcs: new VirtualExeclist() };
  /**
   * GGTT address of each engine's hardware status page as the guest last set it through
   * RING_HWS_PGA (0: none; only 0 or a page inside this vGPU's GM is ever stored). The scanner
   * relocates Store Data Index writes into it; the virtual CSB is mirrored into it
   * (HWSP_EMULATION). Source: GVT-g gvt.h intel_vgpu.hws_pga[], handlers.c hws_pga_write.
   */
  readonly hwsPga: Record<EngineId, number> = { rcs: 0, bcs: 0 };
  readonly stats: VgpuStats = { workloads: 0, commands: 0, rejectedCommands: 0, droppedPtes: 0, gpuTimeNs: 0, mmioTraps: 0, resets: 0, hangs: 0 };
  /** The last reset or hang (see recordReset), or null. */
  lastReset: ResetRecord | null = null;
  /** PVINFO guest-writable fields by byte offset within the page. */
  readonly pvinfoWritten = new Map<number, number>();
  /**
   * The guest has read its PVINFO page, i.e. its driver knows it runs on a vGPU. Until then an
   * out-of-range fence access marks it a guest without GVT-g support (failsafe). Source: GVT-g
   * handlers.c pvinfo_mmio_read (vgpu->pv_notified), sanitize_fence_mmio_access.
   */
  pvNotified = false;
  /** Failsafe: the vGPU stopped executing the guest's work after a policy violation. */
  failsafe: string | null = null;
  /** GVT-g paravirtual state (pv_caps, shared page, refusals). */
  readonly pv: VgpuPv;
  /** The audit log (sysfs vm<domid>/log), numbered and time-stamped. */
  readonly audit = new AuditLog();
  /** Shadow PPGTTs when the vGPU offers VGT_CAPS_FULL_PPGTT (null: GGTT only, the cap reads clear). */
  ppgtt: PpgttShadow | null = null;
  private readonly printk: (line: string) => void;
  private readonly now: () => number;

  constructor(p: VgpuParams) {
    this.id = p.id;
    this.domid = p.domid;
    this.name = p.name;
    this.alloc = p.alloc;
    this.ram = p.ram;
    this.weight = p.weight;
    this.display = new VirtualDisplay(p.ports);
    this.maxResolution = p.maxResolution;
    this.printk = p.printk;
    this.pv = p.pv;
    this.now = p.now;
  }

  /** The audit log's lines, oldest first. */
  get log(): string[] {
    return this.audit.texts();
  }

  readonly maxResolution: { width: number; height: number };
  /** An EDID blob written to the VFIO EDID region while its link is down, not yet plugged. */
  edidBlob: Uint8Array | null = null;

  /** Virtual ports, GMBUS/AUX and hotplug state. */
  readonly display: VirtualDisplay;

  /** Has it workloads queued (SchedEntity: the scheduler picks only a busy vGPU)? */
  busy(): boolean {
    return this.queue.length > 0;
  }

  /** True when [gm, gm + bytes) lies inside this vGPU's aperture or high-GM range. */
  ownsGm(gm: number, bytes: number): boolean {
    return bytes >= 0 && (insideRange(this.alloc.lowGm, gm, bytes) || insideRange(this.alloc.highGm, gm, bytes));
  }

  /** Accesses to offsets outside the MMIO tracking table, by offset (emulated against vreg, logged). */
  readonly untrackedMmio = new Map<number, { reads: number; writes: number }>();

  /** Count an untracked access; the first one of each offset goes to the log. */
  untracked(offset: number, kind: 'read' | 'write'): void {
    let e = this.untrackedMmio.get(offset);
    if (!e) {
      if (this.untrackedMmio.size >= 4096) return; // bounded: a guest sweeping BAR0 cannot grow this forever
      e = { reads: 0, writes: 0 };
      this.untrackedMmio.set(offset, e);
      this.note(`MMIO: untracked ${kind} of 0x${offset.toString(16)}`);
    }
    if (kind === 'read') e.reads++;
    else e.writes++;
  }

  /** Append a line to the vGPU's audit log (bounded) and Dom0's kernel log, e.g. a dropped PTE or a rejected command. */
  note(message: string): void {
    this.printk(`gvt: vgpu ${this.id}: ${message}`);
    this.audit.push(this.now(), message);
  }

  /**
   * Its engines were reset: a hang the mediator recovered from (`hang`) or a reset its guest asked
   * for through GDRST (`reset`). Counted, kept as the last reset (the UI's badge), logged.
   */
  recordReset(kind: ResetRecord['kind'], reason: string): void {
    this.stats.resets++;
    if (kind === 'hang') this.stats.hangs++;
    this.lastReset = { kind, reason, atNs: this.now() };
    this.note(reason);
  }
}

/** True when [at, at + bytes) lies inside `r` (bytes ≥ 0). */
function insideRange(r: Range, at: number, bytes: number): boolean {
  return at >= r.base && at + bytes <= r.base + r.size;
}
