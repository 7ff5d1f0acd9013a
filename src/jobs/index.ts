// Durable jobs in the database, claimed under leases by per-kind workers, plus periodic ticks.
export { createJobQueue } from './job-queue.js';
export type { JobQueue, JobQueueOptions, ListJobsQuery, StopReport } from './job-queue.js';
export type {
  EnqueueOptions,
  EnqueueResult,
  JobContext,
  JobHandler,
  JobHandlers,
  JobInfo,
  JobKind,
  JobKinds,
} from './job-handler.js';
export { PermanentJobError, jobFailure } from './job-failure.js';
export { completed, skipped, retryLater, failedForGood } from './job-outcome.js';
export type { JobOutcome } from './job-outcome.js';
export { createJobStore } from './job-store.js';
export type { JobStore, StoredJob } from './stored-job.js';
export { backoffDelayMs, nextRunAt, DEFAULT_BACKOFF } from './backoff.js';
export type { BackoffPolicy } from './backoff.js';
export { API_JOB_STATES, isApiJobState, toApiJobState } from './api-job-state.js';
export type { ApiJobState } from './api-job-state.js';
export type { ApiJob, ApiJobList, ApiJobSort } from './api-job.js';
export type { JobMetrics, JobAttemptOutcome } from './job-metrics.js';
export { createScheduler } from './scheduler.js';
export type { Scheduler, TickContext, TickFn, TickGate, TickOptions, TickOutcome, TickScope } from './scheduler.js';
export { workerIdFor } from './worker-id.js';
