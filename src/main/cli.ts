/**
 * Entry of the gvt-desk command line (built to out/main/cli.js, run by bin/gvt-desk.js).
 * The host is loaded only for `serve`, so `gvt-desk xl list` starts fast.
 */
import { runCli } from './cli/program';
import { shutdownSignal } from './cli/signals';

void runCli(
  process.argv.slice(2),
  {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    env: process.env,
    cwd: process.cwd(),
  },
  {
    createHost: async (options) => (await import('./host/host')).createHost(options),
    workerDir: __dirname,
    rendererDir: `${__dirname}/../renderer`,
    waitForShutdown: shutdownSignal,
  },
).then((code) => {
  process.exitCode = code;
  // Anything still holding the loop open (a stuck worker) must not keep a finished CLI alive.
  setTimeout(() => process.exit(code), 3000).unref();
});
