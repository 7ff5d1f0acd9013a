/**
 * How one attempt of a job ends: what a handler returns, and what the queue records.
 * - `completed`: done; `result` (plain JSON data) is stored on the row.
 * - `skipped`: nothing to do (the target went away, already done…): recorded as completed with
 *   `{ skipped: reason }` as its result.
 * - `retry`: this attempt failed; the job runs again after a backoff, until its attempts are used
 *   up (then it fails for good, through the handler's failure path).
 * - `failed`: failed for good, without further attempts (through the handler's failure path).
 * A handler that throws is retried (`retry` with the error's stack), or fails for good if it
 * throws a PermanentJobError.
 */
export type JobOutcome =
  | { type: 'completed'; result?: unknown }
  | { type: 'skipped'; reason: string }
  | { type: 'retry'; error: string }
  | { type: 'failed'; error: string };

type Of<T extends JobOutcome['type']> = Extract<JobOutcome, { type: T }>;

export const completed = (result?: unknown): Of<'completed'> => (result === undefined ? { type: 'completed' } : { type: 'completed', result });
export const skipped = (reason: string): Of<'skipped'> => ({ type: 'skipped', reason });
export const retryLater = (error: string): Of<'retry'> => ({ type: 'retry', error });
export const failedForGood = (error: string): Of<'failed'> => ({ type: 'failed', error });

/** What the job row stores as its result for an outcome that completes it. */
export function storedResult(outcome: Of<'completed' | 'skipped'>): unknown {
  return outcome.type === 'skipped' ? { skipped: outcome.reason } : outcome.result;
}
