/** The physical display and GPU: which domain is in the foreground, and free/total GPU resources. */
import { defineStore } from 'pinia';
import { onScopeDispose, ref } from 'vue';
import type { GpuResources, Settings, VgpuTypeInfo } from '../../shared/api';
import { useApi } from '../api';

export const useDisplayStore = defineStore('display', () => {
  const api = useApi();
  const foreground = ref(0);
  const resources = ref<GpuResources | null>(null);
  /** GVT-g vGPU types with their available instances (they change as vGPUs come and go). */
  const types = ref<VgpuTypeInfo[]>([]);
  /** hvm_boot_foreground: a new VM takes the physical display once its driver is ready. */
  const bootForeground = ref(true);
  /** The aperture size setting (MiB); the running GPU's is in `resources` until the next start. */
  const apertureSetting = ref<Settings['apertureMiB']>(512);

  /** gpu.info carries the foreground too; gpu.types the vGPU types' available instances. */
  async function refresh(): Promise<void> {
    const [{ foreground: fg, ...res }, t] = await Promise.all([api.invoke('gpu.info', {}), api.invoke('gpu.types', {})]);
    foreground.value = fg;
    resources.value = res;
    types.value = t;
  }

  async function refreshSettings(): Promise<void> {
    const s = await api.invoke('settings.get', {});
    bootForeground.value = s.hvmBootForeground;
    apertureSetting.value = s.apertureMiB;
  }

  async function setAperture(mib: Settings['apertureMiB']): Promise<void> {
    apertureSetting.value = (await api.invoke('settings.set', { apertureMiB: mib })).apertureMiB;
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

  return { foreground, resources, types, bootForeground, apertureSetting, refresh, refreshSettings, setAperture, setBootForeground, setForeground };
});
