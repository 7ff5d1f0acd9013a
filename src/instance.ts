import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createAccountService, createPrismaAccountStore, createPrismaActorStore, createPrismaTokenStore, createTokenService, generatePassword, type ActorKeyPair } from './accounts/index.js';
import { composeHttpApp } from './compose-http.js';
import { createComments } from './comments/create-comments.js';
import type { InstanceConfig } from './config/index.js';
import { openDatabase, type Database } from './db/index.js';
import { createFederation, type FederationJobKinds } from './federation/create-federation.js';
import { createInboxDispatcher } from './federation/inbox/inbox-dispatcher.js';
import { createRemoteImageService } from './federation/remote-images/index.js';
import type { LookupAddresses } from './federation/remote/index.js';
import { createHousekeeping } from './housekeeping/create-housekeeping.js';
import { createCluster } from './cluster/index.js';
import { createAuth } from './http/auth.js';
import { SOFTWARE_VERSION } from './http/api/server.js';
import { createHttpListener } from './http/http-listener.js';
import { createStaticFileCache, sharedFileBlocks } from './http/static/index.js';
import { createJobQueue, createJobStore, createScheduler, workerIdFor } from './jobs/index.js';
import { systemClock, type Clock } from './lib/clock.js';
import { createInstanceUrls } from './lib/instance-urls.js';
import { createLogger, type Logger } from './lib/logger.js';
import { createRecentLogs, NOT_IN_RECENT_LOGS } from './lib/recent-logs.js';
import { createMetrics, createMetricsServer, defineStorageMetrics } from './metrics/index.js';
import { createPrismaTransferStore, createTransferAccounting } from './transfers/index.js';
import { buildMagnetUri, createP2p } from './p2p/index.js';
import { createCopySeedSource } from './redundancy/copy-seed-source.js';
import { createPrismaActiveCopiesStore } from './redundancy/copy-store.js';
import { createRatings } from './ratings/create-ratings.js';
import { createRedundancy, type RedundancyJobKinds } from './redundancy/create-redundancy.js';
import { createFfmpeg, killOrphanChildren } from './transcoding/index.js';
import { createVideos } from './videos/create-videos.js';
import { createStorageLayout } from './videos/storage-layout.js';
import type { VideoJobKinds } from './videos/transcode-job.js';
import { createVideoEvents } from './videos/video-events.js';
import { createPrismaVideoReadStore } from './videos/video-read-store.js';
import { createApiCache } from './http/api/api-cache.js';
import { createViews } from './views/create-views.js';
import { createLive } from './live/create-live.js';
import { createLiveRelayArea } from './live/relay/create-live-relay.js';

export interface InstanceOptions {
  clock?: Clock;
  /** a logger of the caller's (then the console's recent warnings stay empty: prefer logDestination) */
  logger?: Logger;
  /** where the instance's own logger writes (default stdout), e.g. a pretty-printing stream */
  logDestination?: NodeJS.WritableStream;
  /**
   * Tests only (never from config): how outbound requests resolve host names, e.g. a replay test's
   * stand-in for `localhost:9000` on a loopback address. The SSRF guard still vets what it returns.
   */
  lookup?: LookupAddresses;
  /**
   * Tests only (never from config): where new actors' key pairs come from, e.g. a pool made once per
   * test run (three RSA-2048 key pairs were a third of a test instance's start).
   */
  actorKeys?: () => Promise<ActorKeyPair>;
}

/** Job kinds of the whole instance: each area declares its own. */
export type InstanceJobKinds = VideoJobKinds & FederationJobKinds & RedundancyJobKinds;

/**
 * The composition root: builds every service of one instance from its configuration. Nothing is
 * global, so several instances run side by side in one process (each with its own database,
 * storage and port).
 */
export async function createInstance(config: InstanceConfig, options: InstanceOptions = {}) {
  // 1. clock, logger, storage, database, metrics
  const clock = options.clock ?? systemClock;
  // the last warnings and errors (the operator console lists them), fed by the logger built here
  const recentLogs = createRecentLogs({ capacity: 200 });
  const logger = options.logger ?? createLogger({ level: config.log.level, recent: recentLogs, ...(options.logDestination ? { destination: options.logDestination } : {}) });
  const urls = createInstanceUrls(config.webserver);
  const layout = createStorageLayout(config.storage);
  for (const dir of layout.all()) await mkdir(dir, { recursive: true });
  // anonymous API reads (cache.api), dropped on every committed write to what they show
  const apiCache = createApiCache(config.cache.api, clock);
  const db: Database = await openDatabase({
    watch: apiCache.watch,
    url: config.database.url,
    dataDir: config.storage.database,
    poolSize: config.database.pool_size,
    embeddedSharedBuffers: config.database.embedded_shared_buffers,
    logger,
  });
  const { prisma } = db;
  const workerId = await workerIdFor(config.storage.root);
  // several nodes on one database: this node's registry row, and the gate that runs each cluster tick on one node;
  // a configured node.name labels every metric series (node="…")
  const cluster = createCluster({ config, prisma, clock, logger, workerId, version: SOFTWARE_VERSION });
  const metrics = createMetrics({ version: SOFTWARE_VERSION, node: config.node.name ?? undefined, endpoint: { enabled: config.metrics.enabled, bearerToken: config.metrics.bearer_token } });
  const metricsServer = config.metrics.listen ? createMetricsServer({ endpoint: metrics.endpoint, ...config.metrics.listen }) : null;
  const lookup = options.lookup ? { lookup: options.lookup } : {};

  // 2. what the areas register on: job kinds, periodic ticks, inbox handlers, video event listeners
  const jobs = createJobQueue<InstanceJobKinds>({
    store: createJobStore(prisma, workerId),
    clock,
    logger,
    workerId,
    pollIntervalMs: config.jobs.poll_interval,
    leaseMs: config.jobs.lease_duration,
    metrics: metrics.jobs,
  });
  const scheduler = createScheduler({ clock, logger, gate: cluster.gate });
  const inbox = createInboxDispatcher();
  const events = createVideoEvents();

  // 3. the areas
  // bytes served and downloaded per video, origin host, kind and protocol (seeding ratios)
  const transfers = createTransferAccounting({ store: createPrismaTransferStore(prisma), clock, metrics: metrics.transfers, logger, ownHost: urls.host, flushIntervalMs: config.metrics.transfers_flush_interval });
  const ffmpeg = createFfmpeg({ ffmpegPath: config.ffmpeg.path, ffprobePath: config.ffprobe.path, logger: logger.child({ component: 'ffmpeg' }), owner: resolve(config.storage.root) });
  const actorStore = createPrismaActorStore(prisma);
  const accounts = createAccountService({ store: createPrismaAccountStore(prisma), instanceActor: actorStore, urls, logger, defaults: { videoQuota: config.user.video_quota, videoQuotaDaily: config.user.video_quota_daily }, ...(options.actorKeys ? { generateKeys: options.actorKeys } : {}) });
  const tokens = createTokenService({ store: createPrismaTokenStore(prisma), clock });
  const auth = createAuth({ tokens, accounts });

  // one memory for hot file blocks: the static server's cache, which the seeder reads too
  const staticCache = createStaticFileCache({ maxBytes: config.cache.static_files.size });
  // torrents of our files, the seeder (our files and mirrored copies), the tracker
  const { torrents, seeding, tracker } = createP2p({
    config,
    prisma,
    clock,
    logger,
    urls,
    layout,
    sharedBlocks: sharedFileBlocks(staticCache),
    extraSources: [createCopySeedSource({ store: createPrismaActiveCopiesStore(prisma), redundancyDir: config.storage.redundancy })],
    onUpload: (_infoHash, bytes, protocol, file) => transfers.served(file, protocol, bytes),
    observe: metrics.p2p,
  });

  // uploads (quotas, resumable sessions), the video lifecycle and transcoding
  const videos = await createVideos({
    config,
    prisma,
    clock,
    logger,
    urls,
    layout,
    metrics,
    ffmpeg,
    torrents,
    seeding: seeding.port,
    jobs,
    events,
    workerId,
    nodeOnline: async (node) => (await cluster.nodes.urlOf(node)) !== null,
    clusterNodes: () => cluster.nodes.list(),
  });
  // S3-compatible object storage (null: disabled), opened by the videos area: mirrored copies go there too
  const { objectStorage, resumable } = videos;
  const queries = createPrismaVideoReadStore(prisma);
  // lives: RTMP in, HLS out, sessions and replays (replays become videos through acceptUpload)
  const live = createLive({ config, prisma, clock, logger, urls, layout, ffmpeg, events, videos: videos.videos, registry: metrics.registry });

  // ActivityPub: inbox, deliveries, follows, remote videos, the publishing of ours
  const federation = createFederation({ config, prisma, clock, logger, urls, metrics, magnet: buildMagnetUri, jobs, inbox, events, ...lookup });
  // views as PeerTube counts them (POST /videos/:id/views, inbound View)
  const views = await createViews({
    config,
    prisma,
    clock,
    logger,
    sender: federation.sender,
    followerInboxes: (ids) => federation.follows.followerInboxes(ids),
    inbox,
    events,
  });
  // one rate per account and video (PUT /videos/:id/rate, inbound Like/Dislike/Undo)
  const ratings = createRatings({ prisma, logger, sender: federation.sender, resolver: federation.resolver, inbox, events });
  // comments (Notes) on our videos and on remote videos we hold: inbox, REST, AP GET
  const comments = createComments({
    prisma,
    clock,
    logger,
    urls,
    sender: federation.sender,
    resolver: federation.resolver,
    followerInboxes: (ids) => federation.follows.followerInboxes(ids),
    forwardActivity: (raw, target) => federation.delivery.forwardActivity(raw, target),
    wakeDelivery: () => federation.delivery.wake(),
    fetcher: federation.fetcher,
    inbox,
  });
  const redundancy = createRedundancy({
    config,
    prisma,
    clock,
    logger,
    urls,
    metrics,
    fetcher: federation.fetcher,
    resolver: federation.resolver,
    follows: federation.follows,
    sender: federation.sender,
    jobs,
    inbox,
    recordDownload: ({ videoUuid, originHost, bytes }) => transfers.recordDownload({ videoUuid, originHost, protocol: 'http', bytes }),
    hlsDir: layout.hlsDir,
    webVideoPath: layout.webVideo,
    refetchVideo: (videoId) => federation.importer.refresh(videoId),
    onCopiesChanged: () => seeding.syncCopies(),
    objectStorage,
    ...lookup,
  });
  // live relay: remote lives of hosts whose rule has `live: true`, pulled, verified, served, announced;
  // with it, the live audience metrics (viewers of our lives and relayed ones, bytes of live files served)
  const liveRelay = createLiveRelayArea({
    config,
    prisma,
    clock,
    logger,
    urls,
    fetcher: federation.fetcher,
    sender: federation.sender,
    redundancy,
    registry: metrics.registry,
    live,
    audience: { viewersOf: (videoId) => views.viewersOf(videoId), playback: metrics.playback },
  });
  // thumbnails, previews and avatars of remote videos and actors, fetched on first request
  const remoteImages = createRemoteImageService({ config, prisma, fetcher: federation.fetcher, clock, logger });
  // finished jobs and handled inbox activities past their retention, in bounded batches; disk figures
  // per storage folder (free/total at each scrape, the bytes under each folder by the storage-usage tick)
  const { root: _root, ...storageFolders } = config.storage;
  const { pruner, measureStorage } = createHousekeeping({ config, prisma, clock, logger, storageUsage: defineStorageMetrics(metrics.registry, storageFolders) });

  // 4. periodic ticks: each runs on one node of the cluster per interval, except those with scope
  // 'node', which every node runs on its own memory or disk (its upload files, viewers, seeder, folders)
  scheduler.every('remove-expired-uploads', 3600_000, () => resumable.removeExpired(), { scope: 'node' });
  scheduler.every('views', views.tickIntervalMs, views.tick, { scope: 'node' });
  scheduler.every('redundancy-plan', redundancy.policy.checkIntervalMs, redundancy.ticks.plan);
  scheduler.every('redundancy-verify', config.redundancy.verify_interval, redundancy.ticks.verify);
  scheduler.every('redundancy-origin-health', config.redundancy.origin_check_interval, redundancy.ticks.originHealth);
  // new mirrored copies get seeded, evicted ones stop being seeded
  scheduler.every('seeding-copies', 60_000, () => seeding.syncCopies(), { scope: 'node' });
  scheduler.every('storage-usage', 5 * 60_000, ({ signal }) => measureStorage(signal), { scope: 'node' });
  scheduler.every('prune-old-rows', config.jobs.prune_interval, ({ signal }) => pruner.tick(signal));
  scheduler.every('redundancy-probe', Math.min(config.remote_redundancy.videos.probe_interval, redundancy.policy.checkIntervalMs), redundancy.ticks.probe);
  // multipart uploads that a killed node left in our buckets: aborted once no live node writes them
  const { abandonedUploads } = videos;
  if (abandonedUploads) scheduler.every('object-storage-abandoned-uploads', 3600_000, () => abandonedUploads.run());
  // a move to object storage whose job failed for good is queued again by the node holding the files
  const { resumeMoves } = videos;
  if (resumeMoves) scheduler.every('object-storage-resume-moves', 10 * 60_000, () => resumeMoves(), { scope: 'node' });
  // the policy in force (config file, or stored through the API) sets the planning interval
  const followPolicyIntervals = () => {
    scheduler.reschedule('redundancy-plan', redundancy.policy.checkIntervalMs);
    scheduler.reschedule('redundancy-probe', Math.min(config.remote_redundancy.videos.probe_interval, redundancy.policy.checkIntervalMs));
  };

  // 5. HTTP
  let ready = false;
  const app = composeHttpApp({
    config,
    staticCache,
    prisma,
    db,
    clock,
    logger,
    urls,
    layout,
    objectStorage,
    metrics,
    metricsOnMainListener: metricsServer === null,
    isReady: () => ready,
    tracker,
    accounts,
    tokens,
    auth,
    jobs,
    videos,
    queries,
    resumable,
    federation,
    views,
    ratings,
    comments,
    redundancy,
    transfers,
    remoteImages,
    apiCache,
    nodes: cluster.nodes,
    live,
    liveRelays: () => liveRelay.budgets(),
    policyChanged: () => {
      followPolicyIntervals();
      return redundancy.ticks.plan();
    },
    recentLogs,
  });

  // the main listener: the app, and the tracker's WebSocket endpoint
  const listener = createHttpListener({
    handler: app.callback(),
    hostname: config.listen.hostname,
    port: config.listen.port,
    upgrades: tracker ? { '/tracker/socket': (req, socket, head) => tracker.handleUpgrade(req, socket, head) } : {},
  });

  // 6. start and stop

  return {
    config,
    urls,
    clock,
    logger,
    db,
    prisma,
    metrics,
    accounts,
    tokens,
    videos: videos.videos,
    jobs,
    scheduler,
    layout,
    tracker,
    federation,
    redundancy,
    views,
    ratings,
    comments,
    transfers,
    seeding,
    metricsServer,
    pruner,
    remoteImages,
    cluster,
    objectStorage,
    /** moves of local videos' files between the file system and object storage (null: object storage disabled) */
    storageMove: videos.storageMove,
    live,
    liveRelay,
    /** the port actually listened on (listen.port may be 0) */
    get port(): number {
      return listener.port;
    },

    async start(): Promise<void> {
      // What a crash of the previous run left: its ffmpeg children, and files no live job or session owns.
      const orphans = await killOrphanChildren(resolve(config.storage.root));
      if (orphans.length > 0) logger.warn({ pids: orphans }, 'killed ffmpeg processes left running by a previous run');
      await videos.sweepAtStartup();
      await transfers.start();
      await remoteImages.start();
      // listen first: a port in use stops start-up before the root user (and its password, shown
      // once) is created; requests meanwhile see /readyz 503
      await listener.listen();
      await cluster.start(this.port);
      // this node's uploads of its previous run ended with it (the registry now has its new start)
      await abandonedUploads?.run().catch((err: unknown) => logger.warn({ err }, 'aborting abandoned multipart uploads failed'));
      await accounts.ensureInstanceActor();
      const rootPassword = config.admin.initial_password ?? generatePassword();
      const root = await accounts.ensureRootUser({ password: rootPassword, email: config.admin.email });
      if (root.created && !config.admin.initial_password) {
        // Printed once, on first start: the only time the generated password is shown
        // (`mirrortube reset-password --user root` sets a new one).
        logger.warn(NOT_IN_RECENT_LOGS, `created the "root" administrator with the generated password: ${rootPassword}`);
      }
      await redundancy.loadPolicy();
      followPolicyIntervals();
      await redundancy.engine.cleanup();
      await seeding.start();
      await live.start();
      await liveRelay.start();
      await metricsServer?.start();
      await jobs.start();
      await resumeMoves?.().catch((err: unknown) => logger.warn({ err }, 'queueing the moves to object storage left undone failed'));
      scheduler.start();
      ready = true;
      logger.info({ url: urls.base, listen: `${config.listen.hostname}:${this.port}`, database: db.kind }, 'mirrortube started');
    },

    /** Stops intake, drains jobs within the deadline, kills ffmpeg children, closes sockets and the database. */
    async stop(): Promise<void> {
      ready = false;
      // relays withdrawn (Undo queued) and their files deleted while the database is open
      await liveRelay.stop();
      await seeding.stop();
      await metricsServer?.stop();
      const closed = listener.close();
      await scheduler.stop({ deadlineMs: config.jobs.shutdown_deadline });
      await jobs.stop({ deadlineMs: config.jobs.shutdown_deadline });
      redundancy.close();
      objectStorage?.store.close();
      await live.stop();
      await ffmpeg.killAll();
      await tracker?.close();
      listener.destroyConnections();
      await closed;
      // handlers whose clients went away still run to their end: they may read the database
      if (!(await app.idle(config.jobs.shutdown_deadline))) logger.warn('requests still being handled at the shutdown deadline');
      await transfers.stop();
      await cluster.stop();
      await db.close();
      logger.info('mirrortube stopped');
    },
  };
}

export type Instance = Awaited<ReturnType<typeof createInstance>>;
