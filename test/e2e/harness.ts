/**
 * End-to-end harness: starts the built app in browser mode (`gvt-desk serve`) in its own data
 * directory and socket, and drives Debian's Chromium with playwright-core.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, type Page, chromium } from 'playwright-core';

export const ROOT = resolve(__dirname, '../..');
export const EXAMPLES = join(ROOT, 'resources/examples');

export interface App {
  url: string;
  dataDir: string;
  socket: string;
  /** Run the CLI against this instance. */
  cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  stop(): Promise<void>;
}

export async function startApp(): Promise<App> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gvt-e2e-'));
  const socket = join(dataDir, 'gvt.sock');
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'bin/gvt-desk.js'), 'serve', '--port', '0', '--data-dir', dataDir, '--socket', socket], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const url = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`server did not start:\n${log}`)), 30_000);
    const onData = (b: Buffer): void => {
      log += b.toString();
      const m = log.match(/(http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+)/);
      if (m && log.includes('socket:')) {
        clearTimeout(timer);
        ok(m[1]);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => fail(new Error(`server exited (${code}):\n${log}`)));
  });
  return {
    url,
    dataDir,
    socket,
    cli: (...args) =>
      new Promise((ok) => {
        const c = spawn(process.execPath, [join(ROOT, 'bin/gvt-desk.js'), '--socket', socket, '--data-dir', dataDir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        c.stdout.on('data', (b) => (stdout += b));
        c.stderr.on('data', (b) => (stderr += b));
        c.on('exit', (code) => ok({ code: code ?? 1, stdout, stderr }));
      }),
    async stop() {
      const exited = new Promise((ok) => child.once('exit', ok));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((ok) => setTimeout(ok, 5000))]);
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}

/**
 * RGBA checksum-ish summary of a frame canvas: the guest's frame size (its data attributes; the
 * canvas itself is the size it is shown at), the count of distinct sampled colours and a hash.
 */
export async function canvasSample(page: Page, testid: string): Promise<{ width: number; height: number; distinct: number; hash: number }> {
  return page.getByTestId(testid).evaluate((el) => {
    const c = el as HTMLCanvasElement;
    const ctx = c.getContext('2d');
    const width = Number(c.dataset.frameWidth ?? 0);
    const height = Number(c.dataset.frameHeight ?? 0);
    if (!ctx || c.width === 0) return { width, height, distinct: 0, hash: 0 };
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    const seen = new Set<number>();
    let hash = 0;
    for (let i = 0; i < d.length; i += 4 * 13) {
      const v = (d[i] << 16) | (d[i + 1] << 8) | d[i + 2];
      seen.add(v);
      hash = (hash * 31 + v) | 0;
    }
    return { width, height, distinct: seen.size, hash };
  });
}

/** Poll `probe` until it returns a truthy value (or time out with the last value in the message). */
export async function until<T>(what: string, probe: () => Promise<T>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < end) {
    last = await probe().catch(() => undefined);
    if (last) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
}
