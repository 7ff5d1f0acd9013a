import Router from '@koa/router';
import { z } from 'zod';
import type { Auth } from '../http/auth.js';
import { currentUser } from '../http/auth.js';
import { validate } from '../http/middleware.js';
import { loadVisibleVideo } from '../http/api/visible-video.js';
import type { VideoQueries } from '../videos/video-queries.js';
import type { RatingService } from './rating-service.js';

const rateBody = z.object({ rating: z.enum(['like', 'dislike', 'none']) });

/** PeerTube's rating API: PUT /videos/:id/rate and GET /users/me/videos/:videoId/rating. */
export function ratingsRouter(deps: { ratings: RatingService; queries: Pick<VideoQueries, 'findByRef'>; auth: Auth }): Router {
  const router = new Router();

  router.put('/videos/:id/rate', deps.auth.required, async (ctx) => {
    const { rating } = validate(rateBody, ctx.request.body ?? {}, 'rate');
    const video = await loadVisibleVideo(ctx, deps.queries, ctx.params.id ?? '');
    const user = currentUser(ctx);
    const owner = video.channel.account.actor;
    await deps.ratings.rateByLocalUser({
      accountId: user.account.id,
      actor: { id: user.account.actor.id, url: user.account.actor.url },
      video: { id: video.id, url: video.url, isLocal: video.isLocal, owner: video.isLocal ? undefined : { url: owner.url, inbox: owner.sharedInboxUrl ?? owner.inboxUrl } },
      rating,
    });
    ctx.status = 204;
  });

  router.get('/users/me/videos/:videoId/rating', deps.auth.required, async (ctx) => {
    const video = await loadVisibleVideo(ctx, deps.queries, ctx.params.videoId ?? '');
    ctx.body = { videoId: video.id, rating: await deps.ratings.ratingOf(currentUser(ctx).account.id, video.id) };
  });
  return router;
}
