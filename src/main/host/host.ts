/**
 * The host: wires the GPU thread, the domains, the library and the Dom0 console behind one API.
 * Every request is validated against the zod schemas of src/shared/api.ts before it reaches the
 * core; refusals are ApiError with a code and a message that says what and why.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { parseSourceName } from '../../shared/heads';
import { defaultPhysicalMonitors } from '../mediator/physical-heads';
import { availableParallelism, cpus, hostname, totalmem } from 'node:os';
import { join } from 'node:path';
import { ApiError, PHYSICAL_SOURCE, type DomainInfo, type EventName, type Events, type MethodName, type Params, type Results, methods } from '../../shared/api';
import { formatFinding } from '../vm/xlcfg';
import { Domains, SHUTDOWN_TIMEOUT_S, type GpuBackend, type VgpuSummary } from '../vm/domains';
import { Library } from '../vm/library';
import { exportDomain } from '../vm/export';
import { checkConfigText } from '../vm/config-check';
import { checkNewVmForm, describeProblems, libraryMonitorConfig } from '../vm/new-vm';
import { startShortfall, vgpuShortfall } from '../vm/start-check';
import { Dom0Console } from './dom0/console';
import { dataDirMount } from './dom0/data-dir';
import { expandTabs, formatXlList } from './dom0/xl-list';
import { FrameInterests } from './frame-interest';
import { GpuClient } from './gpu-client';
import { WorkerGuestLauncher } from './guest-launcher';
import type { CallContext, HostApi, HostOptions, SnapshotRegion } from './host-api';
import { SettingsStore } from './settings';
import { LAYOUT_FILE, LayoutStore } from './layout-store';
import { edidFromHex, readMonitorConfigFile, writeMonitorConfigFile } from './monitor-files';
import { FileBoundary, GRANTS_FILE } from '../files/boundary';
import { FILE_LIMITS, removeStaleTempFiles } from '../files/checked-io';
import { fileApiError } from './file-api-error';

type Handlers = { [M in MethodName]: (p: Params<M>, context: CallContext) => Promise<Results[M]> | Results[M] };

/** Where the monitor editor keeps monitor.config files by default: `<dataDir>/monitors`. */
export const MONITORS_DIR = 'monitors';

/**
 * Start the host: the GPU thread (with the aperture size from the settings), the library in
 * `<dataDir>/domains`, the settings, the file boundary and the API dispatcher. Temp files that
 * killed atomic writes left in the data dir are removed first. Resolves once the GPU thread is
 * ready; rejects if it cannot start (e.g. the worker files are missing from `workerDir`).
 */
export async function createHost(options: HostOptions): Promise<HostApi> {
  mkdirSync(join(options.dataDir, MONITORS_DIR), { recursive: true, mode: 0o700 });
  const files = new FileBoundary(options.dataDir);
  const monitorsDir = join(files.dataDir, MONITORS_DIR);
  removeStaleTempFiles(files.dataDir, (t) => t === 'settings.json' || t === LAYOUT_FILE || t === GRANTS_FILE || t.endsWith('.config'));
  removeStaleTempFiles(monitorsDir, (t) => t.endsWith('.config'));
  const listeners = new Map<string, Set<(d: unknown) => void>>();
  const frameListeners = new Set<(m: Uint8Array) => void>();
  const emit = <E extends EventName>(event: E, data: Events[E]): void => listeners.get(event)?.forEach((h) => h(data));
  function on<E extends EventName>(event: E, handler: (data: Events[E]) => void): () => void {
    const set = listeners.get(event) ?? new Set();
    listeners.set(event, set);
    set.add(handler as (d: unknown) => void);
    return () => set.delete(handler as (d: unknown) => void);
  }

  const settings = new SettingsStore(options.dataDir);
  const layout = new LayoutStore(options.dataDir);
  const gpu = new GpuClient(options.workerDir, {
    frame: (m) => frameListeners.forEach((h) => h(m)),
    failsafe: (domid, reason) => {
      emit('serial', { domid, text: `\n[vGPU failsafe: ${reason}]\n` });
      void publishDomains();
    },
    foreground: (domid) => emit('display', { foreground: domid }),
    ports: (domid, ports) => emit('ports', { domid, ports }),
  }, settings.get().apertureMiB);
  await gpu.ready();
  // What the compositor composes: the sources some live frame client watches (frame.watch).
  const interests = new FrameInterests((sources) => gpu.watchSources(sources));
  // The emulated GPU's own monitors: the seeds' ASUS PA238 on physical PORT_B, a 1280x1024 on PORT_D.
  await gpu.call('physicalPorts', { ports: defaultPhysicalMonitors() });

  const backend: GpuBackend = {
    createVgpu: (req) => gpu.call('createVgpu', req),
    destroyVgpu: async (domid) => void (await gpu.call('destroyVgpu', { domid })),
    vgpus: async (): Promise<VgpuSummary[]> => (await gpu.call('status', {})).vgpus,
  };
  const library = new Library(join(options.dataDir, 'domains'));
  const domains = new Domains(
    backend,
    new WorkerGuestLauncher(options.workerDir, () => gpu.doorbell!),
    {
      changed: () => void publishDomains(),
      serial: (domid, text) => emit('serial', { domid, text }),
    },
    () => settings.get(),
    async (path) => (await files.read(path, FILE_LIMITS.monitorConfig, 'monitor.config')).bytes,
  );

  async function listAll(): Promise<DomainInfo[]> {
    const [live, status] = await Promise.all([domains.list(), gpu.call('status', {})]);
    const stopped = library
      .list()
      .filter((e) => !domains.isRunning(e.name))
      .map(
        (e): DomainInfo => ({
          name: e.name,
          domid: null,
          state: 'stopped',
          xlState: '',
          shutdownRequest: null,
          memoryMiB: e.spec?.memoryMiB ?? 0,
          vcpus: e.spec?.vcpus ?? 0,
          timeS: 0,
          vgpu: null,
          configErrors: e.findings.filter((f) => f.severity === 'error').map(formatFinding),
          workload: e.spec?.workload ?? '',
          startBlocked: e.spec ? startShortfall(e.spec, status.free) : null,
        }),
      );
    return [...live, ...stopped];
  }

  /** A replace (or anything else that rewrites a config) of a running domain is refused: the running domain was created from the old one. */
  const refuseRunning = (what: string) => (name: string): void => {
    if (domains.isRunning(name)) throw new ApiError('busy', `domain '${name}' is running: cannot ${what} its config; destroy or shut it down first (or import it as a copy)`);
  };

  /** Where a New VM's library monitor goes: `<monitors>/<name>.config`, or `<name>-2.config`, … when taken (another domain may name it). */
  function freeMonitorPath(name: string): string {
    for (let n = 1; ; n++) {
      const path = join(monitorsDir, `${name}${n === 1 ? '' : `-${n}`}.config`);
      if (!existsSync(path)) return path;
    }
  }

  async function publishDomains(): Promise<void> {
    const list = await listAll();
    emit('domains', list);
    await gpu.call('hostConsole', { lines: ['# xl list', ...expandTabs(formatXlList(list)).trimEnd().split('\n')] });
  }

  const snapshotFrame = (source: number | 'physical', regions?: readonly SnapshotRegion[] | null): Promise<Uint8Array[]> => gpu.snapshotFrame(source === 'physical' ? PHYSICAL_SOURCE : source, regions ?? null);

  // The console goes through the same validation (and size limits) as every transport.
  const call = <M extends MethodName>(method: M, params: Params<M>): Promise<Results[M]> => dispatch(method, params) as Promise<Results[M]>;
  const dom0 = new Dom0Console({
    call,
    sysfsList: async (path) => (await gpu.call('sysfsList', { path })).entries,
    // A path typed in the console is the local user's own authority: no data-dir rule, but
    // canonicalised, regular files only, bounded.
    readConfig: async (path) => (await files.read(path, FILE_LIMITS.config, 'config file', 'user')).bytes,
    dataDir: dataDirMount(files),
    dmesg: async () => (await gpu.call('dmesg', {})).lines,
    machine: { hostname: hostname(), cpus: availableParallelism(), cpuMhz: cpus()[0]?.speed ?? 0, totalMemoryMiB: Math.floor(totalmem() / 2 ** 20) },
  });

  /**
   * The file name of a library entry's config; `NAME.cfg` for one not (or no longer) in the
   * library. Remembered per name (library.get parses the whole stored file, and library.check runs
   * at every pause in typing); forgotten whenever this host changes the library.
   */
  const fileNames = new Map<string, string>();
  const libraryFileName = (name: string): string => {
    let fileName = fileNames.get(name);
    if (fileName === undefined) {
      try {
        fileName = library.get(name).fileName;
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 'not_found')) throw err;
        return `${name}.cfg`;
      }
      fileNames.set(name, fileName);
    }
    return fileName;
  };

  const handlers: Handlers = {
    'domains.list': () => listAll(),
    'library.import': ({ fileName, text, replace }) => {
      fileNames.clear();
      const e = library.import(fileName, text, { replace, beforeReplace: refuseRunning('replace') });
      void publishDomains();
      return { name: e.name };
    },
    'library.importCopy': ({ fileName, text }) => {
      fileNames.clear();
      const e = library.import(fileName, text, { copy: true });
      void publishDomains();
      return { name: e.name, changed: e.changed ?? [] };
    },
    'library.clone': ({ name, newName }) => {
      fileNames.clear();
      const e = library.clone(name, newName);
      void publishDomains();
      return { name: e.name, changed: e.changed };
    },
    'library.freeName': ({ name, suffix }) => ({ name: library.freeName(name, suffix) }),
    'library.create': async ({ form, dryRun }) => {
      const monitorPath = form.display.kind === 'library' ? freeMonitorPath(form.name) : null;
      const { text, problems } = checkNewVmForm(form, (n) => library.taken(n), monitorPath);
      if (dryRun) return { name: form.name, text, problems };
      if (problems.length > 0) throw new ApiError('config', `${form.name} not created:\n${describeProblems(problems)}`);
      if (form.display.kind === 'library' && monitorPath !== null) await writeMonitorConfigFile(files, monitorPath, libraryMonitorConfig(form.display.monitor));
      fileNames.clear();
      library.create(form.name, text);
      void publishDomains();
      return { name: form.name, text, problems };
    },
    'library.get': ({ name }) => {
      const e = library.get(name);
      return { name: e.name, fileName: e.fileName, text: e.text };
    },
    'library.save': ({ name, text }) => {
      fileNames.clear();
      const e = library.save(name, text);
      void publishDomains();
      return { name: e.name };
    },
    'domain.export': ({ name, format }) => exportDomain(library, name, format),
    'library.check': ({ text, name }) => {
      // A library entry's own file name, so the lines match what `xl create NAME` prints.
      const fileName = name === undefined ? 'config' : libraryFileName(name);
      return { fileName, diagnostics: checkConfigText(text, fileName, name) };
    },
    'library.remove': ({ name }) => {
      fileNames.clear();
      if (domains.isRunning(name)) throw new ApiError('busy', `domain '${name}' is running; destroy it first`);
      library.remove(name);
      void publishDomains();
      return { name };
    },
    'domain.start': async ({ name }) => {
      const e = library.get(name);
      if (!e.spec) throw new ApiError('config', `${name} cannot start:\n${e.findings.filter((f) => f.severity === 'error').map(formatFinding).join('\n')}`);
      return { domid: await domains.create(e.spec) };
    },
    'domain.destroy': async ({ ref }) => ({ domid: await domains.destroy(ref) }),
    'domain.pause': ({ ref }) => ({ domid: domains.pause(ref) }),
    'domain.unpause': ({ ref }) => ({ domid: domains.unpause(ref) }),
    'domain.shutdown': async ({ ref, wait, timeoutS }) => ({ domid: (await domains.requestShutdown(ref, 'poweroff', wait ? (timeoutS ?? SHUTDOWN_TIMEOUT_S) : null)).domid }),
    'domain.reboot': ({ ref, wait, timeoutS }) => domains.requestShutdown(ref, 'reboot', wait ? (timeoutS ?? SHUTDOWN_TIMEOUT_S) : null),
    'domain.serialInput': ({ ref, text }) => ({ accepted: domains.serialInput(ref, text) }),
    'domain.serialExec': async ({ ref, command, timeoutS }) => ({
      output: await domains.serialExec(ref, command, timeoutS ?? 10, (domid, text) => on('serial', (e) => e.domid === domid && text(e.text))),
    }),
    'domain.input': ({ ref, events }) => domains.input(ref, events),
    'domain.serial': ({ domid, since }) => domains.serial(domid, since),
    'display.setForeground': ({ domid }) => gpu.call('setForeground', { domid }),
    'gpu.info': async () => {
      const s = await gpu.call('status', {});
      return {
        apertureBytes: s.apertureBytes,
        totalGmBytes: s.totalGmBytes,
        fences: s.fences,
        freeLowGmBytes: s.free.lowGmBytes,
        freeHighGmBytes: s.free.highGmBytes,
        freeFences: s.free.fences,
        liveVgpus: s.free.liveVgpus,
        foreground: s.foreground,
      };
    },
    'gpu.types': async () => {
      const [types, s] = await Promise.all([gpu.call('types', {}), gpu.call('status', {})]);
      return types.map((t) => (t.availableInstances > 0 ? t : { ...t, unavailableReason: vgpuShortfall(t, s.free) ?? 'its ranges do not fit the free space in one piece' }));
    },
    'sysfs.read': ({ path }) => gpu.call('sysfsRead', { path }),
    'sysfs.write': async ({ path, value }) => {
      await gpu.call('sysfsWrite', { path, value });
      return { ok: true as const };
    },
    'console.exec': ({ line, session }) => dom0.exec(line, session),
    'console.complete': ({ line, session }) => dom0.complete(line, session),
    'settings.get': () => settings.get(),
    'settings.set': (patch) => settings.set(patch),
    'layout.get': () => {
      const names = new Set(library.list().map((e) => e.name));
      return layout.get((name) => names.has(name) || domains.isRunning(name));
    },
    'layout.set': ({ layout: l }) => layout.set(l),
    'ports.list': ({ domid }) => gpu.call('ports', { domid }),
    'ports.hotplug': ({ domid, port, action, edidHex, type }) =>
      gpu.call('hotplug', { domid, port, connected: action === 'connect', edid: edidHex === undefined ? undefined : edidFromHex(edidHex), type }),
    'edidRegion.get': ({ domid }) => gpu.call('edidRegion', { domid }),
    'edidRegion.set': ({ domid, edidHex, linkState }) => gpu.call('edidRegion', { domid, edid: edidHex === undefined ? undefined : edidFromHex(edidHex), linkState }),
    'monitorConfig.read': ({ path }) => readMonitorConfigFile(files, path),
    'monitorConfig.write': ({ path, text }) => writeMonitorConfigFile(files, path, text),
    'files.info': () => ({ dataDir: files.dataDir, monitorsDir, dialogs: options.chooseFile !== undefined }),
    'files.choose': async (request) => {
      if (!options.chooseFile) throw new ApiError('invalid', 'there is no file dialog in browser mode: keep files under the data dir, or upload and download them');
      const picked = await options.chooseFile(request);
      return { path: picked === null ? null : await files.grant(picked).catch((e: unknown) => Promise.reject(fileApiError(e))) };
    },
    'gpu.stats': () => gpu.call('stats', {}),
    'gpu.timeline': () => gpu.call('timeline', {}),
    'vgpu.log': ({ domid, since }) => gpu.call('vgpuLog', { domid, since }),
    'frame.resync': ({ source }, { frames }) => {
      if (!frames) throw new ApiError('invalid', 'frame.resync: this connection carries no frames (the Dom0 console has no window)');
      return frames.resync(parseSourceName(source));
    },
    'frame.watch': ({ sources }, { frames }) => {
      if (!frames) throw new ApiError('invalid', 'frame.watch: this connection carries no frames (the Dom0 console has no window)');
      return frames.watch(sources.map(parseSourceName));
    },
  };

  /** Validate `params` against the method's schema, run it, and turn every failure into an ApiError. */
  async function dispatch(method: string, params: unknown, context: CallContext = {}): Promise<unknown> {
    if (!Object.hasOwn(methods, method)) throw new ApiError('invalid', `unknown method '${method}'`);
    const m = method as MethodName;
    const parsed = methods[m].safeParse(params ?? {});
    if (!parsed.success) throw new ApiError('invalid', `${method}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'params'}: ${i.message}`).join('; ')}`);
    try {
      return await (handlers[m] as (p: unknown, c: CallContext) => Promise<unknown>)(parsed.data, context);
    } catch (e) {
      const err = fileApiError(e);
      if (err instanceof ApiError) throw err;
      throw new ApiError('internal', `${method} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  await publishDomains();

  return {
    call: dispatch,
    snapshotFrame,
    on,
    frameInterest: () => interests.add(),
    onFrame(handler) {
      frameListeners.add(handler);
      return () => frameListeners.delete(handler);
    },
    async close() {
      await domains.shutdown();
      await gpu.close();
    },
  };
}
