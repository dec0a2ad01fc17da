/** Virtual ports of running domains (ports.list), kept current by the `ports` event and hotplug results. */
import { defineStore } from 'pinia';
import { onScopeDispose, reactive } from 'vue';
import type { PortInfo } from '../../shared/api';
import type { PortName } from '../../shared/ports';
import { useApi } from '../api';
import { errorMessage } from '../lib/errors';

export type HotplugAction = 'connect' | 'disconnect';

export const usePortsStore = defineStore('ports', () => {
  const api = useApi();
  /** domid → its ports, in PORT_A..PORT_E order. */
  const byDomid = reactive<Record<number, PortInfo[]>>({});
  /** domid → why its ports could not be read (shown in its ports pane). */
  const loadErrors = reactive<Record<number, string>>({});

  /** Read a domain's ports; a failure is kept in loadErrors (a background read must not spam the banner). */
  async function load(domid: number): Promise<void> {
    try {
      byDomid[domid] = await api.invoke('ports.list', { domid });
      delete loadErrors[domid];
    } catch (err) {
      loadErrors[domid] = errorMessage(err);
    }
  }

  /** Plug, replace (connect with a new EDID) or unplug a monitor; throws the host's refusal. */
  async function hotplug(domid: number, port: PortName, action: HotplugAction, opts: { edidHex?: string; type?: number } = {}): Promise<PortInfo[]> {
    const params: { domid: number; port: PortName; action: HotplugAction; edidHex?: string; type?: number } = { domid, port, action };
    if (opts.edidHex !== undefined) params.edidHex = opts.edidHex;
    if (opts.type !== undefined) params.type = opts.type;
    const ports = await api.invoke('ports.hotplug', params);
    byDomid[domid] = ports;
    return ports;
  }

  function port(domid: number, name: PortName): PortInfo | undefined {
    return byDomid[domid]?.find((p) => p.name === name);
  }

  /** Drop a destroyed domain's ports. */
  function forget(domid: number): void {
    delete byDomid[domid];
    delete loadErrors[domid];
  }

  const off = api.on('ports', ({ domid, ports }) => {
    byDomid[domid] = ports;
    delete loadErrors[domid];
  });
  onScopeDispose(off);

  return { byDomid, loadErrors, load, hotplug, port, forget };
});
