import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import { DEFAULT_BACKOFF, nextRunAt } from './backoff.js';
import { runFailurePath } from './failure-path.js';
import type { JobHandler } from './job-handler.js';
import type { JobMetrics } from './job-metrics.js';
import { storedResult, type JobOutcome } from './job-outcome.js';
import type { RunningJob } from './running-job.js';
import type { JobStore } from './stored-job.js';

/**
 * Records how an attempt ended: completed (or skipped), retried after a backoff, or failed for good
 * once the handler's failure path has run. Nothing is recorded for a job given back by stop() or
 * whose lease another worker took.
 */
export async function settleJob(
  entry: RunningJob,
  outcome: JobOutcome,
  deps: { store: JobStore; clock: Clock; handler: JobHandler<unknown>; metrics: JobMetrics | undefined; logger: Logger; startedAt: Date },
): Promise<void> {
  const { job } = entry;
  const { store, handler, metrics, logger: jobLogger } = deps;
  if (entry.abandoned || entry.leaseLost) {
    jobLogger.info({ outcome: outcome.type }, 'job settled after it was given up; outcome not recorded');
    return;
  }
  const now = deps.clock.now();
  const seconds = Math.max(0, (now.getTime() - deps.startedAt.getTime()) / 1000);
  let recorded: boolean;
  if (outcome.type === 'completed' || outcome.type === 'skipped') {
    recorded = await store.complete(entry.lease, storedResult(outcome), now);
    if (recorded) metrics?.jobFinished(job.kind, 'completed', seconds);
    jobLogger.debug({ seconds }, 'job completed');
  } else if (outcome.type === 'failed' || job.attempts >= job.maxAttempts) {
    if (!(await runFailurePath(handler, job, outcome.error, jobLogger))) return;
    recorded = await store.fail(entry.lease, outcome.error, now);
    if (recorded) metrics?.jobFinished(job.kind, 'failed', seconds);
    jobLogger.warn({ attempts: job.attempts, error: outcome.error }, `job failed: ${firstLine(outcome.error) || 'no message'}`);
  } else {
    const runAt = nextRunAt(now, job.attempts, handler.backoff ?? DEFAULT_BACKOFF);
    recorded = await store.retry(entry.lease, runAt, outcome.error, now);
    if (recorded) metrics?.jobFinished(job.kind, 'retried', seconds);
    // warn: a failing attempt is a failure even when a retry fixes it (the full error, stack included)
    jobLogger.warn(
      { attempts: job.attempts, maxAttempts: job.maxAttempts, runAt, error: outcome.error },
      `job attempt failed, will retry: ${firstLine(outcome.error) || 'no message'}`,
    );
  }
  if (!recorded) jobLogger.warn('job outcome not recorded: its lease had passed to another worker');
}

function firstLine(text: string): string {
  const end = text.indexOf('\n');
  return end === -1 ? text : text.slice(0, end);
}
