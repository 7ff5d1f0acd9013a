import { defineConfig } from 'vitest/config';
import { testTmpdir } from './support/test-tmpdir.js';

// Test databases, storage folders and clips on a memory file system where there is one with room
// (test/support/test-tmpdir.ts): set before the global set-up runs and inherited by every test process.
const tmp = testTmpdir();
if (tmp) process.env.TMPDIR = tmp;

// Unit tests are pure and fast; integration tests start real instances (ffmpeg, PostgreSQL,
// HTTP on 127.0.0.1). Both run in one `npm test`. Two cores: at most two test files at once.
export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    // Generous: the heavy integration tests (several instances, ffmpeg, child processes) wait on
    // state with their own bounded waits; this only ends a hang, and a loaded machine must not fail them.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    reporters: ['default'],
    projects: [
      // pure code, no process-wide state: the files share one module cache per worker (importing the
      // modules again for each of ~90 files took 31 of the 73 s the unit tests took)
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'], isolate: false } },
      { extends: true, test: { name: 'integration', include: ['test/integration/**/*.test.ts'] } },
      // a real browser (Debian's chromium through playwright-core) against real instances
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'] } },
    ],
  },
});
