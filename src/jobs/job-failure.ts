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

const JOB_FAILURE = Symbol.for('mirrortube.jobs.failure');

/** A handler's typed "this job failed and must not be retried" result (the non-throwing form). */
export interface JobFailure {
  readonly [JOB_FAILURE]: true;
  readonly reason: string;
}

/** Builds the value a handler returns to fail its job permanently without throwing. */
export function jobFailure(reason: string): JobFailure {
  return { [JOB_FAILURE]: true, reason };
}

export function isJobFailure(value: unknown): value is JobFailure {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[JOB_FAILURE] === true;
}
