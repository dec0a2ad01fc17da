/**
 * Electron main-process entry (built to out/main/index.js, CommonJS). The host is loaded lazily
 * so a startup failure there is reported in a dialog instead of crashing the entry.
 */
import { runElectronApp } from './electron/app';

runElectronApp({
  createHost: async (options) => (await import('./host/host')).createHost(options),
  mainDir: __dirname,
});
