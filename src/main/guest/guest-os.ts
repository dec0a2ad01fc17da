/**
 * The guest's operating-system side, apart from its graphics driver: the kernel log (printed on
 * the serial console and kept for `dmesg`), the root shell on the serial line, the emulated input
 * devices (PS/2 keyboard, USB tablet) read from the host's input queue, and power requests — from
 * the toolstack (Xen's control/shutdown: `xl shutdown`, `xl reboot`) or from `poweroff`/`reboot`
 * typed in a shell.
 */
import { BUTTONS, INPUT_BUTTON, INPUT_KEY, INPUT_WHEEL, type InputQueue, unpackHeadB, unpackXy } from '../../shared/input-queue';
import { SHUTDOWN_POWEROFF, SHUTDOWN_REBOOT } from '../../shared/trap-mailbox';
import { PsKeyboard } from './keyboard';
import { guestPciDevices } from './pci-devices';
import { PS2_KEYBOARD, PS2_MOUSE, USB_TABLET, formatInputDevices, formatUname } from './proc-files';
import { GuestShell } from './shell';

/** How a guest run ends: it powered off, it rebooted, or the host stopped it (xl destroy). */
export type GuestExit = 'poweroff' | 'reboot' | 'stopped';

/** What the guest OS needs from its vCPU's environment. */
export interface OsEnv {
  name: string;
  memoryMiB: number;
  vcpus: number;
  keymap: string;
  tablet: boolean;
  /** The domain has a vGPU (vgt=1): it is the VGA device at 00:02.0. */
  vgt: boolean;
  /** Raw serial console output ("\n" line ends). */
  serial(text: string): void;
  input: InputQueue;
  /** The toolstack's pending shutdown request (SHUTDOWN_*). */
  shutdownRequest(): number;
  /** Monotonic seconds since boot (for log timestamps). */
  uptime(): number;
}

/** Where keyboard text and pointer events go (the desktop), if anywhere. */
export interface InputSink {
  text(chars: string): void;
  /** Pointer at (x, y) pixels of head `pipe` (0 = A), unclamped; the sink maps them into its desktop. */
  pointer(x: number, y: number, pipe: number): void;
  /** A button at the pointer's position (sent just before, with its head). */
  button(button: number, down: boolean): void;
  wheel(delta: number): void;
}

/** Kernel log lines kept for dmesg (the kernel's ring buffer is bounded too). */
const DMESG_LINES = 2000;

export const KERNEL_RELEASE = '4.3.0-vgt+';
export const KERNEL_VERSION = '#1 SMP PREEMPT';

export class GuestOs {
  private readonly klog: string[] = [];
  private readonly keyboard: PsKeyboard;
  private readonly decoder = new TextDecoder();
  readonly serialShell: GuestShell;
  /** Set once the guest decided to power off or reboot. */
  power: Exclude<GuestExit, 'stopped'> | null = null;
  /** Files beyond the built-in ones (e.g. the driver's debugfs), by path. */
  readonly files = new Map<string, () => string>();

  constructor(private readonly env: OsEnv) {
    this.keyboard = new PsKeyboard(env.keymap);
    this.serialShell = new GuestShell(this.shellHost((t) => env.serial(t)));
    this.files.set('/proc/bus/input/devices', () => formatInputDevices([PS2_KEYBOARD, env.tablet ? USB_TABLET : PS2_MOUSE]));
    this.files.set('/proc/version', () => `Linux version ${KERNEL_RELEASE} (gvt-desk guest) ${KERNEL_VERSION}\n`);
    this.files.set('/etc/hostname', () => `${env.name}\n`);
  }

  /** Print a kernel log line with its timestamp, as printk does on the console. */
  log(line: string): void {
    const stamped = `[${this.env.uptime().toFixed(6).padStart(12)}] ${line}`;
    this.klog.push(stamped);
    if (this.klog.length > DMESG_LINES) this.klog.shift();
    this.env.serial(stamped + '\n');
  }

  /** What a shell writing to `write` can see and do in this guest. */
  shellHost(write: (text: string) => void): ConstructorParameters<typeof GuestShell>[0] {
    return {
      hostname: this.env.name,
      write,
      dmesg: () => [...this.klog],
      uname: (flags) => formatUname(flags, { sysname: 'Linux', nodename: this.env.name, release: KERNEL_RELEASE, version: KERNEL_VERSION, machine: 'x86_64' }),
      readFile: (path) => this.files.get(path)?.() ?? null,
      pciDevices: guestPciDevices(this.env.vgt),
      poweroff: () => (this.power = 'poweroff'),
      reboot: () => (this.power = 'reboot'),
    };
  }

  /** The login on ttyS0 (agetty's autologin line), then the shell's prompt. */
  startSerialLogin(): void {
    this.env.serial(`\n${this.env.name} login: root (automatic login)\n\n`);
    this.serialShell.start();
  }

  /**
   * Take everything the host queued since the last call: a shutdown request (unless `honourShutdown`
   * is false, as in a guest that ignores it), serial bytes for the shell, key presses and pointer
   * events for `sink`. Without a sink, input is read and discarded (no display to use it).
   */
  service(sink: InputSink | null, honourShutdown = true): void {
    const request = this.env.shutdownRequest();
    if (honourShutdown && !this.power && (request === SHUTDOWN_POWEROFF || request === SHUTDOWN_REBOOT)) {
      this.power = request === SHUTDOWN_REBOOT ? 'reboot' : 'poweroff';
    }
    const input = this.env.input;
    const bytes = input.serialRead();
    if (bytes.length > 0) this.serialShell.input(this.decoder.decode(bytes, { stream: true }));
    for (let e = input.take(); e; e = input.take()) {
      if (!sink) continue;
      if (e.kind === INPUT_KEY) {
        const text = this.keyboard.key(e.a, e.b !== 0);
        if (text) sink.text(text);
      } else {
        const { x, y } = unpackXy(e.xy);
        const { pipe, down } = unpackHeadB(e.b);
        // Events carry where they happened: the pointer goes there first (motion may have been coalesced).
        sink.pointer(x, y, pipe);
        if (e.kind === INPUT_BUTTON && e.a <= BUTTONS.middle) sink.button(e.a, down);
        if (e.kind === INPUT_WHEEL) sink.wheel(e.a);
      }
    }
    const p = input.takePointer();
    if (p && sink) sink.pointer(p.x, p.y, p.pipe);
  }
}
