import type { ApiJobState } from './api-job-state.js';

/** How a job attempt ended, as seen by metrics. */
export type JobAttemptOutcome = 'completed' | 'failed' | 'retried';

/**
 * Port through which the queue reports to the metrics registry (src/metrics implements it;
 * this folder never imports prom-client).
 */
export interface JobMetrics {
  /** One attempt of a job of `kind` ended; `seconds` is the attempt's duration. */
  jobFinished(kind: string, outcome: JobAttemptOutcome, seconds: number): void;
  /** Called on every poll tick with the number of jobs of `kind` in each PeerTube state. */
  queueDepth?(kind: string, counts: Readonly<Record<ApiJobState, number>>): void;
}
