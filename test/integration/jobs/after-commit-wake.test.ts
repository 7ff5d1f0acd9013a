import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTransactor } from '../../../src/db/index.js';
import { createManualClock } from '../../../src/lib/clock.js';
import type { JobQueue } from '../../../src/jobs/index.js';
import { makeQueue, openJobsTestDatabase, waitFor, type JobsTestDatabase } from './jobs-harness.js';

const T0 = new Date('2026-06-01T10:00:00.000Z');

// Issue 11: a job enqueued inside a transaction is invisible until the commit, so the enqueue
// cannot wake the workers itself. The queue wakes them once the Transactor's transaction commits:
// the job starts at once, not on the next poll (60 s in these tests, longer than waitFor's 10 s).
describe.each(['postgres', 'embedded'] as const)('a job enqueued in a transaction (%s)', (kind) => {
  let testDb: JobsTestDatabase;
  const queues: JobQueue<{ work: { n: number } }>[] = [];
  beforeAll(async () => {
    testDb = await openJobsTestDatabase(kind);
  });
  afterAll(async () => {
    await testDb?.close();
  });
  beforeEach(async () => {
    for (const queue of queues.splice(0)) await queue.stop({ deadlineMs: 1000 });
    await testDb.db.prisma.job.deleteMany();
  });

  it('starts right after the commit, without waiting for the poll', async () => {
    const ran: number[] = [];
    const queue = makeQueue<{ work: { n: number } }>(testDb.db, createManualClock(T0), { work: { concurrency: 1, run: async ({ n }) => ran.push(n) } });
    queues.push(queue);
    await queue.start();
    const transactor = createTransactor(testDb.db.prisma);
    await transactor.transaction(async (tx) => {
      await queue.enqueue('work', { n: 1 }, {}, tx);
      // still inside the transaction: the workers cannot see the job yet
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(ran).toEqual([]);
    });
    await waitFor(() => ran.length === 1, 'the job to run after the commit', 10_000);
    expect(ran).toEqual([1]);
    await queue.stop({ deadlineMs: 1000 });
  });

  it('a rolled-back transaction leaves no job and wakes nothing', async () => {
    const ran: number[] = [];
    const queue = makeQueue<{ work: { n: number } }>(testDb.db, createManualClock(T0), { work: { concurrency: 1, run: async ({ n }) => ran.push(n) } });
    queues.push(queue);
    await queue.start();
    const transactor = createTransactor(testDb.db.prisma);
    await expect(
      transactor.transaction(async (tx) => {
        await queue.enqueue('work', { n: 2 }, {}, tx);
        throw new Error('the caller changed its mind');
      }),
    ).rejects.toThrow('changed its mind');
    expect(await testDb.db.prisma.job.count()).toBe(0);
    expect(ran).toEqual([]);
    await queue.stop({ deadlineMs: 1000 });
  });
});
