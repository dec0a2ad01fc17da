/**
 * Browser-mode entry (built to out/main/server.js): `node out/main/server.js [--port N]
 * [--data-dir DIR] [--socket PATH]` is the same as `gvt-desk serve …`.
 */
import { runMain } from './cli/main';

runMain(['serve', ...process.argv.slice(2)], __dirname);
