import type { Logger } from '../lib/logger.js';
import type { BackoffPolicy } from './backoff.js';
import type { JobOutcome } from './job-outcome.js';

/**
 * The job kinds a caller declares, mapping each kind to its payload type, e.g.
 * `type MyJobs = { 'video-transcoding': { videoId: number }; 'email': { to: string } }`.
 * Payloads are stored as JSON: use plain data (a Date comes back as a string; see `parse`).
 */
export type JobKinds = object;

/** The kind names of a {@link JobKinds} map. */
export type JobKind<K extends JobKinds> = Extract<keyof K, string>;

/** What a running job may know about itself. */
export interface JobInfo {
  id: number;
  kind: string;
  /** 1 on the first attempt. */
  attempts: number;
  maxAttempts: number;
  priority: number;
  dedupeKey: string | null;
  createdAt: Date;
}

/** Given to a handler for one attempt of one job. */
export interface JobContext {
  /** Aborted when the queue stops past its deadline, or when this worker lost the job's lease. */
  signal: AbortSignal;
  job: JobInfo;
  /** Progress in percent (0–100), shown by the admin API while the job runs. */
  reportProgress(percent: number): void;
  /** Child logger carrying `job` and `kind`. */
  logger: Logger;
}

/** How one kind of job runs. */
export interface JobHandler<P> {
  /** Jobs of this kind this process runs at once; 0 means this process does not run the kind. */
  concurrency: number;
  /** Default attempts for new jobs of this kind (the enqueue option wins); 5 if unset. */
  maxAttempts?: number;
  backoff?: BackoffPolicy;
  /**
   * Validates and revives the stored JSON payload before `run` (a zod schema's `parse` fits).
   * If it throws, the job fails without retry.
   */
  parse?: (raw: unknown) => P;
  /**
   * Does the work and says how the attempt ended ({@link JobOutcome}: completed with a result,
   * skipped with a reason, retry later, failed for good). Throwing is retried with backoff, and a
   * thrown PermanentJobError fails for good.
   */
  run(payload: P, context: JobContext): Promise<JobOutcome>;
  /**
   * The failure path: runs before a job is recorded as failed for good, whatever the reason (a
   * permanent failure, the last attempt failing, or attempts used up by crashes). It must be
   * idempotent: if it throws (or the process dies), the job stays active and it runs again when the
   * lease expires. `payload` is the stored JSON (it may not parse).
   */
  onFailed?(failure: { payload: unknown; error: string; job: JobInfo }): Promise<void>;
}

/** One handler for each declared kind. */
export type JobHandlers<K extends JobKinds> = { [T in JobKind<K>]: JobHandler<K[T]> };

export interface EnqueueOptions {
  /** Not before this time (default: now). */
  runAt?: Date;
  /** Lower runs first, as in PeerTube (default 0). */
  priority?: number;
  /** At most one pending or active job per (kind, dedupeKey): a second enqueue returns the first. */
  dedupeKey?: string;
  /**
   * With a dedupeKey: only a PENDING job counts as a duplicate, so an enqueue while one is running
   * queues the next (a job that reports the latest state, e.g. a view count, must not miss what
   * changed after it read it).
   */
  dedupePendingOnly?: boolean;
  maxAttempts?: number;
}

export interface EnqueueResult {
  id: number;
  /** True when a pending or active job with the same dedupeKey already existed (nothing was written). */
  deduplicated: boolean;
}
