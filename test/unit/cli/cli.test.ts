import { mkdtemp, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
import { ApiError, PHYSICAL_SOURCE } from '../../../src/shared/api';
import { physicalPipeOrder, physicalSourceOfPort } from '../../../src/shared/heads';
import { encodePng, inputEvents, resolveSource, runCli, shellQuote, type CliDeps } from '../../../src/main/cli/program';
import { startSocketServer, type SocketServer } from '../../../src/main/host/socket-server';
import { SESSION_FILE } from '../../../src/main/host/browser-session';
import { createFakeHost, domain, type FakeHost } from '../fakes/fake-host';

let dir: string;
let host: FakeHost;
let socket: SocketServer;

interface Run {
  code: number;
  out: string;
  err: string;
}

async function cli(argv: string[], deps: Partial<CliDeps> = {}, env: Record<string, string> = {}): Promise<Run> {
  let out = '';
  let err = '';
  const code = await runCli(
    argv,
    { stdout: (s) => (out += s), stderr: (s) => (err += s), env: { GVT_DESK_SOCKET: socket.path, ...env }, cwd: dir },
    {
      createHost: async () => {
        throw new Error('serve is not under test here');
      },
      workerDir: dir,
      rendererDir: join(dir, 'renderer'),
      waitForShutdown: () => new Promise(() => undefined),
      timeoutMs: 5000,
      ...deps,
    },
  );
  return { code, out, err };
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gvt-cli-'));
  host = createFakeHost({ domains: [domain('Domain-0', 0), domain('vm1', 1), domain('vm2', 3), domain('off', null)] });
  socket = await startSocketServer({ host, path: join(dir, 'gvt-desk.sock'), log: vi.fn() });
});

afterEach(async () => {
  await socket.close();
  await rm(dir, { recursive: true, force: true });
});

/** A w×h RGBA image whose pixel (x, y) is (x, y, x ^ y, 255). */
function gradient(w: number, h: number): Buffer {
  const b = Buffer.alloc(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) b.set([x & 0xff, y & 0xff, (x ^ y) & 0xff, 255], (y * w + x) * 4);
  }
  return b;
}

describe('gvt-desk screenshot', () => {
  it('resolves a name to its domid and writes a PNG with the right size and pixels', async () => {
    const rgba = gradient(37, 21);
    host.snapshots.set(3, { width: 37, height: 21, rgba });
    const r = await cli(['screenshot', 'vm2', 'shot.png']);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toBe(`${join(dir, 'shot.png')}: 37x21\n`);
    const png = PNG.sync.read(await readFile(join(dir, 'shot.png')));
    expect([png.width, png.height]).toEqual([37, 21]);
    expect(Buffer.compare(png.data, rgba)).toBe(0);
    // The pixels came as one binary frame on the socket, not inside the JSON answer.
    expect(host.calls.map((c) => c.method)).toEqual(['domains.list', 'frame.resync']);
    expect(host.snapshotRegions).toEqual([null]);
    expect(host.calls[1]?.params).toEqual({ source: 3 });
  });

  it('accepts a domid and physical without listing domains', async () => {
    host.snapshots.set(1, { width: 1, height: 1, rgba: Uint8Array.from([1, 2, 3, 4]) });
    host.snapshots.set('physical', { width: 2, height: 1, rgba: Uint8Array.from([5, 6, 7, 8, 9, 10, 11, 12]) });
    expect((await cli(['screenshot', '1', join(dir, 'a.png')])).code).toBe(0);
    expect((await cli(['screenshot', 'physical', join(dir, 'b.png')])).code).toBe(0);
    expect([...PNG.sync.read(await readFile(join(dir, 'a.png'))).data]).toEqual([1, 2, 3, 4]);
    expect([...PNG.sync.read(await readFile(join(dir, 'b.png'))).data]).toEqual([5, 6, 7, 8, 9, 10, 11, 12]);
    expect(host.calls.map((c) => c.params)).toEqual([{ source: 1 }, { source: 'physical' }]);
  });

  it('fails clearly when the domain has no framebuffer, is off, is unknown or not running', async () => {
    expect(await cli(['screenshot', 'vm1', 'x.png'])).toEqual({ code: 1, out: '', err: 'gvt-desk: domain 1 has no framebuffer yet\n' });
    host.snapshots.set(3, { width: 0, height: 0, rgba: new Uint8Array(0) });
    expect(await cli(['screenshot', 'vm2', 'x.png'])).toMatchObject({ code: 1, err: 'gvt-desk: domain 3 is off (no signal)\n' });
    expect(await cli(['screenshot', 'physical', 'x.png'])).toMatchObject({ code: 1, err: 'gvt-desk: the physical display has no framebuffer yet\n' });
    expect(await cli(['screenshot', 'ghost', 'x.png'])).toMatchObject({ code: 1, err: "gvt-desk: no domain named 'ghost'\n" });
    expect(await cli(['screenshot', 'off', 'x.png'])).toMatchObject({ code: 1, err: "gvt-desk: domain 'off' is not running\n" });
    await expect(readFile(join(dir, 'x.png'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('--pipe B saves a domain\'s second head (source pipe << 16 | domid); an off head and --pipe on physical fail clearly', async () => {
    host.snapshots.set(0x10003, { width: 2, height: 1, rgba: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]) });
    expect(await cli(['screenshot', 'vm2', '--pipe', 'B', 'head.png'])).toMatchObject({ code: 0, out: `${join(dir, 'head.png')}: 2x1\n` });
    expect([...PNG.sync.read(await readFile(join(dir, 'head.png'))).data]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(host.calls.at(-1)?.params).toEqual({ source: 0x10003 });
    expect(await cli(['screenshot', 'vm2', '--pipe', 'C', 'x.png'])).toMatchObject({ code: 1, err: 'gvt-desk: domain 3 pipe C has no framebuffer yet\n' });
    expect(await cli(['screenshot', 'physical', '--pipe', 'B', 'x.png'])).toMatchObject({ code: 1, err: expect.stringContaining("--pipe picks a domain's head; for a physical monitor use --port") });
    expect((await cli(['screenshot', 'vm2', '--pipe', 'D', 'x.png'])).code).toBe(2);
  });

  it('screenshot physical --port D saves the second physical monitor (source physical:D); the first monitor\'s port is plain physical; a port with no monitor fails clearly', async () => {
    // The emulated GPU's monitors as its sysfs shows them: PA238 on PORT_B, 1280x1024 on PORT_D.
    for (const p of ['A', 'B', 'C', 'D', 'E']) host.sysfs.set(`/sys/kernel/vgt/control/PORT_${p}/connection`, p === 'B' || p === 'D' ? 'connected\n' : 'disconnected\n');
    host.snapshots.set(0xffffff03, { width: 1, height: 1, rgba: Uint8Array.from([9, 8, 7, 255]) });
    host.snapshots.set('physical', { width: 1, height: 1, rgba: Uint8Array.from([1, 2, 3, 255]) });
    expect(await cli(['screenshot', 'physical', '--port', 'D', 'd.png'])).toMatchObject({ code: 0, out: `${join(dir, 'd.png')}: 1x1\n` });
    expect([...PNG.sync.read(await readFile(join(dir, 'd.png'))).data]).toEqual([9, 8, 7, 255]);
    expect(host.calls.at(-1)).toEqual({ method: 'frame.resync', params: { source: 'physical:D' } });
    expect(await cli(['screenshot', 'physical', '--port', 'B', 'b.png'])).toMatchObject({ code: 0 });
    expect([...PNG.sync.read(await readFile(join(dir, 'b.png'))).data]).toEqual([1, 2, 3, 255]);
    expect(host.calls.at(-1)).toEqual({ method: 'frame.resync', params: { source: 'physical' } });
    expect(await cli(['screenshot', 'physical', '--port', 'C', 'x.png'])).toEqual({ code: 1, out: '', err: 'gvt-desk: no monitor on physical PORT_C (monitors on PORT_B, PORT_D)\n' });
    host.snapshots.set(0xffffff03, { width: 0, height: 0, rgba: new Uint8Array(0) });
    expect(await cli(['screenshot', 'physical', '--port', 'D', 'x.png'])).toMatchObject({ code: 1, err: 'gvt-desk: physical PORT_D is off (no signal)\n' });
    expect(await cli(['screenshot', 'vm2', '--port', 'D', 'x.png'])).toMatchObject({ code: 1, err: expect.stringContaining('--port picks a physical monitor') });
    expect((await cli(['screenshot', 'physical', '--port', 'F', 'x.png'])).code).toBe(2);
    await expect(readFile(join(dir, 'x.png'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('physicalPipeOrder: the monitors in port order take pipes A, B, C whatever order they are listed in', () => {
    expect(physicalPipeOrder(['PORT_D', 'PORT_B'])).toEqual(['PORT_B', 'PORT_D', null]);
    expect(physicalPipeOrder(['PORT_E', 'PORT_C', 'PORT_A', 'PORT_D'])).toEqual(['PORT_A', 'PORT_C', 'PORT_D']);
    expect(physicalPipeOrder([])).toEqual([null, null, null]);
  });
  it('physicalSourceOfPort: connected monitors in port order take pipes A, B, C; a fourth has none', () => {
    expect(physicalSourceOfPort('PORT_B', ['PORT_D', 'PORT_B'])).toBe(PHYSICAL_SOURCE);
    expect(physicalSourceOfPort('PORT_D', ['PORT_D', 'PORT_B'])).toBe(0xffffff03);
    expect(() => physicalSourceOfPort('PORT_E', ['PORT_A', 'PORT_B', 'PORT_C', 'PORT_D', 'PORT_E'])).toThrow('physical PORT_E has a monitor but no pipe drives it: a Skylake GPU has 3 pipes and PORT_A, PORT_B, PORT_C take them');
    expect(() => physicalSourceOfPort('PORT_C', [])).toThrow('no monitor on physical PORT_C (no physical monitor is connected)');
  });

  it('refuses a frame whose pixel data does not match its size', () => {
    expect(() => encodePng({ width: 2, height: 2, rgba: new Uint8ClampedArray(3) })).toThrow('2x2 but carries 3 bytes');
  });

  it('resolveSource maps names through domains.list', async () => {
    const call = vi.fn(async () => [domain('a', 4)]);
    expect(await resolveSource('a', call)).toBe(4);
    await expect(resolveSource('b', call)).rejects.toBeInstanceOf(ApiError);
    expect(await resolveSource('7', call)).toBe(7);
    expect(call).toHaveBeenCalledTimes(2);
  });
});

describe('gvt-desk xl / sysfs', () => {
  it('xl list runs the console line and prints its output', async () => {
    host.consoleAnswers.set('xl list', { output: 'Name ID Mem VCPUs State Time(s)\nDomain-0 0 2048 1 r----- 1.0', exitCode: 0 });
    const r = await cli(['xl', 'list']);
    expect(r).toEqual({ code: 0, out: 'Name ID Mem VCPUs State Time(s)\nDomain-0 0 2048 1 r----- 1.0\n', err: '' });
    expect(host.calls).toEqual([{ method: 'console.exec', params: { line: 'xl list' } }]);
  });

  it('xl create sends an absolute (quoted when needed) config path and passes the exit code through', async () => {
    await mkdir(join(dir, 'my cfgs'));
    await writeFile(join(dir, 'my cfgs', 'vm.hvm'), "name='vm'\n");
    const line = `xl create '${join(dir, 'my cfgs', 'vm.hvm')}'`;
    host.consoleAnswers.set(line, { output: 'Parsing config from vm.hvm\nlibxl: error: memory too large', exitCode: 3 });
    const r = await cli(['xl', 'create', 'my cfgs/vm.hvm']);
    expect(r).toEqual({ code: 3, out: '', err: 'Parsing config from vm.hvm\nlibxl: error: memory too large\n' });
    expect(host.calls).toEqual([{ method: 'console.exec', params: { line } }]);

    host.consoleAnswers.set('xl create /abs/x.hvm', { output: '', exitCode: 0 });
    expect(await cli(['xl', 'create', '/abs/x.hvm'])).toEqual({ code: 0, out: '', err: '' });
  });

  it('xl destroy takes a name or an id', async () => {
    host.consoleAnswers.set('xl destroy vm1', { output: '', exitCode: 0 });
    host.consoleAnswers.set('xl destroy 3', { output: '', exitCode: 0 });
    expect((await cli(['xl', 'destroy', 'vm1'])).code).toBe(0);
    expect((await cli(['xl', 'destroy', '3'])).code).toBe(0);
    expect(host.calls.map((c) => c.params)).toEqual([{ line: 'xl destroy vm1' }, { line: 'xl destroy 3' }]);
  });

  it('sysfs read prints the value; sysfs write stores it; host errors exit 1', async () => {
    expect(await cli(['sysfs', 'read', '/sys/kernel/vgt/control/foreground_vm'])).toEqual({ code: 0, out: '0\n', err: '' });
    expect(await cli(['sysfs', 'write', '/sys/kernel/vgt/control/foreground_vm', '1'])).toEqual({ code: 0, out: '', err: '' });
    expect(host.sysfs.get('/sys/kernel/vgt/control/foreground_vm')).toBe('1');
    expect(await cli(['sysfs', 'read', '/sys/kernel/vgt/vm9/x'])).toEqual({ code: 1, out: '', err: 'gvt-desk: /sys/kernel/vgt/vm9/x: No such file or directory\n' });
  });

  it('shellQuote leaves plain words alone and quotes the rest', () => {
    expect(shellQuote('/a/b-c_d.hvm')).toBe('/a/b-c_d.hvm');
    expect(shellQuote("it's here")).toBe(`'it'"'"'s here'`);
  });

  it('shellQuote output splits back into the same word with the Dom0 console rules', async () => {
    const { parseScript } = await import('../../../src/main/host/dom0/syntax');
    for (const word of ['/plain/path.hvm', '/with space/x.hvm', "/it's/here.hvm", '/a"b/c.hvm', '/x>y', '/tab\there', '/$HOME/#x']) {
      expect(parseScript(`xl create ${shellQuote(word)}`).lists[0].pipelines[0][0].words).toEqual(['xl', 'create', word]);
    }
  });

  it('xl create passes a bare library name through when no such file exists here', async () => {
    host.consoleAnswers.set('xl create vmlib', { output: '', exitCode: 0 });
    expect((await cli(['xl', 'create', 'vmlib'])).code).toBe(0);
    expect(host.calls.map((c) => c.params)).toEqual([{ line: 'xl create vmlib' }]);
  });
});

describe('gvt-desk input / console / xl lifecycle', () => {
  it('input DOMAIN pointer X Y --click moves then clicks at that guest pixel; key TEXT --combo types then presses the combo', async () => {
    expect(await cli(['input', 'vm1', 'pointer', '300', '200', '--click'])).toEqual({ code: 0, out: '', err: '' });
    expect(await cli(['input', 'vm2', 'key', 'echo hi', '--combo', 'ctrl+alt+f2'])).toEqual({ code: 0, out: '', err: '' });
    expect(host.calls.filter((c) => c.method === 'domain.input').map((c) => c.params)).toEqual([
      { ref: 1, events: [{ type: 'pointer', x: 300, y: 200 }, { type: 'button', button: 'left', action: 'click', x: 300, y: 200 }] },
      { ref: 3, events: [{ type: 'text', text: 'echo hi' }, { type: 'combo', keys: ['ctrl', 'alt', 'f2'] }] },
    ]);
  });

  it('input DOMAIN pointer X Y --pipe B names the head the pixels are on (the guest maps them into its desktop); --pipe with keys is refused', async () => {
    expect(await cli(['input', 'vm1', 'pointer', '30', '20', '--pipe', 'B', '--press'])).toEqual({ code: 0, out: '', err: '' });
    expect(host.calls.filter((c) => c.method === 'domain.input').map((c) => c.params)).toEqual([
      { ref: 1, events: [{ type: 'pointer', x: 30, y: 20, pipe: 'B' }, { type: 'button', button: 'left', action: 'press', x: 30, y: 20, pipe: 'B' }] },
    ]);
    expect(inputEvents('pointer', ['1', '2'], { button: 'left', pipe: 'A' })).toEqual([{ type: 'pointer', x: 1, y: 2 }]);
    expect(() => inputEvents('key', ['x'], { button: 'left', pipe: 'B' })).toThrow(/--pipe names the head of pointer input/);
    expect((await cli(['input', 'vm1', 'pointer', '1', '2', '--pipe', 'D'])).code).toBe(2);
  });

  it('input refuses bad usage before calling the host', async () => {
    expect(() => inputEvents('pointer', ['1'], { button: 'left' })).toThrow(/pointer needs X Y/);
    expect(() => inputEvents('pointer', ['1', '99999'], { button: 'left' })).toThrow(/0-65535/);
    expect(() => inputEvents('key', [], { button: 'left' })).toThrow(/TEXT to type or --combo/);
    expect(() => inputEvents('mouse', [], { button: 'left' })).toThrow(/unknown input device 'mouse'/);
    const r = await cli(['input', 'vm1', 'key']);
    expect(r.code).toBe(2);
    expect(host.calls.filter((c) => c.method === 'domain.input')).toEqual([]);
  });

  it('console DOMAIN --exec CMD prints what the guest shell answered', async () => {
    expect(await cli(['console', 'vm1', '--exec', 'uname -a'])).toEqual({ code: 0, out: 'ran uname -a\n', err: '' });
    expect(host.calls.at(-1)).toEqual({ method: 'domain.serialExec', params: { ref: 1, command: 'uname -a', timeoutS: 10 } });
    expect((await cli(['console', 'nosuch', '--exec', 'true'])).err).toMatch(/no domain named 'nosuch'/);
  });

  it('console 0|Domain-0 --exec CMD runs the Dom0 shell (console.exec) and exits with its status', async () => {
    host.consoleAnswers.set('dmesg | grep -i gvt', { output: '[    0.000000] gvt: core: create vgpu 1\n', exitCode: 0 });
    host.consoleAnswers.set('false', { output: '', exitCode: 1 });
    expect(await cli(['console', '0', '--exec', 'dmesg | grep -i gvt'])).toEqual({ code: 0, out: '[    0.000000] gvt: core: create vgpu 1\n', err: '' });
    expect(await cli(['console', 'Domain-0', '--exec', 'false'])).toEqual({ code: 1, out: '', err: '' });
    expect(host.calls.map((c) => c.method)).toEqual(['console.exec', 'console.exec']);
  });

  it('console DOMAIN attaches: prints the log, polls only newer output, sends typed keys, and Ctrl+] detaches', async () => {
    let typed: ((b: Buffer) => void) | null = null;
    let detached = false;
    const stdin = {
      onData(handler: (b: Buffer) => void) {
        typed = handler;
        return () => void (detached = true);
      },
    };
    const run = cli(['console', 'vm1'], { stdin });
    await vi.waitFor(() => expect(host.serialLog.length).toBeGreaterThanOrEqual(2), { timeout: 10_000 });
    typed!(Buffer.from('ls\r'));
    typed!(Buffer.from('x\x1dignored'));
    const r = await run;
    expect(r.code).toBe(0);
    expect(detached).toBe(true);
    expect(host.serialTyped).toEqual(['ls\r', 'x']);
    // Each line once, in order: the first call returned everything, later ones only what was new.
    expect(r.out).toBe(host.serialLog.join(''));
    expect((await cli(['console', 'vm1'])).err).toMatch(/needs a terminal on stdin/);
  });

  it('xl pause|unpause|shutdown -w|reboot go through the Dom0 console lines', async () => {
    for (const line of ['xl pause vm1', 'xl unpause 3', 'xl shutdown -w vm1', 'xl reboot vm2']) host.consoleAnswers.set(line, { output: '', exitCode: 0 });
    expect((await cli(['xl', 'pause', 'vm1'])).code).toBe(0);
    expect((await cli(['xl', 'unpause', '3'])).code).toBe(0);
    expect((await cli(['xl', 'shutdown', '-w', 'vm1'])).code).toBe(0);
    expect((await cli(['xl', 'reboot', 'vm2'])).code).toBe(0);
    expect(host.calls.map((c) => c.params)).toEqual([{ line: 'xl pause vm1' }, { line: 'xl unpause 3' }, { line: 'xl shutdown -w vm1' }, { line: 'xl reboot vm2' }]);
  });
});

describe('gvt-desk export', () => {
  it('prints the export of a domain named on the command line (domain.export)', async () => {
    const r = await cli(['export', 'vm1', '--format', 'libvirt']);
    expect(r).toEqual({ code: 0, out: 'libvirt export of vm1\n', err: '' });
    expect(host.calls).toEqual([{ method: 'domain.export', params: { name: 'vm1', format: 'libvirt' } }]);
  });

  it('-o FILE writes the file (relative to the working directory); a domid is resolved to its name', async () => {
    const r = await cli(['export', '3', '-f', 'qemu-kvmgt', '-o', 'vm2.sh']);
    expect(r).toEqual({ code: 0, out: `${join(dir, 'vm2.sh')}: vm2 as qemu-kvmgt\n`, err: '' });
    expect(await readFile(join(dir, 'vm2.sh'), 'utf8')).toBe('qemu-kvmgt export of vm2\n');
    expect(host.calls.map((c) => c.method)).toEqual(['domains.list', 'domain.export']);
    await cli(['export', 'off', '--format', 'mdevctl', '--output', join(dir, 'off.json')]);
    expect(await readFile(join(dir, 'off.json'), 'utf8')).toBe('mdevctl export of off\n');
  });

  it('refuses an unknown or missing format before calling the host, listing the formats', async () => {
    const bad = await cli(['export', 'vm1', '--format', 'vmx']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("gvt-desk: option '-f, --format <format>' argument 'vmx' is invalid. Allowed choices are xl, qemu-kvmgt, qemu, libvirt, mdevctl.");
    const missing = await cli(['export', 'vm1']);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("required option '-f, --format <format>' not specified");
    expect(host.calls).toEqual([]);
  });

  it('fails clearly for an unknown domain or domid and an unwritable output, writing nothing', async () => {
    expect(await cli(['export', 'ghost', '-f', 'xl'])).toEqual({ code: 1, out: '', err: "gvt-desk: no domain named 'ghost' in the library\n" });
    expect(await cli(['export', '9', '-f', 'xl'])).toEqual({ code: 1, out: '', err: 'gvt-desk: no domain with domid 9\n' });
    const r = await cli(['export', 'vm1', '-f', 'xl', '-o', join(dir, 'no', 'such', 'dir', 'x.cfg')]);
    expect(r.code).toBe(1);
    expect(r.err).toBe(`gvt-desk: export file ${join(dir, 'no', 'such', 'dir', 'x.cfg')}: the directory does not exist\n`);
  });
});

describe('gvt-desk options and errors', () => {
  it('--socket beats GVT_DESK_SOCKET; --data-dir places the socket', async () => {
    const viaFlag = await cli(['--socket', socket.path, 'sysfs', 'read', '/sys/kernel/vgt/control/foreground_vm'], {}, { GVT_DESK_SOCKET: join(dir, 'wrong.sock') });
    expect(viaFlag.code).toBe(0);
    const viaDataDir = await cli(['--data-dir', dir, 'sysfs', 'read', '/sys/kernel/vgt/control/foreground_vm'], {}, { GVT_DESK_SOCKET: '' });
    expect(viaDataDir).toMatchObject({ code: 0, out: '0\n' });
    // Options after the subcommand work too.
    expect((await cli(['sysfs', 'read', '/sys/kernel/vgt/control/foreground_vm', '--socket', socket.path])).code).toBe(0);
  });

  it('says how to start one when nothing listens', async () => {
    const path = join(dir, 'nobody.sock');
    expect(await cli(['--socket', path, 'xl', 'list'])).toEqual({
      code: 1,
      out: '',
      err: `gvt-desk: no GVT Desk running on ${path}; start one with \`gvt-desk serve\`\n`,
    });
  });

  it('exits 2 on usage errors and 0 for --help', async () => {
    const missing = await cli(['screenshot', 'vm1']);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/^gvt-desk: missing required argument 'file'/);
    expect((await cli(['bogus'])).code).toBe(2);
    expect((await cli(['xl', 'frobnicate'])).code).toBe(2);
    expect((await cli(['serve', '--port', '99999'])).code).toBe(2);
    expect((await cli([])).code).toBe(2);
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('screenshot');
    expect(host.calls).toEqual([]);
  });
});

describe('gvt-desk serve', () => {
  it('starts web + socket servers on the created host, prints the URL and closes everything on shutdown', async () => {
    await mkdir(join(dir, 'renderer'));
    await writeFile(join(dir, 'renderer', 'index.html'), '<!doctype html>');
    const served = createFakeHost();
    let stop!: (reason: string) => void;
    const stopped = new Promise<string>((r) => (stop = r));
    const createHost = vi.fn(async () => served);
    let ready: { url: string; port: number; token: string; socketPath: string } | undefined;
    const data = join(dir, 'data');
    const run = cli(['serve', '--data-dir', data, '--port', '0'], { createHost, waitForShutdown: () => stopped, onServeReady: (i) => (ready = i) }, { GVT_DESK_SOCKET: '' });
    await vi.waitFor(() => expect(ready).toBeDefined(), { timeout: 10_000 });
    expect(createHost).toHaveBeenCalledWith({ dataDir: data, workerDir: dir });
    expect(ready!.socketPath).toBe(join(data, 'gvt-desk.sock'));

    // The CLI reaches the served host through the socket…
    const viaSocket = await cli(['--data-dir', data, 'sysfs', 'read', '/sys/kernel/vgt/control/foreground_vm'], {}, { GVT_DESK_SOCKET: '' });
    expect(viaSocket.out).toBe('0\n');
    // …and a browser through the token URL.
    const ws = new WebSocket(`ws://127.0.0.1:${ready!.port}/api?token=${ready!.token}`);
    const answer = await new Promise<unknown>((resolve, reject) => {
      ws.once('open', () => ws.send(JSON.stringify({ id: 1, method: 'gpu.info', params: {} })));
      ws.once('message', (d: Buffer) => resolve(JSON.parse(d.toString())));
      ws.once('error', reject);
    });
    expect(answer).toMatchObject({ id: 1, result: { foreground: 0 } });
    ws.close();

    stop('received SIGINT');
    const r = await run;
    expect(r.code).toBe(0);
    expect(r.out.split('\n').slice(0, 2)).toEqual([`GVT Desk (browser mode) at http://127.0.0.1:${ready!.port}/?token=${ready!.token}`, `socket: ${join(data, 'gvt-desk.sock')}`]);
    expect(r.out).toContain('received SIGINT: shutting down');
    expect(served.closed).toBe(true);
    await expect(readFile(ready!.socketPath)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a restart without --port listens on the last port with the last token (kept 0600 in the data dir), so an open tab reconnects; a corrupt session file starts a new one', async () => {
    await mkdir(join(dir, 'renderer'));
    await writeFile(join(dir, 'renderer', 'index.html'), '<!doctype html>');
    const data = join(dir, 'data');
    const start = async () => {
      let stop!: (reason: string) => void;
      const stopped = new Promise<string>((r) => (stop = r));
      let ready: { port: number; token: string } | undefined;
      const run = cli(['serve', '--data-dir', data], { createHost: async () => createFakeHost(), waitForShutdown: () => stopped, onServeReady: (i) => (ready = i) }, { GVT_DESK_SOCKET: '' });
      await vi.waitFor(() => expect(ready).toBeDefined(), { timeout: 10_000 });
      return { ready: ready!, stop: async () => (stop('received SIGTERM'), run) };
    };
    const first = await start();
    const saved = join(data, SESSION_FILE);
    expect(JSON.parse(await readFile(saved, 'utf8'))).toEqual({ port: first.ready.port, token: first.ready.token });
    expect((await stat(saved)).mode & 0o777).toBe(0o600);
    await first.stop();
    const second = await start();
    expect(second.ready).toMatchObject({ port: first.ready.port, token: first.ready.token });
    // The page's access check: the old token is still good.
    expect((await fetch(`http://127.0.0.1:${second.ready.port}/api/access?token=${first.ready.token}`)).status).toBe(204);
    await second.stop();
    await writeFile(saved, '{"port": "eighty"}');
    const third = await start();
    expect(third.ready.token).not.toBe(first.ready.token);
    const r = await third.stop();
    expect(r.out).toContain(`new browser session (${SESSION_FILE}: port: `);
  });

  it('refuses to start a second instance on a live socket, before creating a host', async () => {
    const createHost = vi.fn(async () => createFakeHost());
    const r = await cli(['serve', '--socket', socket.path], { createHost });
    expect(r.code).toBe(1);
    expect(r.err).toContain(`another GVT Desk is already running on ${socket.path}`);
    expect(createHost).not.toHaveBeenCalled();
  });

  it('closes the host again when the web server cannot start', async () => {
    const served = createFakeHost();
    const r = await cli(['serve', '--socket', join(dir, 'other.sock')], { createHost: async () => served, rendererDir: join(dir, 'no-renderer') });
    expect(r.code).toBe(1);
    expect(r.err).toContain('npm run build');
    expect(served.closed).toBe(true);
  });
});
