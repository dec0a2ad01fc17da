/** UI state that is not host state: errors to show, which panels and dialogs are open (window layout: stores/windows.ts). */
import { defineStore } from 'pinia';
import { reactive, ref } from 'vue';
import type { ConnectionStatus } from '../api/ws-client';
import type { PortName } from '../../shared/ports';
import { errorMessage } from '../lib/errors';
import { useWindowsStore } from './windows';

export interface UiError {
  id: number;
  message: string;
}

/** What the hotplug dialog is doing: plug a monitor into a port, or swap the EDID of a connected one. */
export interface HotplugRequest {
  domid: number;
  port: PortName;
  mode: 'connect' | 'replace';
}

/** A VM window's placement key: by name, so a rebooted domain (new domid) keeps its place; prefixed so a domain named "physical" is not the physical display. */
export const vmWindowKey = (name: string): string => `vm:${name}`;

/** The tabs of a VM window. */
export type VmTab = 'screen' | 'serial' | 'ports';

/** The Export… dialog: for domain `name`, or (null, from File ▸ Export) the first library domain. */
export interface ExportRequest {
  name: string | null;
}

/** A domain's context menu (right-click on its library row or its window's title bar), at CSS pixels x, y of the viewport. */
export interface DomainMenuRequest {
  name: string;
  x: number;
  y: number;
}

/** Older errors drop off so a burst of failures cannot bury the screen. */
const MAX_ERRORS = 5;

export const useUiStore = defineStore('ui', () => {
  const errors = ref<UiError[]>([]);
  let nextErrorId = 1;

  function reportError(err: unknown, context?: string): void {
    const message = context ? `${context}: ${errorMessage(err)}` : errorMessage(err);
    errors.value = [...errors.value, { id: nextErrorId++, message }].slice(-MAX_ERRORS);
  }

  function dismissError(id: number): void {
    errors.value = errors.value.filter((e) => e.id !== id);
  }

  /** Run a user action; a failure lands in the error banner with the host's message. */
  async function attempt<T>(context: string, action: () => Promise<T>): Promise<T | undefined> {
    try {
      return await action();
    } catch (err) {
      reportError(err, context);
      return undefined;
    }
  }

  const consoleOpen = ref(true);
  const dashboardOpen = ref(true);
  /** Library entry whose config is open in the editor. */
  const editing = ref<string | null>(null);
  /** Library entry whose monitor.config is open in the monitor editor. */
  const monitorEditing = ref<string | null>(null);
  /** The open hotplug dialog (Connect with EDID… / Replace EDID…), if any. */
  const hotplugDialog = ref<HotplugRequest | null>(null);
  /** Bumped by File ▸ Import; the library panel owns the file input and opens it. */
  const importRequests = ref(0);
  /** The open Export… dialog, if any. */
  const exportRequest = ref<ExportRequest | null>(null);
  const connection = ref<ConnectionStatus>('connecting');

  /**
   * The open tab of each VM window, by domain name rather than domid: a rebooted domain comes back
   * with a new domid and its new window opens where the old one was (e.g. on its serial log).
   */
  const vmTabs = reactive<Record<string, VmTab>>({});
  /** The open domain context menu, if any. */
  const domainMenu = ref<DomainMenuRequest | null>(null);

  /** Show a VM window's tab and bring the window to the front, reopened if it was closed (the Console menu item opens Serial). */
  function showVmTab(name: string, tab: VmTab): void {
    vmTabs[name] = tab;
    // Looked up here, not at setup: the windows store uses this one.
    useWindowsStore().show(vmWindowKey(name));
  }

  return {
    errors,
    reportError,
    dismissError,
    attempt,
    consoleOpen,
    dashboardOpen,
    editing,
    monitorEditing,
    hotplugDialog,
    importRequests,
    exportRequest,
    connection,
    vmTabs,
    domainMenu,
    showVmTab,
  };
});
