/** States a job has in PeerTube's REST API (`GET /api/v1/jobs/:state`). */
export const API_JOB_STATES = ['active', 'completed', 'failed', 'waiting', 'delayed', 'paused'] as const;
export type ApiJobState = (typeof API_JOB_STATES)[number];

/** States stored in the `Job.state` column. */
export const STORED_JOB_STATES = ['pending', 'active', 'completed', 'failed'] as const;
export type StoredJobState = (typeof STORED_JOB_STATES)[number];

export function isApiJobState(value: string): value is ApiJobState {
  return (API_JOB_STATES as readonly string[]).includes(value);
}

/**
 * The PeerTube state of a stored job: a pending job is `waiting` once due (or `paused` while
 * this queue is paused) and `delayed` before its runAt. Unknown stored states read as `failed`.
 */
export function toApiJobState(job: { state: string; runAt: Date }, now: Date, paused: boolean): ApiJobState {
  switch (job.state) {
    case 'pending':
      if (job.runAt.getTime() > now.getTime()) return 'delayed';
      return paused ? 'paused' : 'waiting';
    case 'active':
      return 'active';
    case 'completed':
      return 'completed';
    default:
      return 'failed';
  }
}

/**
 * The row filter selecting the jobs that {@link toApiJobState} maps to `state`; `null` when no
 * row can be in that state (e.g. `paused` while the queue runs).
 */
export function whereForApiJobState(
  state: ApiJobState,
  now: Date,
  paused: boolean,
): { state: StoredJobState; runAt?: { lte: Date } | { gt: Date } } | null {
  switch (state) {
    case 'active':
    case 'completed':
    case 'failed':
      return { state };
    case 'delayed':
      return { state: 'pending', runAt: { gt: now } };
    case 'waiting':
      return paused ? null : { state: 'pending', runAt: { lte: now } };
    case 'paused':
      return paused ? { state: 'pending', runAt: { lte: now } } : null;
  }
}
