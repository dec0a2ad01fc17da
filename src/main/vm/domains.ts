/**
 * Domains with xl semantics: `xl create` gives a guest the next domid (counting up from 1 as
 * Xen's do), creates its vGPU (admission-controlled by the mediator) and boots it; `xl destroy`
 * stops the guest, frees its vGPU and keeps its config in the library. Domain-0 is always present.
 * Threads and the GPU thread are reached through the injected GpuBackend / GuestLauncher ports.
 */
import { ApiError, type DomainInfo } from '../../shared/api';
import { MiB } from '../../shared/platform';
import type { DomainSpec } from './domain-spec';
import { domainDisplay, type MonitorConfigReader } from './domain-ports';
import type { VirtualPort } from '../mediator/vdisplay';

export interface VgpuSummary {
  domid: number;
  lowGm: { base: number; size: number };
  highGm: { base: number; size: number };
  fenceBase: number;
  fenceCount: number;
  failsafe: string | null;
  stats: { workloads: number; rejectedCommands: number; droppedPtes: number; gpuTimeNs: number };
  untrackedMmio?: number;
}

/** What creating a vGPU takes: sizes in bytes, the VM's RAM and its trap mailbox. */
export interface VgpuRequest {
  domid: number;
  name: string;
  lowGmBytes: number;
  highGmBytes: number;
  fences: number;
  /** hvm_boot_foreground: take the display once the guest driver is ready. */
  bootForeground: boolean;
  /** Scheduler weight (GVT-g vGPU type weight). */
  weight: number;
  /** Virtual ports with their monitors, and the largest mode allowed. */
  ports: VirtualPort[];
  maxResolution: { width: number; height: number };
  ram: SharedArrayBuffer;
  mailbox: SharedArrayBuffer;
}

export interface GpuBackend {
  /** Throws ApiError('no_resources') when the GPU cannot fit the request. */
  createVgpu(req: VgpuRequest): Promise<VgpuSummary>;
  destroyVgpu(domid: number): Promise<void>;
  vgpus(): Promise<VgpuSummary[]>;
}

export interface GuestHandle {
  /** Ask the guest to stop; resolves when its thread has ended. */
  stop(): Promise<void>;
}

export interface GuestLaunch {
  spec: DomainSpec;
  domid: number;
  ram: SharedArrayBuffer;
  mailbox: SharedArrayBuffer;
  onSerial(text: string): void;
  onExit(reason: string | null): void;
}

export interface GuestLauncher {
  launch(l: GuestLaunch): GuestHandle;
  /** Bytes of trap mailbox the launcher's guests use. */
  mailboxBytes: number;
}

interface Running {
  spec: DomainSpec;
  domid: number;
  startedMs: number;
  serial: string;
  guest: GuestHandle;
  state: 'running' | 'crashed';
}

/** Serial log kept per domain (the newest bytes). */
const SERIAL_KEEP = 64 * 1024;

export interface DomainEvents {
  changed(): void;
  serial(domid: number, text: string): void;
}

export class Domains {
  private nextDomid = 1;
  private readonly running = new Map<number, Running>();
  private readonly startedAt = Date.now();

  constructor(
    private readonly gpu: GpuBackend,
    private readonly guests: GuestLauncher,
    private readonly events: DomainEvents,
    private readonly settings: () => { hvmBootForeground: boolean },
    /** Reads `vgt_monitor_config_file` through the host's file boundary. */
    private readonly readMonitorConfig: MonitorConfigReader,
  ) {}

  /** Domain by name or domid among running ones (Domain-0 included as domid 0). */
  resolve(ref: string | number): { domid: number; name: string } {
    if (ref === 0 || ref === '0' || ref === 'Domain-0') return { domid: 0, name: 'Domain-0' };
    for (const r of this.running.values()) {
      if (r.domid === Number(ref) || r.spec.name === ref) return { domid: r.domid, name: r.spec.name };
    }
    throw new ApiError('not_found', `no running domain '${ref}'`);
  }

  isRunning(name: string): boolean {
    return [...this.running.values()].some((r) => r.spec.name === name);
  }

  /** `xl create`: boot a domain from its spec. Throws ApiError('exists' | 'no_resources'). */
  create(spec: DomainSpec): Promise<number> {
    // One creation at a time: the name check, the domid and the vGPU admission must not interleave
    // across the awaits (two concurrent `xl create`s of one config, or racing domids).
    const next = this.creating.then(() => this.createNow(spec));
    this.creating = next.catch(() => undefined);
    return next;
  }

  private creating: Promise<unknown> = Promise.resolve();

  private async createNow(spec: DomainSpec): Promise<number> {
    if (spec.name === 'Domain-0' || this.isRunning(spec.name)) throw new ApiError('exists', `domain '${spec.name}' already exists`);
    const display = spec.vgt ? await domainDisplay(spec, this.readMonitorConfig) : null;
    const domid = this.nextDomid;
    const ram = new SharedArrayBuffer(spec.memoryMiB * MiB);
    const mailbox = new SharedArrayBuffer(this.guests.mailboxBytes);
    if (spec.vgt) {
      await this.gpu.createVgpu({
        domid,
        name: spec.name,
        lowGmBytes: spec.lowGmMiB * MiB,
        highGmBytes: spec.highGmMiB * MiB,
        fences: spec.fences,
        weight: spec.weight,
        ports: display!.ports,
        maxResolution: display!.maxResolution,
        bootForeground: this.settings().hvmBootForeground,
        ram,
        mailbox,
      });
    }
    this.nextDomid++;
    const entry: Running = { spec, domid, startedMs: Date.now(), serial: '', state: 'running', guest: undefined as unknown as GuestHandle };
    this.running.set(domid, entry);
    entry.guest = this.guests.launch({
      spec,
      domid,
      ram,
      mailbox,
      onSerial: (text) => {
        entry.serial = (entry.serial + text).slice(-SERIAL_KEEP);
        this.events.serial(domid, text);
      },
      onExit: (reason) => {
        if (reason && this.running.get(domid) === entry) {
          entry.state = 'crashed';
          const line = `\n[guest crashed: ${reason.split('\n')[0]}]\n`;
          entry.serial += line;
          this.events.serial(domid, line);
          this.events.changed();
        }
      },
    });
    for (const note of display?.notes ?? []) entry.serial += `[gvt-desk] ${note}\n`;
    this.events.changed();
    return domid;
  }

  /** `xl destroy`: stop the guest, free its vGPU. Throws ApiError('not_found' | 'invalid'). */
  async destroy(ref: string | number): Promise<number> {
    const { domid } = this.resolve(ref);
    if (domid === 0) throw new ApiError('invalid', 'Domain-0 cannot be destroyed');
    const r = this.running.get(domid)!;
    this.running.delete(domid);
    await r.guest.stop();
    if (r.spec.vgt) await this.gpu.destroyVgpu(domid);
    this.events.changed();
    return domid;
  }

  serial(domid: number): string {
    const r = this.running.get(domid);
    if (!r) throw new ApiError('not_found', `no running domain with id ${domid}`);
    return r.serial;
  }

  /** Domain-0 and the running domains, as xl list shows them (with vGPU details). */
  async list(): Promise<DomainInfo[]> {
    const vgpus = new Map((await this.gpu.vgpus()).map((v) => [v.domid, v]));
    const now = Date.now();
    const dom0: DomainInfo = { name: 'Domain-0', domid: 0, state: 'running', memoryMiB: 730, vcpus: 2, timeS: (now - this.startedAt) / 1000, vgpu: null, configErrors: [], workload: 'host console' };
    const guests = [...this.running.values()]
      .sort((a, b) => a.domid - b.domid)
      .map((r): DomainInfo => {
        const v = vgpus.get(r.domid);
        return {
          name: r.spec.name,
          domid: r.domid,
          state: r.state,
          memoryMiB: r.spec.memoryMiB,
          vcpus: r.spec.vcpus,
          timeS: (now - r.startedMs) / 1000,
          configErrors: [],
          workload: r.spec.workload,
          vgpu: v
            ? { lowGmBase: v.lowGm.base, lowGmSize: v.lowGm.size, highGmBase: v.highGm.base, highGmSize: v.highGm.size, fenceBase: v.fenceBase, fenceCount: v.fenceCount, droppedPtes: v.stats.droppedPtes, workloads: v.stats.workloads, rejectedCommands: v.stats.rejectedCommands, gpuTimeMs: v.stats.gpuTimeNs / 1e6, untrackedMmio: v.untrackedMmio ?? 0, failsafe: v.failsafe }
            : null,
        };
      });
    return [dom0, ...guests];
  }

  /** Stop everything (app shutdown). */
  async shutdown(): Promise<void> {
    await Promise.all([...this.running.keys()].map((d) => this.destroy(d).catch(() => undefined)));
  }
}
