import { defineConfig } from 'vitest/config';

// Unit tests are pure and fast; integration tests start real instances (ffmpeg, PostgreSQL,
// HTTP on 127.0.0.1). Both run in one `npm test`. Two cores: at most two test files at once.
export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts', 'test/e2e/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    // Generous: the heavy integration tests (several instances, ffmpeg, child processes) wait on
    // state with their own bounded waits; this only ends a hang, and a loaded machine must not fail them.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    reporters: ['default'],
  },
});
