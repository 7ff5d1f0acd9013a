import Router from '@koa/router';
import { z } from 'zod';
import type { Auth } from '../http/auth.js';
import { validate } from '../http/middleware.js';
import { Problem } from '../http/problem.js';
import { loadVisibleVideo } from '../http/api/visible-video.js';
import type { VideoQueries } from '../videos/video-queries.js';
import { isValidCurrentTime } from './view-rules.js';
import type { ViewsService } from './views-service.js';

/** PeerTube's UserViewingVideo body (client, device and operatingSystem are accepted and unused). */
const viewBody = z.object({
  currentTime: z.coerce.number().int(),
  sessionId: z
    .string()
    .max(100)
    .regex(/^[A-Za-z0-9-]+$/, 'letters, digits and dashes only')
    .optional(),
  viewEvent: z.enum(['seek']).optional(),
  client: z.string().max(100).optional(),
  device: z.string().max(100).optional(),
  operatingSystem: z.string().max(100).optional(),
});

/** POST /api/v1/videos/:videoId/views: a player's "watching at currentTime" report (204). */
export function viewsRouter(deps: { views: ViewsService; queries: Pick<VideoQueries, 'findByRef'>; auth: Auth }): Router {
  const router = new Router();
  router.post('/videos/:videoId/views', deps.auth.optional, async (ctx) => {
    const body = validate(viewBody, ctx.request.body ?? {}, 'view');
    const video = await loadVisibleVideo(ctx, deps.queries, ctx.params.videoId ?? '');
    const durationSeconds = video.duration;
    if (!isValidCurrentTime(body.currentTime, { durationSeconds, isLive: video.isLive })) {
      throw new Problem(400, `Current time ${body.currentTime} is invalid (video ${video.uuid} duration: ${durationSeconds})`);
    }
    await deps.views.processLocalView({
      video: { id: video.id, uuid: video.uuid, isLocal: video.isLocal, isLive: video.isLive, durationSeconds },
      currentTime: body.currentTime,
      viewEvent: body.viewEvent,
      sessionId: body.sessionId,
      ip: ctx.ip,
    });
    ctx.status = 204;
  });
  return router;
}
