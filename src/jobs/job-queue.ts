import type { Logger } from '../lib/logger.js';
import type { Job, Prisma, PrismaClient } from '../generated/prisma/client.js';
import { isApiJobState, whereForApiJobState, type ApiJobState } from './api-job-state.js';
import { toApiJob, type ApiJobList, type ApiJobSort } from './api-job.js';
import { DEFAULT_BACKOFF, nextRunAt } from './backoff.js';
import type { Clock } from '../lib/clock.js';
import { PermanentJobError, isJobFailure } from './job-failure.js';
import type {
  EnqueueOptions,
  EnqueueResult,
  JobContext,
  JobHandler,
  JobHandlers,
  JobKind,
  JobKinds,
} from './job-handler.js';
import type { JobMetrics } from './job-metrics.js';
import { createJobStore, type JobLease } from './job-store.js';
import { settlesWithin } from './wait.js';
import { runFailurePath } from './failure-path.js';

export interface JobQueueOptions<K extends JobKinds> {
  prisma: PrismaClient;
  clock: Clock;
  logger: Logger;
  /** Names this process in leases; must be unique among the processes sharing the database. */
  workerId: string;
  handlers: JobHandlers<K>;
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
   * process's workers. With `tx` the row is invisible until the caller commits: call
   * {@link JobQueue.wake} after the commit, or the job starts on the next poll.
   */
  enqueue<T extends JobKind<K>>(
    kind: T,
    payload: K[T],
    options?: EnqueueOptions,
    tx?: Prisma.TransactionClient,
  ): Promise<EnqueueResult>;
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

interface RunningJob {
  job: Job;
  lease: JobLease;
  controller: AbortController;
  heartbeat: NodeJS.Timeout | undefined;
  heartbeatInFlight: boolean;
  progress: number;
  /** stop() gave the job back: whatever the handler does next is not recorded. */
  abandoned: boolean;
  /** Another worker holds the job now (our lease expired): the outcome is not recorded. */
  leaseLost: boolean;
  done: Promise<void>;
}

type Outcome =
  | { type: 'completed'; result: unknown }
  | { type: 'failed'; error: string; permanent: boolean };

const DEFAULT_MAX_ATTEMPTS = 5;

export function createJobQueue<K extends JobKinds>(options: JobQueueOptions<K>): JobQueue<K> {
  const { prisma, clock, workerId, pollIntervalMs, leaseMs, metrics } = options;
  const heartbeatMs = options.heartbeatMs ?? Math.max(1, Math.floor(leaseMs / 3));
  const abortGraceMs = options.abortGraceMs ?? 1000;
  const logger = options.logger.child({ component: 'jobs', worker: workerId });
  const store = createJobStore(prisma, workerId);

  if (!(leaseMs > 0) || !(pollIntervalMs > 0) || !(heartbeatMs > 0)) {
    throw new RangeError('jobs: leaseMs, pollIntervalMs and heartbeatMs must be positive');
  }
  if (heartbeatMs >= leaseMs) throw new RangeError('jobs: heartbeatMs must be shorter than leaseMs');
  const handlers = new Map<string, JobHandler<unknown>>();
  for (const [kind, handler] of Object.entries(options.handlers) as Array<[string, JobHandler<unknown>]>) {
    if (!Number.isInteger(handler.concurrency) || handler.concurrency < 0) {
      throw new RangeError(`jobs: handler "${kind}" needs a concurrency that is an integer >= 0`);
    }
    handlers.set(kind, handler);
  }

  let lifecycle: 'created' | 'starting' | 'running' | 'stopping' | 'stopped' = 'created';
  let paused = false;
  let pollTimer: NodeJS.Timeout | undefined;
  let depthInFlight = false;
  let stopping: Promise<StopReport> | undefined;
  const running = new Map<number, RunningJob>();
  const runningCount = new Map<string, number>();
  const pumps = new Map<string, Promise<void>>();
  const pumpAgain = new Set<string>();

  const canClaim = () => lifecycle === 'running' && !paused;

  function pump(kind: string): void {
    const handler = handlers.get(kind);
    if (!handler || handler.concurrency === 0 || !canClaim()) return;
    if (pumps.has(kind)) {
      pumpAgain.add(kind);
      return;
    }
    const loop = pumpLoop(kind, handler)
      .catch((err: unknown) => logger.error({ err, kind }, 'job claim loop failed'))
      .finally(() => {
        pumps.delete(kind);
        if (pumpAgain.delete(kind)) pump(kind);
      });
    pumps.set(kind, loop);
  }

  function pumpAll(): void {
    for (const kind of handlers.keys()) pump(kind);
  }

  async function pumpLoop(kind: string, handler: JobHandler<unknown>): Promise<void> {
    do {
      pumpAgain.delete(kind);
      while (canClaim() && (runningCount.get(kind) ?? 0) < handler.concurrency) {
        let job: Job | null;
        try {
          job = await store.claim(kind, clock.now(), leaseMs);
        } catch (err) {
          logger.error({ err, kind }, 'claiming a job failed');
          return;
        }
        if (!job) break;
        if (!canClaim()) {
          // Paused or stopping while the claim was in flight: give the job straight back.
          await store.release({ id: job.id, attempts: job.attempts }, clock.now());
          break;
        }
        launch(job, handler);
      }
    } while (pumpAgain.has(kind) && canClaim());
  }

  function launch(job: Job, handler: JobHandler<unknown>): void {
    const entry: RunningJob = {
      job,
      lease: { id: job.id, attempts: job.attempts },
      controller: new AbortController(),
      heartbeat: undefined,
      heartbeatInFlight: false,
      progress: 0,
      abandoned: false,
      leaseLost: false,
      done: Promise.resolve(),
    };
    running.set(job.id, entry);
    runningCount.set(job.kind, (runningCount.get(job.kind) ?? 0) + 1);
    entry.heartbeat = setInterval(() => void heartbeat(entry), heartbeatMs);
    entry.done = execute(entry, handler)
      .catch((err: unknown) => logger.error({ err, job: job.id, kind: job.kind }, 'recording a job outcome failed'))
      .finally(() => {
        clearInterval(entry.heartbeat);
        running.delete(job.id);
        runningCount.set(job.kind, (runningCount.get(job.kind) ?? 1) - 1);
        pump(job.kind);
      });
  }

  async function heartbeat(entry: RunningJob): Promise<void> {
    if (entry.heartbeatInFlight || entry.abandoned || entry.leaseLost) return;
    entry.heartbeatInFlight = true;
    try {
      const now = clock.now();
      const held = await store.extendLease(entry.lease, new Date(now.getTime() + leaseMs), now, entry.progress);
      if (!held && !entry.abandoned && running.has(entry.job.id)) {
        entry.leaseLost = true;
        clearInterval(entry.heartbeat);
        logger.warn({ job: entry.job.id, kind: entry.job.kind }, 'lost the lease of a running job; aborting it');
        entry.controller.abort(new Error('job lease lost'));
      }
    } catch (err) {
      logger.warn({ err, job: entry.job.id }, 'extending a job lease failed');
    } finally {
      entry.heartbeatInFlight = false;
    }
  }

  async function execute(entry: RunningJob, handler: JobHandler<unknown>): Promise<void> {
    const { job } = entry;
    const jobLogger = logger.child({ job: job.id, kind: job.kind });
    const startedAt = clock.now();
    let outcome: Outcome;
    if (job.attempts > job.maxAttempts) {
      // Claimed through an expired lease after its last allowed attempt: that attempt's process died.
      outcome = {
        type: 'failed',
        error: `gave up after ${job.maxAttempts} attempts (the last one ended without an outcome: its worker stopped or crashed)${job.lastError ? `\n${job.lastError}` : ''}`,
        permanent: true,
      };
    } else {
      outcome = await runHandler(entry, handler, jobLogger);
    }
    if (entry.abandoned || entry.leaseLost) {
      jobLogger.info({ outcome: outcome.type }, 'job settled after it was given up; outcome not recorded');
      return;
    }
    const now = clock.now();
    const seconds = Math.max(0, (now.getTime() - startedAt.getTime()) / 1000);
    let recorded: boolean;
    if (outcome.type === 'completed') {
      recorded = await store.complete(entry.lease, outcome.result, now);
      if (recorded) metrics?.jobFinished(job.kind, 'completed', seconds);
      jobLogger.debug({ seconds }, 'job completed');
    } else if (outcome.permanent || job.attempts >= job.maxAttempts) {
      if (!(await runFailurePath(handler, job, outcome.error, jobLogger))) return;
      recorded = await store.fail(entry.lease, outcome.error, now);
      if (recorded) metrics?.jobFinished(job.kind, 'failed', seconds);
      jobLogger.warn({ attempts: job.attempts, error: outcome.error }, `job failed: ${firstLine(outcome.error) || 'no message'}`);
    } else {
      const runAt = nextRunAt(now, job.attempts, handler.backoff ?? DEFAULT_BACKOFF);
      recorded = await store.retry(entry.lease, runAt, outcome.error, now);
      if (recorded) metrics?.jobFinished(job.kind, 'retried', seconds);
      // warn: a failing attempt is a failure even when a retry fixes it (the full error, stack included)
      jobLogger.warn({ attempts: job.attempts, maxAttempts: job.maxAttempts, runAt, error: outcome.error }, `job attempt failed, will retry: ${firstLine(outcome.error) || 'no message'}`);
    }
    if (!recorded) jobLogger.warn('job outcome not recorded: its lease had passed to another worker');
  }

  async function runHandler(entry: RunningJob, handler: JobHandler<unknown>, jobLogger: Logger): Promise<Outcome> {
    const { job } = entry;
    let payload: unknown;
    try {
      payload = handler.parse ? handler.parse(job.payload) : job.payload;
    } catch (err) {
      return { type: 'failed', error: `invalid payload: ${describeError(err)}`, permanent: true };
    }
    const context: JobContext = {
      signal: entry.controller.signal,
      job: {
        id: job.id,
        kind: job.kind,
        attempts: job.attempts,
        maxAttempts: job.maxAttempts,
        priority: job.priority,
        dedupeKey: job.dedupeKey,
        createdAt: job.createdAt,
      },
      reportProgress(percent) {
        if (Number.isFinite(percent)) entry.progress = Math.min(100, Math.max(0, percent));
      },
      logger: jobLogger,
    };
    try {
      const value = await handler.run(payload, context);
      if (isJobFailure(value)) return { type: 'failed', error: value.reason, permanent: true };
      return { type: 'completed', result: value };
    } catch (err) {
      return { type: 'failed', error: describeError(err), permanent: err instanceof PermanentJobError };
    }
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
      await Promise.allSettled([...pumps.values()]);
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
      if (!tx && !result.deduplicated) pump(kind);
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
      const stateWhere = query.state === undefined ? {} : whereForApiJobState(query.state, now, paused);
      if (stateWhere === null) return { total: 0, data: [] };
      const where: Prisma.JobWhereInput = query.kind === undefined ? stateWhere : { AND: [stateWhere, { kind: query.kind }] };
      const [total, rows] = await Promise.all([
        store.count(where),
        store.find(where, { skip: query.start, take: query.count, ascending: query.sort === 'createdAt' }),
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

function describeError(err: unknown): string {
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`;
  return String(err);
}

function firstLine(text: string): string {
  const end = text.indexOf('\n');
  return end === -1 ? text : text.slice(0, end);
}
