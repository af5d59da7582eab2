import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['*/test/**/*.test.ts'],
    // web/test holds Node-side checks of the web app (resources, the build); the app itself is tested by e2e/.
    exclude: ['**/node_modules/**', 'e2e/**', 'web/src/**'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 30_000,
    // Servers bind real ports and spawn real shells: keep parallelism modest on 2 cores.
    maxWorkers: 2,
  },
});
