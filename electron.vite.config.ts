import { resolve } from 'node:path';
import { defineConfig, externalizeDepsPlugin } from 'electron-vite';
import vue from '@vitejs/plugin-vue';

// One build for every process: main (Electron entry, browser-mode server, CLI and the three worker
// kinds), preload, and the renderer. Workers are separate entries because they are loaded by path.
export default defineConfig({
  main: {
    plugins: [externalizeDepsPlugin()],
    build: {
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          server: resolve(__dirname, 'src/main/server.ts'),
          cli: resolve(__dirname, 'src/main/cli.ts'),
          'gpu-thread': resolve(__dirname, 'src/main/host/gpu-thread.ts'),
          'compositor-thread': resolve(__dirname, 'src/main/host/compositor-thread.ts'),
          'guest-worker': resolve(__dirname, 'src/main/guest/worker.ts'),
        },
      },
    },
  },
  preload: {
    plugins: [externalizeDepsPlugin()],
    build: { rollupOptions: { input: { index: resolve(__dirname, 'src/preload/index.ts') } } },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    plugins: [vue()],
    build: { rollupOptions: { input: { index: resolve(__dirname, 'src/renderer/index.html') } } },
  },
});
