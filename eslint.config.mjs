import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import vue from 'eslint-plugin-vue';
import globals from 'globals';
import { builtinModules } from 'node:module';

/**
 * The layering the README and ARCHITECTURE.md promise, as data: each layer (a folder under src/)
 * lists the layers it may import; the rules below forbid every other layer's folder. Direction:
 * shared <- gpu <- mediator <- vm <- host <- {electron, cli}; guest, files and the renderer depend
 * on shared only (files serves vm and host); preload bridges the renderer to electron's channels.
 */
const LAYERS = {
  'src/shared': { mayImport: [], node: false, why: 'shared/ is used by both sides: it imports nothing from src/main, the preload or the renderer' },
  'src/main/gpu': { mayImport: ['shared'], node: false, core: true, why: 'gpu/ depends on shared/ only' },
  'src/main/mediator': { mayImport: ['gpu', 'shared'], node: false, core: true, why: 'mediator/ depends on gpu/ and shared/ only' },
  'src/main/files': { mayImport: ['shared'], node: true, why: 'files/ depends on shared/ only (it serves vm/ and host/)' },
  'src/main/guest': { mayImport: ['shared'], node: true, why: 'guest/ depends on shared/ only and talks through its trap port' },
  'src/main/vm': { mayImport: ['mediator', 'gpu', 'files', 'shared'], node: true, why: 'vm/ depends on mediator/, gpu/, files/ and shared/ only' },
  'src/main/host': { mayImport: ['vm', 'mediator', 'gpu', 'files', 'guest', 'shared'], node: true, why: 'host/ wires vm/, mediator/, gpu/, files/ and guest/; it does not know electron/ or the CLI' },
  'src/main/electron': { mayImport: ['host', 'files', 'shared'], node: true, electron: true, why: 'electron/ sits on host/, files/ and shared/' },
  'src/main/cli': { mayImport: ['host', 'files', 'shared'], node: true, why: 'cli/ sits on host/, files/ and shared/' },
  'src/preload': { mayImport: ['shared'], node: false, electron: true, channels: true, why: 'the preload exposes only the typed API: shared/ and electron/channels' },
  'src/renderer': { mayImport: ['shared'], node: false, browser: true, why: 'the renderer is browser code: it depends on src/shared only (no Node built-ins, no electron, no main code)' },
};
/** Folder names a specifier may reach, by layer. */
const FOLDERS = { shared: 'shared', gpu: 'gpu', mediator: 'mediator', files: 'files', guest: 'guest', vm: 'vm', host: 'host', electron: 'electron', cli: 'cli', preload: 'preload', renderer: 'renderer' };
const NODE_BUILTIN_PATHS = builtinModules.filter((m) => !m.startsWith('_'));

function layerBlocks() {
  return Object.entries(LAYERS).map(([dir, layer]) => {
    const self = dir.split('/').pop();
    const forbidden = Object.keys(FOLDERS).filter((f) => f !== self && !layer.mayImport.includes(f));
    const patterns = forbidden.map((f) =>
      f === 'electron' && layer.channels
        ? { group: ['**/electron/**', '!**/main/electron/channels'], message: `${layer.why}.` }
        : { group: [`**/${FOLDERS[f]}/**`], message: `${layer.why}: not ${f}/.` },
    );
    if (dir === 'src/shared') patterns.push({ group: ['**/main/**'], message: `${layer.why}.` });
    if (!layer.electron) patterns.push({ group: ['electron', 'electron/*'], message: `${layer.why}: no electron.` });
    if (!layer.node) patterns.push({ group: ['node:*'], message: `${layer.why}: no Node built-ins.` });
    if (layer.core) patterns.push({ group: ['ws'], message: `${layer.why}: the core is pure and synchronous (no sockets).` });
    const rules = {
      'no-restricted-imports': ['error', { paths: layer.node ? [] : NODE_BUILTIN_PATHS.map((name) => ({ name, message: `${layer.why}: no Node built-ins.` })), patterns }],
    };
    if (layer.core) {
      // The core is pure and synchronous: time comes in as an argument (tick(nowNs)), never from a clock or a timer.
      const clock = 'the core takes time as an argument (tick(nowNs)); it reads no clock';
      rules['no-restricted-globals'] = ['error', ...['setTimeout', 'setInterval', 'setImmediate', 'clearTimeout', 'clearInterval', 'queueMicrotask'].map((name) => ({ name, message: `${layer.why}: the core uses no timers.` })), { name: 'performance', message: `${layer.why}: ${clock}.` }];
      rules['no-restricted-properties'] = ['error', { object: 'Date', property: 'now', message: `${layer.why}: ${clock}.` }, { object: 'performance', property: 'now', message: `${layer.why}: ${clock}.` }];
      rules['no-restricted-syntax'] = ['error', { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: `${layer.why}: ${clock}.` }];
    }
    return {
      files: [`${dir}/**/*.{ts,vue}`],
      ...(layer.browser ? { languageOptions: { globals: { ...globals.browser } } } : {}),
      rules,
    };
  });
}

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...vue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } },
  },
  {
    files: ['**/*.{ts,mjs,js,vue}'],
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'vue/multi-word-component-names': 'off',
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
    },
  },
  {
    // Plain CommonJS launchers, run by node without a build step.
    files: ['bin/**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  ...layerBlocks(),
);
