/** Entry of the gvt-desk command line (built to out/main/cli.js, run by bin/gvt-desk.js). */
import { runMain } from './cli/main';

runMain(process.argv.slice(2), __dirname);
