import { describe, expect, it } from 'vitest';
import { GuestShell, MAX_LINE, type ShellHost } from '../../../src/main/guest/shell';
import { guestPciDevices } from '../../../src/main/guest/pci-devices';

function shell(files: Record<string, string> = {}, vgt = true) {
  let out = '';
  const power: string[] = [];
  const host: ShellHost = {
    hostname: 'vm1',
    write: (t) => (out += t),
    dmesg: () => ['[    0.000000] Linux version 4.3.0-vgt+', '[    0.100000] i915 0000:00:02.0: Virtual GPU for Intel GVT-g detected.'],
    uname: (flags) => {
      if (flags[0] === '-x') throw new Error("uname: invalid option -- 'x'");
      return flags.includes('-a') ? 'Linux vm1 4.3.0-vgt+ #1 SMP x86_64 GNU/Linux' : 'Linux';
    },
    readFile: (p) => files[p] ?? null,
    pciDevices: guestPciDevices(vgt),
    poweroff: () => power.push('poweroff'),
    reboot: () => power.push('reboot'),
  };
  const sh = new GuestShell(host);
  return { sh, out: () => out, clear: () => (out = ''), power };
}

describe('guest shell (serial ttyS0 and the desktop terminal)', () => {
  it('echoes typed characters and answers a command line after Enter, then prompts again', () => {
    const { sh, out } = shell();
    sh.start();
    sh.input('uname -a\r');
    expect(out()).toBe('root@vm1:~# uname -a\nLinux vm1 4.3.0-vgt+ #1 SMP x86_64 GNU/Linux\nroot@vm1:~# ');
  });

  it('unknown commands: sh: X: not found (status 127)', () => {
    const { sh } = shell();
    expect(sh.run('frobnicate --now')).toEqual({ out: 'sh: frobnicate: not found\n', status: 127 });
  });

  it('backspace erases, Ctrl+U kills the line, Ctrl+C abandons it, escape sequences (arrows) are swallowed', () => {
    const { sh, out, clear } = shell();
    sh.input('unamx\x7fe\r');
    expect(out()).toContain('unamx\b \be\nLinux\n');
    clear();
    sh.input('garbage\x15echo ok\r');
    expect(out()).toContain('ok\n');
    clear();
    sh.input('half\x03');
    expect(out()).toBe('half^C\nroot@vm1:~# ');
    clear();
    sh.input('ec\x1b[Aho x\r');
    expect(out()).toContain('x\nroot@vm1:~# ');
  });

  it('cat reads the guest files and names a missing one', () => {
    const { sh } = shell({ '/proc/bus/input/devices': 'I: Bus=0003\n' });
    expect(sh.run('cat /proc/bus/input/devices')).toEqual({ out: 'I: Bus=0003\n', status: 0 });
    expect(sh.run('cat /nope')).toEqual({ out: 'cat: /nope: No such file or directory\n', status: 1 });
  });

  it('dmesg | grep -i gvt filters the kernel log; quotes group words', () => {
    const { sh } = shell();
    expect(sh.run('dmesg | grep -i gvt').out).toBe('[    0.100000] i915 0000:00:02.0: Virtual GPU for Intel GVT-g detected.\n');
    expect(sh.run('dmesg | grep -v GVT').out).toBe('[    0.000000] Linux version 4.3.0-vgt+\n');
    expect(sh.run(`echo "a  b" 'c|d'`).out).toBe('a  b c|d\n');
    expect(sh.run('echo "oops').out).toMatch(/Unterminated quoted string/);
    expect(sh.run('dmesg |').out).toMatch(/"\|" unexpected/);
  });

  it('uname errors are printed with status 1', () => {
    const { sh } = shell();
    expect(sh.run('uname -x')).toEqual({ out: "uname: invalid option -- 'x'\n", status: 1 });
  });

  it('poweroff and reboot go to the OS and print no new prompt', () => {
    const { sh, out, power } = shell();
    sh.input('poweroff\r');
    expect(power).toEqual(['poweroff']);
    expect(out()).toBe('poweroff\n');
    const b = shell();
    b.sh.input('reboot\r');
    expect(b.power).toEqual(['reboot']);
  });

  it('the line is bounded: characters past MAX_LINE ring the bell', () => {
    const { sh, out } = shell();
    sh.input('x'.repeat(MAX_LINE + 5));
    expect(out().endsWith('\x07'.repeat(5))).toBe(true);
  });

  it('lspci -nn | grep VGA shows the vGPU with the host IGD\'s IDs; without a vGPU, QEMU\'s Cirrus VGA', () => {
    expect(shell().sh.run('lspci -nn | grep VGA')).toEqual({ out: '00:02.0 VGA compatible controller [0300]: Intel Corporation Skylake-S GT2 [HD Graphics 530] [8086:1912] (rev 06)\n', status: 0 });
    expect(shell().sh.run('lspci -n').out).toContain('00:02.0 0300: 8086:1912 (rev 06)\n00:03.0 ff80: 5853:0001 (rev 01)\n');
    expect(shell().sh.run('lspci').out).toContain('00:01.0 ISA bridge: Intel Corporation 82371SB PIIX3 ISA [Natoma/Triton II]\n');
    expect(shell({}, false).sh.run('lspci -nn | grep VGA').out).toBe('00:02.0 VGA compatible controller [0300]: Cirrus Logic GD 5446 [1013:00b8]\n');
    expect(shell().sh.run('lspci -k')).toEqual({ out: "lspci: invalid option -- 'k'\nUsage: lspci [-n | -nn]\n", status: 1 });
  });
});
