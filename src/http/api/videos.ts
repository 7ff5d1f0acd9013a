import Router from '@koa/router';
import type Koa from 'koa';
import { z } from 'zod';
import { hasRight } from '../../accounts/index.js';
import type { InstanceUrls } from '../../lib/instance-urls.js';
import { VIDEO_CATEGORIES, VIDEO_LANGUAGES, VIDEO_LICENCES, VIDEO_PRIVACIES } from '../../videos/constants.js';
import { videoUpdateSchema } from '../../videos/upload/upload-metadata.js';
import type { VideoQueries } from '../../videos/video-queries.js';
import { VIDEO_SORTS } from '../../videos/video-queries.js';
import type { VideoService } from '../../videos/video-service.js';
import type { Auth, AuthState } from '../auth.js';
import { currentUser } from '../auth.js';
import { paginationSchema, validate } from '../middleware.js';
import { Problem } from '../problem.js';
import { formatVideo, formatVideoDetails, type MagnetBuilder } from './format/video.js';
import { videoAccess } from '../../videos/video-access.js';

const listQuery = paginationSchema.extend({
  sort: z.enum(VIDEO_SORTS as [string, ...string[]]).optional(),
  isLocal: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  search: z.string().max(200).optional(),
});

/** The video API: list, details, update, delete, and PeerTube's enumerations (views: src/views/). */
export function videosRouter(deps: {
  videos: VideoService;
  queries: VideoQueries;
  urls: InstanceUrls;
  auth: Auth;
  magnet: MagnetBuilder;
  /** schedules a refresh of a remote video read while stale */
  refreshIfStale?(video: { id: number; isLocal: boolean; lastFetchedAt: Date | null }): Promise<void>;
  /** failover: the base URL of our copy when the video's origin is down (players are sent there) */
  playFrom?(video: { url: string; isLocal: boolean; redundancies: { fileUrl: string }[] }): string | undefined;
  /** PeerTube's `viewers`: who is watching now */
  viewersOf?(videoId: number): number;
}): Router {
  const { auth, queries, urls } = deps;
  const router = new Router();

  router.get('/videos/categories', (ctx) => {
    ctx.body = VIDEO_CATEGORIES;
  });
  router.get('/videos/licences', (ctx) => {
    ctx.body = VIDEO_LICENCES;
  });
  router.get('/videos/languages', (ctx) => {
    ctx.body = VIDEO_LANGUAGES;
  });
  router.get('/videos/privacies', (ctx) => {
    ctx.body = VIDEO_PRIVACIES;
  });

  router.get('/videos', async (ctx) => {
    const q = validate(listQuery, ctx.query, 'query');
    const result = await queries.list(q);
    ctx.body = { total: result.total, data: result.data.map((v) => ({ ...formatVideo(v, urls), viewers: deps.viewersOf?.(v.id) ?? 0 })) };
  });

  /** Loads the video of `:id`; private videos only for their owner and moderators. */
  async function load(ctx: Koa.Context) {
    const video = await queries.findByRef(ctx.params.id ?? '');
    if (!video) throw new Problem(404, 'Video not found');
    // PeerTube's rule (private: owner and moderators; internal: any logged-in user), as for the files
    const refusal = videoAccess((ctx.state as AuthState).user, { privacy: video.privacy, ownerUserId: video.channel.account.user?.id });
    if (refusal === 'auth-required') throw new Problem(401, 'Authentication is required to see this video');
    if (refusal === 'forbidden') throw new Problem(403, 'Cannot get this private video');
    return video;
  }

  async function loadOwned(ctx: Koa.Context) {
    const video = await load(ctx);
    const user = currentUser(ctx);
    if (!video.isLocal) throw new Problem(403, 'Cannot manage a video of another instance');
    if (video.channel.account.user?.id !== user.id && !hasRight(user.role, 'MANAGE_ANY_VIDEO')) throw new Problem(403, 'Cannot manage a video of another user');
    return video;
  }

  router.get('/videos/:id', auth.optional, async (ctx) => {
    const video = await load(ctx);
    await deps.refreshIfStale?.(video);
    ctx.body = { ...formatVideoDetails(video, urls, deps.magnet, deps.playFrom?.(video)), viewers: deps.viewersOf?.(video.id) ?? 0 };
  });

  router.get('/videos/:id/description', auth.optional, async (ctx) => {
    ctx.body = { description: (await load(ctx)).description };
  });

  router.put('/videos/:id', auth.required, async (ctx) => {
    const video = await loadOwned(ctx);
    const patch = validate(videoUpdateSchema, ctx.request.body ?? {}, 'video update');
    const result = await deps.videos.update(video.id, patch, currentUser(ctx).id);
    if (!result.ok) throw new Problem(403, result.reason.message);
    ctx.status = 204;
  });

  router.delete('/videos/:id', auth.required, async (ctx) => {
    const video = await loadOwned(ctx);
    await deps.videos.remove(video.id);
    ctx.status = 204;
  });
  return router;
}
