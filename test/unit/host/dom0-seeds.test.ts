/**
 * The setup guides' command lines, replayed line by line in the Dom0 console (over the real
 * mediator, library and domains: dom0-rig.ts), each with its effect checked. Lines are copied from
 * the seeds (`# ` prompt removed); the guide's placeholders vm# / PORT_# are vm1 / PORT_B, and
 * $edid is the guide's own ASUS PA238 EDID (its monitor.config, resources/examples).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { libraryMonitor } from '../../../src/shared/edid-library';
import { edidToHex } from '../../../src/shared/edid';
import { XL_LIST_HEADER } from '../../../src/main/host/dom0/xl-list';
import { dom0Rig } from './dom0-rig';

/** The PA238 EDID of seed 001 §4.1.3, as the 8 hex lines of the guide's monitor.config. */
const PA238_LINES = readFileSync(join(__dirname, '../../../resources/examples/monitor.config'), 'utf8')
  .split('\n')
  .filter((l) => /^[0-9a-f]{32}$/.test(l));
/** The EDID as one word, as a user sets it: edid=00ffffffffffff00… */
const PA238_HEX = PA238_LINES.join('');

describe('seed 001 (Intel GVT-g Setup Guide, Nov 2016) §4–5, line by line', () => {
  it('§4.1.1 xl create xlexample.hvm finds the example in /etc/xen and boots it as vgtHVMDomain', async () => {
    const d = dom0Rig();
    expect(await d.sh('xl create xlexample.hvm')).toEqual({ output: 'Parsing config from xlexample.hvm\n', exitCode: 0 });
    expect(d.calls.map(([m]) => m)).toContain('domain.start');
    const v = d.vgpu(1);
    expect([v.name, v.alloc.lowGm.size >> 20, v.alloc.highGm.size >> 20, v.alloc.fenceCount]).toEqual(['vgtHVMDomain', 128, 384, 4]);
    // The guide's file, verbatim, is what the library now holds.
    expect(d.library.get('vgtHVMDomain').text).toBe(readFileSync(join(__dirname, '../../../resources/examples/xlexample.hvm'), 'utf8'));
  });

  it('§4.1.2 (KVMGT) the qemu command line and chmod are not Dom0 console commands: not found', async () => {
    const d = dom0Rig();
    const qemu = [
      '/usr/bin/qemu-system-x86_64 -m 2048 -smp 2 \\',
      '\t-bios /usr/bin/bios.bin -enable-kvm \\',
      '\t-M pc -machine kernel_irqchip=on \\',
      '\t-hda /path/to/Guest_OS.img \\',
      '\t-net nic -net tap,script=/path/to/qemu-ifup \\',
      '\t-vgt -vga vgt -vgt_low_gm_sz 128 \\',
      '\t-vgt_high_gm_sz 384 -vgt_fence_sz 4',
    ].join('\n');
    expect(await d.sh(qemu)).toEqual({ output: 'sh: /usr/bin/qemu-system-x86_64: not found\n', exitCode: 127 });
    expect(await d.sh('chmod +x /path/to/qemu-ifup')).toEqual({ output: 'sh: chmod: not found\n', exitCode: 127 });
  });

  it('§4.1.3 cat monitor.config: there is none in /root; the data dir is where GVT Desk keeps them', async () => {
    const d = dom0Rig();
    expect(await d.sh('cat monitor.config')).toEqual({ output: 'cat: monitor.config: No such file or directory\n', exitCode: 1 });
    expect(await d.sh('ls /var/lib/gvt-desk')).toEqual({ output: 'domains\n', exitCode: 0 });
  });

  it('§4.1.4 apt-get is not there either', async () => {
    const d = dom0Rig();
    expect(await d.sh('apt-get install libegl1-mesa-dev -y')).toEqual({ output: 'sh: apt-get: not found\n', exitCode: 127 });
    expect(await d.sh('apt-get install libudev-dev -y')).toEqual({ output: 'sh: apt-get: not found\n', exitCode: 127 });
  });

  it('§5.1 display switch: cat / echo 0 > / cat foreground_vm', async () => {
    const d = dom0Rig({ hvmBootForeground: true });
    await d.sh('xl create xlexample.hvm');
    d.displayReady(1); // i915.hvm_boot_foreground=1: the guest takes the display once its driver is ready
    expect(await d.sh('cat /sys/kernel/vgt/control/foreground_vm')).toEqual({ output: '1\n', exitCode: 0 });
    expect(await d.sh('echo 0 > /sys/kernel/vgt/control/foreground_vm')).toEqual({ output: '', exitCode: 0 });
    expect(d.mediator.foreground).toBe(0);
    expect(await d.sh('cat /sys/kernel/vgt/control/foreground_vm')).toEqual({ output: '0\n', exitCode: 0 });
  });

  it('§5.2 virtual hotplug: plug-out, then the PA238 EDID, port override, type and plug-in', async () => {
    const d = dom0Rig();
    await d.sh('xl create xlexample.hvm');
    const port = () => d.vgpu(1).display.ports.get('PORT_B')!;
    expect(port().connected).toBe(true);
    const builtIn = port().edid;

    // Plug-out:
    expect(await d.sh('echo disconnect > /sys/kernel/vgt/vm1/PORT_B/connection')).toEqual({ output: '', exitCode: 0 });
    expect(port().connected).toBe(false);
    expect(await d.sh('cat /sys/kernel/vgt/vm1/PORT_B/connection')).toEqual({ output: 'disconnected\n', exitCode: 0 });

    // Plug-in ($edid and $port_type set first, as the guide's text says they stand for):
    expect(await d.sh(`edid=${PA238_HEX}`)).toEqual({ output: '', exitCode: 0 });
    expect(await d.sh('port_type=5')).toEqual({ output: '', exitCode: 0 });
    expect(await d.sh('echo -n $edid > /sys/kernel/vgt/vm1/PORT_B/edid_text')).toEqual({ output: '', exitCode: 0 });
    expect(d.vgpu(1).display.pending.get('PORT_B')?.edid).toEqual(libraryMonitor('asus-pa238')!.bytes);
    expect(await d.sh('echo "PORT_B" > /sys/kernel/vgt/vm1/PORT_B/port_override')).toEqual({ output: '', exitCode: 0 });
    expect(await d.sh('echo $port_type > /sys/kernel/vgt/vm1/PORT_B/type')).toEqual({ output: '', exitCode: 0 });
    // Staged only: the port still has its old monitor, unplugged.
    expect([port().connected, port().edid]).toEqual([false, builtIn]);
    expect(await d.sh('echo connect > /sys/kernel/vgt/vm1/PORT_B/connection')).toEqual({ output: '', exitCode: 0 });
    expect([port().connected, port().type, port().overridePort]).toEqual([true, 5, 'PORT_B']);
    expect(edidToHex(port().edid!)).toBe(`${PA238_LINES.join('\n')}\n`);
    const shown = await d.sh('cat /sys/kernel/vgt/vm1/PORT_B/edid');
    expect([shown.output.trimEnd(), shown.exitCode]).toEqual([PA238_LINES.join('\n'), 0]);
    // XenGT's edid_text has no show: write-only, a read fails with EIO.
    const writeOnly = await d.sh('cat /sys/kernel/vgt/vm1/PORT_B/edid_text');
    expect(writeOnly.exitCode).toBe(1);
    expect(writeOnly.output).toMatch(/edid_text: read error: Input\/output error \(write-only/);
    expect((await d.sh('cat /sys/kernel/vgt/vm1/PORT_B/type /sys/kernel/vgt/vm1/PORT_B/pipe')).output).toBe('VGT_HDMI_B\nPipe A\n');
    // The mediator's log in Dom0's dmesg.
    const log = (await d.sh('dmesg | grep -i gvt')).output;
    expect(log).toMatch(/^\[ +\d+\.\d{6}\] gvt: vgpu 1: hotplug: PORT_B disconnected$/m);
    expect(log).toMatch(/^\[ +\d+\.\d{6}\] gvt: vgpu 1: hotplug: PORT_B connected$/m);
  });

  it('§5.2 the quoted forms work the same: "$edid", ${edid}', async () => {
    const d = dom0Rig();
    await d.sh('xl create xlexample.hvm');
    await d.sh(`edid=${PA238_HEX}`);
    for (const word of ['"$edid"', '${edid}', '"${edid}"']) {
      d.vgpu(1).display.pending.clear();
      expect(await d.sh(`echo -n ${word} > /sys/kernel/vgt/vm1/PORT_B/edid_text`)).toEqual({ output: '', exitCode: 0 });
      expect(d.vgpu(1).display.pending.get('PORT_B')?.edid, word).toEqual(libraryMonitor('asus-pa238')!.bytes);
    }
  });
});

describe('seed 000 (XenGT Setup Guide, 2013) §4–5, line by line', () => {
  /** The 2013 config made to parse: ASCII quotes, no `Kernel` (xl knows no such key), the name xl list shows. */
  const FIXED_2013 = `cat > /etc/xen/ExampleHVMDomain.hvm <<'EOF'
builder = 'hvm'
memory = 2048
name = "ExampleHVMDomain"
vif = [ 'type=ioemu, bridge=xenbr0' ]
disk = [ 'file:/path/to/image/file,hda,w', ',hdc:cdrom,r' ]
#device_model = 'qemu-dm'
device_model_version='qemu-xen'
device_model_override='/usr/lib/xen/bin/qemu-system-i386'
sdl=1
opengl=1
vnc=0
vncpasswd=''
serial='pty'
tsc_mode=0
stdvga = 0
usb=1
usbdevice='tablet'
keymap='en-us'
vgt=1
vgt_low_gm_sz=64
vgt_high_gm_sz=448
vgt_fence_sz=4
EOF`;

  it('§4.1 xl create xmexample.hvm: the guide\'s file is in /etc/xen, but as printed (Kernel = “hvmloader”) xl refuses it, naming the line', async () => {
    const d = dom0Rig();
    const r = await d.sh('xl create xmexample.hvm');
    expect(r.exitCode).toBe(1);
    expect(r.output).toMatch(/^Parsing config from xmexample.hvm\nvgtHVMDomain cannot start:\nxmexample.hvm:1:1: error: invalid key 'Kernel'/);
    // /etc/xen's examples are read-only; the fix goes into a file of one's own.
    expect(await d.sh('cat > /etc/xen/xmexample.hvm <<EOF\nbuilder = "hvm"\nEOF')).toEqual({ output: 'sh: cannot create /etc/xen/xmexample.hvm: Permission denied\n', exitCode: 2 });
    expect(await d.sh(FIXED_2013)).toEqual({ output: '', exitCode: 0 });
    expect(await d.sh('ls /etc/xen')).toEqual({ output: 'ExampleHVMDomain.hvm  vgtHVMDomain.cfg  xlexample.hvm  xmexample.conf  xmexample.hvm\n', exitCode: 0 });
    expect(await d.sh('xl create ExampleHVMDomain.hvm')).toEqual({ output: 'Parsing config from ExampleHVMDomain.hvm\n', exitCode: 0 });
    expect([d.vgpu(1).alloc.lowGm.size >> 20, d.vgpu(1).alloc.highGm.size >> 20]).toEqual([64, 448]);
  });

  it('§4.2 xl list and §4.3 xl destroy ExampleHVMDomain', async () => {
    const d = dom0Rig();
    await d.sh(FIXED_2013);
    expect((await d.sh('xl destroy ExampleHVMDomain')).output).toBe("no running domain 'ExampleHVMDomain'\n");
    await d.sh('xl create ExampleHVMDomain.hvm');
    const list = await d.sh('xl list');
    expect(list.exitCode).toBe(0);
    const lines = list.output.split('\n');
    expect(lines[0]).toBe(XL_LIST_HEADER);
    // %-40s %5d %5lu %5d     %c%c%c%c%c%c  %8.1f
    expect(lines[1]).toMatch(/^Domain-0 {37}0 {3}730 {5}2 {5}r----- {2} +\d+\.\d$/);
    expect(lines[2]).toMatch(/^ExampleHVMDomain {29}1 {2}2048 {5}1 {5}[-r][-b]---- {2} +\d+\.\d$/);
    expect(await d.sh('xl destroy ExampleHVMDomain')).toEqual({ output: '', exitCode: 0 });
    expect(d.mediator.vgpu(1)).toBeUndefined();
    expect((await d.sh('xl list')).output.split('\n').filter(Boolean)).toHaveLength(2);
  });

  it('§5.1 display switch: xl list, cat foreground_vm, echo 0 >, cat', async () => {
    const d = dom0Rig({ hvmBootForeground: true });
    await d.sh(FIXED_2013);
    await d.sh('xl create ExampleHVMDomain.hvm');
    d.displayReady(1);
    expect((await d.sh('xl list')).output).toMatch(/^ExampleHVMDomain +1 +2048 +1 /m);
    expect(await d.sh('cat /sys/kernel/vgt/control/foreground_vm')).toEqual({ output: '1\n', exitCode: 0 });
    expect(await d.sh('echo 0 > /sys/kernel/vgt/control/foreground_vm')).toEqual({ output: '', exitCode: 0 });
    expect(await d.sh('cat /sys/kernel/vgt/control/foreground_vm')).toEqual({ output: '0\n', exitCode: 0 });
  });
});
