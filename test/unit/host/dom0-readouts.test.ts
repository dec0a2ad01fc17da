/**
 * Dom0's read-outs in upstream formats: `xl info` (Xen 4.6 print_info), `xl list -l` (libxl JSON
 * through yajl's beautifier), `lspci -nn` (pciutils, pci.ids names), `dmesg` (printk timestamps,
 * GVT-g prefixes) with the mediator's life-cycle, failsafe and reset lines.
 */
import { describe, expect, it } from 'vitest';
import { PVINFO } from '../../../src/shared/pvinfo';
import { GEN6_GDRST, GEN6_GRDOM_RENDER, VGT_PVINFO_PAGE } from '../../../src/shared/regs';
import { KERNEL_LOG_LINES, KernelLog } from '../../../src/main/mediator/kernel-log';
import { expandTabs } from '../../../src/main/host/dom0/xl-list';
import { yajlBeautify } from '../../../src/main/host/dom0/yajl';
import { dom0Rig } from './dom0-rig';

/** xl 4.6's keys, in print_info's order (output_nodeinfo, output_physinfo, output_xeninfo). */
const XL_INFO_KEYS = ['host', 'release', 'version', 'machine', 'nr_cpus', 'max_cpu_id', 'nr_nodes', 'cores_per_socket', 'threads_per_core', 'cpu_mhz', 'hw_caps', 'virt_caps', 'total_memory', 'free_memory', 'sharing_freed_memory', 'sharing_used_memory', 'outstanding_claims', 'free_cpus', 'xen_major', 'xen_minor', 'xen_extra', 'xen_version', 'xen_caps', 'xen_scheduler', 'xen_pagesize', 'platform_params', 'xen_changeset', 'xen_commandline', 'cc_compiler', 'cc_compile_by', 'cc_compile_domain', 'cc_compile_date', 'xend_config_format'];

describe('xl info', () => {
  it("xl's keys in xl's order, `%-23s: `, then the GPU's GVT-g resources in use", async () => {
    const d = dom0Rig();
    await d.sh('xl create xlexample.hvm');
    const r = await d.sh('xl info');
    expect(r.exitCode).toBe(0);
    const lines = r.output.trimEnd().split('\n');
    for (const l of lines) expect(l).toMatch(/^[a-z_]{1,22} *: /);
    for (const l of lines) expect(l.indexOf(': ')).toBe(23);
    const info = new Map(lines.map((l) => [l.slice(0, 23).trimEnd(), l.slice(25)]));
    expect([...info.keys()].slice(0, XL_INFO_KEYS.length)).toEqual(XL_INFO_KEYS);
    expect(info.get('host')).toBe('skl-host');
    expect(info.get('release')).toBe('4.3.0-rc6-vgt+');
    expect(info.get('xen_version')).toBe('4.6.0');
    expect(info.get('total_memory')).toBe('16384');
    expect(info.get('free_memory')).toBe(String(16384 - 730 - 2048));
    // 512 MiB aperture: the host keeps 128 MiB, the guest's vGPU has 128 MiB; GM: 128+384 each.
    expect([...info.entries()].slice(XL_INFO_KEYS.length)).toEqual([
      ['gvt_aperture_mb', '512'],
      ['gvt_aperture_used_mb', '256'],
      ['gvt_gm_mb', '4096'],
      ['gvt_gm_used_mb', '1024'],
      ['gvt_fences', '32'],
      ['gvt_fences_used', '8'],
      ['gvt_vgpus', '1'],
    ]);
  });
});

describe('xl list -l', () => {
  it('prints the domain config as libxl JSON, laid out as yajl beautifies it', async () => {
    const d = dom0Rig();
    await d.sh('xl create xlexample.hvm');
    const r = await d.sh('xl list -l vgtHVMDomain');
    expect(r.exitCode).toBe(0);
    expect(r.output).toBe(`[
    {
        "domid": 1,
        "config": {
            "c_info": {
                "type": "hvm",
                "name": "vgtHVMDomain"
            },
            "b_info": {
                "max_vcpus": 1,
                "avail_vcpus": [
                    0
                ],
                "max_memkb": 2097152,
                "target_memkb": 2097152,
                "device_model_version": "qemu_xen",
                "device_model": "/usr/lib/xen/bin/qemu-system-i386",
                "sched_params": {

                },
                "type.hvm": {
                    "acpi_s3": "False",
                    "acpi_s4": "False",
                    "vga": {

                    },
                    "vnc": {
                        "enable": "False",
                        "passwd": ""
                    },
                    "keymap": "en-us",
                    "sdl": {
                        "enable": "True"
                    },
                    "spice": {

                    },
                    "serial": "pty",
                    "usb": "True",
                    "usbdevice": "tablet",
                    "rdm": {

                    },
                    "vgt": "True",
                    "vgt_low_gm_sz": 128,
                    "vgt_high_gm_sz": 384,
                    "vgt_fence_sz": 4,
                    "vgt_monitor_config_file": "/path/to/monitor.config"
                },
                "arch_arm": {

                }
            },
            "disks": [
                {
                    "pdev_path": "/path/to/Guest_OS.img",
                    "vdev": "hda",
                    "format": "raw",
                    "readwrite": 1
                }
            ],
            "nics": [
                {
                    "bridge": "xenbr0",
                    "nictype": "vif_ioemu"
                }
            ],
            "on_reboot": "restart"
        }
    }
]

`);
    expect(JSON.parse(r.output)[0].config.b_info['type.hvm'].vgt_low_gm_sz).toBe(128);
  });

  it("the 2013 guide's disks (file: prefix, an empty cdrom) and sdl's opengl", async () => {
    const d = dom0Rig();
    await d.sh(`cat > /etc/xen/old.hvm <<'EOF'\nname = 'old'\nmemory = 64\nvcpus = 2\ndisk = [ 'file:/path/to/image/file,hda,w', ',hdc:cdrom,r' ]\nsdl=1\nopengl=1\nstdvga=1\non_poweroff='preserve'\nEOF`);
    await d.sh('xl create old.hvm');
    const config = JSON.parse((await d.sh('xl list -l old')).output)[0].config;
    expect(config.b_info.avail_vcpus).toEqual([0, 1]);
    expect(config.b_info['type.hvm']).toEqual({ vga: { kind: 'std' }, vnc: {}, sdl: { enable: 'True', opengl: 'True' }, spice: {}, rdm: {} });
    expect(config.disks).toEqual([
      { pdev_path: '/path/to/image/file', vdev: 'hda', format: 'raw', readwrite: 1 },
      { vdev: 'hdc', format: 'empty', removable: 1, is_cdrom: 1 },
    ]);
    expect([config.on_poweroff, config.on_reboot]).toEqual(['preserve', 'restart']);
  });

  it('Domain-0 has no stored config (skipped, as xl does); unknown domains are xl\'s errors', async () => {
    const d = dom0Rig();
    expect(await d.sh('xl list -l 0')).toEqual({ output: '[\n\n]\n\n', exitCode: 0 });
    expect(await d.sh('xl list -l nosuch')).toEqual({ output: 'nosuch is an invalid domain identifier (rc=-6)\n', exitCode: 2 });
    expect(await d.sh('xl list 9')).toEqual({ output: "Error: Domain '9' does not exist.\n", exitCode: 1 });
  });

  it('yajl escapes control characters in upper-case hex and leaves / alone', () => {
    expect(yajlBeautify({ s: 'a"b\\c/d\n\x01' })).toBe('{\n    "s": "a\\"b\\\\c/d\\n\\u0001"\n}\n');
    expect(yajlBeautify([])).toBe('[\n\n]\n');
  });
});

describe('xl list', () => {
  it("the header is xl's literal with its tabs; expandTabs shows it as a terminal does", () => {
    expect(expandTabs('Name                                        ID   Mem VCPUs\tState\tTime(s)')).toBe(`${'Name'.padEnd(44)}ID   Mem VCPUs${' '.repeat(6)}State${' '.repeat(3)}Time(s)`);
  });
});

describe('lspci on Dom0', () => {
  it('lspci -nn | grep VGA shows the Skylake GT2 IGD, 8086:1912 rev 06; the host bridge is there too', async () => {
    const d = dom0Rig();
    expect(await d.sh('lspci -nn | grep VGA')).toEqual({ output: '00:02.0 VGA compatible controller [0300]: Intel Corporation Skylake-S GT2 [HD Graphics 530] [8086:1912] (rev 06)\n', exitCode: 0 });
    expect((await d.sh('lspci -nn')).output.split('\n')[0]).toBe('00:00.0 Host bridge [0600]: Intel Corporation Xeon E3-1200 v5/E3-1500 v5/6th Gen Core Processor Host Bridge/DRAM Registers [8086:191f] (rev 07)');
    expect((await d.sh('lspci -n | grep 0300')).output).toBe('00:02.0 0300: 8086:1912 (rev 06)\n');
    expect((await d.sh('lspci | grep VGA')).output).toBe('00:02.0 VGA compatible controller: Intel Corporation Skylake-S GT2 [HD Graphics 530] (rev 06)\n');
  });
});

describe('dmesg on Dom0', () => {
  it('dmesg | grep -i gvt: vGPU created and destroyed, a failsafe, a reset, with printk timestamps', async () => {
    const d = dom0Rig();
    await d.sh('xl create xlexample.hvm');
    const v = d.vgpu(1);
    d.mediator.mmioWrite(v, GEN6_GDRST, GEN6_GRDOM_RENDER, 0);
    d.mediator.mmioWrite(v, VGT_PVINFO_PAGE + PVINFO.rsv5, 32, 0); // GVT-g pvinfo_mmio_write: rsv5 means failsafe
    await d.sh('xl destroy vgtHVMDomain');
    const r = await d.sh('dmesg | grep -i gvt');
    expect(r.exitCode).toBe(0);
    const lines = r.output.trimEnd().split('\n');
    for (const l of lines) expect(l).toMatch(/^\[ {0,4}\d{1,5}\.\d{6}\] gvt: /);
    const text = lines.map((l) => l.slice(15)).join('\n');
    expect(text).toContain('gvt: core: gvt device initialization is done (aperture 512 MB, GM 4096 MB, 32 fences)');
    expect(text).toContain('gvt: core: create vgpu 1 for domain 1 (vgtHVMDomain): low 128 MB high 384 MB fence 4');
    expect(text).toContain('gvt: vgpu 1: guest reset GDRST=0x2');
    expect(text).toMatch(/gvt: vgpu 1: failsafe: PVINFO: write 0x20 to rsv5 at offset 0x808/);
    expect(text).toContain('gvt: core: destroy vgpu 1 (domain 1)');
    expect(await d.sh('dmesg -c')).toEqual({ output: "dmesg: invalid option -- 'c'\nUsage: dmesg (no options)\n", exitCode: 1 });
  });

  it("the kernel log is a bounded ring with printk's [%5lu.%06lu] stamps", () => {
    const log = new KernelLog();
    log.printk(1_234_567_891, 'first');
    expect(log.lines()).toEqual(['[    1.234567] first']);
    for (let i = 0; i < KERNEL_LOG_LINES + 5; i++) log.printk(123_456_000_000_000, `line ${i}`);
    expect(log.lines()).toHaveLength(KERNEL_LOG_LINES);
    expect(log.lines().at(-1)).toBe(`[123456.000000] line ${KERNEL_LOG_LINES + 4}`);
  });
});
