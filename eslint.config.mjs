import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import vue from 'eslint-plugin-vue';
import globals from 'globals';

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
  {
    // The renderer is untrusted and browser-safe: it may import only src/shared and browser libraries.
    files: ['src/renderer/**/*.{ts,vue}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['electron', 'electron/*'], message: 'The renderer must not import electron; use the preload API.' },
          { group: ['node:*'], message: 'The renderer is browser code: no Node built-ins.' },
          { group: ['**/main/**', '**/preload/**'], message: 'The renderer depends on src/shared only.' },
        ],
      }],
    },
  },
  {
    // The core is pure: no Electron, IPC, workers or timers in gpu/ and mediator/.
    files: ['src/main/gpu/**/*.ts', 'src/main/mediator/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['electron', 'node:*', 'ws'], message: 'gpu/ and mediator/ are pure and synchronous.' },
          { group: ['**/vm/**', '**/host/**', '**/guest/**'], message: 'Dependency direction: shared <- gpu <- mediator <- vm <- host.' },
        ],
      }],
      'no-restricted-globals': ['error', 'setTimeout', 'setInterval', 'setImmediate'],
    },
  },
  {
    files: ['src/main/gpu/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/mediator/**', '**/vm/**', '**/host/**', '**/guest/**', 'electron', 'node:*'], message: 'gpu/ depends on shared/ only.' }] }],
    },
  },
  {
    // The checked reader/writer and the file boundary sit below vm/ and host/, which both use them.
    files: ['src/main/files/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/gpu/**', '**/mediator/**', '**/vm/**', '**/host/**', '**/guest/**', '**/electron/**', 'electron'], message: 'files/ depends on shared/ only.' }] }],
    },
  },
  {
    files: ['src/main/guest/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/gpu/**', '**/mediator/**', '**/vm/**', '**/host/**', 'electron'], message: 'guest/ depends on shared/ only and talks through its trap port.' }] }],
    },
  },
);
