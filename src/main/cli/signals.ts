/**
 * Shutdown signal handling shared by `gvt-desk serve` and the browser-mode entry.
 */

/**
 * Resolve with a description on the first SIGINT or SIGTERM. A second signal while shutting down
 * exits at once (code 130 for SIGINT, 143 for SIGTERM).
 */
export function shutdownSignal(): Promise<string> {
  return new Promise((resolveSignal) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      const force = (s: NodeJS.Signals): void => process.exit(s === 'SIGINT' ? 130 : 143);
      process.once('SIGINT', force);
      process.once('SIGTERM', force);
      resolveSignal(`received ${signal}`);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
