import Router from '@koa/router';
import type { Auth, AuthState } from '../auth.js';
import { videoAccess } from '../../videos/video-access.js';
import type { VideoAccessStore } from '../../videos/video-access-store.js';
import type { VideoFileTokens } from '../../videos/video-file-tokens.js';
import { parseVideoRef } from '../../videos/short-uuid.js';
import { Problem } from '../problem.js';

/**
 * PeerTube's `POST /api/v1/videos/:id/token`: a logged-in user who may see the video gets a video
 * file token for its static files, `{ files: { token, expires } }` (8 hours), to use as
 * `?videoFileToken=` where an Authorization header cannot be sent (players, download links).
 */
export function videoTokenRouter(deps: { auth: Auth; store: VideoAccessStore; fileTokens: VideoFileTokens }): Router {
  const router = new Router();
  router.post('/videos/:id/token', deps.auth.optional, async (ctx) => {
    const where = parseVideoRef(ctx.params.id ?? '');
    const video = where ? await deps.store.byWhere(where) : null;
    if (!video) throw new Problem(404, 'Video not found');
    const user = (ctx.state as AuthState).user;
    const refusal = videoAccess(user, video);
    if (refusal === 'forbidden') throw new Problem(403, 'Cannot fetch information of private/internal/blocked video');
    if (!user) throw new Problem(401, 'Not authenticated');
    ctx.body = { files: deps.fileTokens.create({ videoUuid: video.uuid, userId: user.id }) };
  });
  return router;
}
