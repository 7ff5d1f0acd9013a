import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../../src/lib/clock.js';
import type { Database } from '../../../src/db/index.js';
import { gate, makeQueue, openJobsTestDatabase, waitFor, type JobsTestDatabase } from './jobs-harness.js';

const T0 = new Date('2026-05-01T10:00:00.000Z');
const JOBS = 50;

// Two processes on one PostgreSQL database: each queue has its own connection pool and workerId.
describe('two job queues on the same PostgreSQL database', () => {
  let testDb: JobsTestDatabase;
  let second: Database;

  beforeAll(async () => {
    testDb = await openJobsTestDatabase('postgres');
    second = await testDb.openAnother();
  });
  afterAll(async () => {
    await testDb?.close();
  });

  it(`never run one of ${JOBS} jobs twice`, async () => {
    const clock = createManualClock(T0);
    const runs: Array<{ job: number; worker: string }> = [];
    const handlerFor = (worker: string) => ({
      race: {
        concurrency: 4,
        run: async (_payload: { n: number }, { job }: { job: { id: number } }) => {
          runs.push({ job: job.id, worker });
          // Yield a few times so claims of both processes interleave with running jobs.
          for (let i = 0; i < 3; i += 1) await new Promise((resolve) => setImmediate(resolve));
          return worker;
        },
      },
    });
    const a = makeQueue<{ race: { n: number } }>(testDb.db, clock, handlerFor('worker-a'), { workerId: 'worker-a', pollIntervalMs: 20 });
    const b = makeQueue<{ race: { n: number } }>(second, clock, handlerFor('worker-b'), { workerId: 'worker-b', pollIntervalMs: 20 });
    // All jobs exist before either worker starts, so both race for the same rows from the start.
    for (let n = 0; n < JOBS; n += 1) await a.enqueue('race', { n });
    try {
      await Promise.all([a.start(), b.start()]);
      await waitFor(() => a.counts().then((c) => c.completed === JOBS), `all ${JOBS} jobs to complete`, 30_000);
    } finally {
      await Promise.all([a.stop({ deadlineMs: 1000 }), b.stop({ deadlineMs: 1000 })]);
    }

    const perJob = new Map<number, number>();
    for (const run of runs) perJob.set(run.job, (perJob.get(run.job) ?? 0) + 1);
    expect(runs).toHaveLength(JOBS);
    expect([...perJob.values()].every((count) => count === 1)).toBe(true);
    expect(perJob.size).toBe(JOBS);

    const rows = await testDb.db.prisma.job.findMany();
    expect(rows.every((row) => row.state === 'completed' && row.attempts === 1)).toBe(true);
    // The stored result names the worker that ran it, and it matches who actually ran it.
    const ranBy = new Map(runs.map((run) => [run.job, run.worker]));
    expect(rows.every((row) => row.result === ranBy.get(row.id))).toBe(true);
    const byWorker = { a: runs.filter((r) => r.worker === 'worker-a').length, b: runs.filter((r) => r.worker === 'worker-b').length };
    expect(byWorker.a).toBeGreaterThan(0);
    expect(byWorker.b).toBeGreaterThan(0);
  });

  it('goes by the injected clock to the millisecond whatever the session time zone', async () => {
    const name = new URL(testDb.url!).pathname.slice(1);
    const admin = new pg.Client({ connectionString: testDb.url! });
    await admin.connect();
    try {
      await admin.query(`ALTER DATABASE ${name} SET timezone TO 'Pacific/Kiritimati'`);
    } finally {
      await admin.end();
    }
    const zoned = await testDb.openAnother(); // new sessions: UTC+14
    const check = await zoned.prisma.$queryRaw<Array<{ tz: string }>>`SELECT current_setting('TimeZone') AS tz`;
    expect(check[0]?.tz).toBe('Pacific/Kiritimati');

    const clock = createManualClock(T0);
    const ran = gate<number>();
    const queue = makeQueue<{ tz: null }>(zoned, clock, { tz: { concurrency: 1, run: async (_p, { job }) => ran.open(job.id) } });
    try {
      const { id } = await queue.enqueue('tz', null, { runAt: new Date(T0.getTime() + 1) });
      await queue.start();
      queue.wake();
      await waitFor(() => queue.counts().then((c) => c.delayed === 1), 'the job to be delayed by 1 ms');
      expect((await zoned.prisma.job.findUniqueOrThrow({ where: { id } })).state).toBe('pending');
      clock.advance(1);
      queue.wake();
      expect(await ran.promise).toBe(id);
      const row = await waitFor(async () => {
        const r = await zoned.prisma.job.findUniqueOrThrow({ where: { id } });
        return r.state === 'completed' && r;
      }, 'the job to complete');
      expect(row.startedAt).toEqual(new Date(T0.getTime() + 1));
      expect(row.runAt).toEqual(new Date(T0.getTime() + 1));
    } finally {
      await queue.stop({ deadlineMs: 1000 });
    }
  });
});
