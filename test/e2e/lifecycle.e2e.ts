/**
 * The xl lifecycle and the guest's devices through the real host and guest threads, driven from
 * the CLI (the same API the UI uses): the serial shell, keyboard and tablet input, pause, reboot,
 * shutdown, and a guest that never answers a shutdown request.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLES, startApp, type App } from './harness';

let app: App;

function config(name: string, extra = ''): string {
  const path = join(app.dataDir, `${name}.hvm`);
  writeFileSync(path, readFileSync(join(EXAMPLES, 'xlexample.hvm'), 'utf8').replace("name = 'vgtHVMDomain'", `name = '${name}'`).replace(/^vgt_monitor_config_file.*$/m, '') + extra);
  return path;
}

async function until<T>(what: string, probe: () => Promise<T | false | undefined | null>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, 100));
  }
}

const exec = async (name: string, command: string) => (await app.cli('console', name, '--exec', command)).stdout;
const xlList = async () => (await app.cli('xl', 'list')).stdout;

beforeAll(async () => {
  app = await startApp();
});

afterAll(async () => {
  await app?.stop();
});

describe('guest lifecycle and devices (CLI, real guest threads)', () => {
  it('the serial shell answers uname, dmesg and /proc/bus/input/devices; unknown commands are not found', async () => {
    expect((await app.cli('xl', 'create', config('life1'))).code).toBe(0);
    await until('the serial shell', async () => (await app.cli('console', 'life1', '--exec', 'true')).code === 0);
    expect(await exec('life1', 'uname -a')).toMatch(/^Linux life1 4\.3\.0-vgt\+ #1 SMP .* x86_64 GNU\/Linux\n$/);
    expect(await exec('life1', 'dmesg | grep -i gvt-g')).toContain('Virtual GPU for Intel GVT-g detected.');
    const devices = await exec('life1', 'cat /proc/bus/input/devices');
    expect(devices).toContain('N: Name="AT Translated Set 2 keyboard"');
    expect(devices).toContain('N: Name="QEMU QEMU USB Tablet"');
    expect(await exec('life1', 'frobnicate')).toBe('sh: frobnicate: not found\n');
  });

  it('the tablet moves the cursor plane (clamped to the mode) and i915_display_info reports it', async () => {
    expect((await app.cli('input', 'life1', 'pointer', '300', '200')).code).toBe(0);
    await until('the cursor at (300, 200)', async () => (await exec('life1', 'cat /sys/kernel/debug/dri/0/i915_display_info')).includes('cursor visible? yes, position (300, 200)'));
    await app.cli('input', 'life1', 'pointer', '60000', '60000');
    await until('the cursor clamped to 1023x767', async () => (await exec('life1', 'cat /sys/kernel/debug/dri/0/i915_display_info')).includes('position (1023, 767)'));
    const bad = await app.cli('input', 'life1', 'key', '--combo', 'ctrl+hyper');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/unknown key 'hyper' in combo; valid: ctrl/);
  });

  it('pause stops the guest (xl state p, input refused naming the state); unpause resumes it', async () => {
    expect((await app.cli('xl', 'pause', 'life1')).code).toBe(0);
    expect(await xlList()).toMatch(/life1\s+1\s+2048\s+1\s+--p---/);
    const refused = await app.cli('input', 'life1', 'key', 'x');
    expect(refused.stderr).toMatch(/cannot send input to domain 'life1' \(domid 1\): it is paused/);
    expect((await app.cli('xl', 'unpause', 'life1')).code).toBe(0);
    expect(await xlList()).toMatch(/life1\s+1\s+2048\s+1\s+(r-----|-b----)/);
    expect(await exec('life1', 'echo back')).toBe('back\n');
  });

  it('reboot brings the guest back with a new domid; its serial log shows the second boot', async () => {
    const r = await app.cli('xl', 'reboot', '-w', 'life1');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('Rebooting domain 1\nWaiting for 1 domains\nDomain 1 has been shut down, reason code 1\nDomain 2 is up again\n');
    await until('the second boot', async () => (await app.cli('console', 'life1', '--exec', 'true')).code === 0);
    const log = await exec('life1', 'dmesg');
    expect(log.match(/Linux version/g)).toHaveLength(1);
    expect(await xlList()).toMatch(/life1\s+2\s/);
  });

  it('the guest\'s own poweroff ends the domain; xl shutdown -w waits for it', async () => {
    await app.cli('console', 'life1', '--exec', 'poweroff', '--timeout', '1');
    await until('life1 gone', async () => !(await xlList()).includes('life1'));
    expect((await app.cli('xl', 'create', config('life2'))).code).toBe(0);
    await until('the serial shell', async () => (await app.cli('console', 'life2', '--exec', 'true')).code === 0);
    const r = await app.cli('xl', 'shutdown', '-w', 'life2');
    expect(r.stdout).toBe('Shutting down domain 3\nWaiting for 1 domains\nDomain 3 has been shut down, reason code 0\n');
    expect(await xlList()).not.toContain('life2');
  });

  it('a guest that never answers: shutdown -w times out with a clear message, destroy still works', async () => {
    expect((await app.cli('xl', 'create', config('deaf', "\ngvt_workload = 'hostile:all'\n"))).code).toBe(0);
    await until('the hostile guest', async () => (await xlList()).includes('deaf'));
    const started = Date.now();
    const r = await app.cli('xl', 'shutdown', '-w', 'deaf');
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/did not shut down within 10 s: the guest has not acted on the request\. Destroy it to stop it now \(xl destroy deaf\)/);
    expect((await app.cli('xl', 'destroy', 'deaf')).code).toBe(0);
    expect(await xlList()).not.toContain('deaf');
  });
});
