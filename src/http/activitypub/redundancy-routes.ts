import type Router from '@koa/router';
import type { LocalCacheFiles } from '../../federation/local/index.js';
import { Problem } from '../problem.js';
import { negotiateActivityJson, sendActivityJson } from './activity-json.js';

/**
 * GET of our CacheFiles: `/redundancy/streaming-playlists/hls/:id` is the id we announce for our
 * copy of a video's HLS playlist. PeerTube's own route takes the playlist type as a number (`1`),
 * so that spelling is answered too. ActivityPub only (like PeerTube's executeIfActivityPub: other
 * requests fall through); 404 when we hold no active copy of the video.
 */
export function addRedundancyRoutes(router: Router, deps: { cacheFiles: LocalCacheFiles }): void {
  router.get('/redundancy/streaming-playlists/:type/:id', async (ctx, next) => {
    if (ctx.params.type !== 'hls' && ctx.params.type !== '1') return next();
    if (!negotiateActivityJson(ctx)) return next();
    const document = await deps.cacheFiles.hlsCacheFileDocument(ctx.params.id ?? '');
    if (!document) throw new Problem(404, 'Video redundancy not found');
    sendActivityJson(ctx, document);
  });
}
