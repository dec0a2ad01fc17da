/**
 * Browser-mode entry (built to out/main/server.js): `node out/main/server.js [--port N]
 * [--data-dir DIR] [--socket PATH]` is the same as `gvt-desk serve …`.
 */
import { runCli } from './cli/program';
import { shutdownSignal } from './cli/signals';

void runCli(
  ['serve', ...process.argv.slice(2)],
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
  setTimeout(() => process.exit(code), 3000).unref();
});
