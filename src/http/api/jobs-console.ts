import Router from '@koa/router';
import { z } from 'zod';
import { API_JOB_STATES, type ApiJobList, type ApiJobState, type ListJobsQuery } from '../../jobs/index.js';
import type { Auth } from '../auth.js';
import { validate } from '../middleware.js';
import { Problem } from '../problem.js';
import type { JobDetailsStore } from './job-details-store.js';

const query = z.object({
  jobType: z.string().max(100).optional(),
  start: z.coerce.number().int().min(0).default(0),
  count: z.coerce.number().int().min(1).max(100).default(50),
  sort: z.enum(['createdAt', '-createdAt']).default('-createdAt'),
});

/**
 * Ours, for the operator console: `GET /server/job-queues` (jobs per type and state, whether this
 * process's queue is paused) and `GET /server/jobs-console/:state` (PeerTube's job list with the
 * attempts, the next run and the outcome of each job).
 */
export function jobsConsoleRouter(deps: {
  auth: Auth;
  jobs: { list(query: ListJobsQuery): Promise<ApiJobList>; countsByKind(): Promise<Record<string, Record<ApiJobState, number>>>; isPaused(): boolean };
  store: JobDetailsStore;
}): Router {
  const router = new Router();
  const admin = [deps.auth.required, deps.auth.right('MANAGE_JOBS')] as const;

  router.get('/server/job-queues', ...admin, async (ctx) => {
    const byKind = await deps.jobs.countsByKind();
    ctx.set('cache-control', 'no-store');
    ctx.body = {
      paused: deps.jobs.isPaused(),
      queues: Object.entries(byKind)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([type, counts]) => ({ type, ...counts })),
    };
  });

  router.get('/server/jobs-console/:state', ...admin, async (ctx) => {
    const state = ctx.params.state ?? '';
    if (!(API_JOB_STATES as readonly string[]).includes(state)) throw new Problem(400, `unknown job state "${state}": one of ${API_JOB_STATES.join(', ')}`);
    const q = validate(query, ctx.query, 'query');
    const list = await deps.jobs.list({ state: state as ApiJobState, kind: q.jobType, start: q.start, count: q.count, sort: q.sort });
    const details = await deps.store.details(list.data.map((j) => j.id));
    ctx.set('cache-control', 'no-store');
    ctx.body = {
      total: list.total,
      data: list.data.map((j) => {
        const d = details.get(j.id);
        return { ...j, attempts: d?.attempts ?? null, maxAttempts: d?.maxAttempts ?? null, runAt: d?.runAt.toISOString() ?? null, result: d?.result ?? null };
      }),
    };
  });
  return router;
}
