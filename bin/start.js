#!/usr/bin/env node
'use strict';
/**
 * `npm start` launcher (after `npm run build`): runs the Electron app when its binary is installed
 * and a display is available; otherwise — or when Electron fails within a few seconds — serves the
 * same UI in browser mode (`out/main/cli.js serve`) and says why. Never downloads Electron.
 * Arguments are passed through (e.g. `npm start -- --port 8080 --data-dir /tmp/gvt`).
 */
const { spawn } = require('node:child_process');
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const args = process.argv.slice(2);
/** Electron exiting with failure sooner than this after launch counts as "could not start". */
const EARLY_FAILURE_MS = 5000;

/** Absolute path of the installed Electron binary, or null (read from path.txt, as electron's index.js does, minus its download). */
function electronBinary() {
  const pkgDir = join(root, 'node_modules', 'electron');
  const pathFile = join(pkgDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const rel = readFileSync(pathFile, 'utf8').trim();
  if (!rel) return null;
  const distDir = process.env.ELECTRON_OVERRIDE_DIST_PATH || join(pkgDir, 'dist');
  const bin = join(distDir, rel);
  return existsSync(bin) ? bin : null;
}

function hasDisplay() {
  if (process.platform !== 'linux') return true;
  return Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
}

/** Run a child with our stdio; SIGTERM/SIGHUP are forwarded, SIGINT reaches it from the terminal. */
function run(command, argv, onExit) {
  const child = spawn(command, argv, { stdio: 'inherit', cwd: root });
  const forward = (signal) => () => child.kill(signal);
  const handlers = { SIGINT: () => {}, SIGTERM: forward('SIGTERM'), SIGHUP: forward('SIGHUP') };
  for (const [signal, handler] of Object.entries(handlers)) process.on(signal, handler);
  const detach = () => {
    for (const [signal, handler] of Object.entries(handlers)) process.off(signal, handler);
  };
  child.on('error', (err) => {
    detach();
    onExit(null, null, err);
  });
  child.on('exit', (code, signal) => {
    detach();
    onExit(code, signal, null);
  });
  return child;
}

function exitLike(code, signal) {
  if (signal) process.kill(process.pid, signal);
  else process.exit(code === null ? 1 : code);
}

function browserMode(reason) {
  const cli = join(root, 'out', 'main', 'cli.js');
  process.stdout.write(`${reason}: serving the UI in browser mode\n`);
  if (!existsSync(cli)) {
    process.stderr.write(`gvt-desk: ${cli} is missing; build first with \`npm run build\`\n`);
    process.exit(1);
  }
  run(process.execPath, [cli, 'serve', ...args], (code, signal, err) => {
    if (err) {
      process.stderr.write(`gvt-desk: cannot run ${cli}: ${err.message}\n`);
      process.exit(1);
    }
    exitLike(code, signal);
  });
}

function main() {
  const bin = electronBinary();
  if (!bin) return browserMode('Electron binary not available (no network to download it)');
  if (!hasDisplay()) return browserMode('No display ($DISPLAY / $WAYLAND_DISPLAY unset)');
  const started = Date.now();
  run(bin, [root, ...args], (code, signal, err) => {
    if (err) return browserMode(`Electron could not be started (${err.message})`);
    const early = Date.now() - started < EARLY_FAILURE_MS;
    const stoppedByUser = signal === 'SIGINT' || signal === 'SIGTERM' || signal === 'SIGHUP';
    if (early && !stoppedByUser && code !== 0) {
      return browserMode(`Electron ${signal ? `was killed by ${signal}` : `exited with code ${code}`} right after launch`);
    }
    exitLike(code, signal);
  });
}

main();
