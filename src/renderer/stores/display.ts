/** The physical display and GPU: which domain is in the foreground, and free/total GPU resources. */
import { defineStore } from 'pinia';
import { onScopeDispose, ref } from 'vue';
import type { GpuResources } from '../../shared/api';
import { useApi } from '../api';

export const useDisplayStore = defineStore('display', () => {
  const api = useApi();
  const foreground = ref(0);
  const resources = ref<GpuResources | null>(null);
  /** hvm_boot_foreground: a new VM takes the physical display once its driver is ready. */
  const bootForeground = ref(true);

  /** gpu.info carries the foreground too, so one call brings both up to date. */
  async function refresh(): Promise<void> {
    const { foreground: fg, ...res } = await api.invoke('gpu.info', {});
    foreground.value = fg;
    resources.value = res;
  }

  async function refreshSettings(): Promise<void> {
    bootForeground.value = (await api.invoke('settings.get', {})).hvmBootForeground;
  }

  async function setBootForeground(on: boolean): Promise<void> {
    bootForeground.value = (await api.invoke('settings.set', { hvmBootForeground: on })).hvmBootForeground;
  }

  async function setForeground(domid: number): Promise<void> {
    const result = await api.invoke('display.setForeground', { domid });
    foreground.value = result.foreground;
  }

  // The Dom0 console (`echo N > .../foreground_vm`) switches through the same host code; the event
  // is how the menu and the physical window learn about it.
  const off = api.on('display', ({ foreground: fg }) => {
    foreground.value = fg;
  });
  onScopeDispose(off);

  return { foreground, resources, bootForeground, refresh, refreshSettings, setBootForeground, setForeground };
});
