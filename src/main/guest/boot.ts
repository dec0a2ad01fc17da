/**
 * A simulated guest OS: prints a Linux-like boot log on its serial console, loads the graphics
 * driver and runs the workload named by the domain's `gvt_workload` key until the host stops it.
 * Interrupt-driven: the desktop draws a frame and flips at every vblank (60 Hz); a vblank that
 * comes while the previous frame is still in flight is skipped.
 */
import { GuestDriver, NoVgpuError } from './driver';
import type { GuestRam } from './guest-ram';
import type { TrapPort } from './trap-port';
import { HOSTILE_SCENARIOS } from '../../shared/workloads';
import { probeDisplays } from './display-probe';
import { DesktopScene } from './workloads/desktop';
import { runHostile } from './workloads/hostile';

export interface GuestEnv {
  name: string;
  domid: number;
  memoryMiB: number;
  vcpus: number;
  vgt: boolean;
  workload: string;
  /** Serial console output (one line, no newline). */
  serial(line: string): void;
  /** Block until an MSI arrives or `timeoutMs` passes; true when an interrupt arrived. */
  waitIrq(timeoutMs: number): boolean;
  /** Wall-clock ms (for the clock on the desktop). */
  nowMs(): number;
  /** Monotonic seconds since boot (for log timestamps). */
  uptime(): number;
  stopped(): boolean;
}

/** Run the guest until `env.stopped()`; never throws for vGPU trouble (it is logged on serial). */
export function runGuest(port: TrapPort, ram: GuestRam, env: GuestEnv): void {
  const log = (line: string): void => env.serial(`[${env.uptime().toFixed(6).padStart(12)}] ${line}`);
  log(`Linux version 4.3.0-vgt+ (gvt-desk guest) #1 SMP`);
  log(`Command line: root=/dev/xvda1 ro console=ttyS0 i915.enable_execlists=1`);
  log(`Memory: ${env.memoryMiB * 1024}K available, ${env.vcpus} vCPU(s)`);
  log(`Hypervisor detected: Xen HVM, domain "${env.name}" domid ${env.domid}`);
  if (!env.vgt) {
    log('i915: no vGPU assigned (vgt=0); console only');
    idle(env);
    return;
  }
  const driver = new GuestDriver(port, ram, log);
  try {
    driver.probe();
  } catch (e) {
    if (e instanceof NoVgpuError) {
      log(`i915: ${e.message}`);
      idle(env);
      return;
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
    // Keep acknowledging interrupts like a live driver, so the mediator keeps delivering them.
    while (!env.stopped()) if (env.waitIrq(500)) driver.handleInterrupt();
    return;
  }
  if (env.workload === 'idle') {
    log('gvt-workload: idle');
    idle(env);
    return;
  }
  const scene = new DesktopScene(driver, { name: env.name, domid: env.domid });
  driver.initBlitterRing();
  driver.enableInterrupts();
  scene.boot();
  // Like i915's output probing: the first connected monitor with a usable EDID drives pipe A.
  const probe = (): void => scene.setMode(probeDisplays(port, log)[0]?.mode ?? null);
  probe();
  driver.setDisplayReady();
  log('[drm] Initialized i915 1.6.0 for 0000:00:02.0 on minor 0');
  log('gvt-workload: desktop started');
  /** Hangcheck: a frame still in flight after this long means the GPU hung (i915 uses 1.5 s). */
  const hangcheckMs = 1000;
  let lastDraw = -Infinity;
  let inFlight = false;
  let pendingProbe = false;
  while (!env.stopped()) {
    if (!env.waitIrq(200)) continue;
    const causes = driver.handleInterrupt();
    if (causes.bcsUser || causes.completedContexts.length > 0) inFlight = false;
    if (causes.hotplug) {
      log('[drm] hotplug event: re-probing outputs');
      pendingProbe = true;
    }
    // Surfaces of the old mode are freed on a mode change: only once the GPU is done with them.
    if (pendingProbe && !inFlight) {
      pendingProbe = false;
      probe();
    }
    const now = env.uptime() * 1000;
    if (inFlight && now - lastDraw > hangcheckMs) {
      driver.resetEngine();
      inFlight = false;
    }
    if (causes.vblank && scene.mode && !inFlight) {
      scene.frame(env.nowMs());
      lastDraw = now;
      inFlight = true;
    }
  }
}

function idle(env: GuestEnv): void {
  while (!env.stopped()) env.waitIrq(500);
}
