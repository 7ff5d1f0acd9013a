import type { ApiCache } from './http/api/api-cache.js';
import { createPrismaActorStore } from './accounts/index.js';
import { createLocalActorQueries, createLocalCacheFiles, createLocalDocuments, nodeUsage } from './federation/local/index.js';
import { createPrismaRedundancyAdminStore } from './http/api/redundancy-admin-store.js';
import { createPrismaServerStatsStore } from './http/api/server-stats-store.js';
import { join } from 'node:path';
import type { AccountService, TokenService } from './accounts/index.js';
import type { InstanceConfig } from './config/index.js';
import type { Database, Prisma } from './db/index.js';
import type { Federation } from './federation/create-federation.js';
import type { RemoteImageService } from './federation/remote-images/index.js';
import { createHttpApp } from './http/app.js';
import type { StaticFileCache } from './http/static/index.js';
import type { Auth } from './http/auth.js';
import { activityPubGetRouter } from './http/activitypub/index.js';
import { inboxRouter } from './http/activitypub/index.js';
import { followsRouter } from './http/api/follows.js';
import { oauthRouter } from './http/api/oauth.js';
import { playbackMetricsRouter } from './http/api/playback-metrics.js';
import { redundancyRouter } from './http/api/redundancy.js';
import { searchRouter } from './http/api/search.js';
import { serverRouter, SOFTWARE_VERSION } from './http/api/server.js';
import { serverNodesRouter, type ServerNode, type ServerTick } from './http/api/server-nodes.js';
import { transfersRouter } from './http/api/transfers.js';
import { uploadsRouter } from './http/api/uploads.js';
import { usersRouter } from './http/api/users.js';
import { videoTokenRouter } from './http/api/video-token.js';
import { videoTranscodingRouter } from './http/api/video-transcoding.js';
import { videosRouter } from './http/api/videos.js';
import { rateLimitMiddleware } from './http/rate-limit/rate-limit-middleware.js';
import { staffChecker } from './http/rate-limit/staff-checker.js';
import { createDownloadStore, downloadRoutes, objectSourceFor, privateFilesGate, remoteImagesRoute, torrentWebseedsResponder } from './http/static/index.js';
import type { BucketKind, ObjectStorage } from './storage/index.js';
import { wellKnownRouter } from './http/well-known/index.js';
import type { Comments } from './comments/create-comments.js';
import type { Clock } from './lib/clock.js';
import { REDUNDANCY_HLS_PATH, type InstanceUrls } from './lib/instance-urls.js';
import type { Logger } from './lib/logger.js';
import type { Metrics } from './metrics/index.js';
import type { TransferAccounting } from './transfers/index.js';
import { buildMagnetUri, type Tracker } from './p2p/index.js';
import type { Ratings } from './ratings/create-ratings.js';
import type { Redundancy } from './redundancy/create-redundancy.js';
import { createMirrorWebseeds } from './redundancy/origin/mirror-webseeds.js';
import { createPrismaRemoteCopyStore } from './redundancy/origin/remote-copy-store.js';
import type { Videos } from './videos/create-videos.js';
import { PRIVATE_HLS_PREFIX, PRIVATE_WEB_VIDEOS_PREFIX, privateFolders } from './videos/privacy-folders.js';
import type { StorageLayout } from './videos/storage-layout.js';
import type { ResumableUploads } from './videos/upload/resumable-uploads.js';
import { createVideoAccessStore } from './videos/video-access-store.js';
import { createVideoFileTokens } from './videos/video-file-tokens.js';
import { createAdminConsole } from './web/admin/create-admin.js';
import type { RecentLogs } from './lib/recent-logs.js';
import type { VideoQueries } from './videos/video-queries.js';
import type { Views } from './views/create-views.js';
import type { Live } from './live/create-live.js';
import type { LiveRelay } from './live/relay/live-relay.js';
import { createWeb } from './web/create-web.js';

/** The koa app of one instance: its routers over the areas' services, and the static mounts. */
export function composeHttpApp(parts: {
  config: InstanceConfig;
  prisma: Prisma;
  /** the readiness probe pings it */
  db: Pick<Database, 'ping'>;
  clock: Clock;
  logger: Logger;
  urls: InstanceUrls;
  layout: StorageLayout;
  metrics: Metrics;
  metricsOnMainListener: boolean;
  /** the static file cache shared with the seeder */
  staticCache?: StaticFileCache;
  isReady(): boolean;
  tracker: Tracker | null;
  accounts: AccountService;
  tokens: TokenService;
  auth: Auth;
  jobs: Parameters<typeof serverRouter>[0]['jobs'];
  videos: Videos;
  queries: VideoQueries;
  resumable: ResumableUploads;
  federation: Federation;
  views: Views;
  ratings: Ratings;
  comments: Comments;
  redundancy: Redundancy;
  transfers: TransferAccounting;
  remoteImages: RemoteImageService;
  apiCache: ApiCache;
  /** the nodes sharing the database (src/cluster) */
  nodes: { self: string; list(): Promise<ServerNode[]>; ticks(): Promise<ServerTick[]>; urlOf(node: string): Promise<string | null> };
  /** object storage (null: disabled): files not on disk are proxied from their bucket by the static mounts */
  objectStorage: ObjectStorage | null;
  live: Live;
  /** the redundancy policy changed through the API: the instance reschedules its ticks, then plans */
  policyChanged(): Promise<unknown>;
  /** the last warnings and errors of this process (the operator console lists them) */
  recentLogs: Pick<RecentLogs, 'list'>;
  /** live relays and the budget refusals, for the operator console */
  liveRelays?: () => ReturnType<LiveRelay['budgets']>;
}) {
  const { config, prisma, clock, logger, urls, layout, metrics, auth, accounts, tokens, federation, redundancy, views, ratings, comments, transfers, queries } = parts;
  // our videos' HLS torrents are served with their healthy mirrors as webseeds (same infohash)
  const torrentWebseeds = torrentWebseedsResponder({ webseeds: createMirrorWebseeds({ store: createPrismaRemoteCopyStore(prisma), urls }), logger });
  // private and internal videos: files under the private paths, for their owner, moderators or a file token
  const videoAccessStore = createVideoAccessStore(prisma);
  const actorStore = createPrismaActorStore(prisma);
  const redundancyAdminStore = createPrismaRedundancyAdminStore(prisma);
  const videoFileTokens = createVideoFileTokens({ clock });
  // the operator console: /admin pages and the API endpoints they need beyond PeerTube's
  const adminConsole = createAdminConsole({ config, tokens, accounts, auth, metrics, redundancy, transfers, hosts: federation.delivery, prisma, clock, jobs: parts.jobs, recentLogs: parts.recentLogs, ...(parts.liveRelays ? { liveRelays: parts.liveRelays } : {}) });
  const userRole = async (id: number) => (await accounts.getUser(id))?.role ?? null;
  const privateGate = (kind: 'hls' | 'web-videos') => privateFilesGate({ kind, store: videoAccessStore, fileTokens: videoFileTokens, auth, userRole });
  const objects = (kind: BucketKind, keyPrefix = '') => (parts.objectStorage ? { objects: objectSourceFor(parts.objectStorage.store, kind, keyPrefix) } : {});
  // images and torrents are in buckets only when their (opt-in) kinds are enabled
  const optionalObjects = (kind: 'thumbnails' | 'torrents', keyPrefix = '') => (parts.objectStorage?.settings[kind].enabled ? objects(kind, keyPrefix) : {});
  return createHttpApp({
    logger,
    metrics,
    staticCacheBytes: config.cache.static_files.size,
    memoryFiles: parts.live.memoryFiles,
    ...(parts.staticCache ? { staticCache: parts.staticCache } : {}),
    tracker: parts.tracker,
    metricsOnMainListener: parts.metricsOnMainListener,
    isReady: parts.isReady,
    rateLimit: rateLimitMiddleware({ settings: { rates: config.rates_limit, trustProxy: config.trust_proxy }, clock, isStaff: staffChecker({ tokens, accounts }) }),
    checkDatabase: parts.db.ping,
    rootRouters: [
      inboxRouter({ receiver: federation.receiver, maxBodyBytes: config.federation.max_activity_size }),
      activityPubGetRouter({
        documents: createLocalDocuments({
          prisma,
          urls,
          magnet: buildMagnetUri,
          interactions: (video, which, window) =>
            which === 'comments' ? comments.commentUrls(video.id, window) : ratings.rateUrls(video.id, which === 'likes' ? 'like' : 'dislike', window),
        }),
        cacheFiles: createLocalCacheFiles({ prisma, urls }),
        urls,
      }),
      comments.apRouter(),
      adminConsole.pagesRouter,
      wellKnownRouter({
        actors: createLocalActorQueries(prisma),
        usage: (now) => nodeUsage(prisma, now),
        urls,
        clock,
        config,
        version: SOFTWARE_VERSION,
        redundancy: () => ({
          strategies: redundancy.policy.strategies.map((s) => ({ strategy: s.strategy, size: s.sizeBytes, minLifetime: s.minLifetimeMs, minViews: s.minViews })),
          acceptFrom: config.remote_redundancy.videos.accept_from,
        }),
      }),
      // the viewer pages at PeerTube's URLs (after the ActivityPub GETs, which answer the same URLs to ActivityPub clients)
      createWeb({
        queries,
        actors: accounts,
        urls,
        instance: config.instance,
        version: SOFTWARE_VERSION,
        logger,
      }).router,
    ],
    apiRouters: [
      followsRouter({ follows: federation.follows, hosts: redundancyAdminStore, urls, auth, afterUnfollow: () => redundancy.engine.hostPolicyChanged() }),
      redundancyRouter({
        store: redundancyAdminStore,
        instanceActor: actorStore,
        auth,
        engine: redundancy.engine,
        policy: { get: redundancy.serializedPolicy, set: redundancy.setPolicy, changed: parts.policyChanged },
        onPlanError: (err) => logger.error({ err, component: 'redundancy' }, 'planning after a policy change failed; the next tick plans again'),
        transfers,
      }),
      ...adminConsole.apiRouters,
      oauthRouter({ tokens }),
      usersRouter({ accounts, urls, auth, quota: parts.videos.videos }),
      uploadsRouter({
        videos: parts.videos.videos,
        resumable: parts.resumable,
        auth,
        tmpDir: layout.uploadsTmp,
        maxFileSize: config.uploads.max_file_size,
        countUpload: (protocol, outcome) => metrics.uploads.inc({ protocol, outcome }),
        cluster: parts.nodes,
      }),
      // before the videos router: /videos/live/:id is not a video id
      parts.live.router({ queries, auth }),
      videosRouter({ videos: parts.videos.videos, queries, urls, auth, magnet: buildMagnetUri, refreshIfStale: federation.refreshIfStale, playFrom: redundancy.playFrom, viewersOf: views.viewersOf, cache: parts.apiCache }),
      views.router({ queries, auth }),
      ratings.router({ queries, auth }),
      comments.router({ videos: queries, auth }),
      searchRouter({ queries, importer: federation.importer, urls, auth }),
      videoTranscodingRouter({ auth, rerun: parts.videos.rerunTranscoding }),
      serverRouter({ config, stats: createPrismaServerStatsStore(prisma), jobs: parts.jobs, auth, redundancyStats: redundancy.stats, rtmpPort: parts.live.rtmpPort }),
      serverNodesRouter({ nodes: parts.nodes, auth }),
      transfersRouter({ transfers, videos: videoAccessStore, auth }),
      playbackMetricsRouter({ videos: videoAccessStore, record: (report, seen) => metrics.playback.record(report, { ...seen, at: clock.now().getTime() }), auth, access: videoAccessStore }),
      videoTokenRouter({ auth, store: videoAccessStore, fileTokens: videoFileTokens }),
    ],
    beforeStatic: [
      remoteImagesRoute(parts.remoteImages),
      // PeerTube's /download/ routes of video files (from disk or the bucket)
      downloadRoutes({
        store: createDownloadStore(prisma),
        layout,
        objectStorage: parts.objectStorage,
        access: { fileTokens: videoFileTokens, auth, userRole },
        onBytesSent: { webVideos: transfers.onStaticBytes('web-videos'), hls: transfers.onStaticBytes('streaming-playlists') },
      }),
    ],
    staticMounts: [
      { urlPrefix: '/static/streaming-playlists/hls/', directory: layout.hlsRoot, onBytesSent: transfers.onStaticBytes('streaming-playlists'), cacheControl: parts.live.hlsCacheControl, ...objects('streaming_playlists') },
      { urlPrefix: '/static/web-videos/', directory: config.storage.web_videos, onBytesSent: transfers.onStaticBytes('web-videos'), ...objects('web_videos') },
      // private files: not counted per video (private videos are never in transfer figures), never cached by proxies
      { urlPrefix: PRIVATE_HLS_PREFIX, directory: privateFolders(layout).hlsRoot, cacheControl: 'private, no-store', respond: privateGate('hls'), ...objects('streaming_playlists', 'private/') },
      { urlPrefix: PRIVATE_WEB_VIDEOS_PREFIX, directory: privateFolders(layout).webVideos, cacheControl: 'private, no-store', respond: privateGate('web-videos'), ...objects('web_videos', 'private/') },
      // relays of lives (live/relay/) serve live playlists here too: revalidated; segments immutable
      { urlPrefix: REDUNDANCY_HLS_PATH, directory: join(config.storage.redundancy, 'hls'), onBytesSent: transfers.onStaticBytes('redundancy'), cacheControl: parts.live.hlsCacheControl, ...objects('redundancy') },
      { urlPrefix: '/lazy-static/torrents/', directory: config.storage.torrents, onBytesSent: transfers.onStaticBytes('torrents'), respond: torrentWebseeds, ...optionalObjects('torrents') },
      { urlPrefix: '/download/torrents/', directory: config.storage.torrents, onBytesSent: transfers.onStaticBytes('torrents'), respond: torrentWebseeds, ...optionalObjects('torrents') },
      { urlPrefix: '/lazy-static/thumbnails/', directory: config.storage.thumbnails, onBytesSent: transfers.onStaticBytes('thumbnails'), ...optionalObjects('thumbnails') },
      { urlPrefix: '/lazy-static/previews/', directory: config.storage.previews, onBytesSent: transfers.onStaticBytes('previews'), ...optionalObjects('thumbnails', 'previews/') },
    ],
  });
}
