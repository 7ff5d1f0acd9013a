import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDatabaseKind } from '../../support/database.js';
import { startTestInstance, type TestInstance } from '../../support/instance.js';
import { healthz } from './operator-support.js';

// Issue 10, item 13: finished jobs and handled inbox activities are pruned after their retention
// (PeerTube keeps completed jobs 2 days, failed ones 7), in bounded batches by a scheduled tick.

const DAY = 86_400_000;
const BATCH = 5000;
const MAX_BATCHES = 4;

describe.each<TestDatabaseKind>(['embedded', 'postgres'])('pruning 100,000 old rows per table (%s)', (db) => {
  let t: TestInstance;
  const ago = (ms: number) => new Date(Date.now() - ms);

  beforeAll(async () => {
    t = await startTestInstance({ db, overrides: { jobs: { prune_batch_size: BATCH, prune_max_batches: MAX_BATCHES, prune_interval: '1 day' } } });
    const p = t.instance.prisma;
    const jobs = async (n: number, state: string, finishedAt: Date | null, kind: string) => p.$executeRaw`
      INSERT INTO "Job" (kind, payload, state, "finishedAt", "createdAt", "updatedAt", "runAt")
      SELECT ${kind}, '{}'::jsonb, ${state}, ${finishedAt}, ${ago(60 * DAY)}, now(), now() FROM generate_series(1, ${n}::int)`;
    // 100,000 old finished jobs, and the ones that must stay
    await jobs(70_000, 'completed', ago(30 * DAY), 'old-completed');
    await jobs(30_000, 'failed', ago(30 * DAY), 'old-failed');
    await jobs(100, 'completed', ago(3_600_000), 'recent-completed');
    await jobs(100, 'failed', ago(3 * DAY), 'failed-within-7-days');
    await jobs(50, 'pending', null, 'old-pending');
    const activities = async (n: number, prefix: string, state: string, processedAt: Date | null) => p.$executeRaw`
      INSERT INTO "InboxActivity" ("activityId", "bodyDigest", type, "actorUrl", "signerUrl", payload, state, "receivedAt", "processedAt")
      SELECT ${prefix} || g, md5(${prefix} || g), 'Create', 'http://a.example/accounts/x', 'http://a.example/accounts/x', '{}'::jsonb, ${state}, ${ago(60 * DAY)}, ${processedAt}
      FROM generate_series(1, ${n}::int) g`;
    await activities(90_000, 'http://a.example/old-processed/', 'processed', ago(30 * DAY));
    await activities(5_000, 'http://a.example/old-skipped/', 'skipped', ago(30 * DAY));
    await activities(5_000, 'http://a.example/old-failed/', 'failed', ago(30 * DAY));
    await activities(100, 'http://a.example/recent/', 'processed', ago(3_600_000));
    await activities(20, 'http://a.example/pending/', 'pending', null);
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('each tick deletes bounded batches; old rows go, recent, pending and unexpired ones stay', async () => {
    const p = t.instance.prisma;
    const perTick = BATCH * MAX_BATCHES;
    const reports = [];
    for (let i = 0; i < 20; i++) {
      const r = await t.instance.pruner.tick();
      reports.push(r);
      expect(r.largestBatch).toBeLessThanOrEqual(BATCH);
      expect(r.completedJobs + r.failedJobs).toBeLessThanOrEqual(2 * perTick);
      expect(r.inboxActivities).toBeLessThanOrEqual(perTick);
      if (!r.more) break;
    }
    // the backlog was spread over several ticks, and the last one found nothing more to do
    expect(reports.length).toBeGreaterThanOrEqual(Math.ceil(100_000 / perTick));
    expect(reports.at(-1)!.more).toBe(false);
    expect(reports.reduce((n, r) => n + r.completedJobs + r.failedJobs, 0)).toBe(100_000);
    expect(reports.reduce((n, r) => n + r.inboxActivities, 0)).toBe(100_000);

    const byKind = await p.job.groupBy({ by: ['kind'], where: { kind: { in: ['old-completed', 'old-failed', 'recent-completed', 'failed-within-7-days', 'old-pending'] } }, _count: { _all: true } });
    expect(Object.fromEntries(byKind.map((k) => [k.kind, k._count._all]))).toEqual({ 'recent-completed': 100, 'failed-within-7-days': 100, 'old-pending': 50 });
    const byState = await p.inboxActivity.groupBy({ by: ['state'], _count: { _all: true } });
    expect(Object.fromEntries(byState.map((s) => [s.state, s._count._all]))).toEqual({ processed: 100, pending: 20 });
    // recent activities still deduplicate redeliveries
    expect(await p.inboxActivity.findFirst({ where: { activityId: 'http://a.example/recent/1' } })).not.toBeNull();

    // the tick is scheduled, and a run with nothing to do is a no-op
    expect((await t.instance.scheduler.runNow('prune-old-rows')).status).toBe('completed');
    expect(await t.instance.pruner.tick()).toMatchObject({ completedJobs: 0, failedJobs: 0, inboxActivities: 0, more: false });
    expect(await healthz(t.url)).toBe(200);
  });
});
