import type Router from '@koa/router';
import type Koa from 'koa';
import type { LocalDocuments, VideoForActivityPub } from '../../federation/local/index.js';
import { Problem } from '../problem.js';
import { negotiateActivityJson, sendActivityJson } from './activity-json.js';
import { readPage } from './collection-query.js';

/**
 * GET of our videos as ActivityPub objects (`/videos/watch/:uuid`, PeerTube's short `/w/:id`),
 * their Create activity and their collections. Only local, published, public or unlisted videos:
 * the others (remote, private, unknown) are 404.
 */
export function addVideoRoutes(router: Router, deps: { documents: LocalDocuments }): void {
  const { documents } = deps;
  const load = async (ctx: Koa.Context): Promise<VideoForActivityPub> => {
    const video = await documents.videos.findFederated(ctx.params.id ?? '');
    if (!video) throw new Problem(404, 'Video not found');
    return video;
  };

  for (const path of ['/videos/watch/:id', '/w/:id']) {
    router.get(path, async (ctx, next) => {
      if (!negotiateActivityJson(ctx)) return next();
      sendActivityJson(ctx, await documents.videoDocument(await load(ctx)));
    });
  }
  router.get('/videos/watch/:id/activity', async (ctx) => {
    sendActivityJson(ctx, await documents.createVideoDocument(await load(ctx)));
  });
  for (const which of ['likes', 'dislikes', 'announces', 'comments'] as const) {
    router.get(`/videos/watch/:id/${which}`, async (ctx) => {
      const request = readPage(ctx.query);
      sendActivityJson(ctx, await documents.videoCollection(await load(ctx), which, request));
    });
  }
  // the ids listed in `announces` (PeerTube's `/videos/watch/:id/announces/:actorId`)
  router.get('/videos/watch/:id/announces/:actorId', async (ctx) => {
    const actorId = /^[1-9][0-9]{0,9}$/.test(ctx.params.actorId ?? '') ? Number(ctx.params.actorId) : null;
    const announce = actorId === null ? null : await documents.announceDocument(await load(ctx), actorId);
    if (!announce) throw new Problem(404, 'Video share not found');
    sendActivityJson(ctx, announce);
  });
  router.get('/videos/watch/:id/chapters', async (ctx) => {
    sendActivityJson(ctx, documents.chaptersDocument(await load(ctx)));
  });
}
