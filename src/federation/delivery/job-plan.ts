import type { AttemptResult } from './attempt-result.js';
import type { Admission } from './host-policy.js';

/** Where one delivery stands, across the jobs that carried it so far. */
export interface DeliveryProgress {
  /** Counted attempts spent by the earlier jobs of this delivery (before deferrals). */
  readonly priorAttempts: number;
  /** The queue's attempt number of the current job (this attempt included). */
  readonly jobAttempts: number;
  readonly maxAttempts: number;
  /** The delivery is given up from then on (enqueue time + max age). */
  readonly expiresAt: Date;
}

/** What the handler does with the current job. */
export type JobStep =
  /** Nothing to send: the host is blocked. The job completes. */
  | { readonly type: 'skip'; readonly reason: 'host-blocked' }
  | { readonly type: 'done' }
  /** Fails the job for good. */
  | { readonly type: 'give-up'; readonly reason: string }
  /** A counted failure: throw, and the queue retries after its backoff. */
  | { readonly type: 'retry'; readonly reason: string }
  /**
   * Not attempted, or a failed probe of a host judged down: the job completes and a successor
   * carries the delivery at `until`, with `priorAttempts` counted attempts spent. Nothing counts.
   */
  | { readonly type: 'defer'; readonly until: Date; readonly priorAttempts: number };

/** Before sending: `null` means go ahead. */
export function planBeforeAttempt(admission: Admission, progress: DeliveryProgress, now: Date): JobStep | null {
  if (now.getTime() >= progress.expiresAt.getTime()) return expired(progress);
  switch (admission.type) {
    case 'blocked':
      return { type: 'skip', reason: 'host-blocked' };
    case 'paused':
      return defer(admission.until, progress);
    case 'open':
    case 'probe':
      return null;
  }
}

/** After sending, given the host's `pausedUntil` as the attempt left it. */
export function planAfterAttempt(
  result: AttemptResult,
  attempt: { readonly probe: boolean; readonly hostPausedUntil: Date | null },
  progress: DeliveryProgress,
  now: Date,
): JobStep {
  switch (result.type) {
    case 'delivered':
      return { type: 'done' };
    case 'rejected':
      return { type: 'give-up', reason: `the inbox refused the activity (${result.detail})` };
    case 'throttled':
    case 'unavailable': {
      if (attempt.probe && result.type === 'unavailable') {
        // The host is still down; its new, longer pause says when to try again.
        const until = attempt.hostPausedUntil !== null && attempt.hostPausedUntil > now ? attempt.hostPausedUntil : new Date(now.getTime() + 1000);
        return defer(until, progress);
      }
      const used = progress.priorAttempts + progress.jobAttempts;
      if (used >= progress.maxAttempts) return { type: 'give-up', reason: `gave up after ${used} attempts (${result.detail})` };
      return { type: 'retry', reason: result.detail };
    }
  }
}

function defer(until: Date, progress: DeliveryProgress): JobStep {
  if (until.getTime() >= progress.expiresAt.getTime()) return expired(progress);
  // Earlier attempts of this job all failed (counted); the current one is not counted.
  return { type: 'defer', until, priorAttempts: progress.priorAttempts + Math.max(0, progress.jobAttempts - 1) };
}

function expired(progress: DeliveryProgress): JobStep {
  return { type: 'give-up', reason: `expired: not delivered by ${progress.expiresAt.toISOString()}` };
}
