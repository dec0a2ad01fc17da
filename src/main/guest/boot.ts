/**
 * A simulated guest OS: prints a Linux-like boot log on its serial console, loads the graphics
 * driver and runs the workload named by the domain's `gvt_workload` key, with a root shell on its
 * serial line, until it powers off or reboots or the host stops it.
 */
import { type DesktopLayout, type DisplayLayoutName, desktopPoint, layDesktop } from './display-layout';
import { GuestDriver, NoVgpuError } from './driver';
import type { GuestRam } from './guest-ram';
import type { TrapPort } from './trap-port';
import type { InputQueue } from '../../shared/input-queue';
import { HOSTILE_SCENARIOS } from '../../shared/workloads';
import { type ProbedMonitor, probeDisplays } from './display-probe';
import { DisplayInfo } from './display-info';
import { arrowCursor } from './cursor-image';
import { type GuestExit, GuestOs, KERNEL_RELEASE } from './guest-os';
import { FramePacing } from './hangcheck';
import { GuestShell } from './shell';
import { DesktopScene } from './workloads/desktop';
import { runHostile } from './workloads/hostile';

export interface GuestEnv {
  name: string;
  domid: number;
  memoryMiB: number;
  vcpus: number;
  vgt: boolean;
  workload: string;
  /** xl.cfg keymap= name: the guest's keyboard layout. */
  keymap: string;
  /** An absolute USB tablet (usbdevice='tablet'), else a PS/2 mouse. */
  tablet: boolean;
  /** gvt_display_layout: one desktop spanning the monitors ('extended') or the same on each ('clone'). */
  displayLayout: DisplayLayoutName;
  /** Serial console output (raw text, "\n" line ends). */
  serial(text: string): void;
  /** The host's input queue (keyboard, pointer, serial bytes); this guest is its consumer. */
  input: InputQueue;
  /**
   * Halt until any interrupt arrives or `timeoutMs` passes (and while the domain is paused);
   * true when the GPU's MSI fired since the last call.
   */
  waitIrq(timeoutMs: number): boolean;
  /** The toolstack's pending shutdown request (SHUTDOWN_* of trap-mailbox). */
  shutdownRequest(): number;
  /** Wall-clock ms (for the clock on the desktop). */
  nowMs(): number;
  /** Monotonic seconds since boot (for log timestamps). */
  uptime(): number;
  stopped(): boolean;
}

/**
 * Run the guest until it powers off or reboots (its own shell, or the toolstack's request) or the
 * host stops it; never throws for vGPU trouble (it is logged on serial).
 */
export function runGuest(port: TrapPort, ram: GuestRam, env: GuestEnv): GuestExit {
  const os = new GuestOs(env);
  const log = (line: string): void => os.log(line);
  log(`Linux version ${KERNEL_RELEASE} (gvt-desk guest) #1 SMP`);
  log(`Command line: root=/dev/xvda1 ro console=ttyS0 i915.enable_execlists=1`);
  log(`Memory: ${env.memoryMiB * 1024}K available, ${env.vcpus} vCPU(s)`);
  log(`Hypervisor detected: Xen HVM, domain "${env.name}" domid ${env.domid}`);
  log(`input: AT Translated Set 2 keyboard as /devices/platform/i8042/serio0/input/input0`);
  log(env.tablet ? 'input: QEMU QEMU USB Tablet as /devices/pci0000:00/0000:00:01.2/usb1/1-1/1-1:1.0/0003:0627:0001.0001/input/input4' : 'input: ImExPS/2 Generic Explorer Mouse as /devices/platform/i8042/serio1/input/input2');
  if (!env.vgt) {
    log('i915: no vGPU assigned (vgt=0); console only');
    return consoleOnly(os, env);
  }
  const driver = new GuestDriver(port, ram, log);
  try {
    driver.probe();
  } catch (e) {
    if (e instanceof NoVgpuError) {
      log(`i915: ${e.message}`);
      return consoleOnly(os, env);
    }
    throw e;
  }
  if (env.workload.startsWith('hostile:')) {
    driver.initBlitterRing();
    driver.enableInterrupts();
    const which = env.workload.slice('hostile:'.length);
    for (const scenario of HOSTILE_SCENARIOS.filter((s) => which === 'all' || s === which)) {
      log(`gvt-workload: hostile ${scenario}: ${runHostile(scenario, driver, port)}`);
    }
    os.startSerialLogin();
    // Keep acknowledging interrupts like a live driver, so the mediator keeps delivering them; a
    // hostile guest also never answers a shutdown request (the host must cope: xl destroy).
    while (!env.stopped()) {
      if (env.waitIrq(500)) driver.handleInterrupt();
      os.service(null, false);
      if (os.power) return powerDown(os, driver);
    }
    return 'stopped';
  }
  if (env.workload === 'idle') {
    log('gvt-workload: idle');
    return consoleOnly(os, env);
  }
  return runDesktop(os, driver, port, env);
}

/**
 * The orderly end of a guest with a vGPU: its driver turns the outputs off, masks its interrupts
 * and lets go of its graphics memory (i915's unload path), then the kernel's last message.
 */
function powerDown(os: GuestOs, driver: GuestDriver): Exclude<GuestExit, 'stopped'> {
  const power = os.power!;
  driver.shutdown();
  os.log(power === 'reboot' ? 'reboot: Restarting system' : 'reboot: Power down');
  return power;
}

/** A guest without graphics work: the serial shell and power requests only. */
function consoleOnly(os: GuestOs, env: GuestEnv): GuestExit {
  os.startSerialLogin();
  while (!env.stopped()) {
    env.waitIrq(500);
    os.service(null);
    if (os.power) {
      os.log(os.power === 'reboot' ? 'reboot: Restarting system' : 'reboot: Power down');
      return os.power;
    }
  }
  return 'stopped';
}

/**
 * The desktop workload, interrupt-driven: a frame is drawn and flipped at every vblank (60 Hz); a
 * vblank that comes while the previous frame is still in flight is skipped. Keyboard text goes to
 * the desktop terminal's shell, the tablet moves the cursor plane and drags windows.
 */
function runDesktop(os: GuestOs, driver: GuestDriver, port: TrapPort, env: GuestEnv): GuestExit {
  const log = (line: string): void => os.log(line);
  const scene = new DesktopScene(driver, { name: env.name, domid: env.domid });
  driver.initBlitterRing();
  driver.enableInterrupts();
  // The cursor image is allocated before the desktop's mode-sized surfaces (freed on mode changes).
  driver.initCursor(arrowCursor());
  scene.boot();
  let monitors: ProbedMonitor[] = [];
  let layout: DesktopLayout | null = null;
  const pointer = { x: 0, y: 0 };
  const clampPointer = (): void => {
    const m = scene.mode;
    if (!m) return;
    pointer.x = Math.max(0, Math.min(m.width - 1, pointer.x));
    pointer.y = Math.max(0, Math.min(m.height - 1, pointer.y));
  };
  // Like i915's output probing: the connected monitors with a usable EDID take pipes A, B, C in
  // port order; the desktop is laid over them as gvt_display_layout says.
  const probe = (): void => {
    monitors = probeDisplays(port, log);
    layout = layDesktop((mode, heads) => scene.setMode(mode, heads), monitors, env.displayLayout, log);
    if (scene.mode) {
      clampPointer();
      driver.moveCursor(pointer.x, pointer.y);
    }
  };
  probe();
  const displayInfo = new DisplayInfo();
  os.files.set('/sys/kernel/debug/dri/0/i915_display_info', () => displayInfo.text(layout, monitors, (pipe) => driver.cursorState(pipe)));
  driver.setDisplayReady();
  log('[drm] Initialized i915 1.6.0 for 0000:00:02.0 on minor 0');
  log('gvt-workload: desktop started');
  const termShell = new GuestShell(os.shellHost((text) => scene.terminalWrite(text)));
  termShell.start();
  os.startSerialLogin();
  let left = false;
  const sink = {
    text: (chars: string) => termShell.input(chars),
    pointer(x: number, y: number, pipe: number) {
      // A head's pixels into the desktop (extended: offset by the head's place; clone: as head A).
      ({ x: pointer.x, y: pointer.y } = desktopPoint(layout, pipe, x, y));
      clampPointer();
      if (!scene.mode) return;
      // One trapped CUR_POS (+ CUR_BASE arm) write per move, as i915's legacy cursor update does.
      const c = driver.cursorState();
      if (c.x !== pointer.x || c.y !== pointer.y) driver.moveCursor(pointer.x, pointer.y);
      if (left) scene.pointerMove(pointer.x, pointer.y);
    },
    button(button: number, down: boolean) {
      if (button !== 0 || !scene.mode) return;
      left = down;
      scene.pointerButton(down, pointer.x, pointer.y);
    },
    wheel() {
      // The desktop has nothing to scroll.
    },
  };
  // Frames retire by the seqno the GPU wrote (the interrupt only wakes us); the hangcheck samples at vblank.
  const pacing = new FramePacing(scene, driver);
  /** How long a power-off waits for the frame in flight, ms. */
  const lastFrameMs = 1000;
  let pendingProbe = false;
  while (!env.stopped()) {
    const msi = env.waitIrq(200);
    os.service(sink);
    if (os.power) {
      // Let the frame in flight finish (up to lastFrameMs) before the driver lets go.
      const deadline = env.uptime() * 1000 + lastFrameMs;
      while (pacing.busy && !env.stopped() && env.uptime() * 1000 < deadline) if (env.waitIrq(50)) driver.handleInterrupt();
      return powerDown(os, driver);
    }
    if (!msi) continue;
    const causes = driver.handleInterrupt();
    if (causes.hotplug) {
      log('[drm] hotplug event: re-probing outputs');
      pendingProbe = true;
    }
    // Surfaces of the old mode are freed on a mode change: only once the GPU is done with them.
    if (pendingProbe && !pacing.busy) {
      pendingProbe = false;
      probe();
    }
    if (causes.vblank) pacing.vblank(env.nowMs(), scene.mode !== null);
  }
  return 'stopped';
}
