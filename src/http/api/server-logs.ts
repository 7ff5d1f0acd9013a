import Router from '@koa/router';
import { z } from 'zod';
import { RECENT_LOG_LEVELS, type RecentLogs } from '../../lib/recent-logs.js';
import type { Auth } from '../auth.js';
import { validate } from '../middleware.js';

const query = z.strictObject({
  level: z.enum(RECENT_LOG_LEVELS).default('warn'),
  component: z.string().min(1).max(100).optional(),
  count: z.coerce.number().int().min(1).max(500).default(200),
});

/**
 * Ours, for the operator console (administrators: PeerTube's MANAGE_LOGS right):
 * `GET /server/logs/recent?level=warn|error|fatal&component=…&count=…`, the last warnings and
 * errors this process logged, newest first, from the in-memory buffer (src/lib/recent-logs.ts).
 */
export function serverLogsRouter(deps: { auth: Auth; logs: Pick<RecentLogs, 'list'> }): Router {
  const router = new Router();
  router.get('/server/logs/recent', deps.auth.required, deps.auth.right('MANAGE_LOGS'), (ctx) => {
    const q = validate(query, ctx.query, 'query');
    ctx.set('cache-control', 'no-store');
    ctx.body = deps.logs.list({ level: q.level, ...(q.component ? { component: q.component } : {}), limit: q.count });
  });
  return router;
}
