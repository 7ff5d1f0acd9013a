import { defineConfig } from 'vitest/config';

// Unit tests are pure and fast; integration tests start real instances (ffmpeg, PostgreSQL,
// HTTP on 127.0.0.1). Both run in one `npm test`. Two cores: at most two test files at once.
export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
