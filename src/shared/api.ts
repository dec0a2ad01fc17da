/**
 * The one typed API between the renderer (or CLI, or Dom0 console) and the host.
 * Every request is validated against these zod schemas in src/main/host before it reaches the core.
 * Transport-neutral: Electron IPC, the browser-mode WebSocket and the CLI socket all carry
 * { method, params } and get back the method's result or an ApiError.
 */
import { z } from 'zod';
import type { CodedFrameMessage, FrameMessage } from './frame-message';
import { EXPORT_FORMATS } from './export-formats';
import { MAX_CONFIG_BYTES, MAX_MONITOR_CONFIG_BYTES, MAX_WATCHED_SOURCES } from './limits';

export const DomainName = z.string().min(1).max(64).regex(/^[A-Za-z0-9_.-]+$/, 'name may use letters, digits, . _ -');
/** The emulated GPU's aperture sizes (a BIOS/host setting on real hardware). */
export const ApertureMiB = z.union([z.literal(256), z.literal(512), z.literal(1024)]);
export const DomainId = z.number().int().min(0).max(65535);
export const PortNameSchema = z.enum(['PORT_A', 'PORT_B', 'PORT_C', 'PORT_D', 'PORT_E']);
/** A domain is addressed as xl does: by name or by numeric domid. */
export const DomainRef = z.union([DomainName, z.number().int().min(0)]);

/** Guest pixel coordinates (clamped by the guest to its mode). */
const Coord = z.number().int().min(0).max(0xffff);
export const MAX_INPUT_EVENTS = 256;
/** Dom0 console input: a command line and the here-document lines that follow it. */
export const MAX_CONSOLE_INPUT = 1 << 20;
/** A Dom0 console session id (chosen by the client, e.g. a random hex string). */
export const ConsoleSession = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'a session id: 8-64 letters, digits, _ or -');
export const MAX_SERIAL_INPUT = 4096;
/**
 * One input event. Keys are DOM KeyboardEvent.key values (one printable character, or a name such
 * as Enter, Backspace, ArrowUp, Control, F2); text is typed key by key with the domain's keymap;
 * a combo presses its keys in order and releases them in reverse (e.g. ['ctrl', 'alt', 'f2']).
 * Pointer, button and wheel positions are pixels of the head `pipe` shows (default A, the first
 * head, whose pixels are the desktop's); the guest maps another head's pixels into its desktop.
 */
const HeadPipe = z.enum(['A', 'B', 'C']).optional();
export const InputEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('pointer'), x: Coord, y: Coord, pipe: HeadPipe }).strict(),
  z.object({ type: z.literal('button'), button: z.enum(['left', 'right', 'middle']), action: z.enum(['press', 'release', 'click']), x: Coord, y: Coord, pipe: HeadPipe }).strict(),
  z.object({ type: z.literal('wheel'), delta: z.number().int().min(-16).max(16), x: Coord, y: Coord, pipe: HeadPipe }).strict(),
  z.object({ type: z.literal('key'), key: z.string().min(1).max(32), action: z.enum(['press', 'release', 'click']) }).strict(),
  z.object({ type: z.literal('text'), text: z.string().min(1).max(MAX_SERIAL_INPUT) }).strict(),
  z.object({ type: z.literal('combo'), keys: z.array(z.string().min(1).max(32)).min(1).max(8) }).strict(),
]);
export type InputEventRequest = z.infer<typeof InputEventSchema>;

/**
 * Compositor window layout (layout.get / layout.set; kept in `<dataDir>/layout.json`). Keys:
 * `physical` for the Physical display, `vm:NAME` for a VM's window (by name, not domid: a domid
 * changes on every start). Geometry is in CSS pixels of the compositor area, top-left origin.
 */
export const WINDOW_SCALES = ['fit', '1:1', 'integer'] as const;
/** How a window shows its framebuffer: fit to the window (aspect kept), one guest pixel per device pixel, or the largest whole multiple that fits. */
export type WindowScale = (typeof WINDOW_SCALES)[number];
/** At most this many windows in a layout (a library is far smaller; bounds the file). */
export const MAX_LAYOUT_WINDOWS = 256;
/** Window sizes, CSS px: a window never gets smaller than its title bar needs, nor larger than an 8K screen. */
export const WINDOW_MIN = { w: 200, h: 100 } as const;
export const WINDOW_MAX = 7680;
/** `physical`, a further physical head `physical:D`, a VM's first head `vm:NAME`, its pipe B or C `vm:NAME:B`. */
export const WindowKey = z.union([
  z.literal('physical'),
  z.string().regex(/^physical:[A-E]$|^vm:[A-Za-z0-9_.-]{1,64}(:[BC])?$/, 'a window key: "physical", "physical:B".."physical:E", "vm:NAME" or "vm:NAME:B"/"vm:NAME:C"'),
]);
export const WindowLayoutSchema = z
  .object({
    x: z.number().int().min(0).max(WINDOW_MAX),
    y: z.number().int().min(0).max(WINDOW_MAX),
    w: z.number().int().min(WINDOW_MIN.w).max(WINDOW_MAX),
    h: z.number().int().min(WINDOW_MIN.h).max(WINDOW_MAX),
    /** Stacking order: higher is in front. */
    z: z.number().int().min(0).max(MAX_LAYOUT_WINDOWS * 4),
    maximized: z.boolean(),
    scale: z.enum(WINDOW_SCALES),
    closed: z.boolean(),
  })
  .strict();
export type WindowLayout = z.infer<typeof WindowLayoutSchema>;
export const LayoutSchema = z
  .object({
    version: z.literal(1),
    windows: z.record(WindowKey, WindowLayoutSchema).refine((w) => Object.keys(w).length <= MAX_LAYOUT_WINDOWS, `at most ${MAX_LAYOUT_WINDOWS} windows`),
  })
  .strict();
export type Layout = z.infer<typeof LayoutSchema>;

/**
 * The New VM form (library.create). Ranges are checked by the xl.cfg parser the library uses, not
 * here, so a value out of range comes back as a problem on its field instead of a schema error.
 * vgpu: a GVT-g type (gvt_vgpu_type) or explicit XenGT sizes (vgt_low_gm_sz / vgt_high_gm_sz in
 * MiB, vgt_fence_sz). display: the vGPU's built-in monitor, a monitor of the EDID library (written
 * as `<dataDir>/monitors/<name>.config`), or the path of an existing monitor.config.
 */
export const NewVmFormSchema = z
  .object({
    name: z.string().max(256),
    memoryMiB: z.number().int().min(0).max(1 << 30),
    vcpus: z.number().int().min(0).max(1 << 16),
    vgpu: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('type'), type: z.string().max(64) }).strict(),
      z.object({ kind: z.literal('explicit'), lowGmMiB: z.number().int().min(0).max(1 << 20), highGmMiB: z.number().int().min(0).max(1 << 20), fences: z.number().int().min(0).max(1024) }).strict(),
    ]),
    display: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('builtin') }).strict(),
      z.object({ kind: z.literal('library'), monitor: z.string().max(64) }).strict(),
      z.object({ kind: z.literal('file'), path: z.string().max(4096) }).strict(),
    ]),
    workload: z.string().max(64),
  })
  .strict();
export type NewVmForm = z.infer<typeof NewVmFormSchema>;
/** The form fields a New VM problem can be about. */
export type NewVmField = 'name' | 'memoryMiB' | 'vcpus' | 'vgpu' | 'lowGmMiB' | 'highGmMiB' | 'fences' | 'display' | 'workload';

/** A frame source: a number (a domid, or a VM head's id, src/shared/heads.ts; PHYSICAL_SOURCE too), 'physical' or a physical head ('physical:D'). */
const FrameSource = z.union([z.number().int().min(0).max(0xffffffff), z.literal('physical'), z.string().regex(/^physical:[A-E]$/)]);

export const methods = {
  /** All domains: Domain-0, running guests and stopped library entries. */
  'domains.list': z.object({}).strict(),
  /** Import an xl config (file name + text); stored verbatim in the library. */
  'library.import': z.object({ fileName: z.string().min(1).max(255), text: z.string().max(MAX_CONFIG_BYTES), replace: z.boolean().optional() }).strict(),
  'library.get': z.object({ name: DomainName }).strict(),
  'library.save': z.object({ name: DomainName, text: z.string().max(MAX_CONFIG_BYTES) }).strict(),
  'library.remove': z.object({ name: DomainName }).strict(),
  /**
   * Check config text without saving it (the config editor's live diagnostics): the findings
   * `xl create` would print for it, with ranges. With name, the text is checked as that library
   * entry's (its file name; name= must match it, as library.save requires).
   */
  'library.check': z.object({ text: z.string().max(MAX_CONFIG_BYTES), name: DomainName.optional() }).strict(),
  /**
   * A library domain's config in another format (xl, qemu-kvmgt, qemu, libvirt, mdevctl; see
   * src/shared/export-formats.ts). Refused for a config with errors and for Domain-0 (it has none).
   */
  'domain.export': z.object({ name: DomainName, format: z.enum(EXPORT_FORMATS) }).strict(),
  // New VM, Clone, Import as a copy (issue 9 item 1).
  /**
   * New VM: write the form as an xl.cfg and add it to the library, after checking it with the same
   * parser as every config. dryRun: only check, and return the text that would be written.
   * ApiError('config') lists the problems field by field; ApiError('exists') for a taken name.
   */
  'library.create': z.object({ form: NewVmFormSchema, dryRun: z.boolean().optional() }).strict(),
  /**
   * Copy a library domain under newName: name= rewritten, a uuid= replaced by a fresh one and
   * every vif mac= by a fresh Xen-prefix (00:16:3e) address; everything else kept verbatim.
   */
  'library.clone': z.object({ name: DomainName, newName: DomainName }).strict(),
  /**
   * Import under a free name when the config's name is taken ("<name>-2", "-3", …), rewritten as
   * library.clone rewrites; a name that is free is used as it is.
   */
  'library.importCopy': z.object({ fileName: z.string().min(1).max(255), text: z.string().max(MAX_CONFIG_BYTES) }).strict(),
  /** The first free library name for a copy of `name`: "<name>-clone" (suffix "clone") or "<name>-2" (suffix "number"). */
  'library.freeName': z.object({ name: DomainName, suffix: z.enum(['clone', 'number']) }).strict(),
  /** Start a library domain (xl create on its stored config). */
  'domain.start': z.object({ name: DomainName }).strict(),
  'domain.destroy': z.object({ ref: DomainRef }).strict(),
  /** `xl pause` / `xl unpause`: stop and resume the domain's vCPU (the vGPU keeps its state). */
  'domain.pause': z.object({ ref: DomainRef }).strict(),
  'domain.unpause': z.object({ ref: DomainRef }).strict(),
  /**
   * `xl shutdown` / `xl reboot`: ask the guest (Xen's control/shutdown request). With wait, resolve
   * once it has powered off (or is up again after a reboot); ApiError('timeout') after timeoutS.
   */
  'domain.shutdown': z.object({ ref: DomainRef, wait: z.boolean().optional(), timeoutS: z.number().min(0.1).max(600).optional() }).strict(),
  'domain.reboot': z.object({ ref: DomainRef, wait: z.boolean().optional(), timeoutS: z.number().min(0.1).max(600).optional() }).strict(),
  /** A running domain's serial log; with since (an earlier `next`), only what came after it. */
  'domain.serial': z.object({ domid: z.number().int().min(0), since: z.number().int().min(0).optional() }).strict(),
  /** Type into the domain's serial line (its ttyS0 shell), as `xl console` does. */
  'domain.serialInput': z.object({ ref: DomainRef, text: z.string().max(MAX_SERIAL_INPUT) }).strict(),
  /** Run one command line on the guest's serial shell; resolves with its output once the prompt is back. */
  'domain.serialExec': z.object({ ref: DomainRef, command: z.string().min(1).max(1024).regex(/^[^\r\n]*$/, 'one line'), timeoutS: z.number().min(0.1).max(60).optional() }).strict(),
  /** Keyboard and pointer input for the domain's emulated PS/2 keyboard and USB tablet. */
  'domain.input': z.object({ ref: DomainRef, events: z.array(InputEventSchema).min(1).max(MAX_INPUT_EVENTS) }).strict(),
  'display.setForeground': z.object({ domid: z.number().int().min(0) }).strict(),
  'gpu.info': z.object({}).strict(),
  /** GVT-g vGPU types (GVTg_V5_*) with their available instances. */
  'gpu.types': z.object({}).strict(),
  'sysfs.read': z.object({ path: z.string().min(1).max(4096) }).strict(),
  'sysfs.write': z.object({ path: z.string().min(1).max(4096), value: z.string().max(1 << 16) }).strict(),
  /**
   * Run Dom0 console input (xl …, cat/echo on /sys/kernel/vgt/…, shell variables, `;` and `&&`):
   * one command line, plus the body lines of a here-document it opens. `session` keeps shell
   * state (variables, cwd) between calls of one console; without it each call starts fresh.
   */
  'console.exec': z.object({ line: z.string().max(MAX_CONSOLE_INPUT), session: ConsoleSession.optional() }).strict(),
  /** Tab completion for the Dom0 console: candidates for the word before the end of `line`. */
  'console.complete': z.object({ line: z.string().max(8192), session: ConsoleSession.optional() }).strict(),
  'settings.get': z.object({}).strict(),
  'settings.set': z.object({ hvmBootForeground: z.boolean().optional(), apertureMiB: ApertureMiB.optional() }).strict(),
  /** A running domain's virtual ports and their monitors. */
  'ports.list': z.object({ domid: DomainId }).strict(),
  /** Virtual hotplug: connect (optionally with a new EDID, hex text) or disconnect a monitor. */
  'ports.hotplug': z.object({ domid: DomainId, port: PortNameSchema, action: z.enum(['connect', 'disconnect']), edidHex: z.string().max(4096).optional(), type: z.number().int().min(0).max(7).optional() }).strict(),
  /** The VFIO-style EDID region of a vGPU (its primary port). */
  'edidRegion.get': z.object({ domid: DomainId }).strict(),
  /** Write the EDID region: a blob (hex, only while the link is down) and/or link_state 1 (up) / 2 (down). */
  'edidRegion.set': z.object({ domid: DomainId, edidHex: z.string().max(4096).optional(), linkState: z.union([z.literal(1), z.literal(2)]).optional() }).strict(),
  /** The data dir (everything under it is inside the file boundary), its monitors/ dir, and whether a native file dialog exists (Electron). */
  'files.info': z.object({}).strict(),
  /** Ask the user to choose a file in a native dialog (Electron only); the chosen file joins the file boundary. */
  'files.choose': z.object({ purpose: z.literal('monitorConfig'), mode: z.enum(['open', 'save']), suggestedName: z.string().min(1).max(255).regex(/^[^/\\\0]+$/, 'a file name, not a path').optional() }).strict(),
  /** Read a monitor.config file (text), for the editor; a missing file reads as null. Only files under the data dir or chosen by the user (files.choose). */
  'monitorConfig.read': z.object({ path: z.string().min(1).max(4096) }).strict(),
  /** Write a monitor.config file atomically; refused (with line-numbered findings) when malformed. Same file boundary as monitorConfig.read. */
  'monitorConfig.write': z.object({ path: z.string().min(1).max(4096), text: z.string().max(MAX_MONITOR_CONFIG_BYTES) }).strict(),
  /**
   * Send the current framebuffer of a domain (or the physical pipe) to this connection's frame
   * stream as one whole-frame binary message (a window's first picture). On the CLI socket it
   * arrives before the answer; in browser mode it is batched and may come just after.
   */
  'frame.resync': z.object({ source: FrameSource }).strict(),
  /**
   * Say which sources this connection shows (its open windows), replacing what it said before: the
   * host sends it frames of those sources only, composes a source only while some connection
   * watches it, and first sends a whole picture of each source newly watched (as frame.resync).
   * A connection that never calls it gets every source. Sources need not exist yet (a head that
   * lights later starts streaming). Refused on connections without a live frame stream (the CLI).
   */
  'frame.watch': z.object({ sources: z.array(FrameSource).max(MAX_WATCHED_SOURCES) }).strict(),
  /** The compositor window layout kept in the data dir; windows of VMs no longer in the library are left out. */
  'layout.get': z.object({}).strict(),
  /** Replace the stored window layout (written atomically to `<dataDir>/layout.json`). */
  'layout.set': z.object({ layout: LayoutSchema }).strict(),
  // ---- statistics and the audit log (the dashboard's charts, timeline and Log view) ----
  /** Every live vGPU's counters now (cumulative; a client takes rates from two samples). */
  'gpu.stats': z.object({}).strict(),
  /** Which vGPU held the scheduler's time slice and each engine (RCS, BCS) over the last 2 s. */
  'gpu.timeline': z.object({}).strict(),
  /** A running domain's vGPU audit log (/sys/kernel/vgt/vm<domid>/log); with since (an earlier `next`), only newer lines. */
  'vgpu.log': z.object({ domid: DomainId, since: z.number().int().min(0).optional() }).strict(),
} as const;

export type MethodName = keyof typeof methods;
export type Params<M extends MethodName> = z.infer<(typeof methods)[M]>;

/**
 * running (incl. blocked), paused (xl pause), shutdown (the guest is powering off or rebooting),
 * crashed, stopped (a library entry that is not running).
 */
export type DomainState = 'running' | 'paused' | 'shutdown' | 'crashed' | 'stopped';

export interface VgpuInfo {
  /** Aperture (low GM) base and size, bytes. */
  lowGmBase: number;
  lowGmSize: number;
  /** Hidden (high) GM base and size, bytes. */
  highGmBase: number;
  highGmSize: number;
  fenceBase: number;
  fenceCount: number;
  /** GGTT entries the audit dropped (outside the vGPU's GM or the VM's RAM). */
  droppedPtes: number;
  /** Workloads (ring submissions) executed and commands rejected by the scanner. */
  workloads: number;
  rejectedCommands: number;
  /** Engine time used, ms. */
  gpuTimeMs: number;
  /** Distinct MMIO offsets outside the tracking table the guest touched (see /sys/kernel/vgt/vmN/untracked_mmio). */
  untrackedMmio: number;
  /** Why the vGPU stopped running the guest's work (policy violation), or null. */
  failsafe: string | null;
}

export interface DomainInfo {
  name: string;
  /** Xen-style domain id; null when not running. */
  domid: number | null;
  state: DomainState;
  memoryMiB: number;
  vcpus: number;
  /** Seconds of run time (xl list "Time(s)"). */
  timeS: number;
  vgpu: VgpuInfo | null;
  /** xl list's State column: r (running), b (blocked), p (paused), s (shutdown), c (crashed), d (dying); '' when stopped. */
  xlState: string;
  /** A shutdown or reboot the toolstack asked for and the guest has not finished, or null. */
  shutdownRequest: 'poweroff' | 'reboot' | null;
  /** Config problems that stop the domain from starting (empty when startable). */
  configErrors: string[];
  workload: string;
  /**
   * A stopped domain whose config is fine but whose vGPU does not fit what is free now: what is
   * short, e.g. "needs 128 MiB aperture (low GM), 64 MiB free"; null when it can start.
   */
  startBlocked?: string | null;
}

/** Why a New VM form cannot be saved, on the field it is about. */
export interface NewVmProblem {
  field: NewVmField;
  message: string;
}

export interface GpuResources {
  apertureBytes: number;
  totalGmBytes: number;
  fences: number;
  freeLowGmBytes: number;
  freeHighGmBytes: number;
  freeFences: number;
  liveVgpus: number;
}

/** A GVT-g vGPU type as the mdev interface describes it; sizes in bytes. */
export interface VgpuTypeInfo {
  /** e.g. "GVTg_V5_4": "V5" is Gen9, the suffix is how many fit a 512 MiB-aperture GPU. */
  name: string;
  lowGmBytes: number;
  highGmBytes: number;
  fences: number;
  /** Scheduler weight (VGPU_MAX_WEIGHT 16 / suffix). */
  weight: number;
  /** Resolution of the built-in virtual monitor (EDID). */
  resolution: { width: number; height: number };
  availableInstances: number;
  /** With no instance left: what is short, e.g. "needs 128 MiB aperture (low GM), 64 MiB free". */
  unavailableReason?: string;
  /** The mdev type's `description` text. */
  description: string;
}

export interface Settings {
  hvmBootForeground: boolean;
  /** Aperture size of the emulated GPU, MiB; takes effect at the next start of the host. */
  apertureMiB: 256 | 512 | 1024;
}

export interface ConsoleResult {
  output: string;
  exitCode: number;
  /** `xl console NAME`: the console should attach to this domain's serial line (Ctrl+] detaches). */
  attach?: { domid: number; name: string };
}

export interface Results {
  'domains.list': DomainInfo[];
  'library.import': { name: string };
  'library.get': { name: string; fileName: string; text: string };
  'library.save': { name: string };
  'library.remove': { name: string };
  /** Diagnostics in file order; none when the text would start as it is. */
  'library.check': { fileName: string; diagnostics: ConfigDiagnostic[] };
  /** The exported text and a file name to save it as (e.g. `vgtHVMDomain.xml`). */
  'domain.export': { text: string; suggestedName: string };
  /** text: the xl.cfg written (or, with dryRun, that would be); problems: empty when it can be saved. */
  'library.create': { name: string; text: string; problems: NewVmProblem[] };
  /** changed: what was rewritten besides name= (e.g. "uuid", "vif mac 00:16:3e:…"). */
  'library.clone': { name: string; changed: string[] };
  'library.importCopy': { name: string; changed: string[] };
  'library.freeName': { name: string };
  'domain.start': { domid: number };
  'domain.destroy': { domid: number };
  'domain.pause': { domid: number };
  'domain.unpause': { domid: number };
  /** domid: the domain asked; after a waited reboot, newDomid is the rebooted domain's. */
  'domain.shutdown': { domid: number };
  'domain.reboot': { domid: number; newDomid: number | null };
  /** next: the offset to pass as since to get only newer output. */
  'domain.serial': { text: string; next: number };
  'domain.serialInput': { accepted: number };
  'domain.serialExec': { output: string };
  /** Events queued; dropped: refused because the guest's input queue was full (a flood). */
  'domain.input': { queued: number; dropped: number };
  'display.setForeground': { foreground: number };
  'gpu.info': GpuResources & { foreground: number };
  'gpu.types': VgpuTypeInfo[];
  'sysfs.read': { value: string };
  'sysfs.write': { ok: true };
  'console.exec': ConsoleResult;
  /** Completions of the last word of the line (replacing line[from..]), sorted; one means unique. */
  'console.complete': { from: number; candidates: string[] };
  'settings.get': Settings;
  'settings.set': Settings;
  /** The size of the frame sent (0x0: display off); null when the source has no frame (yet). */
  'frame.resync': { width: number; height: number } | null;
  /** How many distinct sources the connection now watches. */
  'frame.watch': { watching: number };
  'ports.list': PortInfo[];
  'ports.hotplug': PortInfo[];
  'edidRegion.get': EdidRegionInfo;
  'edidRegion.set': EdidRegionInfo;
  'files.info': FilesInfo;
  'files.choose': { path: string | null };
  'monitorConfig.read': { path: string; text: string | null };
  'monitorConfig.write': { path: string };
  /** warning: why the stored file was ignored (corrupt or invalid; the defaults apply), else null. */
  'layout.get': { layout: Layout; warning: string | null };
  'layout.set': { windows: number };
  'gpu.stats': GpuStats;
  'gpu.timeline': GpuTimeline;
  'vgpu.log': VgpuLog;
}

/**
 * One problem in config text (library.check). Positions are 1-based line:column, columns in UTF-16
 * code units; the range ends at endLine:endColumn (exclusive; equal to the start for a point).
 * message is the whole line `xl create` prints: `file:line:col: severity: field: reason`.
 */
export interface ConfigDiagnostic {
  severity: 'error' | 'warning';
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** The key the diagnostic is about, when there is one. */
  field?: string;
  message: string;
}

/**
 * One live vGPU's counters at a sample (cumulative since it was created). Times on the GPU
 * thread's clock (ms since it started), the same clock as GpuStats.nowMs.
 */
export interface VgpuSample {
  domid: number;
  name: string;
  /** vgt_id. */
  vgtId: number;
  /** Scheduler weight (the vGPU type's; see VgpuTypeInfo.weight). */
  weight: number;
  /** In the scheduler's run queue (its guest started scheduling): only these share the GPU by weight. */
  scheduled: boolean;
  /** Time it has owned the GPU under the scheduler (its time slices), ns. */
  ownedNs: number;
  /** Engine time its workloads used, ns. */
  gpuTimeNs: number;
  workloads: number;
  /** Trapped MMIO accesses (BAR0 registers and the GTT window). */
  mmioTraps: number;
  /** New surfaces its primary plane latched at vblank (page flips): frames. */
  flips: number;
  /** GM its guest has mapped (present GGTT entries x 4 KiB), bytes, and all it owns (aperture + high GM). */
  gmInUseBytes: number;
  gmBytes: number;
  /** Engine resets, and of those the hangs the mediator recovered from. */
  resets: number;
  hangs: number;
  /** The last reset: a hang (mediator watchdog or engine fault) or a guest-requested reset; null if none. */
  lastReset: { kind: 'hang' | 'reset'; reason: string; atMs: number } | null;
  /** The audit log's next line number (vgpu.log's `next`). */
  logNext: number;
  failsafe: string | null;
}

export interface GpuStats {
  /** When sampled: the GPU thread's clock, ms. */
  nowMs: number;
  vgpus: VgpuSample[];
}

/** An interval in which the vGPU of domain `domid` held a lane, ms on the GPU thread's clock. */
export interface OwnerSegment {
  domid: number;
  startMs: number;
  endMs: number;
}

/**
 * The scheduler timeline: per lane (`slice`: the scheduler's time slice; `rcs`, `bcs`: a vGPU's
 * workload executing on that engine), the intervals of the last `windowMs` before `nowMs`, oldest
 * first; nothing is known before a lane's `sinceMs` (later than nowMs - windowMs only when the
 * owner changed too often to keep them all).
 */
export interface GpuTimeline {
  nowMs: number;
  windowMs: number;
  lanes: Record<'slice' | 'rcs' | 'bcs', { sinceMs: number; segments: OwnerSegment[] }>;
}

/** A vGPU audit log excerpt: lines numbered `first`..`next - 1` are kept; lines before `first` were dropped (bounded log). */
export interface VgpuLog {
  domid: number;
  lines: { seq: number; atMs: number; text: string }[];
  first: number;
  next: number;
}

/** The host's file boundary as the UI needs it. */
export interface FilesInfo {
  /** Absolute, canonical data directory: every file under it may be read and written. */
  dataDir: string;
  /** Where monitor.config files go by default (`<dataDir>/monitors`). */
  monitorsDir: string;
  /** True when files.choose opens a native dialog (Electron); false in browser mode. */
  dialogs: boolean;
}

/** A virtual port of a vGPU and its monitor. */
export interface PortInfo {
  name: 'PORT_A' | 'PORT_B' | 'PORT_C' | 'PORT_D' | 'PORT_E';
  /** XenGT vgt_port_type and its name (CRT, DP_A..DP_D, HDMI_B..HDMI_D). */
  type: number;
  typeName: string;
  overridePort: string | null;
  connected: boolean;
  /** EDID as hex text (16 bytes per line), or null. */
  edidHex: string | null;
  monitorName: string | null;
  preferredMode: { width: number; height: number; refreshHz: number } | null;
  /** Pipe A drives this port (the first connected monitor). */
  active: boolean;
  /** The pipe that drives this port (connected monitors in port order get A, B, C), or null. */
  pipe: 'A' | 'B' | 'C' | null;
}

/** The VFIO EDID region (struct vfio_region_gfx_edid): link_state 1 = up, 2 = down. */
export interface EdidRegionInfo {
  edidMaxSize: number;
  edidSize: number;
  maxXres: number;
  maxYres: number;
  linkState: 1 | 2;
  edidHex: string;
}

/** Push events from the host. */
export interface Events {
  domains: DomainInfo[];
  /** A domain's ports changed (hotplug). */
  ports: { domid: number; ports: PortInfo[] };
  serial: { domid: number; text: string };
  display: { foreground: number };
}
export type EventName = keyof Events;

export { API_ERROR_CODES, ApiError, type ApiErrorCode, type ApiErrorShape } from './rpc';

/** The client-side view of the API, implemented by the Electron preload and the WebSocket client. */
export interface ApiClient {
  invoke<M extends MethodName>(method: M, params: Params<M>): Promise<Results[M]>;
  on<E extends EventName>(event: E, handler: (data: Events[E]) => void): () => void;
  /** Subscribe to frames; the handler receives frame messages, RLE32 pixels possibly still coded (the WebSocket client leaves them for the store to paint in place). */
  onFrame(handler: (frame: FrameMessage | CodedFrameMessage) => void): () => void;
}

/** Physical display source id in frame messages. */
export const PHYSICAL_SOURCE = 0xffffffff;

// Frame messages (the binary pixels every transport carries) live apart, so the paint worker bundles them without the API's schemas.
export * from './frame-message';
