/**
 * Process entry shared by out/main/cli.js and out/main/server.js: runs the CLI with the real
 * process I/O and the built layout (workers beside the entry, renderer in ../renderer).
 * The host is loaded only for `serve`, so `gvt-desk xl list` starts fast.
 */
import { runCli } from './program';
import { shutdownSignal } from './signals';

/** Run `argv` (without node and script) and exit with its status. `entryDir`: the built entry's directory. */
export function runMain(argv: string[], entryDir: string): void {
  void runCli(
    argv,
    {
      stdout: (s) => process.stdout.write(s),
      stderr: (s) => process.stderr.write(s),
      env: process.env,
      cwd: process.cwd(),
    },
    {
      createHost: async (options) => (await import('../host/host')).createHost(options),
      workerDir: entryDir,
      rendererDir: `${entryDir}/../renderer`,
      waitForShutdown: shutdownSignal,
      stdin: {
        onData(handler) {
          // Raw mode, as xl console: every key goes to the guest, Ctrl+] included (it detaches).
          if (process.stdin.isTTY) process.stdin.setRawMode(true);
          process.stdin.on('data', handler);
          process.stdin.resume();
          return () => {
            process.stdin.off('data', handler);
            if (process.stdin.isTTY) process.stdin.setRawMode(false);
            process.stdin.pause();
          };
        },
      },
    },
  ).then((code) => {
    process.exitCode = code;
    // Anything still holding the loop open (a stuck worker) must not keep a finished CLI alive.
    setTimeout(() => process.exit(code), 3000).unref();
  });
}
