import { defineConfig } from 'vitest/config';

// End-to-end tests: a real hub in a child process, real Chromium (Debian's) via playwright-core.
export default defineConfig({
  test: {
    include: ['e2e/tests/**/*.e2e.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
