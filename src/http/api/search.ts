import Router from '@koa/router';
import { z } from 'zod';
import type { VideoImporter } from '../../federation/import/video-importer.js';
import type { InstanceUrls } from '../../lib/instance-urls.js';
import type { VideoQueries } from '../../videos/video-queries.js';
import type { Auth, AuthState } from '../auth.js';
import { paginationSchema, validate } from '../middleware.js';
import { Problem } from '../problem.js';
import { formatVideo } from './format/video.js';

const searchQuery = paginationSchema.extend({ search: z.string().min(1).max(1000), sort: z.string().max(50).optional() });

/**
 * GET /api/v1/search/videos: local search by name, or, for a video URL, PeerTube's remote URI
 * search: a logged-in user's URL of another instance's video is fetched and imported.
 */
export function searchRouter(deps: { queries: VideoQueries; importer: VideoImporter; urls: InstanceUrls; auth: Auth }): Router {
  const router = new Router();
  router.get('/search/videos', deps.auth.optional, async (ctx) => {
    const q = validate(searchQuery, ctx.query, 'query');
    if (/^https?:\/\//i.test(q.search)) {
      const url = q.search.trim();
      let known = await deps.queries.findIdByUrl(url).then((id) => (id === null ? null : { id }));
      if (!known && new URL(url).host !== deps.urls.host && (ctx.state as AuthState).user) {
        const imported = await deps.importer.importUrl(url);
        if (!imported.ok) throw new Problem(400, `cannot resolve this video: ${imported.reason.message}`);
        known = { id: imported.value.id };
      }
      if (!known) {
        ctx.body = { total: 0, data: [] };
        return;
      }
      const video = await deps.queries.findByRef(String(known.id));
      ctx.body = { total: video ? 1 : 0, data: video && video.privacy === 1 ? [formatVideo(video, deps.urls)] : [] };
      return;
    }
    const result = await deps.queries.list({ start: q.start, count: q.count, search: q.search, sort: q.sort });
    ctx.body = { total: result.total, data: result.data.map((v) => formatVideo(v, deps.urls)) };
  });
  return router;
}
