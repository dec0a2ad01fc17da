/**
 * The gvt-desk command line. Every command except `serve` and the file checks (`edid decode`,
 * `monitor-config check`, src/main/cli/offline.ts) talks to a running instance through its Unix
 * socket and calls the same host API the UI and the Dom0 console use; `xl …` lines go to
 * console.exec verbatim so the CLI and the console share one implementation, and `export` calls
 * domain.export, as the UI's Export… dialog does.
 */
import { headOf, physicalSourceOfPort, sourceName, vmHeadSource } from '../../shared/heads';
import { PORT_NAMES, type PortName } from '../../shared/ports';
import { PIPE_NAMES, type PipeName } from '../../shared/regs';
import { access, writeFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { PNG } from 'pngjs';
import { ApiError, PHYSICAL_SOURCE, type DomainInfo, type FrameMessage, type InputEventRequest, type MethodName, type Params, type Results } from '../../shared/api';
import { EXPORT_FORMATS, type ExportFormat } from '../../shared/export-formats';
import { writeFileAtomically } from '../files/checked-io';
import type { HostApi, HostOptions } from '../host/host-api';
import { resolvePaths } from '../host/paths';
import { registerOfflineCommands } from './offline';
import { serve } from './serve';
import { SocketConnection, callSocket, type CallOptions } from './socket-client';

export interface CliIo {
  /** Raw writes; the CLI adds newlines itself. */
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
  cwd: string;
}

export interface CliDeps {
  /** Starts the host for `serve` (src/main/host/host.ts createHost in the real CLI). */
  createHost: (options: HostOptions) => Promise<HostApi>;
  /** Directory of the built worker entries (out/main). */
  workerDir: string;
  /** Directory of the built renderer (out/renderer). */
  rendererDir: string;
  /** `serve` runs until this resolves (SIGINT/SIGTERM in the real CLI). */
  waitForShutdown: () => Promise<string>;
  /** Per-call socket timeout, ms (tests shorten it). */
  timeoutMs?: number;
  onServeReady?: Parameters<typeof serve>[0]['onReady'];
  /** Raw keystrokes for an attached console (stdin in raw mode in the real CLI); returns an unsubscribe. */
  stdin?: { onData(handler: (bytes: Buffer) => void): () => void };
}

/** Exit codes: 0 ok, 1 failure (or the xl command's own code), 2 usage error. */
export const EXIT_USAGE = 2;

/**
 * Run the CLI with `argv` (arguments after the program name) and resolve with the exit code.
 * Never rejects: errors are printed as `gvt-desk: <message>` on stderr.
 */
export async function runCli(argv: string[], io: CliIo, deps: CliDeps): Promise<number> {
  let exitCode = 0;
  const program = new Command('gvt-desk');
  program
    .description('Manage VMs sharing one emulated Intel GPU through GVT-g mediated pass-through')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout(s),
      writeErr: (s) => io.stderr(s),
      outputError: (s, write) => write(`gvt-desk: ${s.replace(/^error: /, '')}`),
    })
    .showHelpAfterError('(run gvt-desk --help for usage)')
    .option('--data-dir <dir>', 'data directory (env GVT_DESK_DATA_DIR; default $XDG_CONFIG_HOME/gvt-desk or ~/.config/gvt-desk)')
    .option('--socket <path>', 'control socket (env GVT_DESK_SOCKET; default <data-dir>/gvt-desk.sock)');

  const paths = (cmd: Command) => {
    const o = cmd.optsWithGlobals<{ dataDir?: string; socket?: string }>();
    return resolvePaths({ dataDir: o.dataDir, socket: o.socket }, io.env, io.cwd);
  };
  const call = <M extends MethodName>(cmd: Command, method: M, params: Params<M>): Promise<Results[M]> => callSocket(paths(cmd).socketPath, method, params, { timeoutMs: deps.timeoutMs });
  const println = (text: string) => io.stdout(text.endsWith('\n') || text === '' ? text : `${text}\n`);
  const runConsole = async (cmd: Command, line: string) => {
    const result = await call(cmd, 'console.exec', { line });
    if (result.exitCode === 0) println(result.output);
    else io.stderr(result.output === '' || result.output.endsWith('\n') ? result.output : `${result.output}\n`);
    exitCode = result.exitCode;
  };

  program
    .command('serve')
    .description('run GVT Desk in browser mode (web UI on 127.0.0.1 with a token) and listen on the control socket')
    .option('--port <n>', 'TCP port on 127.0.0.1 (0 = any free port; default: the last run\'s port if free, so open tabs reconnect)', parsePort)
    .action(async (opts: { port?: number }, cmd: Command) => {
      const { dataDir, socketPath } = paths(cmd);
      await serve({
        createHost: deps.createHost,
        dataDir,
        socketPath,
        port: opts.port,
        rendererDir: deps.rendererDir,
        workerDir: deps.workerDir,
        out: (line) => println(line),
        waitForShutdown: deps.waitForShutdown,
        onReady: deps.onServeReady,
      });
    });

  const xl = program.command('xl').description('xl toolstack commands, run by the Dom0 console of the running instance');
  xl.command('create')
    .description('create a domain from an xl config file')
    .argument('<file>', 'xl config file (e.g. xlexample.hvm), or the name of a library domain')
    .action(async (file: string, _opts: unknown, cmd: Command) => {
      // The host has another working directory: send an absolute path. A bare name with no such
      // file here goes as is, so the console can start the library domain of that name.
      const abs = isAbsolute(file) ? file : resolve(io.cwd, file);
      const arg = /^[A-Za-z0-9_.-]+$/.test(file) && !(await exists(abs)) ? file : abs;
      await runConsole(cmd, `xl create ${shellQuote(arg)}`);
    });
  xl.command('list')
    .description('list domains')
    .action(async (_opts: unknown, cmd: Command) => runConsole(cmd, 'xl list'));
  for (const [verb, what] of [
    ['destroy', 'destroy a domain (stop it at once, free its vGPU)'],
    ['pause', "pause a domain's vCPUs"],
    ['unpause', "resume a paused domain's vCPUs"],
  ] as const) {
    xl.command(verb)
      .description(what)
      .argument('<domain>', 'domain name or domid')
      .action(async (ref: string, _opts: unknown, cmd: Command) => runConsole(cmd, `xl ${verb} ${shellQuote(ref)}`));
  }
  for (const [verb, what] of [
    ['shutdown', 'ask the guest to power off'],
    ['reboot', 'ask the guest to reboot (it comes back with a new domid)'],
  ] as const) {
    xl.command(verb)
      .description(what)
      .argument('<domain>', 'domain name or domid')
      .option('-w', 'wait until the guest has acted')
      .action(async (ref: string, opts: { w?: boolean }, cmd: Command) => runConsole(cmd, `xl ${verb}${opts.w ? ' -w' : ''} ${shellQuote(ref)}`));
  }
  xl.command('console')
    .description("attach to a domain's serial console (Ctrl+] detaches)")
    .argument('<domain>', 'domain name or domid')
    .action(async (ref: string, _opts: unknown, cmd: Command) => attachConsole(cmd, ref));

  /** Resolve a domain reference to a running domid (the API's refs are names or numbers). */
  const domidOf = async (cmd: Command, ref: string): Promise<number> => {
    const source = await resolveSource(ref, () => call(cmd, 'domains.list', {}));
    if (source === 'physical') throw new ApiError('invalid', "'physical' is a display, not a domain");
    return source;
  };

  /**
   * `xl console`: print the serial log, then poll for new output and send what is typed (stdin in
   * raw mode) until Ctrl+] (0x1d, xl's escape character) or the domain goes away.
   */
  const attachConsole = async (cmd: Command, ref: string): Promise<void> => {
    const domid = await domidOf(cmd, ref);
    const stdin = deps.stdin;
    if (!stdin) throw new Error('gvt-desk console needs a terminal on stdin (or use --exec CMD)');
    let { text, next } = await call(cmd, 'domain.serial', { domid });
    io.stdout(text);
    let detached = false;
    // Keys go one call after another: separate socket calls could otherwise overtake each other.
    let typing: Promise<unknown> = Promise.resolve();
    const detach = stdin.onData((bytes) => {
      const escape = bytes.indexOf(0x1d);
      const typed = (escape < 0 ? bytes : bytes.subarray(0, escape)).toString('utf8');
      if (typed) typing = typing.then(() => call(cmd, 'domain.serialInput', { ref: domid, text: typed })).catch(() => undefined);
      if (escape >= 0) detached = true;
    });
    try {
      while (!detached) {
        await new Promise((r) => setTimeout(r, CONSOLE_POLL_MS));
        ({ text, next } = await call(cmd, 'domain.serial', { domid, since: next }));
        io.stdout(text);
      }
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 'not_found')) throw e;
      println('\n[domain is gone]');
    } finally {
      detach();
      await typing;
    }
  };

  program
    .command('console')
    .description("a domain's serial console: attached like xl console, or run one command with --exec")
    .argument('<domain>', 'domain name or domid')
    .option('--exec <command>', "run one command on the guest's serial shell (for 0 or Domain-0: in the Dom0 shell, exiting with its status), print its output and exit")
    .option('--timeout <s>', 'with --exec: how long to wait for the prompt, s', parseSeconds, 10)
    .action(async (ref: string, opts: { exec?: string; timeout: number }, cmd: Command) => {
      if (opts.exec === undefined) return attachConsole(cmd, ref);
      if (ref === '0' || ref === 'Domain-0') {
        // The same shell as the app's Dom0 console (console.exec); `xl console` in it attaches here.
        const result = await call(cmd, 'console.exec', { line: opts.exec });
        io.stdout(result.output);
        exitCode = result.exitCode;
        if (result.attach) await attachConsole(cmd, String(result.attach.domid));
        return;
      }
      const { output } = await call(cmd, 'domain.serialExec', { ref: await domidOf(cmd, ref), command: opts.exec, timeoutS: opts.timeout });
      io.stdout(output);
    });

  program
    .command('input')
    .description("keyboard and pointer input to a domain's emulated USB tablet and PS/2 keyboard")
    .usage('DOMAIN pointer X Y [--pipe A|B|C] [--button B] [--click|--press|--release] | DOMAIN key [TEXT] [--combo KEYS]')
    .argument('<domain>', 'domain name or domid')
    .argument('<device>', "'pointer' (move to guest pixel X Y) or 'key' (type TEXT with the domain's keymap)")
    .argument('[args...]', 'pointer: X Y; key: TEXT')
    .addOption(new Option('--button <b>', 'pointer button').choices(['left', 'right', 'middle']).default('left'))
    .addOption(new Option('--pipe <pipe>', "pointer: X Y are pixels of this head (default A, whose pixels are the desktop's); the guest maps them into its desktop").choices([...PIPE_NAMES]))
    .option('--click', 'press and release the button at X Y')
    .option('--press', 'press the button at X Y')
    .option('--release', 'release the button at X Y')
    .option('--combo <keys>', 'keys joined by +, pressed in order and released in reverse, e.g. ctrl+alt+f2')
    .action(async (ref: string, device: string, args: string[], opts: InputOptions, cmd: Command) => {
      const events = inputEvents(device, args, opts);
      const { dropped } = await call(cmd, 'domain.input', { ref: await domidOf(cmd, ref), events });
      if (dropped > 0) io.stderr(`gvt-desk: ${dropped} input events dropped: the guest's input queue is full\n`);
    });

  const sysfs = program.command('sysfs').description('read and write the GVT-g sysfs interface (/sys/kernel/vgt/…)');
  sysfs
    .command('read')
    .argument('<path>', 'e.g. /sys/kernel/vgt/control/foreground_vm')
    .action(async (path: string, _opts: unknown, cmd: Command) => {
      const { value } = await call(cmd, 'sysfs.read', { path });
      println(value);
    });
  sysfs
    .command('write')
    .argument('<path>', 'e.g. /sys/kernel/vgt/control/foreground_vm')
    .argument('<value>', 'value to write, e.g. 1')
    .action(async (path: string, value: string, _opts: unknown, cmd: Command) => {
      await call(cmd, 'sysfs.write', { path, value });
    });

  program
    .command('screenshot')
    .description("save a domain's current framebuffer, or a physical monitor's picture, as PNG")
    .argument('<domain>', "domain name, domid, or 'physical' for the physical display")
    .argument('<file>', 'output PNG file')
    .addOption(new Option('--pipe <pipe>', "a domain's head by its pipe (default A, its first monitor)").choices([...PIPE_NAMES]))
    .addOption(new Option('--port <port>', "with 'physical': the physical monitor on this port (default: the first connected one)").choices(PHYSICAL_PORT_LETTERS))
    .action(async (ref: string, file: string, opts: { pipe?: PipeName; port?: string }, cmd: Command) => {
      const connection = await SocketConnection.open(paths(cmd).socketPath);
      try {
        const options = { timeoutMs: deps.timeoutMs };
        const resolved = await resolveSource(ref, () => connection.call('domains.list', {}, options));
        if (resolved === 'physical' && opts.pipe) throw new Error("--pipe picks a domain's head; for a physical monitor use --port B|C|D|E");
        if (resolved !== 'physical' && opts.port) throw new Error("--port picks a physical monitor (gvt-desk screenshot physical --port D FILE); a domain's heads are chosen with --pipe");
        let source: number;
        if (resolved === 'physical') source = opts.port ? physicalSourceOfPort(`PORT_${opts.port}` as PortName, await physicalMonitorPorts(connection, options)) : PHYSICAL_SOURCE;
        // A domain's pipe B or C is its own frame source (src/shared/heads.ts); pipe A is the domid.
        else source = opts.pipe ? vmHeadSource(resolved, PIPE_NAMES.indexOf(opts.pipe)) : resolved;
        const frame = await whole(connection, source, options);
        const out = isAbsolute(file) ? file : resolve(io.cwd, file);
        await writeFile(out, encodePng(frame));
        println(`${out}: ${frame.width}x${frame.height}`);
      } finally {
        connection.close();
      }
    });

  program
    .command('export')
    .description(`write a library domain's config in another format (${EXPORT_FORMATS.join(', ')}) to standard output or a file`)
    .argument('<domain>', 'domain name, or the domid of a running domain')
    .addOption(new Option('-f, --format <format>', 'export format').choices(EXPORT_FORMATS).makeOptionMandatory())
    .option('-o, --output <file>', 'write the export to FILE (atomically) instead of standard output')
    .action(async (ref: string, opts: { format: ExportFormat; output?: string }, cmd: Command) => {
      const name = /^\d+$/.test(ref) ? await nameOfDomid(Number(ref), () => call(cmd, 'domains.list', {})) : ref;
      const { text } = await call(cmd, 'domain.export', { name, format: opts.format });
      if (opts.output === undefined) {
        io.stdout(text);
        return;
      }
      const out = isAbsolute(opts.output) ? opts.output : resolve(io.cwd, opts.output);
      await writeFileAtomically(out, text, 'export file');
      println(`${out}: ${name} as ${opts.format}`);
    });

  registerOfflineCommands(program, io, (code) => {
    exitCode = code;
  });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : EXIT_USAGE;
    io.stderr(`gvt-desk: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

interface InputOptions {
  button: 'left' | 'right' | 'middle';
  /** The head X Y are on (pointer only). */
  pipe?: PipeName;
  click?: boolean;
  press?: boolean;
  release?: boolean;
  combo?: string;
}

/** The events of `gvt-desk input DOMAIN pointer X Y …` / `… key [TEXT] [--combo KEYS]`; InvalidArgumentError on bad usage. */
export function inputEvents(device: string, args: string[], opts: InputOptions): InputEventRequest[] {
  if (device === 'pointer') {
    if (args.length !== 2) throw new InvalidArgumentError('pointer needs X Y (guest pixels)');
    const [x, y] = args.map(parseCoord);
    const action: 'click' | 'press' | 'release' | null = opts.click ? 'click' : opts.press ? 'press' : opts.release ? 'release' : null;
    const head = opts.pipe && opts.pipe !== 'A' ? { pipe: opts.pipe } : {};
    return [{ type: 'pointer', x, y, ...head }, ...(action ? [{ type: 'button' as const, button: opts.button, action, x, y, ...head }] : [])];
  }
  if (opts.pipe) throw new InvalidArgumentError('--pipe names the head of pointer input; keys go to the domain whatever the head');
  if (device === 'key') {
    const events: InputEventRequest[] = [];
    if (args.length > 0) events.push({ type: 'text', text: args.join(' ') });
    if (opts.combo) events.push({ type: 'combo', keys: opts.combo.split('+') });
    if (events.length === 0) throw new InvalidArgumentError('key needs TEXT to type or --combo KEYS');
    return events;
  }
  throw new InvalidArgumentError(`unknown input device '${device}': use pointer or key`);
}

/** How often an attached console polls for serial output, ms. */
const CONSOLE_POLL_MS = 100;

function parseCoord(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 0xffff) throw new InvalidArgumentError('expected a pixel coordinate 0-65535');
  return Number(value);
}

function parseSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0.1 || n > 60) throw new InvalidArgumentError('expected seconds, 0.1-60');
  return n;
}

function parsePort(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new InvalidArgumentError('expected a TCP port number 0-65535');
  return Number(value);
}

/**
 * Quote a word for a Dom0 console line if it needs it. The console is a POSIX shell: inside '…'
 * nothing is special, so a single quote is written as '"'"'.
 */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_./:@%+=,-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'"'"'`)}'`;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/**
 * Resolve a screenshot source: 'physical', a domid (digits) or a domain name looked up with
 * domains.list. Throws ApiError('not_found') for an unknown name and an Error for a domain that is
 * not running.
 */
export async function resolveSource(ref: string, listDomains: () => Promise<DomainInfo[]>): Promise<number | 'physical'> {
  if (ref === 'physical') return 'physical';
  if (/^\d+$/.test(ref)) return Number(ref);
  const domains = await listDomains();
  const d = domains.find((x) => x.name === ref);
  if (!d) throw new ApiError('not_found', `no domain named '${ref}'`);
  if (d.domid === null) throw new Error(`domain '${ref}' is not running`);
  return d.domid;
}

/**
 * The name of the domain with domid `domid`, looked up with domains.list (a domid is how xl names
 * a running domain; the API's export takes names).
 * @throws ApiError('not_found') when no domain has that domid
 */
export async function nameOfDomid(domid: number, listDomains: () => Promise<DomainInfo[]>): Promise<string> {
  const d = (await listDomains()).find((x) => x.domid === domid);
  if (!d) throw new ApiError('not_found', `no domain with domid ${domid}`);
  return d.name;
}

/** `screenshot physical --port`: the ports a physical monitor can be on (PORT_A is the eDP panel's, never an external monitor's). */
const PHYSICAL_PORT_LETTERS = PORT_NAMES.slice(1).map((p) => p.slice('PORT_'.length));

/**
 * The physical ports with a monitor, from the emulated GPU's read-only sysfs nodes
 * /sys/kernel/vgt/control/PORT_X/connection ("connected" / "disconnected"), in port order.
 */
export async function physicalMonitorPorts(connection: SocketConnection, options: CallOptions): Promise<PortName[]> {
  const states = await Promise.all(PORT_NAMES.map((p) => connection.call('sysfs.read', { path: `/sys/kernel/vgt/control/${p}/connection` }, options)));
  return PORT_NAMES.filter((_, i) => states[i]!.value.trim() === 'connected');
}

/** How an error names `source`: "the physical display", "physical PORT_D", "domain 3 pipe B", "domain 3". */
function describeSource(source: number): string {
  const head = headOf(source);
  if (head?.kind === 'physical') return head.port ? `physical ${head.port}` : 'the physical display';
  return head?.kind === 'vm' && head.pipe !== 'A' ? `domain ${head.domid} pipe ${head.pipe}` : `domain ${source}`;
}

/**
 * The whole current picture of `source` (a frame source id, src/shared/heads.ts), sent as binary
 * on `connection` by frame.resync (it arrives before the answer; a congested link may send it just
 * after). Throws when the source has no framebuffer or its display is off.
 */
async function whole(connection: SocketConnection, source: number, options: CallOptions): Promise<FrameMessage> {
  let unsubscribe = (): void => undefined;
  const arrived = new Promise<FrameMessage>((resolveFrame) => {
    unsubscribe = connection.onFrame((f) => {
      if (f.source === source && f.x === 0 && f.y === 0 && f.w === f.width && f.h === f.height) resolveFrame(f);
    });
  });
  try {
    // frame.resync names physical heads 'physical' / 'physical:D'; a VM's heads by their number.
    const name = headOf(source)?.kind === 'physical' ? (sourceName(source) as string) : source;
    const size = await connection.call('frame.resync', { source: name }, options);
    if (size === null || size.width === 0) throw new Error(size === null ? `${describeSource(source)} has no framebuffer yet` : `${describeSource(source)} is off (no signal)`);
    return await arrived;
  } finally {
    unsubscribe();
  }
}

/** Encode a whole frame (RGBA) as PNG; throws if its pixel data does not match width × height. */
export function encodePng(frame: Pick<FrameMessage, 'width' | 'height' | 'rgba'>): Buffer {
  const rgba = Buffer.from(frame.rgba.buffer, frame.rgba.byteOffset, frame.rgba.byteLength);
  if (frame.width <= 0 || frame.height <= 0 || rgba.length !== frame.width * frame.height * 4) {
    throw new Error(`frame is ${frame.width}x${frame.height} but carries ${rgba.length} bytes of RGBA`);
  }
  const png = new PNG({ width: frame.width, height: frame.height });
  png.data = rgba;
  return PNG.sync.write(png);
}
