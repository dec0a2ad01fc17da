/**
 * Export as mdevctl JSON: the domain's vGPU as mdevctl (the mediated device manager of Linux
 * distributions) describes a defined device, in the form `mdevctl list --defined --dumpjson` prints:
 *
 *   [ { "0000:00:02.0": [ { "<uuid>": { "mdev_type": "i915-GVTg_V5_4", "start": "auto", "attrs": [] } } ] } ]
 *
 * a list of parents, each with its devices keyed by UUID. The inner object is mdevctl's config file
 * (/etc/mdevctl.d/<parent>/<uuid>), which `mdevctl define --parent 0000:00:02.0 --uuid <uuid>
 * --jsonfile FILE` takes. start "auto": mdevctl creates the vGPU whenever the iGD appears (at boot),
 * so the QEMU and libvirt exports find it. GVT-g types take no device attributes.
 * source: mdevctl README ("Architecture": the JSON config) and its testdata/list/*.json (list
 * --dumpjson output, which has an i915-GVTg_V5_8 device on 0000:00:02.0); github.com/mdevctl/mdevctl
 */
import type { DomainSpec } from '../domain-spec';
import { vgpuUuid } from './uuid';
import { GVT_PARENT, mdevTypeName, vgpuTypeFor } from './vgpu-type';

/** One mdevctl device config (the file /etc/mdevctl.d/<parent>/<uuid>). */
export interface MdevctlConfig {
  mdev_type: string;
  start: 'auto' | 'manual';
  attrs: Record<string, string>[];
}

/** `mdevctl list --dumpjson` output: parents → devices by UUID. */
export type MdevctlList = Record<string, Record<string, MdevctlConfig>[]>[];

/**
 * The domain's vGPU as mdevctl JSON (list --dumpjson form, 2-space indented, newline at the end),
 * with the stable UUID of vgpuUuid.
 * @throws ApiError('config') for a domain without a vGPU or whose sizes no GVT-g type covers (vgpuTypeFor)
 */
export function exportMdevctl(spec: DomainSpec): string {
  const config: MdevctlConfig = { mdev_type: mdevTypeName(vgpuTypeFor(spec)), start: 'auto', attrs: [] };
  const list: MdevctlList = [{ [GVT_PARENT]: [{ [vgpuUuid(spec.name)]: config }] }];
  return `${JSON.stringify(list, null, 2)}\n`;
}
