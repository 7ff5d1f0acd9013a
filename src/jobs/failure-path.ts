import type { Logger } from '../lib/logger.js';
import type { JobHandler } from './job-handler.js';
import type { StoredJob } from './stored-job.js';

/** Past this many claims beyond maxAttempts, a failure path that keeps throwing is given up. */
const FAILURE_PATH_EXTRA_TRIES = 3;

/**
 * Runs a handler's failure path before its job is recorded as failed. Returns false when the path
 * threw and the job must stay active, so that it runs again once the lease expires (a crash in
 * the middle has the same effect); after a few such tries the job is recorded failed anyway.
 */
export async function runFailurePath(handler: JobHandler<unknown>, job: StoredJob, error: string, logger: Logger): Promise<boolean> {
  if (!handler.onFailed) return true;
  try {
    await handler.onFailed({
      payload: job.payload,
      error,
      job: { id: job.id, kind: job.kind, attempts: job.attempts, maxAttempts: job.maxAttempts, priority: job.priority, dedupeKey: job.dedupeKey, createdAt: job.createdAt },
    });
    return true;
  } catch (err) {
    if (job.attempts > job.maxAttempts + FAILURE_PATH_EXTRA_TRIES) {
      logger.error({ err }, 'the failure path of a job keeps failing; recording the job as failed without it');
      return true;
    }
    logger.error({ err }, 'the failure path of a job failed; it runs again when the lease expires');
    return false;
  }
}
