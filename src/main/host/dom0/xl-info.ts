/**
 * `xl info`, in Xen 4.6's order and layout (tools/libxl/xl_cmdimpl.c print_info: output_nodeinfo,
 * output_physinfo, output_xeninfo, then xend_config_format; every line `%-23s: %s`). The host is
 * the machine running GVT Desk (its name, CPUs and memory); free_memory is what the domains leave
 * of it. Dom0 is the guides' XenGT build: Linux 4.3.0-rc6-vgt+ (seed 001 §3.2) on Xen 4.6
 * (igvtg-xen 2016q3-4.6) with the 2016 guide's Xen command line (§3.4.1), built on the guide's
 * Ubuntu 16.04.1 (its gcc); the build's changeset and date are not known and not invented.
 *
 * GVT Desk adds the emulated GPU's GVT-g resources after xl's lines, in MiB and counts, from
 * gpu.info (in use = taken by the host's reservation and the vGPUs):
 *   gvt_aperture_mb / gvt_aperture_used_mb   low GM (the CPU-visible aperture)
 *   gvt_gm_mb / gvt_gm_used_mb               all graphics memory (aperture + high GM)
 *   gvt_fences / gvt_fences_used             fence registers
 *   gvt_vgpus                                live vGPUs
 */
import type { DomainInfo, Results } from '../../../shared/api';
import type { MachineInfo } from './deps';

/** Dom0's kernel (`uname -r`), as the 2016 guide builds it. */
const DOM0_KERNEL_RELEASE = '4.3.0-rc6-vgt+';
const XEN_COMMANDLINE = 'dom0_mem=2048M loglvl=all guest_loglvl=all conring_size=4M noreboot';
/** A Skylake-S CPU's feature words as Xen 4.x reports them. */
const SKYLAKE_HW_CAPS = 'bfebfbff:77faf3ff:2c100800:00000121:0000000f:009c6fbf:00000000:00000100';

const MB = 1 << 20;

/** The `xl info` text for `machine`, the domains (Domain-0 included) and the GPU. */
export function formatXlInfo(machine: MachineInfo, domains: DomainInfo[], gpu: Results['gpu.info']): string {
  const used = domains.filter((d) => d.domid !== null).reduce((n, d) => n + d.memoryMiB, 0);
  const lowGm = gpu.apertureBytes;
  const allGm = gpu.totalGmBytes;
  const rows: [string, string | number][] = [
    ['host', machine.hostname],
    ['release', DOM0_KERNEL_RELEASE],
    ['version', '#1 SMP'],
    ['machine', 'x86_64'],
    ['nr_cpus', machine.cpus],
    ['max_cpu_id', machine.cpus - 1],
    ['nr_nodes', 1],
    ['cores_per_socket', machine.cpus],
    ['threads_per_core', 1],
    ['cpu_mhz', Math.round(machine.cpuMhz)],
    ['hw_caps', SKYLAKE_HW_CAPS],
    ['virt_caps', 'hvm hvm_directio'],
    ['total_memory', machine.totalMemoryMiB],
    ['free_memory', Math.max(0, machine.totalMemoryMiB - used)],
    ['sharing_freed_memory', 0],
    ['sharing_used_memory', 0],
    ['outstanding_claims', 0],
    ['free_cpus', 0],
    ['xen_major', 4],
    ['xen_minor', 6],
    ['xen_extra', '.0'],
    ['xen_version', '4.6.0'],
    ['xen_caps', 'xen-3.0-x86_64 xen-3.0-x86_32p hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64 '],
    ['xen_scheduler', 'credit'],
    ['xen_pagesize', 4096],
    ['platform_params', 'virt_start=0xffff800000000000'],
    ['xen_changeset', 'unavailable'],
    ['xen_commandline', XEN_COMMANDLINE],
    ['cc_compiler', 'gcc (Ubuntu 5.4.0-6ubuntu1~16.04.4) 5.4.0 20160609'],
    ['cc_compile_by', 'root'],
    ['cc_compile_domain', ''],
    ['cc_compile_date', ''],
    ['xend_config_format', 4],
    ['gvt_aperture_mb', lowGm / MB],
    ['gvt_aperture_used_mb', (lowGm - gpu.freeLowGmBytes) / MB],
    ['gvt_gm_mb', allGm / MB],
    ['gvt_gm_used_mb', (allGm - gpu.freeLowGmBytes - gpu.freeHighGmBytes) / MB],
    ['gvt_fences', gpu.fences],
    ['gvt_fences_used', gpu.fences - gpu.freeFences],
    ['gvt_vgpus', gpu.liveVgpus],
  ];
  return rows.map(([k, v]) => `${k.padEnd(23)}: ${v}`).join('\n') + '\n';
}
