import { defineConfig } from 'vitest/config';

// End-to-end flows: the built app in browser mode, driven by playwright-core + Debian Chromium.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    pool: 'forks',
  },
});
