#!/usr/bin/env node
// `npm run bench [-- NAME...]`: bundles each benchmark (bench/*.ts, with the current src/) with
// esbuild into a temporary directory, runs them one after another in fresh node processes and
// ends with a summary table of their closing `BENCH <name> <ratio> <what>` lines.
// `node bench/run.mjs --list` lists the benchmarks.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, stop } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Each benchmark: its entry and any worker entries it loads (by path, next to its own bundle). */
const BENCHES = {
  'mediation-overhead': { 'mediation-overhead': 'bench/mediation-overhead.ts' },
  scaling: { scaling: 'bench/scaling.ts' },
  'cmd-scan': { 'cmd-scan': 'bench/cmd-scan.ts' },
  'trap-rtt': {
    'trap-rtt': 'bench/trap-rtt.ts',
    'trap-rtt-guest': 'bench/workers/trap-rtt-guest.ts',
    'ping-pong': 'bench/workers/ping-pong.ts',
    // The real GPU thread entry (the same source electron-vite builds into out/main/gpu-thread.js).
    'gpu-thread': 'src/main/host/gpu-thread.ts',
  },
  'frame-decode': { 'frame-decode': 'bench/frame-decode.ts' },
  // Runs the built app (out/) in browser mode and Chromium: built first (see NEEDS_APP_BUILD).
  'frame-delivery': { 'frame-delivery': 'bench/frame-delivery.ts' },
  'screen-updates': { 'screen-updates': 'bench/screen-updates.ts' },
  'stalled-client': { 'stalled-client': 'bench/stalled-client.ts' },
};

/** Benchmarks that drive the built app rather than src/ bundled here. */
const NEEDS_APP_BUILD = new Set(['frame-delivery', 'screen-updates', 'stalled-client']);

const args = process.argv.slice(2);
if (args.includes('--list')) {
  console.log(Object.keys(BENCHES).join('\n'));
  process.exit(0);
}
const unknown = args.filter((a) => !(a in BENCHES));
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(BENCHES).join(', ')}`);
  process.exit(2);
}
const selected = args.length ? args : Object.keys(BENCHES);

function runNode(file) {
  return new Promise((done) => {
    const child = spawn(process.execPath, [file], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_PATH: join(root, 'node_modules') } });
    let last = null;
    let partial = '';
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      partial += chunk.toString('utf8');
      const lines = partial.split('\n');
      partial = lines.pop();
      for (const l of lines) if (l.startsWith('BENCH ')) last = l;
    });
    child.on('close', (code, signal) => {
      if (partial.startsWith('BENCH ')) last = partial;
      done({ code: code ?? (signal ? 128 : 1), bench: last });
    });
  });
}

const outdir = mkdtempSync(join(tmpdir(), 'gvt-desk-bench-'));
const results = [];
try {
  for (const name of selected) {
    console.log(`\n== ${name}`);
    const t0 = performance.now();
    if (NEEDS_APP_BUILD.has(name)) {
      const built = spawnSync('npx', ['--no-install', 'electron-vite', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
      if (built.status !== 0) {
        console.log(`${name}: npm run build failed`);
        results.push({ name, line: null, note: 'build failed' });
        continue;
      }
    }
    try {
      await build({
        absWorkingDir: root,
        entryPoints: BENCHES[name],
        bundle: true,
        platform: 'node',
        target: 'node20',
        format: 'cjs',
        outdir: join(outdir, name),
        outExtension: { '.js': '.cjs' },
        // Loaded from the checkout's node_modules at run time (NODE_PATH): it does not bundle.
        external: ['playwright-core', 'ws'],
        logLevel: 'error',
      });
    } catch (e) {
      console.log(`${name}: build failed: ${e instanceof Error ? e.message : e}`);
      results.push({ name, line: null, note: 'build failed' });
      continue;
    }
    const { code, bench } = await runNode(join(outdir, name, `${name}.cjs`));
    const secs = ((performance.now() - t0) / 1000).toFixed(1);
    results.push({ name, line: bench, note: code === 0 ? `${secs} s` : `exit ${code}` });
  }
} finally {
  rmSync(outdir, { recursive: true, force: true });
  await stop(); // the esbuild service process
}

console.log('\n== summary');
const w = Math.max(...results.map((r) => r.name.length), 9);
console.log(`${'benchmark'.padEnd(w)}  ${'ratio'.padStart(8)}  what`);
for (const r of results) {
  const m = r.line?.match(/^BENCH (\S+) (\S+) (.*)$/);
  if (m) console.log(`${r.name.padEnd(w)}  ${m[2].padStart(8)}  ${m[3]}  (${r.note})`);
  else console.log(`${r.name.padEnd(w)}  ${'-'.padStart(8)}  no BENCH line (${r.note})`);
}
for (const r of results) if (r.line) console.log(r.line);
process.exit(results.every((r) => r.line && !r.note.startsWith('exit') && r.note !== 'build failed') ? 0 : 1);
