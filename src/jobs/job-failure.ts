import { failedForGood, type JobOutcome } from './job-outcome.js';

/**
 * Thrown by a handler to fail a job at once, without further attempts (bad payload, the video
 * is gone, the remote answered 410, …). Any other error is retried with backoff.
 */
export class PermanentJobError extends Error {
  override readonly name = 'PermanentJobError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The outcome "this job failed and must not be retried" (the non-throwing form); same as failedForGood. */
export function jobFailure(reason: string): JobOutcome {
  return failedForGood(reason);
}
