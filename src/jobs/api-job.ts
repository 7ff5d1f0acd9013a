import { toApiJobState, type ApiJobState } from './api-job-state.js';
import type { StoredJob } from './stored-job.js';

/**
 * A job as PeerTube's REST API shows it (OpenAPI `Job` schema; PeerTube's `formatJob`):
 * dates are ISO strings, or null where the job has not got there yet.
 */
export interface ApiJob {
  id: number;
  state: ApiJobState;
  type: string;
  data: unknown;
  priority: number;
  progress: number;
  error: string | null;
  createdAt: string;
  finishedOn: string | null;
  processedOn: string | null;
}

/** PeerTube's list shape: `{ total, data }`. */
export interface ApiJobList {
  total: number;
  data: ApiJob[];
}

/** The PeerTube sort values for jobs (`sort=createdAt` is ascending, anything else newest first). */
export type ApiJobSort = 'createdAt' | '-createdAt';

export function toApiJob(job: StoredJob, context: { now: Date; paused: boolean; progress: number | undefined }): ApiJob {
  const state = toApiJobState(job, context.now, context.paused);
  return {
    id: job.id,
    state,
    type: job.kind,
    data: job.payload,
    priority: job.priority,
    progress: context.progress ?? (state === 'completed' ? 100 : job.progress),
    error: job.lastError,
    createdAt: job.createdAt.toISOString(),
    finishedOn: job.finishedAt?.toISOString() ?? null,
    processedOn: job.startedAt?.toISOString() ?? null,
  };
}
