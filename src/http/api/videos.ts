import Router from '@koa/router';
import type Koa from 'koa';
import { z } from 'zod';
import { hasRight } from '../../accounts/index.js';
import type { InstanceUrls } from '../../lib/instance-urls.js';
import { VIDEO_CATEGORIES, VIDEO_LANGUAGES, VIDEO_LICENCES, VIDEO_PRIVACIES } from '../../videos/constants.js';
import { videoUpdateSchema } from '../../videos/upload/upload-metadata.js';
import type { VideoDetails, VideoQueries } from '../../videos/video-queries.js';
import { VIDEO_SORTS } from '../../videos/video-queries.js';
import { VideoPrivacy } from '../../videos/constants.js';
import { noApiCache, type ApiCache } from './api-cache.js';
import type { VideoService } from '../../videos/video-service.js';
import type { Auth, AuthState } from '../auth.js';
import { currentUser } from '../auth.js';
import { paginationSchema, validate } from '../middleware.js';
import { Problem } from '../problem.js';
import { formatVideo, formatVideoDetails, type MagnetBuilder } from './format/video.js';
import { videoAccess } from '../../videos/video-access.js';

const listQuery = paginationSchema.extend({
  sort: z.enum(VIDEO_SORTS).optional(),
  isLocal: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  search: z.string().max(200).optional(),
});

interface DetailsEntry {
  video: VideoDetails;
  playFrom: string | undefined;
  body: ReturnType<typeof formatVideoDetails>;
  text?: string;
}

interface ListEntry {
  total: number;
  data: ReturnType<typeof formatVideo>[];
  text?: string;
}

/** Answers JSON already serialized (a cached answer is serialized once, answered many times). */
function sendJson(ctx: Koa.Context, text: string) {
  ctx.type = 'application/json';
  ctx.body = text;
}

/** `body` with PeerTube's `viewers` (a copy only when it differs: cached bodies are shared) */
function withViewers<T extends { viewers: number }>(body: T, viewers: number): T {
  return body.viewers === viewers ? body : { ...body, viewers };
}

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
  /** anonymous answers of public videos (`cache.api`) */
  cache?: ApiCache;
}): Router {
  const { auth, queries, urls } = deps;
  const cache = deps.cache ?? noApiCache;
  const viewersOf = deps.viewersOf ?? (() => 0);
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
    // the list is the same for everybody today; a logged-in client still reads it fresh
    const cacheable = cache.enabled && !ctx.get('authorization');
    const key = `list\n${q.start}\n${q.count}\n${q.sort ?? ''}\n${String(q.isLocal)}\n${q.search ?? ''}`;
    const read = async (): Promise<ListEntry> => {
      const result = await queries.list(q);
      return { total: result.total, data: result.data.map((v) => formatVideo(v, urls)) };
    };
    const page = cacheable ? await cache.through(key, async () => ({ value: await read(), keep: true })) : await read();
    // viewers are counted in memory: applied on every answer (the cached text when nobody watches)
    const data = page.data.map((v) => withViewers(v, viewersOf(v.id)));
    if (data.every((v, i) => v === page.data[i])) sendJson(ctx, (page.text ??= JSON.stringify({ total: page.total, data: page.data })));
    else ctx.body = { total: page.total, data };
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
    // anonymous reads of public videos are cached; the failover switch and viewers apply on each answer
    const anonymous = !(ctx.state as AuthState).user;
    const key = `video\n${ctx.params.id ?? ''}`;
    const read = async (): Promise<DetailsEntry> => {
      const video = await load(ctx);
      const playFrom = deps.playFrom?.(video);
      return { video, playFrom, body: formatVideoDetails(video, urls, deps.magnet, playFrom) };
    };
    let entry = anonymous
      ? await cache.through(key, async () => {
          const fresh = await read();
          return { value: fresh, keep: fresh.video.privacy === VideoPrivacy.PUBLIC };
        })
      : await read();
    const playFrom = deps.playFrom?.(entry.video);
    if (playFrom !== entry.playFrom) entry = { video: entry.video, playFrom, body: formatVideoDetails(entry.video, urls, deps.magnet, playFrom) };
    await deps.refreshIfStale?.(entry.video);
    const body = withViewers(entry.body, viewersOf(entry.video.id));
    if (body === entry.body) sendJson(ctx, (entry.text ??= JSON.stringify(entry.body)));
    else ctx.body = body;
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
