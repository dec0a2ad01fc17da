/**
 * The app in browser mode, for the end-to-end tests and the frame-delivery benchmark: `gvt-desk
 * serve` in its own data directory and socket, and Debian's Chromium driven by playwright-core.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';

export interface App {
  url: string;
  /** The host process (for RSS readings). */
  pid: number;
  dataDir: string;
  socket: string;
  /** Run the CLI against this instance. */
  cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  /** Stop the host; its data directory is removed unless `keepData` (to start it again on it). */
  stop(options?: { keepData?: boolean }): Promise<void>;
}

export interface ServeOptions {
  /** An existing data directory (default: a fresh temporary one). */
  dataDir?: string;
  /** Start without --port: on the last run's port, as `gvt-desk serve` does for a user (default: --port 0). */
  reusePort?: boolean;
}

/**
 * Start the built app (`node ROOT/bin/gvt-desk.js serve`, browser mode) in a fresh data directory
 * with its own socket; resolves with its URL once it listens. Needs `npm run build` first.
 */
export async function startServe(root: string, options: ServeOptions = {}): Promise<App> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'gvt-e2e-'));
  const socket = join(dataDir, 'gvt.sock');
  const port = options.reusePort ? [] : ['--port', '0'];
  const child: ChildProcess = spawn(process.execPath, [join(root, 'bin/gvt-desk.js'), 'serve', ...port, '--data-dir', dataDir, '--socket', socket], { stdio: ['ignore', 'pipe', 'pipe'] });
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
    pid: child.pid!,
    dataDir,
    socket,
    cli: (...args) =>
      new Promise((ok) => {
        const c = spawn(process.execPath, [join(root, 'bin/gvt-desk.js'), '--socket', socket, '--data-dir', dataDir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        c.stdout.on('data', (b) => (stdout += b));
        c.stderr.on('data', (b) => (stderr += b));
        c.on('exit', (code) => ok({ code: code ?? 1, stdout, stderr }));
      }),
    async stop(stopOptions = {}) {
      const exited = new Promise((ok) => child.once('exit', ok));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((ok) => setTimeout(ok, 5000))]);
      child.kill('SIGKILL');
      if (!stopOptions.keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Debian's Chromium (or CHROMIUM_PATH) headless, with the flags this machine needs. */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}

