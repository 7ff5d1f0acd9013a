import type Koa from 'koa';
import { hasRight } from '../../accounts/index.js';
import { VideoPrivacy } from '../../videos/constants.js';
import type { VideoDetails, VideoQueries } from '../../videos/video-queries.js';
import type { AuthState } from '../auth.js';
import { Problem } from '../problem.js';

export type VisibleVideo = VideoDetails;

/**
 * The video named by `ref` (id, uuid or short uuid) as the requester may see it: 404 when absent,
 * private and internal videos only for their owner and moderators (as GET /api/v1/videos/:id).
 */
export async function loadVisibleVideo(ctx: Koa.Context, queries: Pick<VideoQueries, 'findByRef'>, ref: string): Promise<VisibleVideo> {
  const video = await queries.findByRef(ref);
  if (!video) throw new Problem(404, 'Video not found');
  if (video.privacy === VideoPrivacy.PRIVATE || video.privacy === VideoPrivacy.INTERNAL) {
    const user = (ctx.state as AuthState).user;
    if (!user) throw new Problem(401, 'Authentication is required to see this video');
    if (video.channel.account.user?.id !== user.id && !hasRight(user.role, 'SEE_ALL_VIDEOS')) throw new Problem(403, 'Cannot get this private video');
  }
  return video;
}
