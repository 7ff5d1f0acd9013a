// An engine over in-memory fakes of its stores, sender and mirror, with a clock the test moves.
import { createLogger } from '../../../src/lib/logger.js';
import { createInstanceUrls } from '../../../src/lib/instance-urls.js';
import { createRedundancyEngine, type RedundancyEngineMetrics } from '../../../src/redundancy/engine.js';
import { planRedundancy, type Policy } from '../../../src/redundancy/planner/index.js';
import type { JobContext } from '../../../src/jobs/index.js';
import { createFakeCatalogue } from '../../support/fakes/catalogue-store.js';
import { createFakeCopyStore } from '../../support/fakes/copy-store.js';
import { createFakeSender } from '../../support/fakes/activity-sender.js';
import { createFakeMirror } from '../../support/fakes/mirror-runner.js';
import { createFakeTransactor } from '../../support/fakes/transactor.js';
import { GB, HOUR, policy, strategy } from './planner-fixtures.js';

export const START = Date.UTC(2026, 5, 1, 12);
export const MIRROR_BASE = 'https://mirror.example';

export function engineHarness(options: { policy?: Policy; evictionGraceMs?: number; retryFailedAfterMs?: number } = {}) {
  let now = START;
  const clock = { now: () => new Date(now) };
  const catalogue = createFakeCatalogue({ ourActor: { id: 1, url: `${MIRROR_BASE}/accounts/peertube` }, allowedHosts: ['origin.example'] });
  const copies = createFakeCopyStore((videoId) => catalogue.videoRef(videoId));
  const sender = createFakeSender();
  const mirror = createFakeMirror();
  const transactor = createFakeTransactor(copies, sender);
  const queued: { redundancyId: number; refresh: boolean }[] = [];
  const cancelled: number[] = [];
  const failures: string[] = [];
  let copiesChanged = 0;
  const metrics: RedundancyEngineMetrics = {
    copies: () => {},
    usage: () => {},
    failure: (stage) => failures.push(stage),
    downloaded: () => {},
  };
  const engine = createRedundancyEngine({
    copies: copies.store,
    catalogue: catalogue.store,
    transactor,
    clock,
    logger: createLogger({ level: 'silent' }),
    urls: createInstanceUrls({ https: true, hostname: 'mirror.example', port: 443 }),
    policy: options.policy ?? policy({ strategies: [strategy('most-views', 10 * GB, { minLifetimeMs: 24 * HOUR })] }),
    trendingIntervalDays: 7,
    retryFailedAfterMs: options.retryFailedAfterMs ?? 24 * HOUR,
    evictionGraceMs: options.evictionGraceMs ?? 0,
    plan: planRedundancy,
    mirror: mirror.port,
    sender: sender.sender,
    enqueueMirror: async (redundancyId, o) => {
      queued.push({ redundancyId, refresh: o?.refresh ?? false });
    },
    cancelMirror: async (redundancyId) => {
      cancelled.push(redundancyId);
    },
    metrics,
    onCopiesChanged: async () => {
      copiesChanged++;
    },
  });

  /** Runs the mirror job of a copy as the job queue would (attempt `attempts` of `maxAttempts`). */
  async function runJob(redundancyId: number, o: { refresh?: boolean; attempts?: number; maxAttempts?: number } = {}): Promise<unknown> {
    const ctx: JobContext = {
      signal: new AbortController().signal,
      job: { id: 1, kind: 'videos-redundancy-mirror', attempts: o.attempts ?? 1, maxAttempts: o.maxAttempts ?? 5, priority: 0, dedupeKey: `mirror-${redundancyId}`, createdAt: new Date(now) },
      reportProgress: () => {},
      logger: createLogger({ level: 'silent' }),
    };
    return engine.mirrorJob.run({ redundancyId, ...(o.refresh ? { refresh: true } : {}) }, ctx);
  }

  /** Runs (and forgets) every queued mirror job, in order. */
  async function runQueued(): Promise<unknown[]> {
    const results: unknown[] = [];
    while (queued.length > 0) {
      const job = queued.shift()!;
      results.push(await runJob(job.redundancyId, { refresh: job.refresh }));
    }
    return results;
  }

  return {
    engine,
    catalogue,
    copies,
    sender,
    mirror,
    transactor,
    queued,
    cancelled,
    failures,
    copiesChanged: () => copiesChanged,
    advance(ms: number): void {
      now += ms;
    },
    now: () => now,
    runJob,
    runQueued,
  };
}

export type EngineHarness = ReturnType<typeof engineHarness>;

/** The CacheFile object of a sent Create/Update (or the Create inside an Undo). */
export function cacheFileOf(activity: Record<string, unknown>): Record<string, unknown> {
  const object = activity.object as Record<string, unknown>;
  return object.type === 'CacheFile' ? object : (object.object as Record<string, unknown>);
}
