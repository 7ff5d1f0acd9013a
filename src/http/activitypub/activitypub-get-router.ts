import Router from '@koa/router';
import type { Prisma } from '../../db/index.js';
import { createLocalCacheFiles, createLocalDocuments, type MagnetBuilder, type RedundanciesOf, type VideoInteractionItems } from '../../federation/local/index.js';
import type { InstanceUrls } from '../../lib/instance-urls.js';
import { addActorRoutes } from './actor-routes.js';
import { addRedundancyRoutes } from './redundancy-routes.js';
import { addVideoRoutes } from './video-routes.js';

export interface ActivityPubGetDeps {
  prisma: Prisma;
  urls: InstanceUrls;
  /** the p2p module's buildMagnetUri */
  magnet: MagnetBuilder;
  /** mirrors to list in a video's HLS link (none until the redundancy engine provides them) */
  redundanciesOf?: RedundanciesOf;
  /** the items of our videos' likes, dislikes and comments collections (counters only without it) */
  interactions?: VideoInteractionItems;
}

/**
 * The GET side of federation: actors, their outbox/followers/following, videos and their
 * collections, our CacheFiles (mirrored copies). Actor and video URLs are also HTML pages: they
 * answer ActivityPub only when the Accept header asks for it, and fall through otherwise.
 */
export function activityPubGetRouter(deps: ActivityPubGetDeps): Router {
  const documents = createLocalDocuments(deps);
  const router = new Router();
  addActorRoutes(router, { documents, urls: deps.urls });
  addVideoRoutes(router, { documents });
  addRedundancyRoutes(router, { cacheFiles: createLocalCacheFiles(deps) });
  return router;
}
