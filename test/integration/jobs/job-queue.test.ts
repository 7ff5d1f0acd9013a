import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  PermanentJobError,
  jobFailure,
  type JobAttemptOutcome,
  type JobMetrics,
  type JobQueue,
  type JobKinds,
} from '../../../src/jobs/index.js';
import { createManualClock } from '../../../src/lib/clock.js';
import type { Database } from '../../../src/db/index.js';
import { gate, makeQueue, openJobsTestDatabase, waitFor, type Gate, type JobsTestDatabase } from './jobs-harness.js';

const T0 = new Date('2026-05-01T10:00:00.000Z');

describe.each(['embedded', 'postgres'] as const)('job queue on %s database', (kind) => {
  let testDb: JobsTestDatabase;
  let db: Database;
  const queues: Array<JobQueue<JobKinds>> = [];

  /** Stops every queue a test started, even when the test failed. */
  function track<Q extends JobQueue<never>>(queue: Q): Q {
    queues.push(queue as unknown as JobQueue<JobKinds>);
    return queue;
  }

  const job = (id: number) => db.prisma.job.findUniqueOrThrow({ where: { id } });

  beforeAll(async () => {
    testDb = await openJobsTestDatabase(kind);
    db = testDb.db;
  });
  afterAll(async () => {
    await testDb?.close();
  });
  beforeEach(async () => {
    await db.prisma.job.deleteMany();
  });
  afterEach(async () => {
    await Promise.all(queues.splice(0).map((q) => q.stop({ deadlineMs: 100 })));
  });

  it('runs an enqueued job at once and records its result', async () => {
    const clock = createManualClock(T0);
    const seen: unknown[] = [];
    const queue = track(
      makeQueue<{ 'video-transcoding': { videoUUID: string; resolution: number } }>(db, clock, {
        'video-transcoding': {
          concurrency: 1,
          run: async (payload, { job }) => {
            seen.push({ payload, attempts: job.attempts });
            return { output: `${payload.videoUUID}-${payload.resolution}.mp4` };
          },
        },
      }),
    );
    await queue.start();
    const { id, deduplicated } = await queue.enqueue('video-transcoding', { videoUUID: 'v1', resolution: 720 });
    expect(deduplicated).toBe(false);

    const done = await waitFor(async () => {
      const row = await job(id);
      return row.state === 'completed' && row;
    }, 'the job to complete (the poll interval is 60 s: only the wake can start it)');
    expect(seen).toEqual([{ payload: { videoUUID: 'v1', resolution: 720 }, attempts: 1 }]);
    expect(done).toMatchObject({
      attempts: 1,
      result: { output: 'v1-720.mp4' },
      lockedBy: null,
      lockedUntil: null,
      startedAt: T0,
      finishedAt: T0,
      createdAt: T0,
    });

    const listed = await queue.list({ state: 'completed', start: 0, count: 10 });
    expect(listed).toEqual({
      total: 1,
      data: [
        {
          id,
          state: 'completed',
          type: 'video-transcoding',
          data: { videoUUID: 'v1', resolution: 720 },
          priority: 0,
          progress: 100,
          error: null,
          createdAt: T0.toISOString(),
          finishedOn: T0.toISOString(),
          processedOn: T0.toISOString(),
        },
      ],
    });
    expect(await queue.counts()).toEqual({ active: 0, completed: 1, failed: 0, waiting: 0, delayed: 0, paused: 0 });
  });

  it('retries a failing job with exponential backoff on the clock, then completes', async () => {
    const clock = createManualClock(T0);
    const attempts: Array<{ attempt: number; at: string }> = [];
    const metricCalls: Array<[string, JobAttemptOutcome]> = [];
    const metrics: JobMetrics = { jobFinished: (k, outcome) => metricCalls.push([k, outcome]) };
    const queue = track(
      makeQueue<{ flaky: { n: number } }>(
        db,
        clock,
        {
          flaky: {
            concurrency: 1,
            maxAttempts: 4,
            backoff: { baseMs: 1000, maxMs: 1500 },
            run: async (_payload, { job }) => {
              attempts.push({ attempt: job.attempts, at: clock.now().toISOString() });
              if (job.attempts < 3) throw new Error(`remote timed out (attempt ${job.attempts})`);
              return 'ok';
            },
          },
        },
        { metrics },
      ),
    );
    await queue.start();
    const { id } = await queue.enqueue('flaky', { n: 1 });

    const afterFirst = await waitFor(async () => {
      const row = await job(id);
      return row.state === 'pending' && row.attempts === 1 && row;
    }, 'the first attempt to fail');
    expect(afterFirst.runAt).toEqual(new Date(T0.getTime() + 1000));
    expect(afterFirst.lastError).toMatch(/^Error: remote timed out \(attempt 1\)/);
    expect(afterFirst.lockedBy).toBeNull();
    expect((await queue.list({ state: 'delayed', start: 0, count: 10 })).data[0]).toMatchObject({
      id,
      state: 'delayed',
      error: expect.stringMatching(/remote timed out/),
    });

    // Not due yet: a wake does not run it.
    clock.advance(999);
    queue.wake();
    await waitFor(() => queue.counts().then((c) => c.delayed === 1), 'the retry to stay delayed');
    expect((await job(id)).attempts).toBe(1);

    clock.advance(1);
    queue.wake();
    const afterSecond = await waitFor(async () => {
      const row = await job(id);
      return row.state === 'pending' && row.attempts === 2 && row;
    }, 'the second attempt to fail');
    // 2 × 1000 ms, capped at 1500 ms.
    expect(afterSecond.runAt).toEqual(new Date(T0.getTime() + 1000 + 1500));

    clock.advance(1500);
    queue.wake();
    await waitFor(async () => (await job(id)).state === 'completed', 'the third attempt to complete');
    expect(attempts).toEqual([
      { attempt: 1, at: '2026-05-01T10:00:00.000Z' },
      { attempt: 2, at: '2026-05-01T10:00:01.000Z' },
      { attempt: 3, at: '2026-05-01T10:00:02.500Z' },
    ]);
    expect(metricCalls).toEqual([
      ['flaky', 'retried'],
      ['flaky', 'retried'],
      ['flaky', 'completed'],
    ]);
  });

  it('fails for good after maxAttempts, on PermanentJobError, on a jobFailure value and on a bad payload', async () => {
    const clock = createManualClock(T0);
    type Kinds = { always: null; permanent: null; refused: null; parsed: { size: number } };
    let parsedRuns = 0;
    const queue = track(
      makeQueue<Kinds>(db, clock, {
        always: {
          concurrency: 1,
          backoff: { baseMs: 10, maxMs: 10 },
          run: async () => {
            throw new Error('still broken');
          },
        },
        permanent: {
          concurrency: 1,
          run: async () => {
            throw new PermanentJobError('video was deleted');
          },
        },
        refused: { concurrency: 1, run: async () => jobFailure('policy refuses this host') },
        parsed: {
          concurrency: 1,
          parse: (raw) => {
            const size = (raw as { size?: unknown }).size;
            if (typeof size !== 'number') throw new TypeError('size must be a number');
            return { size };
          },
          run: async () => {
            parsedRuns += 1;
          },
        },
      }),
    );
    await queue.start();
    const always = await queue.enqueue('always', null, { maxAttempts: 2 });
    const permanent = await queue.enqueue('permanent', null);
    const refused = await queue.enqueue('refused', null);
    const parsed = await queue.enqueue('parsed', { size: 'big' } as unknown as { size: number });

    await waitFor(async () => (await job(always.id)).attempts === 1 && (await job(always.id)).state === 'pending', 'first failure');
    clock.advance(10);
    queue.wake('always');
    const failed = await waitFor(async () => {
      const row = await job(always.id);
      return row.state === 'failed' && row;
    }, 'the job to fail after 2 attempts');
    expect(failed).toMatchObject({ attempts: 2, finishedAt: new Date(T0.getTime() + 10) });
    expect(failed.lastError).toMatch(/still broken/);

    for (const [{ id }, error] of [
      [permanent, /PermanentJobError: video was deleted/],
      [refused, /^policy refuses this host$/],
      [parsed, /^invalid payload: TypeError: size must be a number/],
    ] as const) {
      const row = await waitFor(async () => {
        const r = await job(id);
        return r.state === 'failed' && r;
      }, `job ${id} to fail`);
      expect(row.attempts).toBe(1);
      expect(row.lastError).toMatch(error);
    }
    expect(parsedRuns).toBe(0);
    const failedList = await queue.list({ state: 'failed', start: 0, count: 10, sort: 'createdAt' });
    expect(failedList.total).toBe(4);
    expect(failedList.data.map((j) => j.id)).toEqual([always.id, permanent.id, refused.id, parsed.id]);
  });

  it('deduplicates pending and active jobs by key', async () => {
    const clock = createManualClock(T0);
    const release = gate();
    const queue = track(
      makeQueue<{ refresh: { actor: string } }>(db, clock, {
        refresh: { concurrency: 1, run: () => release.promise },
      }),
    );
    const first = await queue.enqueue('refresh', { actor: 'a' }, { dedupeKey: 'actor:a' });
    const again = await queue.enqueue('refresh', { actor: 'a' }, { dedupeKey: 'actor:a' });
    const other = await queue.enqueue('refresh', { actor: 'b' }, { dedupeKey: 'actor:b' });
    expect(again).toEqual({ id: first.id, deduplicated: true });
    expect(other.deduplicated).toBe(false);

    await queue.start();
    await waitFor(async () => (await job(first.id)).state === 'active', 'the first job to run');
    expect(await queue.enqueue('refresh', { actor: 'a' }, { dedupeKey: 'actor:a' })).toEqual({ id: first.id, deduplicated: true });
    release.open();
    await waitFor(async () => (await job(first.id)).state === 'completed', 'the first job to complete');
    const later = await queue.enqueue('refresh', { actor: 'a' }, { dedupeKey: 'actor:a' });
    expect(later.deduplicated).toBe(false);
    expect(later.id).not.toBe(first.id);

    // Concurrent enqueues of one key write one row.
    await db.prisma.job.deleteMany();
    const results = await Promise.all(
      Array.from({ length: 8 }, () => queue.enqueue('refresh', { actor: 'c' }, { dedupeKey: 'actor:c', runAt: new Date(T0.getTime() + 60_000) })),
    );
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(results.filter((r) => !r.deduplicated)).toHaveLength(1);
    expect(await db.prisma.job.count()).toBe(1);
  });

  it("enqueues inside the caller's transaction: nothing on rollback, runs after commit and wake", async () => {
    const clock = createManualClock(T0);
    const ran: string[] = [];
    const queue = track(
      makeQueue<{ announce: { video: string } }>(db, clock, {
        announce: {
          concurrency: 1,
          run: async (p) => {
            ran.push(p.video);
          },
        },
      }),
    );
    await queue.start();
    await expect(
      db.prisma.$transaction(async (tx) => {
        await queue.enqueue('announce', { video: 'rolled-back' }, {}, tx);
        throw new Error('caller failed');
      }),
    ).rejects.toThrow('caller failed');
    expect(await db.prisma.job.count()).toBe(0);

    const { id } = await db.prisma.$transaction(async (tx) => queue.enqueue('announce', { video: 'committed' }, { dedupeKey: 'k' }, tx));
    queue.wake('announce');
    await waitFor(async () => (await job(id)).state === 'completed', 'the committed job to run');
    expect(ran).toEqual(['committed']);
  });

  it("resumes a job whose worker crashed once its lease expires", async () => {
    const clock = createManualClock(T0);
    const ran: number[] = [];
    const queue = track(
      makeQueue<{ mirror: { video: string } }>(db, clock, {
        mirror: {
          concurrency: 1,
          run: async (_p, { job: info }) => {
            ran.push(info.attempts);
            return 'mirrored';
          },
        },
      }),
    );
    // What a worker that died mid-job leaves behind.
    const crashed = await db.prisma.job.create({
      data: {
        kind: 'mirror',
        payload: { video: 'v' },
        state: 'active',
        attempts: 1,
        lockedBy: 'crashed-worker',
        lockedUntil: new Date(T0.getTime() + 5000),
        runAt: new Date(T0.getTime() - 60_000),
        startedAt: new Date(T0.getTime() - 25_000),
        createdAt: new Date(T0.getTime() - 60_000),
      },
    });
    await queue.start();
    queue.wake();
    // Lease still valid: nobody takes it.
    await waitFor(() => queue.counts().then((c) => c.active === 1), 'the job to stay active');
    expect((await job(crashed.id)).lockedBy).toBe('crashed-worker');

    clock.advance(5001);
    queue.wake();
    const done = await waitFor(async () => {
      const row = await job(crashed.id);
      return row.state === 'completed' && row;
    }, 'the expired job to be picked up and completed');
    expect(ran).toEqual([2]);
    expect(done).toMatchObject({ attempts: 2, result: 'mirrored', lockedBy: null });
  });

  it('fails instead of looping when a job that used its last attempt comes back from a crash', async () => {
    const clock = createManualClock(T0);
    let runs = 0;
    const queue = track(
      makeQueue<{ oom: null }>(db, clock, {
        oom: {
          concurrency: 1,
          run: async () => {
            runs += 1;
          },
        },
      }),
    );
    const row = await db.prisma.job.create({
      data: {
        kind: 'oom',
        payload: {},
        state: 'active',
        attempts: 3,
        maxAttempts: 3,
        lockedBy: 'crashed-worker',
        lockedUntil: new Date(T0.getTime() - 1),
        lastError: 'Error: earlier failure',
      },
    });
    await queue.start();
    const failed = await waitFor(async () => {
      const r = await job(row.id);
      return r.state === 'failed' && r;
    }, 'the job to fail');
    expect(runs).toBe(0);
    expect(failed.lastError).toMatch(/gave up after 3 attempts[\s\S]*earlier failure/);
  });

  it('on start, takes back at once the jobs a previous run of the same worker left active', async () => {
    const clock = createManualClock(T0);
    const queue = track(makeQueue<{ seed: null }>(db, clock, { seed: { concurrency: 1, run: async () => 'seeded' } }));
    const left = await db.prisma.job.create({
      data: {
        kind: 'seed',
        payload: {},
        state: 'active',
        attempts: 1,
        runAt: T0,
        lockedBy: 'worker-a',
        lockedUntil: new Date(T0.getTime() + 3_600_000),
      },
    });
    await queue.start();
    await waitFor(async () => (await job(left.id)).state === 'completed', 'the job left by the previous run to complete');
    expect((await job(left.id)).attempts).toBe(2);
  });

  it('runs at most `concurrency` jobs of a kind at once, by priority then age', async () => {
    const clock = createManualClock(T0);
    const gates = new Map<number, Gate>();
    const started: number[] = [];
    let runningNow = 0;
    let maxRunning = 0;
    const queue = track(
      makeQueue<{ transcode: { n: number } }>(db, clock, {
        transcode: {
          concurrency: 2,
          run: async (p, { reportProgress }) => {
            started.push(p.n);
            runningNow += 1;
            maxRunning = Math.max(maxRunning, runningNow);
            reportProgress(50);
            const g = gate();
            gates.set(p.n, g);
            await g.promise;
            runningNow -= 1;
          },
        },
      }),
    );
    // Enqueued before start, so the order is only decided by priority, runAt and id.
    await queue.enqueue('transcode', { n: 1 }, { priority: 5 });
    await queue.enqueue('transcode', { n: 2 }, { priority: 1 });
    await queue.enqueue('transcode', { n: 3 }, { priority: 5, runAt: new Date(T0.getTime() - 1000) });
    await queue.enqueue('transcode', { n: 4 }, { priority: 1 });
    await queue.enqueue('transcode', { n: 5 }, { priority: 9 });
    await queue.start();

    await waitFor(() => gates.size === 2, 'two jobs to start');
    expect(await queue.counts()).toMatchObject({ active: 2, waiting: 3 });
    const active = await queue.list({ state: 'active', start: 0, count: 10 });
    expect(active.data.map((j) => j.progress)).toEqual([50, 50]);
    for (let done = 0; done < 5; done += 1) {
      const n = await waitFor(() => started[done], `job number ${done + 1} to start`);
      await waitFor(() => gates.has(n), `job ${n} to wait on its gate`);
      gates.get(n)!.open();
    }
    await waitFor(() => queue.counts().then((c) => c.completed === 5), 'all jobs to complete');
    expect(maxRunning).toBe(2);
    expect(started.slice(0, 2).sort()).toEqual([2, 4]);
    expect(started.slice(2)).toEqual([3, 1, 5]);
  });

  it("lists jobs in PeerTube's states with kind filter, sort and pagination, and shows paused ones", async () => {
    const clock = createManualClock(T0);
    const queue = track(makeQueue<{ a: { i: number }; b: { i: number } }>(db, clock, { a: { concurrency: 0, run: async () => 0 }, b: { concurrency: 0, run: async () => 0 } }));
    for (let i = 0; i < 5; i += 1) {
      clock.advance(1000);
      await queue.enqueue(i % 2 === 0 ? 'a' : 'b', { i });
    }
    await queue.enqueue('a', { i: 99 }, { runAt: new Date(clock.now().getTime() + 60_000) });

    expect(await queue.counts()).toEqual({ active: 0, completed: 0, failed: 0, waiting: 5, delayed: 1, paused: 0 });
    expect(await queue.counts({ kind: 'b' })).toMatchObject({ waiting: 2, delayed: 0 });
    expect(await queue.countsByKind()).toEqual({
      a: { active: 0, completed: 0, failed: 0, waiting: 3, delayed: 1, paused: 0 },
      b: { active: 0, completed: 0, failed: 0, waiting: 2, delayed: 0, paused: 0 },
    });

    const newest = await queue.list({ state: 'waiting', start: 0, count: 2 });
    expect(newest.total).toBe(5);
    expect(newest.data.map((j) => j.data)).toEqual([{ i: 4 }, { i: 3 }]);
    const oldestA = await queue.list({ state: 'waiting', kind: 'a', start: 1, count: 5, sort: 'createdAt' });
    expect(oldestA).toMatchObject({ total: 3, data: [{ data: { i: 2 } }, { data: { i: 4 } }] });
    const all = await queue.list({ start: 0, count: 100 });
    expect(all.total).toBe(6);
    expect(all.data[0]).toMatchObject({ state: 'delayed', type: 'a', data: { i: 99 }, processedOn: null, finishedOn: null });

    queue.pause();
    expect(queue.isPaused()).toBe(true);
    expect((await queue.list({ state: 'paused', start: 0, count: 10 })).total).toBe(5);
    expect((await queue.list({ state: 'waiting', start: 0, count: 10 })).total).toBe(0);
    expect(await queue.counts()).toMatchObject({ waiting: 0, paused: 5, delayed: 1 });
    queue.resume();
    expect((await queue.list({ state: 'paused', start: 0, count: 10 })).total).toBe(0);
  });

  it('reports queue depth to metrics on each poll and purges old finished jobs', async () => {
    const clock = createManualClock(T0);
    const depth: Array<[string, Record<string, number>]> = [];
    const metrics: JobMetrics = { jobFinished: () => undefined, queueDepth: (k, counts) => depth.push([k, { ...counts }]) };
    const queue = track(
      makeQueue<{ done: null; idle: null }>(
        db,
        clock,
        { done: { concurrency: 1, run: async () => 'ok' }, idle: { concurrency: 0, run: async () => 'never' } },
        { metrics, pollIntervalMs: 10 },
      ),
    );
    const old = await queue.enqueue('done', null);
    await queue.enqueue('idle', null);
    await queue.enqueue('idle', null, { runAt: new Date(T0.getTime() + 1000) });
    await queue.start();
    await waitFor(async () => (await job(old.id)).state === 'completed', 'the job to complete');
    depth.length = 0;
    // a report counted before the job completed may still land after the clear: wait for the settled figures
    const reported = (kind: string, counts: Record<string, number>) => depth.some(([k, c]) => k === kind && JSON.stringify(c) === JSON.stringify(counts));
    const done = { active: 0, completed: 1, failed: 0, waiting: 0, delayed: 0, paused: 0 };
    const idle = { active: 0, completed: 0, failed: 0, waiting: 1, delayed: 1, paused: 0 };
    await waitFor(() => reported('done', done) && reported('idle', idle), 'a poll to report the depth of both kinds');

    clock.advance(60_000);
    const recent = await queue.enqueue('done', null);
    await waitFor(async () => (await job(recent.id)).state === 'completed', 'the second job to complete');
    expect(await queue.purgeFinished(new Date(T0.getTime() + 1))).toBe(1);
    expect(await db.prisma.job.findUnique({ where: { id: old.id } })).toBeNull();
    expect((await job(recent.id)).state).toBe('completed');
    expect(await db.prisma.job.count({ where: { kind: 'idle' } })).toBe(2);
  });

  it('a paused queue claims nothing until resumed', async () => {
    const clock = createManualClock(T0);
    const ran: number[] = [];
    let claims = 0;
    // Counts claim statements: a claim starts synchronously inside wake(), so a paused queue that
    // still claimed would show up right after the call.
    const counting = new Proxy(db.prisma, {
      get(target, property, receiver) {
        if (property === '$queryRaw') claims += 1;
        return Reflect.get(target, property, receiver) as unknown;
      },
    });
    const queue = track(
      makeQueue<{ p: { i: number } }>(db, clock, { p: { concurrency: 1, run: async ({ i }) => ran.push(i) } }, { prisma: counting }),
    );
    await queue.start();
    // the start-up claim was issued (claims are counted when issued) and a round trip later it has answered
    await waitFor(() => claims >= 1, 'the start-up claim');
    await waitFor(() => queue.counts().then(() => true), 'the start-up claim to finish');
    queue.pause();
    const before = claims;
    const { id } = await queue.enqueue('p', { i: 1 });
    queue.wake();
    expect(claims).toBe(before);
    expect((await job(id)).state).toBe('pending');
    queue.resume();
    expect(claims).toBe(before + 1);
    await waitFor(async () => (await job(id)).state === 'completed', 'the job to run after resume');
    expect(ran).toEqual([1]);
  });

  it('extends the lease of a running job, and aborts a job whose lease another worker took', async () => {
    const clock = createManualClock(T0);
    const started = gate<AbortSignal>();
    const ended = gate<unknown>();
    const queue = track(
      makeQueue<{ long: null }>(
        db,
        clock,
        {
          long: {
            concurrency: 1,
            run: (_p, { signal }) => {
              started.open(signal);
              return new Promise((_resolve, reject) => {
                signal.addEventListener('abort', () => {
                  ended.open(signal.reason);
                  reject(signal.reason as Error);
                });
              });
            },
          },
        },
        { leaseMs: 1000, heartbeatMs: 10 },
      ),
    );
    await queue.start();
    const { id } = await queue.enqueue('long', null);
    await started.promise;
    expect((await job(id)).lockedUntil).toEqual(new Date(T0.getTime() + 1000));
    clock.advance(900);
    await waitFor(async () => (await job(id)).lockedUntil?.getTime() === T0.getTime() + 1900, 'the heartbeat to extend the lease');

    // Another worker took the job over (as if our lease had expired).
    await db.prisma.job.update({ where: { id }, data: { lockedBy: 'worker-b', attempts: 2 } });
    expect(String(await ended.promise)).toMatch(/lease lost/);
    // The outcome of the lost attempt is not recorded over worker-b's.
    await waitFor(() => queue.counts().then((c) => c.active === 1), 'the row to stay active');
    expect(await job(id)).toMatchObject({ state: 'active', lockedBy: 'worker-b', lastError: null });
  });

  it('stop() lets jobs finish within the deadline, then aborts and requeues the rest', async () => {
    const clock = createManualClock(T0);
    const quickGate = gate();
    const started: string[] = [];
    let abortedReason: unknown;
    const kinds = {
      quick: {
        concurrency: 1,
        run: async () => {
          started.push('quick');
          await quickGate.promise;
          return 'quick done';
        },
      },
      stubborn: {
        concurrency: 1,
        run: (_p: null, { signal }: { signal: AbortSignal }) => {
          started.push('stubborn');
          return new Promise<never>((_resolve, reject) => {
            signal.addEventListener('abort', () => {
              abortedReason = signal.reason;
              reject(new Error('aborted'));
            });
          });
        },
      },
    };
    const queue = makeQueue<{ quick: null; stubborn: null }>(db, clock, kinds);
    await queue.start();
    const quick = await queue.enqueue('quick', null);
    const stubborn = await queue.enqueue('stubborn', null);
    await waitFor(() => started.length === 2, 'both jobs to start');

    const stopping = queue.stop({ deadlineMs: 300 });
    // Intake is closed: a job enqueued now waits for the next run.
    const late = await queue.enqueue('quick', null);
    quickGate.open();
    const report = await stopping;

    expect(report).toEqual({ requeued: [stubborn.id] });
    expect(String(abortedReason)).toMatch(/stopping/);
    expect(await job(quick.id)).toMatchObject({ state: 'completed', result: 'quick done' });
    expect(await job(stubborn.id)).toMatchObject({ state: 'pending', attempts: 0, lockedBy: null, lockedUntil: null, lastError: null });
    expect(await job(late.id)).toMatchObject({ state: 'pending', attempts: 0 });
    expect(await queue.stop()).toEqual(report);

    // The next run (a restart) picks the requeued job up.
    const resumed: string[] = [];
    const next = track(
      makeQueue<{ quick: null; stubborn: null }>(db, clock, {
        quick: { concurrency: 1, run: async () => resumed.push('quick') },
        stubborn: { concurrency: 1, run: async () => resumed.push('stubborn') },
      }),
    );
    await next.start();
    await waitFor(async () => (await job(stubborn.id)).state === 'completed' && (await job(late.id)).state === 'completed', 'the requeued jobs to run');
    expect(resumed.sort()).toEqual(['quick', 'stubborn']);
    expect((await job(stubborn.id)).attempts).toBe(1);
  });

  // Behaviour, not a count of the process's timers (which other work in the process moves): while
  // it runs the queue polls and beats on its own; once stopped it never reaches the database again.
  it('reaches the database no more after stop: no poll, no heartbeat, no late job run', async () => {
    const clock = createManualClock(T0);
    const calls = { count: 0 };
    const watched: Database = { ...db, prisma: countingPrisma(db.prisma, calls) };
    const release = gate();
    const ran: string[] = [];
    const queue = makeQueue<{ t: null }>(
      watched,
      clock,
      {
        t: {
          concurrency: 3,
          run: async () => {
            ran.push('t');
            await release.promise;
          },
        },
      },
      { pollIntervalMs: 50, heartbeatMs: 20 },
    );
    await queue.start();
    await queue.enqueue('t', null);
    await queue.enqueue('t', null);
    await waitFor(() => queue.counts().then((c) => c.active === 2), 'jobs to run');
    const running = calls.count;
    await waitFor(async () => calls.count >= running + 3, 'polls and heartbeats to reach the database unasked');
    const stopped = queue.stop({ deadlineMs: 5000 });
    release.open();
    expect(await stopped).toEqual({ requeued: [] });
    const late = await queue.enqueue('t', null);
    const afterStop = calls.count;
    await beats(10, 50); // ten beats of a timer like the queue's poll: a leftover poll or heartbeat would have fired
    expect(calls.count).toBe(afterStop);
    expect(ran).toHaveLength(2);
    expect(await job(late.id)).toMatchObject({ state: 'pending', attempts: 0 });
  });
});

/** `prisma` with every model and client method call counted (what the queue asks of the database). */
function countingPrisma(prisma: Database['prisma'], calls: { count: number }): Database['prisma'] {
  const counted = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(t, prop) {
        const value: unknown = Reflect.get(t, prop, t);
        if (typeof value === 'function') {
          return (...args: unknown[]) => {
            calls.count += 1;
            return (value as (...a: unknown[]) => unknown).apply(t, args);
          };
        }
        return value !== null && typeof value === 'object' && typeof prop === 'string' && !prop.startsWith('_') ? counted(value) : value;
      },
    });
  return counted(prisma);
}

/** Resolves after `n` beats of an interval timer of `ms`: a window that stretches with a busy machine as the queue's own timers would. */
function beats(n: number, ms: number): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    const timer = setInterval(() => {
      if (++seen < n) return;
      clearInterval(timer);
      resolve();
    }, ms);
  });
}
