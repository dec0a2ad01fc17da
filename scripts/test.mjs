#!/usr/bin/env node
// `npm test`: type-check, lint, build, unit tests, end-to-end tests; ends with one closing line
// "N passed, N failed" summing both vitest runs (CI reads that line).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const tmp = mkdtempSync(join(tmpdir(), 'gvt-desk-test-'));
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  return r.status ?? 1;
};
const npx = (...args) => run('npx', ['--no-install', ...args]);

let failedStep = null;
for (const [name, args] of [
  ['typecheck', ['tsc', '--noEmit', '-p', 'tsconfig.node.json']],
  ['typecheck (renderer)', ['vue-tsc', '--noEmit', '-p', 'tsconfig.web.json']],
  ['lint', ['eslint', '.']],
  ['build', ['electron-vite', 'build']],
]) {
  console.log(`\n== ${name}`);
  if (npx(...args) !== 0) {
    failedStep = name;
    break;
  }
}

let passed = 0;
let failed = 0;
const failedNames = [];
if (!failedStep) {
  for (const [name, config] of [['unit', 'vitest.config.ts'], ['e2e', 'vitest.e2e.config.ts']]) {
    console.log(`\n== ${name} tests`);
    const out = join(tmp, `${name}.json`);
    const status = npx('vitest', 'run', '--config', config, '--reporter=default', '--reporter=json', `--outputFile.json=${out}`);
    try {
      const r = JSON.parse(readFileSync(out, 'utf8'));
      passed += r.numPassedTests;
      failed += r.numFailedTests;
      // Name each failed test again at the end: CI keeps only the tail of the output.
      for (const file of r.testResults ?? []) {
        for (const t of file.assertionResults ?? []) {
          if (t.status === 'failed') failedNames.push(`${name}: ${file.name} > ${t.fullName}\n    ${(t.failureMessages?.[0] ?? '').split('\n')[0]}`);
        }
        if (file.status === 'failed' && !(file.assertionResults ?? []).some((t) => t.status === 'failed')) failedNames.push(`${name}: ${file.name}: ${file.message ?? 'failed'}`);
      }
    } catch {
      failed += 1;
    }
    if (status !== 0 && failed === 0) failed += 1;
  }
}
if (failedStep) console.log(`\n${failedStep} failed`);
if (failedNames.length) console.log(`\nfailed:\n${failedNames.join('\n')}`);
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failedStep || failed > 0 ? 1 : 0);
