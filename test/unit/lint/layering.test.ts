/**
 * Lint enforces the layering the README promises (issue 11 item 5): ESLint's own Node API runs the
 * project's eslint.config.mjs on small snippets placed at virtual paths in each layer; every
 * forbidden import fails with the layer's message, and the imports a layer may make pass.
 */
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const eslint = new ESLint({ cwd: root, overrideConfigFile: join(root, 'eslint.config.mjs') });

/** The layering rules' messages for `code` linted as if it were the file at `path` (relative to the repo). */
async function layering(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, path) });
  return result.messages.filter((m) => m.ruleId?.startsWith('no-restricted-')).map((m) => `${m.ruleId}: ${m.message}`);
}

describe('layering by lint (README "Map of src/", ARCHITECTURE.md dependency direction)', () => {
  const forbidden: [string, string, string, RegExp][] = [
    ['vm → host', 'src/main/vm/x.ts', "import { startHost } from '../host/host';\nvoid startHost;\n", /no-restricted-imports: .*vm\/ depends on mediator\/, gpu\/, files\/ and shared\/ only: not host\//],
    ['vm → electron', 'src/main/vm/x.ts', "import { app } from 'electron';\nvoid app;\n", /vm\/ .*: no electron/],
    ['shared → main', 'src/shared/x.ts', "import { Mediator } from '../main/mediator/mediator';\nvoid Mediator;\n", /no-restricted-imports: .*shared\/ is used by both sides: it imports nothing from src\/main/],
    ['mediator → worker_threads', 'src/main/mediator/x.ts', "import { Worker } from 'worker_threads';\nvoid Worker;\n", /no-restricted-imports: .*mediator\/ depends on gpu\/ and shared\/ only: no Node built-ins/],
    ['mediator → node:worker_threads', 'src/main/mediator/x.ts', "import { Worker } from 'node:worker_threads';\nvoid Worker;\n", /mediator\/ .*: no Node built-ins/],
    ['mediator Date.now()', 'src/main/mediator/x.ts', 'export const t = Date.now();\n', /no-restricted-properties: .*mediator\/.*reads no clock/],
    ['mediator performance.now()', 'src/main/mediator/x.ts', 'export const t = performance.now();\n', /reads no clock/],
    ['mediator new Date()', 'src/main/mediator/x.ts', 'export const t = new Date();\n', /no-restricted-syntax: .*reads no clock/],
    ['mediator setTimeout', 'src/main/mediator/x.ts', 'setTimeout(() => undefined, 1);\n', /no-restricted-globals: .*no timers/],
    ['mediator → host', 'src/main/mediator/x.ts', "import { x } from '../host/y';\nvoid x;\n", /mediator\/ depends on gpu\/ and shared\/ only: not host\//],
    ['gpu → ws', 'src/main/gpu/x.ts', "import { WebSocket } from 'ws';\nvoid WebSocket;\n", /no-restricted-imports: .*gpu\/ depends on shared\/ only: the core is pure and synchronous/],
    ['gpu → mediator', 'src/main/gpu/x.ts', "import { Mediator } from '../mediator/mediator';\nvoid Mediator;\n", /gpu\/ depends on shared\/ only: not mediator\//],
    ['gpu Date.now()', 'src/main/gpu/x.ts', 'export const t = Date.now();\n', /reads no clock/],
    ['renderer → node:fs', 'src/renderer/x.ts', "import { readFileSync } from 'node:fs';\nvoid readFileSync;\n", /the renderer is browser code.*no Node built-ins/],
    ['renderer → fs', 'src/renderer/x.ts', "import { readFileSync } from 'fs';\nvoid readFileSync;\n", /the renderer is browser code.*no Node built-ins/],
    ['renderer → main', 'src/renderer/x.ts', "import { Mediator } from '../main/mediator/mediator';\nvoid Mediator;\n", /the renderer is browser code/],
    ['guest → mediator', 'src/main/guest/x.ts', "import { Mediator } from '../mediator/mediator';\nvoid Mediator;\n", /guest\/ depends on shared\/ only and talks through its trap port: not mediator\//],
    ['host → electron', 'src/main/host/x.ts', "import { app } from 'electron';\nvoid app;\n", /host\/ .*: no electron/],
    ['host → cli', 'src/main/host/x.ts', "import { main } from '../cli/main';\nvoid main;\n", /host\/ .*: not cli\//],
    ['files → vm', 'src/main/files/x.ts', "import { Library } from '../vm/library';\nvoid Library;\n", /files\/ depends on shared\/ only .*: not vm\//],
    ['preload → host', 'src/preload/x.ts', "import { startHost } from '../main/host/host';\nvoid startHost;\n", /the preload exposes only the typed API/],
  ];
  for (const [what, path, code, message] of forbidden) {
    it(`forbids ${what}`, async () => {
      const messages = await layering(path, code);
      expect(messages.length, messages.join('\n')).toBeGreaterThan(0);
      expect(messages.join('\n')).toMatch(message);
    });
  }

  const allowed: [string, string, string][] = [
    ['mediator → gpu and shared', 'src/main/mediator/x.ts', "import { addr64 } from '../gpu/engine';\nimport { MI } from '../../shared/commands';\nvoid addr64;\nvoid MI;\n"],
    ['gpu → shared', 'src/main/gpu/x.ts', "import { MI } from '../../shared/commands';\nvoid MI;\n"],
    ['vm → mediator and files', 'src/main/vm/x.ts', "import { Mediator } from '../mediator/mediator';\nimport { readChecked } from '../files/checked-io';\nvoid Mediator;\nvoid readChecked;\n"],
    ['host → vm, guest, ws and node:', 'src/main/host/x.ts', "import { Library } from '../vm/library';\nimport type { GuestMessage } from '../guest/worker';\nimport { WebSocketServer } from 'ws';\nimport { join } from 'node:path';\nexport type M = GuestMessage;\nvoid Library;\nvoid WebSocketServer;\nvoid join;\n"],
    ['guest → node:worker_threads and shared', 'src/main/guest/x.ts', "import { parentPort } from 'node:worker_threads';\nimport { MI } from '../../shared/commands';\nvoid parentPort;\nvoid MI;\n"],
    ['renderer → shared and vue', 'src/renderer/x.ts', "import { ref } from 'vue';\nimport { MI } from '../shared/commands';\nvoid ref;\nvoid MI;\n"],
    ['preload → electron channels', 'src/preload/x.ts', "import { contextBridge } from 'electron';\nimport { CHANNELS } from '../main/electron/channels';\nvoid contextBridge;\nvoid CHANNELS;\n"],
  ];
  for (const [what, path, code] of allowed) {
    it(`allows ${what}`, async () => {
      expect(await layering(path, code)).toEqual([]);
    });
  }
});
