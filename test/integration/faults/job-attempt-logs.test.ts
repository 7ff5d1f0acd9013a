import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../../src/lib/clock.js';
import { createLogger } from '../../../src/lib/logger.js';
import { makeQueue, openJobsTestDatabase, waitFor, type JobsTestDatabase } from '../jobs/jobs-harness.js';

// Issue 10, item 15: a failed attempt that will be retried is logged at warn with its error
// (it was info, and the error was only its first line), and counted as `retried`.

describe('failed job attempts in the logs and metrics', () => {
  let testDb: JobsTestDatabase;
  beforeAll(async () => {
    testDb = await openJobsTestDatabase('embedded');
  });
  afterAll(async () => {
    await testDb?.close();
  });

  it('a failing attempt is a warn line with the whole error; the outcome is counted', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _e, done) {
        for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
        done();
      },
    });
    const outcomes: string[] = [];
    const clock = createManualClock(new Date('2026-05-01T10:00:00Z'));
    let calls = 0;
    const queue = makeQueue<{ flaky: Record<string, unknown> }>(testDb.db, clock, {
      flaky: {
        concurrency: 1,
        maxAttempts: 3,
        run: async () => {
          calls++;
          throw new Error('origin answered 503\nwhile fetching the playlist');
        },
      },
    }, { logger: createLogger({ level: 'info', destination: sink }), metrics: { jobFinished: (_kind, outcome) => outcomes.push(outcome) } });
    await queue.start();
    try {
      await queue.enqueue('flaky', {});
      await waitFor(() => (outcomes.length === 1 ? true : undefined), 'the first attempt to end');
      expect(calls).toBe(1);
      expect(outcomes).toEqual(['retried']);
      const line = lines.find((l) => typeof l.msg === 'string' && l.msg.startsWith('job attempt failed'));
      expect(line).toMatchObject({ level: 40, msg: 'job attempt failed, will retry: Error: origin answered 503', attempts: 1, maxAttempts: 3 });
      expect(String(line!.error)).toContain('while fetching the playlist');
    } finally {
      await queue.stop({ deadlineMs: 1000 });
    }
  });
});
