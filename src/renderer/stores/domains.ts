/** Domains as the host reports them (domains.list), kept current by the `domains` event. */
import { defineStore } from 'pinia';
import { computed, onScopeDispose, ref } from 'vue';
import type { DomainInfo, NewVmForm, Results } from '../../shared/api';
import type { ExportFormat } from '../../shared/export-formats';
import { useApi } from '../api';

export const DOM0_NAME = 'Domain-0';

/** Shown until the first list arrives: Dom0 always exists, it is the host. */
const DOM0_PLACEHOLDER: DomainInfo = {
  name: DOM0_NAME,
  domid: 0,
  state: 'running',
  xlState: 'r-----',
  shutdownRequest: null,
  memoryMiB: 0,
  vcpus: 0,
  timeS: 0,
  vgpu: null,
  configErrors: [],
  workload: '',
};

export const useDomainsStore = defineStore('domains', () => {
  const api = useApi();
  const list = ref<DomainInfo[]>([]);

  /** Domain-0 first, then the host's order. */
  const ordered = computed<DomainInfo[]>(() => {
    const dom0 = list.value.find((d) => d.domid === 0) ?? DOM0_PLACEHOLDER;
    return [dom0, ...list.value.filter((d) => d !== dom0)];
  });

  /** Guests that exist as domains (have a domid): each gets a compositor window. */
  const guests = computed(() => ordered.value.filter((d): d is DomainInfo & { domid: number } => d.domid !== null && d.domid !== 0));
  const running = computed(() => guests.value.filter((d) => d.state === 'running'));

  function byDomid(domid: number): DomainInfo | undefined {
    return ordered.value.find((d) => d.domid === domid);
  }

  function byName(name: string): DomainInfo | undefined {
    return ordered.value.find((d) => d.name === name);
  }

  async function refresh(): Promise<void> {
    list.value = await api.invoke('domains.list', {});
  }

  // Actions re-read the list after success as well: the host also pushes `domains`, but the
  // list must not depend on an event arriving for the UI to be right.
  async function start(name: string): Promise<void> {
    await api.invoke('domain.start', { name });
    await refresh();
  }

  async function destroy(domid: number): Promise<void> {
    await api.invoke('domain.destroy', { ref: domid });
    await refresh();
  }

  async function pause(domid: number): Promise<void> {
    await api.invoke('domain.pause', { ref: domid });
    await refresh();
  }

  async function unpause(domid: number): Promise<void> {
    await api.invoke('domain.unpause', { ref: domid });
    await refresh();
  }

  /** `xl shutdown -w`: resolves once the guest has powered off; ApiError('timeout') after timeoutS. */
  async function shutdown(domid: number, timeoutS: number): Promise<void> {
    await api.invoke('domain.shutdown', { ref: domid, wait: true, timeoutS });
    await refresh();
  }

  /** `xl reboot -w`: resolves once the guest is up again under a new domid (its window follows by name). */
  async function reboot(domid: number, timeoutS: number): Promise<void> {
    await api.invoke('domain.reboot', { ref: domid, wait: true, timeoutS });
    await refresh();
  }

  async function remove(name: string): Promise<void> {
    await api.invoke('library.remove', { name });
    await refresh();
  }

  async function importConfig(fileName: string, text: string): Promise<string> {
    const { name } = await api.invoke('library.import', { fileName, text });
    await refresh();
    return name;
  }

  /** Import with replace: refused by the host (ApiError 'busy') while that domain runs. */
  async function importReplace(fileName: string, text: string): Promise<string> {
    const { name } = await api.invoke('library.import', { fileName, text, replace: true });
    await refresh();
    return name;
  }

  /** Import as a copy: under "<name>-2", "-3", … when the name is taken. */
  async function importCopy(fileName: string, text: string): Promise<Results['library.importCopy']> {
    const result = await api.invoke('library.importCopy', { fileName, text });
    await refresh();
    return result;
  }

  /** New VM: check the form (dryRun) or write it to the library. */
  async function createVm(form: NewVmForm, dryRun: boolean): Promise<Results['library.create']> {
    const result = await api.invoke('library.create', { form, dryRun });
    if (!dryRun) await refresh();
    return result;
  }

  /** The GVT-g vGPU types with their available instances now (and what is short for a type with none). */
  async function vgpuTypes(): Promise<Results['gpu.types']> {
    return api.invoke('gpu.types', {});
  }

  async function clone(name: string, newName: string): Promise<Results['library.clone']> {
    const result = await api.invoke('library.clone', { name, newName });
    await refresh();
    return result;
  }

  /** The first free name for a copy: "<name>-clone" / "<name>-2". */
  async function freeName(name: string, suffix: 'clone' | 'number'): Promise<string> {
    return (await api.invoke('library.freeName', { name, suffix })).name;
  }

  async function loadConfig(name: string): Promise<{ fileName: string; text: string }> {
    return api.invoke('library.get', { name });
  }

  /** A library domain's config as `format` (domain.export): the text and a file name to save it as. */
  async function exportConfig(name: string, format: ExportFormat): Promise<Results['domain.export']> {
    return api.invoke('domain.export', { name, format });
  }

  async function saveConfig(name: string, text: string): Promise<void> {
    await api.invoke('library.save', { name, text });
    await refresh();
  }

  const off = api.on('domains', (domains) => {
    list.value = domains;
  });
  onScopeDispose(off);

  return { list, ordered, guests, running, byDomid, byName, refresh, start, destroy, pause, unpause, shutdown, reboot, remove, importConfig, importReplace, importCopy, createVm, vgpuTypes, clone, freeName, loadConfig, exportConfig, saveConfig };
});
