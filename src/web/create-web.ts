import type Router from '@koa/router';
import type { InstanceUrls } from '../lib/instance-urls.js';
import type { Logger } from '../lib/logger.js';
import type { VideoQueries } from '../videos/video-queries.js';
import { createClientBundles, type ClientBundles } from './client-bundles.js';
import { webRouter, type ActorLookup } from './web-router.js';

export interface Web {
  /** the viewer pages, oEmbed and the client bundles (mounted at the root, after the ActivityPub GETs) */
  router: Router;
  bundles: ClientBundles;
}

/**
 * The web area: server-rendered pages at PeerTube's URLs and the player bundle. The bundle is
 * built now in the background when missing or stale (esbuild, a second or two), and again on the
 * first request that finds it stale.
 */
export function createWeb(deps: {
  queries: VideoQueries;
  actors: ActorLookup;
  urls: InstanceUrls;
  instance: { name: string; short_description: string; description: string };
  version: string;
  logger: Logger;
  bundles?: ClientBundles;
}): Web {
  const logger = deps.logger.child({ component: 'web' });
  const bundles = deps.bundles ?? createClientBundles();
  void bundles.ensure().then(
    (r) => (r.ok ? r.built && logger.info('client bundles built') : logger.error({ reason: r.message }, 'the client bundles could not be built')),
    (err: unknown) => logger.error({ err }, 'the client bundles could not be built'),
  );
  return { router: webRouter({ ...deps, bundles, logger }), bundles };
}
