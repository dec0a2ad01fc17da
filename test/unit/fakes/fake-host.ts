/**
 * An in-memory HostApi for transport tests: validates params with the real schemas, keeps a few
 * domains, records calls, and lets a test push events and frames or make a method fail.
 */
import { ApiError, PHYSICAL_SOURCE, encodeFrame, methods, type DomainInfo, type EventName, type Events, type MethodName, type PortInfo, type Settings } from '../../../src/shared/api';
import type { CallContext, HostApi, SnapshotRegion } from '../../../src/main/host/host-api';
import { parseSourceName } from '../../../src/shared/heads';
import { FrameInterests } from '../../../src/main/host/frame-interest';

/** A source's whole picture as the fake host holds it: width x height RGBA. */
export interface FakeFrame {
  width: number;
  height: number;
  rgba: Uint8Array;
}

export interface FakeHost extends HostApi {
  /** Every call that passed validation, in order. */
  readonly calls: { method: string; params: unknown }[];
  domains: DomainInfo[];
  foreground: number;
  /** Current pictures by source (domid or 'physical'); absent means no frame. */
  snapshots: Map<number | 'physical', FakeFrame>;
  /** console.exec answers by exact line; unknown lines exit 1. */
  consoleAnswers: Map<string, { output: string; exitCode: number }>;
  sysfs: Map<string, string>;
  /** Sources asked for with snapshotFrame, in order. */
  readonly snapshotCalls: (number | 'physical')[];
  /** The regions asked for with each snapshotFrame call (null: the whole frame); the fake always answers with the whole snapshot. */
  readonly snapshotRegions: (readonly SnapshotRegion[] | null)[];
  /** Make the next call of `method` (or of 'snapshotFrame') throw this value. */
  failNext(method: string, err: unknown): void;
  emit<E extends EventName>(event: E, data: Events[E]): void;
  emitFrame(message: Uint8Array): void;
  /** Number of live event + frame subscriptions (to check transports unsubscribe). */
  listenerCount(): number;
  closed: boolean;
  settings: Settings;
  portsByDomid: Map<number, PortInfo[]>;
  /** domain.serial's log (grows a line per call) and what domain.serialInput received. */
  serialLog: string[];
  serialTyped: string[];
  /** What the compositor would compose, as host.ts computes it: each change of the live clients' union of watched sources (null: all). */
  readonly composed: (number[] | null)[];
}

export function domain(name: string, domid: number | null, state: DomainInfo['state'] = domid === null ? 'stopped' : 'running'): DomainInfo {
  const xlState = { running: 'r-----', paused: '--p---', shutdown: '---s--', crashed: '----c-', stopped: '' }[state];
  return { name, domid, state, xlState, shutdownRequest: null, memoryMiB: 512, vcpus: 1, timeS: 0, vgpu: null, configErrors: [], workload: 'desktop' };
}

export function createFakeHost(init: Partial<Pick<FakeHost, 'domains' | 'foreground'>> = {}): FakeHost {
  const handlers = new Map<EventName, Set<(data: never) => void>>();
  const frameHandlers = new Set<(m: Uint8Array) => void>();
  const failures = new Map<string, unknown>();
  const composed: (number[] | null)[] = [];
  const interests = new FrameInterests((sources) => composed.push(sources));

  const host: FakeHost = {
    calls: [],
    domains: init.domains ?? [domain('Domain-0', 0), domain('vm1', 1), domain('stopped-vm', null)],
    foreground: init.foreground ?? 0,
    snapshots: new Map(),
    snapshotCalls: [],
    snapshotRegions: [],
    composed,
    consoleAnswers: new Map(),
    sysfs: new Map([['/sys/kernel/vgt/control/foreground_vm', '0']]),
    closed: false,
    settings: { hvmBootForeground: true, apertureMiB: 512 },
    portsByDomid: new Map(),
    serialLog: [],
    serialTyped: [],

    async call(method: string, params: unknown, context: CallContext = {}): Promise<unknown> {
      if (!Object.hasOwn(methods, method)) throw new ApiError('invalid', `unknown method '${method}'`);
      const parsed = methods[method as MethodName].safeParse(params);
      if (!parsed.success) throw new ApiError('invalid', `${method}: ${parsed.error.issues[0]?.message ?? 'bad params'}`);
      host.calls.push({ method, params: parsed.data });
      if (failures.has(method)) {
        const err = failures.get(method);
        failures.delete(method);
        throw err;
      }
      const p = parsed.data as Record<string, unknown>;
      switch (method as MethodName) {
        case 'domains.list':
          return host.domains;
        case 'display.setForeground': {
          const domid = p.domid as number;
          if (!host.domains.some((d) => d.domid === domid)) throw new ApiError('not_found', `no domain with domid ${domid}`);
          host.foreground = domid;
          host.emit('display', { foreground: domid });
          return { foreground: domid };
        }
        case 'gpu.info':
          return { apertureBytes: 0, totalGmBytes: 0, fences: 32, freeLowGmBytes: 0, freeHighGmBytes: 0, freeFences: 0, liveVgpus: 1, foreground: host.foreground };
        case 'console.exec': {
          const answer = host.consoleAnswers.get(p.line as string);
          return answer ?? { output: `${String(p.line).split(' ')[0]}: command not found\n`, exitCode: 1 };
        }
        case 'sysfs.read': {
          const value = host.sysfs.get(p.path as string);
          if (value === undefined) throw new ApiError('not_found', `${String(p.path)}: No such file or directory`);
          return { value };
        }
        case 'sysfs.write':
          if (!host.sysfs.has(p.path as string)) throw new ApiError('not_found', `${String(p.path)}: No such file or directory`);
          host.sysfs.set(p.path as string, p.value as string);
          return { ok: true };
        case 'frame.resync': {
          // As host.ts: the picture goes to the connection's frame stream.
          if (!context.frames) throw new ApiError('invalid', 'frame.resync: this connection carries no frames');
          return context.frames.resync(parseSourceName(p.source as number | string));
        }
        case 'frame.watch':
          if (!context.frames) throw new ApiError('invalid', 'frame.watch: this connection carries no frames');
          return context.frames.watch((p.sources as (number | string)[]).map(parseSourceName));
        case 'library.import':
          return { name: String(p.fileName).replace(/\.[^.]*$/, '') };
        case 'library.importCopy':
          return { name: `${String(p.fileName).replace(/\.[^.]*$/, '')}-2`, changed: [] };
        case 'domain.export': {
          // A stand-in text; the real exports are tested in test/unit/vm/export.
          const name = p.name as string;
          if (name === 'Domain-0' || !host.domains.some((d) => d.name === name)) throw new ApiError('not_found', `no domain named '${name}' in the library`);
          return { text: `${String(p.format)} export of ${name}\n`, suggestedName: `${name}.${String(p.format)}` };
        }
        case 'ports.list':
          return host.portsByDomid.get(p.domid as number) ?? [];
        case 'ports.hotplug':
          return host.portsByDomid.get(p.domid as number) ?? [];
        case 'domain.input':
          return { queued: (p.events as unknown[]).length, dropped: 0 };
        case 'domain.serial': {
          // A log that grows by one line per call, to test polling with since.
          const log = host.serialLog;
          log.push(`line ${log.length}\n`);
          const text = log.join('');
          return { text: text.slice((p.since as number | undefined) ?? 0), next: text.length };
        }
        case 'domain.serialInput':
          host.serialTyped.push(p.text as string);
          return { accepted: (p.text as string).length };
        case 'domain.serialExec':
          return { output: `ran ${String(p.command)}\n` };
        case 'settings.get':
          return { ...host.settings };
        case 'settings.set':
          Object.assign(host.settings, p);
          return { ...host.settings };
        default:
          throw new ApiError('invalid', `${method} is not implemented by the fake host`);
      }
    },

    on<E extends EventName>(event: E, handler: (data: Events[E]) => void): () => void {
      let set = handlers.get(event);
      if (!set) handlers.set(event, (set = new Set()));
      set.add(handler as (data: never) => void);
      return () => set.delete(handler as (data: never) => void);
    },

    onFrame(handler: (message: Uint8Array) => void): () => void {
      frameHandlers.add(handler);
      return () => frameHandlers.delete(handler);
    },

    frameInterest: () => interests.add(),

    async close(): Promise<void> {
      host.closed = true;
    },

    async snapshotFrame(source: number | 'physical', regions?: readonly SnapshotRegion[] | null): Promise<Uint8Array[]> {
      host.snapshotCalls.push(source);
      host.snapshotRegions.push(regions ?? null);
      if (failures.has('snapshotFrame')) {
        const err = failures.get('snapshotFrame');
        failures.delete('snapshotFrame');
        throw err;
      }
      const snap = host.snapshots.get(source);
      if (!snap) return [];
      return [encodeFrame({ source: source === 'physical' ? PHYSICAL_SOURCE : source, width: snap.width, height: snap.height, x: 0, y: 0, w: snap.width, h: snap.height, seq: 0 }, snap.rgba)];
    },
    failNext(method: string, err: unknown): void {
      failures.set(method, err);
    },

    emit<E extends EventName>(event: E, data: Events[E]): void {
      for (const h of handlers.get(event) ?? []) (h as (d: Events[E]) => void)(data);
    },

    emitFrame(message: Uint8Array): void {
      for (const h of frameHandlers) h(message);
    },

    listenerCount(): number {
      let n = frameHandlers.size;
      for (const set of handlers.values()) n += set.size;
      return n;
    },
  };
  return host;
}
