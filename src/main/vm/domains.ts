/**
 * Domains with xl semantics: `xl create` gives a guest the next domid (counting up from 1 as
 * Xen's do), creates its vGPU (admission-controlled by the mediator) and boots it; `xl destroy`
 * stops the guest, frees its vGPU and keeps its config in the library. `xl pause`/`unpause` stop
 * and resume the vCPU; `xl shutdown`/`reboot` ask the guest, which powers off (the domain goes
 * away) or reboots (xl destroys it and creates it again from the same config: a new domid, the
 * serial log carried on). Domain-0 is always present.
 * Threads and the GPU thread are reached through the injected GpuBackend / GuestLauncher ports;
 * the vCPU's pause/shutdown flags and input queue are shared memory this layer writes directly.
 */
import { dirtyLogBytes } from '../../shared/dirty-log';
import { type WasmMemory, allocateGuestRam } from '../gpu/ram-ops';
import { ApiError, type DomainInfo, type InputEventRequest } from '../../shared/api';
import { INPUT_QUEUE_BYTES, InputQueue } from '../../shared/input-queue';
import { MiB } from '../../shared/platform';
import { MB_HALTED, MB_PAUSE, MB_SHUTDOWN, SHUTDOWN_POWEROFF, SHUTDOWN_REBOOT, wakeVcpu } from '../../shared/trap-mailbox';
import { HeldKeys, queueInput } from './guest-input';
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
  /** The WasmMemory `ram` is the buffer of (gpu/ram-ops.ts allocateGuestRam), or null: native-speed blits. */
  ramMemory: WasmMemory | null;
  /** The RAM's dirty page log (shared/dirty-log.ts): the blitter and the guest's CPU drawing log there. */
  dirty: SharedArrayBuffer;
  mailbox: SharedArrayBuffer;
}

export interface GpuBackend {
  /** Throws ApiError('no_resources') when the GPU cannot fit the request. */
  createVgpu(req: VgpuRequest): Promise<VgpuSummary>;
  destroyVgpu(domid: number): Promise<void>;
  vgpus(): Promise<VgpuSummary[]>;
}

export interface GuestHandle {
  /** Stop the guest wherever it is (xl destroy); resolves when its thread has ended. */
  stop(): Promise<void>;
}

/** How a guest ended by itself: powered off, rebooted, or crashed (with the reason). */
export type GuestEnd = { kind: 'poweroff' | 'reboot' } | { kind: 'crash'; message: string };

export interface GuestLaunch {
  spec: DomainSpec;
  domid: number;
  ram: SharedArrayBuffer;
  dirty: SharedArrayBuffer;
  mailbox: SharedArrayBuffer;
  /** The input queue (INPUT_QUEUE_BYTES): keyboard, tablet and serial bytes for the guest. */
  input: SharedArrayBuffer;
  onSerial(text: string): void;
  onExit(end: GuestEnd): void;
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
  /** The newest serial output (SERIAL_KEEP chars) and the offset of its first char in the whole log. */
  serial: string;
  serialBase: number;
  guest: GuestHandle;
  state: 'running' | 'paused' | 'shutdown' | 'crashed';
  mailbox: Int32Array;
  input: InputQueue;
  held: HeldKeys;
  /** The shutdown or reboot asked of the guest, until it acts. */
  request: 'poweroff' | 'reboot' | null;
  /** Settled when the guest's run ends (powered off, rebooted into newDomid, or destroyed). */
  ended: Promise<{ newDomid: number | null }>;
  end(result: { newDomid: number | null }): void;
}

/** How long `xl shutdown -w` / `xl reboot` wait for the guest by default, s. */
export const SHUTDOWN_TIMEOUT_S = 10;

/** Serial log kept per domain (the newest bytes). */
const SERIAL_KEEP = 64 * 1024;

export interface DomainEvents {
  changed(): void;
  serial(domid: number, text: string): void;
}

/** Serial text kept from one boot to the next when a domain reboots. */
const rebootDivider = '\n[gvt-desk] domain rebooted: new domid, same config\n';

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
  create(spec: DomainSpec, carriedSerial = ''): Promise<number> {
    // One creation at a time: the name check, the domid and the vGPU admission must not interleave
    // across the awaits (two concurrent `xl create`s of one config, or racing domids).
    const next = this.creating.then(() => this.createNow(spec, carriedSerial));
    this.creating = next.catch(() => undefined);
    return next;
  }

  private creating: Promise<unknown> = Promise.resolve();

  private async createNow(spec: DomainSpec, carriedSerial = ''): Promise<number> {
    if (spec.name === 'Domain-0' || this.isRunning(spec.name)) throw new ApiError('exists', `domain '${spec.name}' already exists`);
    const display = spec.vgt ? await domainDisplay(spec, this.readMonitorConfig) : null;
    const domid = this.nextDomid;
    const { buffer: ram, memory: ramMemory } = allocateGuestRam(spec.memoryMiB * MiB);
    const dirty = new SharedArrayBuffer(dirtyLogBytes(ram.byteLength));
    const mailbox = new SharedArrayBuffer(this.guests.mailboxBytes);
    const input = new SharedArrayBuffer(INPUT_QUEUE_BYTES);
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
        ramMemory,
        dirty,
        mailbox,
      });
    }
    this.nextDomid++;
    let end!: Running['end'];
    const ended = new Promise<{ newDomid: number | null }>((resolve) => (end = resolve));
    const entry: Running = {
      spec,
      domid,
      startedMs: Date.now(),
      serial: carriedSerial,
      serialBase: 0,
      state: 'running',
      guest: undefined as unknown as GuestHandle,
      mailbox: new Int32Array(mailbox),
      input: new InputQueue(input),
      held: new HeldKeys(),
      request: null,
      ended,
      end,
    };
    this.running.set(domid, entry);
    entry.guest = this.guests.launch({
      spec,
      domid,
      ram,
      dirty,
      mailbox,
      input,
      onSerial: (text) => {
        this.appendSerial(entry, text);
        this.events.serial(domid, text);
      },
      onExit: (e) => void this.guestEnded(entry, e),
    });
    for (const note of display?.notes ?? []) this.appendSerial(entry, `[gvt-desk] ${note}\n`);
    this.events.changed();
    return domid;
  }

  /** `xl destroy`: stop the guest, free its vGPU. Throws ApiError('not_found' | 'invalid'). */
  async destroy(ref: string | number): Promise<number> {
    const r = this.guest(ref, 'destroyed');
    await this.teardown(r);
    r.end({ newDomid: null });
    this.events.changed();
    return r.domid;
  }

  /** Remove a domain: its thread stopped, its vGPU freed. */
  private async teardown(r: Running): Promise<void> {
    if (this.running.get(r.domid) !== r) return;
    this.running.delete(r.domid);
    await r.guest.stop();
    if (r.spec.vgt) await this.gpu.destroyVgpu(r.domid);
  }

  /** A running guest by name or domid; Domain-0 is refused (`what` it cannot be). */
  private guest(ref: string | number, what: string): Running {
    const { domid } = this.resolve(ref);
    if (domid === 0) throw new ApiError('invalid', `Domain-0 cannot be ${what}`);
    return this.running.get(domid)!;
  }

  /** Refuse an operation unless the domain is in one of `allowed` states, naming the state. */
  private expectState(r: Running, allowed: Running['state'][], action: string): void {
    if (allowed.includes(r.state)) return;
    const why: Record<Running['state'], string> = {
      running: 'is running',
      paused: `is paused (xl unpause ${r.spec.name} first)`,
      shutdown: 'is shutting down',
      crashed: `has crashed (xl destroy ${r.spec.name} to remove it)`,
    };
    throw new ApiError('state', `cannot ${action} domain '${r.spec.name}' (domid ${r.domid}): it ${why[r.state]}`);
  }

  /** `xl pause`: the vCPU stops at its next instruction boundary; no workload runs, no frame changes. */
  pause(ref: string | number): number {
    const r = this.guest(ref, 'paused');
    this.expectState(r, ['running'], 'pause');
    r.state = 'paused';
    Atomics.store(r.mailbox, MB_PAUSE, 1);
    this.events.changed();
    return r.domid;
  }

  /** `xl unpause`. */
  unpause(ref: string | number): number {
    const r = this.guest(ref, 'unpaused');
    this.expectState(r, ['paused'], 'unpause');
    r.state = 'running';
    Atomics.store(r.mailbox, MB_PAUSE, 0);
    wakeVcpu(r.mailbox);
    this.events.changed();
    return r.domid;
  }

  /**
   * `xl shutdown` / `xl reboot`: write the request the guest's OS watches (Xen's control/shutdown)
   * and raise an interrupt. With `timeoutS`, wait until the guest has acted: resolves with the
   * rebooted domain's domid (null after a power-off); ApiError('timeout') if it does not act in
   * time (the request stays pending, as xl's does). Without, resolve at once.
   */
  async requestShutdown(ref: string | number, kind: 'poweroff' | 'reboot', timeoutS: number | null): Promise<{ domid: number; newDomid: number | null }> {
    const r = this.guest(ref, kind === 'reboot' ? 'rebooted' : 'shut down');
    this.expectState(r, ['running'], kind === 'reboot' ? 'reboot' : 'shut down');
    if (r.request && r.request !== kind) throw new ApiError('busy', `domain '${r.spec.name}' already has a ${r.request} request pending`);
    r.request = kind;
    Atomics.store(r.mailbox, MB_SHUTDOWN, kind === 'reboot' ? SHUTDOWN_REBOOT : SHUTDOWN_POWEROFF);
    wakeVcpu(r.mailbox);
    this.events.changed();
    if (timeoutS === null) return { domid: r.domid, newDomid: null };
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ApiError('timeout', `domain '${r.spec.name}' (domid ${r.domid}) did not ${kind === 'reboot' ? 'reboot' : 'shut down'} within ${timeoutS} s: the guest has not acted on the request. Destroy it to stop it now (xl destroy ${r.spec.name}).`)), timeoutS * 1000);
    });
    try {
      const { newDomid } = await Promise.race([r.ended, timeout]);
      return { domid: r.domid, newDomid };
    } finally {
      clearTimeout(timer);
    }
  }

  /** The guest's thread ended by itself: power-off removes the domain, reboot creates it again. */
  private async guestEnded(r: Running, e: GuestEnd): Promise<void> {
    if (this.running.get(r.domid) !== r) return;
    if (e.kind === 'crash') {
      r.state = 'crashed';
      const line = `\n[guest crashed: ${e.message.split('\n')[0]}]\n`;
      this.appendSerial(r, line);
      this.events.serial(r.domid, line);
      this.events.changed();
      return;
    }
    r.state = 'shutdown';
    this.events.changed();
    await this.teardown(r);
    let newDomid: number | null = null;
    if (e.kind === 'reboot') {
      newDomid = await this.create(r.spec, r.serial + rebootDivider).catch((err: unknown) => {
        this.events.serial(r.domid, `\n[gvt-desk] reboot failed: ${err instanceof Error ? err.message : String(err)}\n`);
        return null;
      });
    }
    r.end({ newDomid });
    this.events.changed();
  }

  /**
   * Keyboard and pointer input for a running domain (translated with its keymap). Throws
   * ApiError('state') when it is not running, ApiError('invalid') for an unknown key.
   */
  input(ref: string | number, events: readonly InputEventRequest[]): { queued: number; dropped: number } {
    const r = this.guest(ref, 'given input');
    this.expectState(r, ['running'], 'send input to');
    const result = queueInput(r.input, r.spec.keymap, r.held, events);
    wakeVcpu(r.mailbox);
    return result;
  }

  /** Bytes typed on the domain's serial line; returns how many the UART FIFO took. */
  serialInput(ref: string | number, text: string): number {
    const r = this.guest(ref, 'given serial input');
    this.expectState(r, ['running'], 'type into');
    const accepted = r.input.serialWrite(new TextEncoder().encode(text));
    wakeVcpu(r.mailbox);
    return accepted;
  }

  /**
   * Run one command on the guest's serial shell: type it with Enter, collect the serial output
   * until the shell's prompt comes back, and return what came between the echoed line and the
   * prompt. ApiError('timeout') if the prompt does not come back in `timeoutS`.
   */
  async serialExec(ref: string | number, command: string, timeoutS: number, subscribe: (domid: number, on: (text: string) => void) => () => void): Promise<string> {
    const r = this.guest(ref, 'given serial input');
    this.expectState(r, ['running'], 'run a command on');
    const prompt = `root@${r.spec.name}:~# `;
    let seen = '';
    let unsubscribe = (): void => undefined;
    try {
      return await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new ApiError('timeout', `no shell prompt from '${r.spec.name}' within ${timeoutS} s after '${command}'`)), timeoutS * 1000);
        unsubscribe = subscribe(r.domid, (text) => {
          seen += text;
          const start = seen.indexOf(command + '\n');
          const end = start < 0 ? -1 : seen.indexOf(prompt, start);
          if (end < 0) return;
          clearTimeout(timer);
          resolve(seen.slice(start + command.length + 1, end));
        });
        // Ctrl+U first: whatever a user left half-typed on the line is discarded.
        this.serialInput(r.domid, `\x15${command}\r`);
      });
    } finally {
      unsubscribe();
    }
  }

  private appendSerial(r: Running, text: string): void {
    const all = r.serial + text;
    const drop = Math.max(0, all.length - SERIAL_KEEP);
    r.serial = all.slice(drop);
    r.serialBase += drop;
  }

  /**
   * The serial log from offset `since` (chars since the domain started; default: all that is
   * kept), and the offset to ask from next time. Older output than the kept SERIAL_KEEP chars is gone.
   */
  serial(domid: number, since?: number): { text: string; next: number } {
    const r = this.running.get(domid);
    if (!r) throw new ApiError('not_found', `no running domain with id ${domid}`);
    const next = r.serialBase + r.serial.length;
    const from = since === undefined ? 0 : Math.max(0, Math.min(r.serial.length, since - r.serialBase));
    return { text: r.serial.slice(from), next };
  }

  /** Domain-0 and the running domains, as xl list shows them (with vGPU details). */
  async list(): Promise<DomainInfo[]> {
    const vgpus = new Map((await this.gpu.vgpus()).map((v) => [v.domid, v]));
    const now = Date.now();
    const dom0: DomainInfo = { name: 'Domain-0', domid: 0, state: 'running', xlState: 'r-----', shutdownRequest: null, memoryMiB: 730, vcpus: 2, timeS: (now - this.startedAt) / 1000, vgpu: null, configErrors: [], workload: 'host console' };
    const guests = [...this.running.values()]
      .sort((a, b) => a.domid - b.domid)
      .map((r): DomainInfo => {
        const v = vgpus.get(r.domid);
        return {
          name: r.spec.name,
          domid: r.domid,
          state: r.state,
          xlState: xlStateOf(r),
          shutdownRequest: r.request,
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

/** xl list's State column (six flags: r b p s c d; one set). Source: xl_list.c list_domains. */
function xlStateOf(r: Running): string {
  const flags = ['-', '-', '-', '-', '-', '-'];
  if (r.state === 'paused') flags[2] = 'p';
  else if (r.state === 'shutdown') flags[3] = 's';
  else if (r.state === 'crashed') flags[4] = 'c';
  else if (Atomics.load(r.mailbox, MB_HALTED)) flags[1] = 'b';
  else flags[0] = 'r';
  return flags.join('');
}
