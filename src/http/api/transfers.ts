import Router from '@koa/router';
import { z } from 'zod';
import type { TransferAccounting } from '../../transfers/index.js';
import type { VideoAccessStore } from '../../videos/video-access-store.js';
import { parseVideoRef } from '../../videos/short-uuid.js';
import { paginationSchema, validate } from '../middleware.js';
import { Problem } from '../problem.js';
import type { Auth } from '../auth.js';

const query = paginationSchema.extend({ videoId: z.string().min(1).max(64).optional() });

/**
 * `GET /api/v1/server/transfers` (ours, beyond PeerTube's API): bytes served (`uploadedBytes`)
 * and downloaded, with the seeding ratio, in total, per origin host and kind, per origin host,
 * and per video (largest first; `start`/`count` pages them, `videoId` picks one video).
 */
export function transfersRouter(deps: { transfers: Pick<TransferAccounting, 'report'>; videos: Pick<VideoAccessStore, 'byWhere'>; auth: Auth }): Router {
  const router = new Router();
  // administrators only (the right of the redundancy admin API): 401 without a token, 403 for others
  router.get('/server/transfers', deps.auth.required, deps.auth.right('MANAGE_VIDEOS_REDUNDANCIES'), async (ctx) => {
    const q = validate(query, ctx.query, 'query');
    let videoUuid: string | undefined;
    if (q.videoId !== undefined) {
      const where = parseVideoRef(q.videoId);
      if (!where) throw new Problem(400, `invalid query: videoId: not a video id, uuid or short uuid: ${q.videoId}`);
      const video = await deps.videos.byWhere(where);
      if (!video) throw new Problem(404, 'Video not found');
      videoUuid = video.uuid;
    }
    ctx.body = await deps.transfers.report({ videoUuid, start: q.start, count: q.count });
  });
  return router;
}
