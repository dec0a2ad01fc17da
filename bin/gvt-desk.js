#!/usr/bin/env node
'use strict';
// gvt-desk command line: a shim for the built CLI (out/main/cli.js, CommonJS from electron-vite).
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const cli = join(__dirname, '..', 'out', 'main', 'cli.js');
if (!existsSync(cli)) {
  process.stderr.write(`gvt-desk: ${cli} is missing; build first with \`npm run build\`\n`);
  process.exit(1);
}
require(cli);
