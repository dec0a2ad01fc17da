/**
 * The Dom0 shell end to end (browser mode): the 2016 guide's commands typed into the Dom0 console
 * verbatim — `xl create xlexample.hvm` from /etc/xen, then the §5.2 virtual hotplug recipe with
 * `edid=…` and `echo -n $edid > …/edid_text` (the guide's PA238 EDID) — and the guest changing
 * mode from its built-in 1024x768 monitor to the PA238's 1920x1080. The same shell through
 * `gvt-desk console 0 --exec`: the recipe as one input, dmesg | grep -i gvt, lspci -nn | grep VGA
 * on Dom0, and lspci in the guest.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, EXAMPLES, canvasSample, launchBrowser, startApp, until } from './harness';

let app: App;
let browser: Browser;
let page: Page;

/** The guide's PA238 EDID as one hex word (its monitor.config's 8 lines). */
const EDID = readFileSync(join(EXAMPLES, 'monitor.config'), 'utf8')
  .split('\n')
  .filter((l) => /^[0-9a-f]{32}$/.test(l))
  .join('');

/** Seed 001 §5.2 with vm# = vm1, PORT_# = PORT_B, and $edid / $port_type set first. */
const RECIPE = [
  'echo disconnect > /sys/kernel/vgt/vm1/PORT_B/connection',
  `edid=${EDID}`,
  'port_type=5',
  'echo -n $edid > /sys/kernel/vgt/vm1/PORT_B/edid_text',
  'echo "PORT_B" > /sys/kernel/vgt/vm1/PORT_B/port_override',
  'echo $port_type > /sys/kernel/vgt/vm1/PORT_B/type',
  'echo connect > /sys/kernel/vgt/vm1/PORT_B/connection',
];

const text = (testid: string): Promise<string> => page.getByTestId(testid).innerText();

/** Type a line into the Dom0 console and wait for the next prompt; returns what it added. */
async function consoleRun(line: string): Promise<string> {
  const before = (await page.getByTestId('dom0-console-log').textContent()) ?? '';
  await page.getByTestId('dom0-console').locator('.xterm').click();
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
  return until(`console output of ${line.slice(0, 60)}`, async () => {
    const added = ((await page.getByTestId('dom0-console-log').textContent()) ?? '').slice(before.length);
    return added.includes(line.slice(-40)) && /root@dom0:[^\n]*# ?$/.test(added.trimEnd() + ' ') ? added : '';
  });
}

beforeAll(async () => {
  app = await startApp();
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  await page.goto(app.url);
  await page.getByTestId('library-row-Domain-0').waitFor();
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe('the Dom0 shell runs the guides\' commands as typed', () => {
  it('xl create xlexample.hvm (from /etc/xen) boots the guest on its built-in 1024x768 monitor', async () => {
    const out = await consoleRun('xl create xlexample.hvm');
    expect(out).toContain('Parsing config from xlexample.hvm');
    await page.getByTestId('window-1').waitFor();
    await until('canvas-1 at 1024x768 with content', async () => {
      const s = await canvasSample(page, 'canvas-1');
      return s.width === 1024 && s.height === 768 && s.distinct > 3 ? s : null;
    });
  });

  it('§5.2 typed line by line: the guest re-probes and drives the PA238 at 1920x1080', async () => {
    for (const line of RECIPE) {
      const out = await consoleRun(line);
      expect(out, line).not.toMatch(/sh: |error/i);
    }
    await until('canvas-1 at 1920x1080 with content', async () => {
      const s = await canvasSample(page, 'canvas-1');
      return s.width === 1920 && s.height === 1080 && s.distinct > 3 ? s : null;
    }, 30_000);
    await until('the title to show 1920x1080', async () => (await text('window-title-1')).includes('1920x1080'));
    expect(await consoleRun('cat /sys/kernel/vgt/vm1/PORT_B/connection')).toContain('connected');
  });

  it('gvt-desk console 0 --exec runs the same shell: the recipe as one input, dmesg, lspci', async () => {
    // Back to the guest's first monitor, then the recipe again as one multi-line input.
    const unplug = await app.cli('console', '0', '--exec', 'echo disconnect > /sys/kernel/vgt/vm1/PORT_B/connection');
    expect(unplug).toEqual({ code: 0, stdout: '', stderr: '' });
    await until('no signal in window 1', async () => /no signal/i.test(await text('window-1')));
    const replug = await app.cli('console', '0', '--exec', RECIPE.join('\n'));
    expect(replug).toEqual({ code: 0, stdout: '', stderr: '' });
    await until('canvas-1 at 1920x1080 again', async () => {
      const s = await canvasSample(page, 'canvas-1');
      return s.width === 1920 && s.height === 1080 && s.distinct > 3 ? s : null;
    }, 30_000);

    const dmesg = await app.cli('console', '0', '--exec', 'dmesg | grep -i gvt');
    expect(dmesg.code).toBe(0);
    expect(dmesg.stdout).toMatch(/^\[ *\d+\.\d{6}\] gvt: core: create vgpu 1 for domain 1 \(vgtHVMDomain\): low 128 MB high 384 MB fence 4$/m);
    expect(dmesg.stdout).toMatch(/^\[ *\d+\.\d{6}\] gvt: vgpu 1: hotplug: PORT_B connected$/m);

    const vga = '00:02.0 VGA compatible controller [0300]: Intel Corporation Skylake-S GT2 [HD Graphics 530] [8086:1912] (rev 06)\n';
    expect(await app.cli('console', '0', '--exec', 'lspci -nn | grep VGA')).toEqual({ code: 0, stdout: vga, stderr: '' });
    const guest = await app.cli('console', 'vgtHVMDomain', '--exec', 'lspci -nn | grep VGA');
    expect(guest.stdout).toContain(vga);

    expect(await app.cli('console', '0', '--exec', 'frobnicate')).toEqual({ code: 127, stdout: 'sh: frobnicate: not found\n', stderr: '' });
  });
});
