/**
 * The xl lifecycle as the UI drives it, shared by a library row's buttons and the domain context
 * menu (library row, VM window title bar): which actions a domain's state allows, which call is in
 * flight per domain, the destroy confirmation and the "did not shut down in time" question.
 */
import { defineStore } from 'pinia';
import { reactive, ref } from 'vue';
import type { DomainInfo } from '../../shared/api';
import { useDomainsStore } from './domains';
import { useUiStore } from './ui';

/** How long Shut down and Reboot wait for the guest before asking what to do, s (`xl shutdown -w` waits forever; a window should not). */
export const SHUTDOWN_WAIT_S = 10;

export type LifecycleActionId = 'start' | 'pause' | 'resume' | 'shutdown' | 'reboot' | 'destroy';

export interface LifecycleAction {
  id: LifecycleActionId;
  label: string;
  /** The accessible name: the label and the domain, e.g. "Start vgtHVMDomain", "Destroy vgtHVMDomain". */
  ariaLabel: string;
  /** Tooltip: what the action does, in xl's terms. */
  hint: string;
  disabled: boolean;
  /** Destroy: styled as dangerous. */
  danger: boolean;
  run: () => void;
}

/** A domain addressed by both: the call needs the domid, every message names the domain. */
export interface DomainRefs {
  name: string;
  domid: number;
}

/** Shut down / Reboot ran out of time (ApiError 'timeout'): the guest has not acted on the request. */
export interface ShutdownTimeout extends DomainRefs {
  action: 'shutdown' | 'reboot';
  message: string;
}

export const useLifecycleStore = defineStore('lifecycle', () => {
  const domains = useDomainsStore();
  const ui = useUiStore();
  /** The call in flight per domain name (Shut down waits for the guest, so this lasts seconds). */
  const busy = reactive<Record<string, LifecycleActionId>>({});
  /** The domain whose Destroy waits for confirmation. */
  const confirmingDestroy = ref<DomainRefs | null>(null);
  const timedOut = ref<ShutdownTimeout | null>(null);

  async function run(id: LifecycleActionId, name: string, context: string, call: () => Promise<unknown>): Promise<void> {
    busy[name] = id;
    try {
      await ui.attempt(`${context} ${name}`, call);
    } finally {
      delete busy[name];
    }
  }

  /** Shut down or Reboot with wait; a timeout opens the question instead of the error banner. */
  async function end(action: 'shutdown' | 'reboot', d: DomainRefs): Promise<void> {
    busy[d.name] = action;
    try {
      await (action === 'shutdown' ? domains.shutdown(d.domid, SHUTDOWN_WAIT_S) : domains.reboot(d.domid, SHUTDOWN_WAIT_S));
    } catch (err) {
      if ((err as { code?: unknown } | null)?.code === 'timeout') {
        // Once this call is over, "Shutting down…" rests on the list's shutdownRequest: read the
        // list now rather than trust that a pushed one arrived after the request was made.
        await domains.refresh().catch(() => undefined);
        timedOut.value = { ...d, action, message: (err as Error).message };
      } else ui.reportError(err, `${action === 'shutdown' ? 'Shut down' : 'Reboot'} ${d.name}`);
    } finally {
      delete busy[d.name];
    }
  }

  /** Destroy a domain now (after confirmation, or from the timeout question). */
  function destroy(d: DomainRefs): Promise<void> {
    confirmingDestroy.value = null;
    timedOut.value = null;
    return run('destroy', d.name, 'Destroy', () => domains.destroy(d.domid));
  }

  /** "Keep waiting": ask again and wait another SHUTDOWN_WAIT_S (the request is still pending, as xl's is). */
  function keepWaiting(): void {
    const t = timedOut.value;
    timedOut.value = null;
    if (t) void end(t.action, t);
  }

  /** "Shutting down…" / "Rebooting…" while a request is pending, whoever made it (also `xl shutdown` in the Dom0 console). */
  function status(d: DomainInfo): string | null {
    // Powered off: the host's list can say so before the waiting call has returned.
    if (d.domid === null) return null;
    if (busy[d.name] === 'reboot' || d.shutdownRequest === 'reboot') return 'Rebooting…';
    if (busy[d.name] === 'shutdown' || d.shutdownRequest === 'poweroff' || d.state === 'shutdown') return 'Shutting down…';
    return null;
  }

  /** The actions a domain's state allows, in display order; Domain-0 has none. */
  function actionsFor(d: DomainInfo): LifecycleAction[] {
    if (d.domid === 0) return [];
    const inFlight = busy[d.name];
    const action = (id: LifecycleActionId, label: string, hint: string, go: () => void): LifecycleAction => ({
      id,
      label,
      ariaLabel: `${label.replace(/…$/, '')} ${d.name}`,
      hint,
      danger: id === 'destroy',
      // Destroy stays possible while Shut down waits: it is what ends a guest that will not.
      disabled: id === 'destroy' ? inFlight === 'destroy' : inFlight !== undefined,
      run: go,
    });
    if (d.domid === null) {
      const start = action('start', 'Start', 'xl create: start this domain from its config', () => void run('start', d.name, 'Start', () => domains.start(d.name)));
      // The vGPU it asks for does not fit what is free now (the host's resource accounting says what is short).
      if (d.startBlocked) return [{ ...start, disabled: true, hint: `Cannot start: ${d.startBlocked}` }];
      return [start];
    }
    const refs = { name: d.name, domid: d.domid };
    const out: LifecycleAction[] = [];
    if (d.state === 'running' && !status(d)) {
      out.push(
        action('pause', 'Pause', 'xl pause: stop the vCPUs (the vGPU keeps its state)', () => void run('pause', d.name, 'Pause', () => domains.pause(refs.domid))),
        action('shutdown', 'Shut down', `xl shutdown -w: ask the guest to power off (waits up to ${SHUTDOWN_WAIT_S} s)`, () => void end('shutdown', refs)),
        action('reboot', 'Reboot', `xl reboot -w: ask the guest to reboot; it comes back with a new domid (waits up to ${SHUTDOWN_WAIT_S} s)`, () => void end('reboot', refs)),
      );
    } else if (d.state === 'paused') {
      out.push(action('resume', 'Resume', 'xl unpause: run the vCPUs again', () => void run('resume', d.name, 'Resume', () => domains.unpause(refs.domid))));
    }
    out.push(action('destroy', 'Destroy…', 'xl destroy: stop the domain at once and free its vGPU (asks first)', () => (confirmingDestroy.value = refs)));
    return out;
  }

  return { busy, confirmingDestroy, timedOut, status, actionsFor, destroy, keepWaiting };
});
