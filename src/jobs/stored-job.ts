import type { Tx } from '../lib/tx.js';
import type { ApiJobState, StoredJobState } from './api-job-state.js';
import type { EnqueueResult } from './job-handler.js';

/** A job row as the queue reads it (plain data; job-store.ts maps the database's rows). */
export interface StoredJob {
  id: number;
  kind: string;
  payload: unknown;
  state: StoredJobState;
  priority: number;
  attempts: number;
  progress: number;
  maxAttempts: number;
  runAt: Date;
  lastError: string | null;
  dedupeKey: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** The fencing token of one attempt: writes about it only land while this worker still holds it. */
export interface JobLease {
  id: number;
  attempts: number;
}

export interface NewJob {
  kind: string;
  payload: unknown;
  runAt: Date;
  priority: number;
  maxAttempts: number;
  dedupeKey: string | undefined;
  /** only a pending job with the same key is a duplicate (not an active one) */
  dedupePendingOnly?: boolean;
  createdAt: Date;
}

/** Which jobs a listing selects: rows in one stored state, due or delayed relative to `runAt`. */
export interface JobFilter {
  state?: StoredJobState;
  runAt?: { lte: Date } | { gt: Date };
  kind?: string;
}

/**
 * Every read and write the queue makes on the job table. Timestamps always come from the
 * caller (the injected clock), never from the database's now().
 */
export interface JobStore {
  insert(job: NewJob, tx?: Tx): Promise<EnqueueResult>;
  /** Atomically leases the next due job of `kind` (or an active one whose lease expired). */
  claim(kind: string, now: Date, leaseMs: number): Promise<StoredJob | null>;
  /** Extends the lease and stores the progress the handler reported. */
  extendLease(lease: JobLease, lockedUntil: Date, now: Date, progress: number): Promise<boolean>;
  complete(lease: JobLease, result: unknown, now: Date): Promise<boolean>;
  retry(lease: JobLease, runAt: Date, error: string, now: Date): Promise<boolean>;
  fail(lease: JobLease, error: string, now: Date): Promise<boolean>;
  /** Gives a leased job back untouched (the attempt does not count); returns whether it was ours. */
  release(lease: JobLease, now: Date): Promise<boolean>;
  /** Gives back every job still leased to this worker (a previous run with this id crashed). */
  releaseAllOwned(now: Date): Promise<number>;
  find(filter: JobFilter, page: { skip: number; take: number; ascending: boolean }): Promise<StoredJob[]>;
  count(filter: JobFilter): Promise<number>;
  countByKind(now: Date): Promise<Map<string, Record<ApiJobState, number>>>;
  deleteFinishedBefore(before: Date): Promise<number>;
}
