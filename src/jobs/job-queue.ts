import { afterCommit } from '../lib/after-commit.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import type { Tx } from '../lib/tx.js';
import { isApiJobState, whereForApiJobState, type ApiJobState } from './api-job-state.js';
import { toApiJob, type ApiJobList, type ApiJobSort } from './api-job.js';
import { createClaimLoops } from './claim-loop.js';
import type { EnqueueOptions, EnqueueResult, JobHandler, JobKind, JobKinds } from './job-handler.js';
import type { JobMetrics } from './job-metrics.js';
import { newRunningJob, renewLease, runAttempt, type RunningJob } from './running-job.js';
import { settleJob } from './settle-job.js';
import type { JobStore, StoredJob } from './stored-job.js';
import { settlesWithin } from './wait.js';

export interface JobQueueOptions {
  /** The job table (job-store.ts: `createJobStore(prisma, workerId)`). */
  store: JobStore;
  clock: Clock;
  logger: Logger;
  /** Names this process in logs; the store's leases carry the same id. */
  workerId: string;
  /** How often to look for due jobs (delayed jobs, retries, expired leases, other processes' enqueues). */
  pollIntervalMs: number;
  /** How long a claim holds a job before another worker may take it over. */
  leaseMs: number;
  /** How often a running job's lease is extended; leaseMs / 3 by default. */
  heartbeatMs?: number;
  /** After stop()'s deadline, how long aborted handlers get to settle before stop() returns (default 1000). */
  abortGraceMs?: number;
  metrics?: JobMetrics;
}

export interface ListJobsQuery {
  /** A PeerTube state; omitted for all jobs. */
  state?: ApiJobState | undefined;
  kind?: string | undefined;
  start: number;
  count: number;
  /** `createdAt` is oldest first; `-createdAt` (the default) newest first. */
  sort?: ApiJobSort | string | undefined;
}

export interface StopReport {
  /** Ids of jobs that were still running at the deadline, aborted and put back to pending. */
  requeued: number[];
}

export interface JobQueue<K extends JobKinds> {
  /**
   * Registers how jobs of `kind` run. Every kind this process runs is registered before start();
   * registering after start() or twice is a programming error (throws).
   */
  register<T extends JobKind<K>>(kind: T, handler: JobHandler<K[T]>): void;
  /**
   * Starts claiming. Jobs still leased to this workerId (left by a crashed previous run) are put
   * back to pending first, so they resume at once instead of after their lease.
   */
  start(): Promise<void>;
  /**
   * Stops claiming, waits for running jobs until `deadlineMs` (default 30 s), then aborts the
   * rest and puts them back to pending (the interrupted attempt does not count).
   */
  stop(options?: { deadlineMs?: number }): Promise<StopReport>;
  /**
   * Writes a job (inside `tx` when given, so it commits with the caller's rows) and wakes this
   * process's workers: at once, or with `tx` once it commits (when a Transactor opened it; in any
   * other transaction the job starts on the next poll unless the caller wakes the kind).
   */
  enqueue<T extends JobKind<K>>(kind: T, payload: K[T], options?: EnqueueOptions, tx?: Tx): Promise<EnqueueResult>;
  /** Looks for due jobs now (all kinds, or one). */
  wake(kind?: JobKind<K>): void;
  /** Stops claiming new jobs in this process (running ones go on); due jobs list as `paused`. */
  pause(): void;
  resume(): void;
  isPaused(): boolean;
  /** `GET /api/v1/jobs/:state` in PeerTube's shape. */
  list(query: ListJobsQuery): Promise<ApiJobList>;
  /** Number of jobs in each PeerTube state, optionally of one kind. */
  counts(options?: { kind?: string }): Promise<Record<ApiJobState, number>>;
  /** The same per kind (kinds with no rows are absent). */
  countsByKind(): Promise<Record<string, Record<ApiJobState, number>>>;
  /**
   * Deletes completed and failed jobs that finished before `finishedBefore` (PeerTube keeps
   * finished jobs for a while, then drops them); returns how many. Meant for a scheduler tick.
   */
  purgeFinished(finishedBefore: Date): Promise<number>;
  /**
   * Aborts the job of `kind` with `dedupeKey` if this process is running it, and resolves once its
   * handler has settled (its outcome recorded): true if one was running. For work whose target
   * went away (a copy evicted while it is being written).
   */
  cancelRunning(kind: JobKind<K>, dedupeKey: string): Promise<boolean>;
}

const DEFAULT_MAX_ATTEMPTS = 5;

export function createJobQueue<K extends JobKinds>(options: JobQueueOptions): JobQueue<K> {
  const { store, clock, workerId, pollIntervalMs, leaseMs, metrics } = options;
  const heartbeatMs = options.heartbeatMs ?? Math.max(1, Math.floor(leaseMs / 3));
  const abortGraceMs = options.abortGraceMs ?? 1000;
  const logger = options.logger.child({ component: 'jobs', worker: workerId });

  if (!(leaseMs > 0) || !(pollIntervalMs > 0) || !(heartbeatMs > 0)) {
    throw new RangeError('jobs: leaseMs, pollIntervalMs and heartbeatMs must be positive');
  }
  if (heartbeatMs >= leaseMs) throw new RangeError('jobs: heartbeatMs must be shorter than leaseMs');
  const handlers = new Map<string, JobHandler<unknown>>();

  let lifecycle: 'created' | 'starting' | 'running' | 'stopping' | 'stopped' = 'created';
  let paused = false;
  let pollTimer: NodeJS.Timeout | undefined;
  let depthInFlight = false;
  let stopping: Promise<StopReport> | undefined;
  const running = new Map<number, RunningJob>();
  const runningCount = new Map<string, number>();

  const canClaim = () => lifecycle === 'running' && !paused;
  const claims = createClaimLoops({
    concurrencyOf: (kind) => handlers.get(kind)?.concurrency,
    kinds: () => handlers.keys(),
    canClaim,
    runningOf: (kind) => runningCount.get(kind) ?? 0,
    claim: (kind) => store.claim(kind, clock.now(), leaseMs),
    giveBack: (job) => store.release({ id: job.id, attempts: job.attempts }, clock.now()),
    launch,
    logger,
  });
  const { pump, pumpAll } = claims;

  function launch(job: StoredJob): void {
    const handler = handlers.get(job.kind)!;
    const entry = newRunningJob(job);
    running.set(job.id, entry);
    runningCount.set(job.kind, (runningCount.get(job.kind) ?? 0) + 1);
    entry.heartbeat = setInterval(
      () => void renewLease(entry, { store, clock, leaseMs, logger, isRunning: (id) => running.has(id) }),
      heartbeatMs,
    );
    entry.done = execute(entry, handler)
      .catch((err: unknown) => logger.error({ err, job: job.id, kind: job.kind }, 'recording a job outcome failed'))
      .finally(() => {
        clearInterval(entry.heartbeat);
        running.delete(job.id);
        runningCount.set(job.kind, (runningCount.get(job.kind) ?? 1) - 1);
        pump(job.kind);
      });
  }

  async function execute(entry: RunningJob, handler: JobHandler<unknown>): Promise<void> {
    const jobLogger = logger.child({ job: entry.job.id, kind: entry.job.kind });
    const startedAt = clock.now();
    const outcome = await runAttempt(entry, handler, jobLogger);
    await settleJob(entry, outcome, { store, clock, handler, metrics, logger: jobLogger, startedAt });
  }

  function pollTick(): void {
    pumpAll();
    if (metrics?.queueDepth && !depthInFlight) {
      depthInFlight = true;
      countsByKind()
        .then((byKind) => {
          for (const kind of new Set([...handlers.keys(), ...Object.keys(byKind)])) {
            metrics.queueDepth?.(kind, byKind[kind] ?? emptyCounts());
          }
        })
        .catch((err: unknown) => logger.warn({ err }, 'counting jobs for metrics failed'))
        .finally(() => {
          depthInFlight = false;
        });
    }
  }

  async function countsByKind(): Promise<Record<string, Record<ApiJobState, number>>> {
    const byKind = await store.countByKind(clock.now());
    const result: Record<string, Record<ApiJobState, number>> = {};
    for (const [kind, counts] of byKind) {
      if (paused) {
        counts.paused = counts.waiting;
        counts.waiting = 0;
      }
      result[kind] = counts;
    }
    return result;
  }

  async function doStop(deadlineMs: number): Promise<StopReport> {
    lifecycle = 'stopping';
    clearInterval(pollTimer);
    pollTimer = undefined;
    // Claims in flight finish first (they hand their job straight back: no new job starts once
    // stopping), then running jobs drain, all within one real-time budget.
    const drained = (async () => {
      await Promise.allSettled(claims.inFlight());
      await Promise.allSettled([...running.values()].map((entry) => entry.done));
    })();
    await settlesWithin(drained, deadlineMs);

    const left = [...running.values()];
    const requeued: number[] = [];
    for (const entry of left) {
      entry.abandoned = true;
      clearInterval(entry.heartbeat);
      entry.controller.abort(new Error('job queue stopping'));
    }
    for (const entry of left) {
      try {
        if (await store.release(entry.lease, clock.now())) requeued.push(entry.job.id);
      } catch (err) {
        logger.error({ err, job: entry.job.id }, 'putting an aborted job back failed; it resumes when its lease expires');
      }
    }
    if (left.length > 0) {
      logger.info({ requeued }, 'stopped with jobs still running: aborted and put back to pending');
      const settled = await settlesWithin(Promise.allSettled(left.map((entry) => entry.done)), abortGraceMs);
      if (!settled) logger.warn('some aborted job handlers ignore their abort signal');
    }
    lifecycle = 'stopped';
    return { requeued };
  }

  return {
    register(kind, handler) {
      if (lifecycle !== 'created') throw new Error(`jobs: cannot register "${kind}" on a queue that is ${lifecycle}`);
      if (handlers.has(kind)) throw new Error(`jobs: "${kind}" is registered twice`);
      if (!Number.isInteger(handler.concurrency) || handler.concurrency < 0) {
        throw new RangeError(`jobs: handler "${kind}" needs a concurrency that is an integer >= 0`);
      }
      handlers.set(kind, handler as JobHandler<unknown>);
    },

    async start() {
      if (lifecycle !== 'created') throw new Error(`jobs: cannot start a queue that is ${lifecycle}`);
      lifecycle = 'starting';
      const released = await store.releaseAllOwned(clock.now());
      if (released > 0) logger.info({ released }, 'put back jobs left active by a previous run of this worker');
      if (lifecycle !== 'starting') return; // stopped meanwhile
      lifecycle = 'running';
      pollTimer = setInterval(pollTick, pollIntervalMs);
      pollTick();
    },

    stop(stopOptions) {
      if (stopping) return stopping;
      if (lifecycle === 'created' || lifecycle === 'starting') {
        lifecycle = 'stopped';
        return (stopping = Promise.resolve({ requeued: [] }));
      }
      return (stopping = doStop(stopOptions?.deadlineMs ?? 30_000));
    },

    async enqueue(kind, payload, enqueueOptions = {}, tx) {
      const handler = handlers.get(kind);
      const now = clock.now();
      const result = await store.insert(
        {
          kind,
          payload,
          runAt: enqueueOptions.runAt ?? now,
          priority: enqueueOptions.priority ?? 0,
          maxAttempts: enqueueOptions.maxAttempts ?? handler?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
          dedupeKey: enqueueOptions.dedupeKey,
          dedupePendingOnly: enqueueOptions.dedupePendingOnly,
          createdAt: now,
        },
        tx,
      );
      if (!result.deduplicated) {
        // in a transaction: the row is invisible to the workers until the commit
        if (!tx) pump(kind);
        else afterCommit(tx, () => pump(kind));
      }
      return result;
    },

    wake(kind) {
      if (kind === undefined) pumpAll();
      else pump(kind);
    },

    pause() {
      paused = true;
    },

    resume() {
      paused = false;
      pumpAll();
    },

    isPaused: () => paused,

    async list(query) {
      const now = clock.now();
      if (query.state !== undefined && !isApiJobState(query.state)) return { total: 0, data: [] };
      const stateFilter = query.state === undefined ? {} : whereForApiJobState(query.state, now, paused);
      if (stateFilter === null) return { total: 0, data: [] };
      const filter = query.kind === undefined ? stateFilter : { ...stateFilter, kind: query.kind };
      const [total, rows] = await Promise.all([
        store.count(filter),
        store.find(filter, { skip: query.start, take: query.count, ascending: query.sort === 'createdAt' }),
      ]);
      return {
        total,
        data: rows.map((row) => toApiJob(row, { now, paused, progress: running.get(row.id)?.progress })),
      };
    },

    async counts(countOptions) {
      const byKind = await countsByKind();
      if (countOptions?.kind !== undefined) return byKind[countOptions.kind] ?? emptyCounts();
      const total = emptyCounts();
      for (const counts of Object.values(byKind)) {
        for (const state of Object.keys(total) as ApiJobState[]) total[state] += counts[state];
      }
      return total;
    },

    countsByKind,

    async cancelRunning(kind, dedupeKey) {
      const entries = [...running.values()].filter((e) => e.job.kind === kind && e.job.dedupeKey === dedupeKey);
      for (const e of entries) e.controller.abort(new Error('job cancelled: its work is no longer wanted'));
      await Promise.all(entries.map((e) => e.done));
      return entries.length > 0;
    },
    purgeFinished(finishedBefore) {
      return store.deleteFinishedBefore(finishedBefore);
    },
  };
}

function emptyCounts(): Record<ApiJobState, number> {
  return { active: 0, completed: 0, failed: 0, waiting: 0, delayed: 0, paused: 0 };
}
