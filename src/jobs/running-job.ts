import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import { PermanentJobError } from './job-failure.js';
import type { JobContext, JobHandler } from './job-handler.js';
import { failedForGood, retryLater, type JobOutcome } from './job-outcome.js';
import type { JobLease, JobStore, StoredJob } from './stored-job.js';

/** One claimed job while this process runs it. */
export interface RunningJob {
  job: StoredJob;
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

export function newRunningJob(job: StoredJob): RunningJob {
  return {
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
}

/**
 * Lease renewal: extends the running job's lease and stores its progress; if the lease has passed
 * to another worker, the handler is aborted and its outcome will not be recorded.
 */
export async function renewLease(
  entry: RunningJob,
  deps: { store: JobStore; clock: Clock; leaseMs: number; logger: Logger; isRunning(id: number): boolean },
): Promise<void> {
  if (entry.heartbeatInFlight || entry.abandoned || entry.leaseLost) return;
  entry.heartbeatInFlight = true;
  try {
    const now = deps.clock.now();
    const held = await deps.store.extendLease(entry.lease, new Date(now.getTime() + deps.leaseMs), now, entry.progress);
    if (!held && !entry.abandoned && deps.isRunning(entry.job.id)) {
      entry.leaseLost = true;
      clearInterval(entry.heartbeat);
      deps.logger.warn({ job: entry.job.id, kind: entry.job.kind }, 'lost the lease of a running job; aborting it');
      entry.controller.abort(new Error('job lease lost'));
    }
  } catch (err) {
    deps.logger.warn({ err, job: entry.job.id }, 'extending a job lease failed');
  } finally {
    entry.heartbeatInFlight = false;
  }
}

/** Runs one attempt of a claimed job: parses its payload and calls the handler; never throws. */
export async function runAttempt(entry: RunningJob, handler: JobHandler<unknown>, jobLogger: Logger): Promise<JobOutcome> {
  const { job } = entry;
  if (job.attempts > job.maxAttempts) {
    // Claimed through an expired lease after its last allowed attempt: that attempt's process died.
    return failedForGood(
      `gave up after ${job.maxAttempts} attempts (the last one ended without an outcome: its worker stopped or crashed)${job.lastError ? `\n${job.lastError}` : ''}`,
    );
  }
  let payload: unknown;
  try {
    payload = handler.parse ? handler.parse(job.payload) : job.payload;
  } catch (err) {
    return failedForGood(`invalid payload: ${describeError(err)}`);
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
    return await handler.run(payload, context);
  } catch (err) {
    return err instanceof PermanentJobError ? failedForGood(describeError(err)) : retryLater(describeError(err));
  }
}

function describeError(err: unknown): string {
  if (err instanceof Error) return err.stack ?? `${err.name}: ${err.message}`;
  return String(err);
}
