/** console.complete: commands, xl subcommands, domain names, paths (dirs with '/'), variables. */
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../src/main/host/dom0/commands';
import { dom0Rig } from './dom0-rig';

async function completer() {
  const d = dom0Rig();
  await d.sh('xl create xlexample.hvm');
  await d.sh("cat > /etc/xen/other.hvm <<EOF\nname = 'other'\nEOF");
  return { d, complete: (line: string) => d.console.complete(line, 'test-session') };
}

describe('Dom0 console completion', () => {
  it('command names at the start of a command (also after ;, &&, |, and assignments)', async () => {
    const { complete } = await completer();
    expect(await complete('')).toEqual({ from: 0, candidates: [...COMMANDS.keys()].sort() });
    expect(await complete('ec')).toEqual({ from: 0, candidates: ['echo'] });
    expect(await complete('true && x')).toEqual({ from: 8, candidates: ['xl'] });
    expect(await complete('dmesg | gr')).toEqual({ from: 8, candidates: ['grep'] });
    expect(await complete('A=1 ex')).toEqual({ from: 4, candidates: ['export'] });
  });

  it('xl subcommands, then the running domains (Domain-0 only where xl takes it), or configs for create', async () => {
    const { complete } = await completer();
    expect(await complete('xl cr')).toEqual({ from: 3, candidates: ['create'] });
    expect(await complete('xl destroy ')).toEqual({ from: 11, candidates: ['vgtHVMDomain'] });
    expect(await complete('xl console v')).toEqual({ from: 11, candidates: ['vgtHVMDomain'] });
    expect(await complete('xl list -l ')).toEqual({ from: 11, candidates: ['Domain-0', 'vgtHVMDomain'] });
    expect(await complete('xl create ')).toEqual({ from: 10, candidates: ['other', 'other.hvm', 'vgtHVMDomain', 'vgtHVMDomain.cfg', 'xlexample.hvm', 'xmexample.conf', 'xmexample.hvm'] });
    expect(await complete('xl create xl')).toEqual({ from: 10, candidates: ['xlexample.hvm'] });
    expect(await complete('xl shutdown -')).toEqual({ from: 12, candidates: [] });
  });

  it('paths of the view, directories with a trailing /; cd completes directories only', async () => {
    const { complete } = await completer();
    expect(await complete('ls /e')).toEqual({ from: 3, candidates: ['/etc/'] });
    expect(await complete('cat /sys/kernel/vgt/vm1/PORT_B/ed')).toEqual({ from: 4, candidates: ['/sys/kernel/vgt/vm1/PORT_B/edid', '/sys/kernel/vgt/vm1/PORT_B/edid_text'] });
    expect(await complete('cd /sys/kernel/vgt/')).toEqual({ from: 3, candidates: ['/sys/kernel/vgt/control/', '/sys/kernel/vgt/vm1/'] });
    expect(await complete('echo 1 > /sys/kernel/vgt/control/fo')).toEqual({ from: 9, candidates: ['/sys/kernel/vgt/control/foreground_vm'] });
    expect(await complete('ls /sys/class/mdev_bus/')).toEqual({ from: 3, candidates: ['/sys/class/mdev_bus/0000:00:02.0/'] });
    expect(await complete('ls /nope/')).toEqual({ from: 3, candidates: [] });
  });

  it('relative paths complete against the session\'s working directory', async () => {
    const { d, complete } = await completer();
    await d.sh('cd /etc');
    expect(await complete('ls x')).toEqual({ from: 3, candidates: ['xen/'] });
    expect(await complete('cat xen/xl')).toEqual({ from: 4, candidates: ['xen/xlexample.hvm'] });
  });

  it('variable names after $ and ${', async () => {
    const { d, complete } = await completer();
    await d.sh('edid=00ff');
    expect(await complete('echo -n $ed')).toEqual({ from: 8, candidates: ['$edid'] });
    expect(await complete('echo ${ed')).toEqual({ from: 5, candidates: ['${edid}'] });
    expect(await complete('echo $H')).toEqual({ from: 5, candidates: ['$HOME'] });
  });

  it('nothing inside quotes', async () => {
    const { complete } = await completer();
    expect(await complete('echo "/et')).toEqual({ from: 5, candidates: [] });
  });
});
