import Router from '@koa/router';
import type { LocalCacheFiles, LocalDocuments } from '../../federation/local/index.js';
import type { InstanceUrls } from '../../lib/instance-urls.js';
import { addActorRoutes } from './actor-routes.js';
import { addRedundancyRoutes } from './redundancy-routes.js';
import { addVideoRoutes } from './video-routes.js';

export interface ActivityPubGetDeps {
  /** our actors, videos and collections as documents (federation/local) */
  documents: LocalDocuments;
  /** our CacheFiles (mirrored copies) */
  cacheFiles: LocalCacheFiles;
  urls: InstanceUrls;
}

/**
 * The GET side of federation: actors, their outbox/followers/following, videos and their
 * collections, our CacheFiles (mirrored copies). Actor and video URLs are also HTML pages: they
 * answer ActivityPub only when the Accept header asks for it, and fall through otherwise.
 */
export function activityPubGetRouter(deps: ActivityPubGetDeps): Router {
  const { documents } = deps;
  const router = new Router();
  addActorRoutes(router, { documents, urls: deps.urls });
  addVideoRoutes(router, { documents });
  addRedundancyRoutes(router, { cacheFiles: deps.cacheFiles });
  return router;
}
