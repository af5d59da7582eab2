import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['*/test/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'e2e/**', 'web/**'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 30_000,
    // Servers bind real ports and spawn real shells: keep parallelism modest on 2 cores.
    maxWorkers: 2,
  },
});
