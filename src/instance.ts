import { createServer, type Server } from 'node:http';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { Socket } from 'node:net';
import { createAccountService, createTokenService, generatePassword } from './accounts/index.js';
import type { InstanceConfig } from './config/index.js';
import { openDatabase, type Database } from './db/index.js';
import { createHttpApp } from './http/app.js';
import { createAuth } from './http/auth.js';
import { oauthRouter } from './http/api/oauth.js';
import { serverRouter, SOFTWARE_VERSION } from './http/api/server.js';
import { uploadsRouter } from './http/api/uploads.js';
import { usersRouter } from './http/api/users.js';
import { videosRouter } from './http/api/videos.js';
import { activityPubGetRouter } from './http/activitypub/index.js';
import { torrentWebseedsResponder } from './http/static/index.js';
import { wellKnownRouter } from './http/well-known/index.js';
import { createJobQueue, createScheduler } from './jobs/index.js';
import { systemClock, type Clock } from './lib/clock.js';
import { createInstanceUrls } from './lib/instance-urls.js';
import { createLogger, type Logger } from './lib/logger.js';
import { createMetrics, createMetricsServer, createTransferAccounting } from './metrics/index.js';
import { buildAnnounceList, buildMagnetUri, buildTrackerUrls, createSeedingService, createTorrentFile, createTracker, type Tracker } from './p2p/index.js';
import { trackerAdmission } from './p2p/tracker-admission.js';
import { createTrackerInfohashStore } from './p2p/tracker-infohash-store.js';
import { playbackMetricsRouter } from './http/api/playback-metrics.js';
import { transfersRouter } from './http/api/transfers.js';
import { createFfmpeg } from './transcoding/index.js';
import { createMediaTools } from './videos/media-tools.js';
import { noVideoEvents, type TorrentMaker, type VideoEvents } from './videos/ports.js';
import { createStorageLayout } from './videos/storage-layout.js';
import { createTranscodeJob, TRANSCODE_JOB, type VideoJobKinds } from './videos/transcode-job.js';
import { createResumableUploads } from './videos/upload/resumable-uploads.js';
import { createQuotaStore } from './videos/upload/quota-store.js';
import { createUploadAdmission } from './videos/upload/upload-admission.js';
import { createUploadSessionStore } from './videos/upload/upload-session-store.js';
import { createTranscodeStore } from './videos/transcode-store.js';
import { createTranscodeRerun } from './videos/transcode-rerun.js';
import { videoTranscodingRouter } from './http/api/video-transcoding.js';
import { killOrphanChildren } from './transcoding/orphan-children.js';
import { sweepAtStartup } from './videos/startup-sweep.js';
import { createVideoQueries } from './videos/video-queries.js';
import { createVideoService } from './videos/video-service.js';
import { createFederation, type FederationJobKinds } from './federation/create-federation.js';
import type { ActivityHandler } from './federation/inbox/process-activity.js';
import { createRedundancy, type RedundancyJobKinds } from './redundancy/create-redundancy.js';
import { createMirrorWebseeds } from './redundancy/origin/mirror-webseeds.js';
import { redundancyRouter } from './http/api/redundancy.js';
import { inboxRouter } from './http/activitypub/inbox-router.js';
import { followsRouter } from './http/api/follows.js';
import { searchRouter } from './http/api/search.js';
import { createPruner } from './housekeeping/pruner.js';
import { createPrunePrismaStore } from './housekeeping/prune-store.js';
import { measureFolders } from './housekeeping/folder-usage.js';
import { defineStorageMetrics } from './metrics/storage-metrics.js';
import { createRemoteImageService } from './federation/remote-images/index.js';
import { remoteImagesRoute } from './http/static/remote-images-route.js';
import { applyServerTimeouts } from './http/server-timeouts.js';
import type { LookupAddresses } from './federation/remote/index.js';
import { rateLimitMiddleware } from './http/rate-limit/rate-limit-middleware.js';
import { staffChecker } from './http/rate-limit/staff-checker.js';
import { createPrivacyChange } from './videos/privacy-change.js';
import { createPrivacyStore } from './videos/privacy-store.js';
import { createVideoAccessStore } from './videos/video-access-store.js';
import { createVideoFileTokens } from './videos/video-file-tokens.js';
import { PRIVATE_HLS_PREFIX, PRIVATE_WEB_VIDEOS_PREFIX, privateFolders } from './videos/privacy-folders.js';
import { privateFilesGate } from './http/static/private-files-gate.js';
import { videoTokenRouter } from './http/api/video-token.js';
import { createViews } from './views/create-views.js';
import { createRatings } from './ratings/create-ratings.js';
import { createComments } from './comments/create-comments.js';

export interface InstanceOptions {
  clock?: Clock;
  logger?: Logger;
  /**
   * Tests only (never from config): how outbound requests resolve host names, e.g. a replay test's
   * stand-in for `localhost:9000` on a loopback address. The SSRF guard still vets what it returns.
   */
  lookup?: LookupAddresses;
}

/** Job kinds of the whole instance: each area declares its own. */
export type InstanceJobKinds = VideoJobKinds & FederationJobKinds & RedundancyJobKinds;

/** A stable id for this instance's job leases, kept in its storage so a restart reclaims its own jobs. */
async function workerIdFor(root: string): Promise<string> {
  const file = join(root, 'worker-id');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const id = `worker-${randomBytes(6).toString('hex')}`;
    await writeFile(file, id);
    return id;
  }
}

/**
 * The composition root: builds every service of one instance from its configuration. Nothing is
 * global, so several instances run side by side in one process (each with its own database,
 * storage and port).
 */
export async function createInstance(config: InstanceConfig, options: InstanceOptions = {}) {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger({ level: config.log.level });
  const urls = createInstanceUrls(config.webserver);
  const layout = createStorageLayout(config.storage);
  for (const dir of layout.all()) await mkdir(dir, { recursive: true });

  const db: Database = await openDatabase({
    url: config.database.url,
    dataDir: config.storage.database,
    poolSize: config.database.pool_size,
    logger,
  });
  const { prisma } = db;
  const workerId = await workerIdFor(config.storage.root);
  const quotaStore = createQuotaStore(prisma);
  const sessionStore = createUploadSessionStore(prisma);
  const admission = createUploadAdmission({ store: quotaStore, clock, owner: workerId, maxFileSize: config.uploads.max_file_size });
  const metrics = createMetrics({ version: SOFTWARE_VERSION, endpoint: { enabled: config.metrics.enabled, bearerToken: config.metrics.bearer_token } });
  const metricsServer = config.metrics.listen ? createMetricsServer({ endpoint: metrics.endpoint, ...config.metrics.listen }) : null;
  // Bytes served and downloaded per video, origin host, kind and protocol (seeding ratios).
  const transfers = createTransferAccounting({ prisma, clock, metrics: metrics.transfers, logger, ownHost: urls.host, flushIntervalMs: config.metrics.transfers_flush_interval });
  const ffmpeg = createFfmpeg({
    ffmpegPath: config.ffmpeg.path,
    ffprobePath: config.ffprobe.path,
    logger: logger.child({ component: 'ffmpeg' }),
    owner: resolve(config.storage.root),
  });

  const accounts = createAccountService({
    prisma,
    urls,
    logger,
    defaults: { videoQuota: config.user.video_quota, videoQuotaDaily: config.user.video_quota_daily },
  });
  const tokens = createTokenService({ prisma, clock });
  const auth = createAuth({ tokens, accounts });

  const trackerUrls = buildTrackerUrls(urls.base);
  const torrents: TorrentMaker = {
    create: ({ filePath, name, urlList }) => createTorrentFile({ filePath, name, urlList, announceList: buildAnnounceList(trackerUrls) }),
  };

  const seeding = createSeedingService({
    settings: config.seeding,
    prisma,
    paths: { webVideo: layout.webVideo, hlsFile: (uuid, filename) => join(layout.hlsDir(uuid), filename), torrent: layout.torrent },
    ownHost: urls.host,
    clock,
    logger,
    onUpload: (_infoHash, bytes, protocol, file) => transfers.served(file, protocol, bytes),
    redundancyDir: config.storage.redundancy,
  });
  if (seeding.seeder) metrics.p2p.setSeederSource(() => seeding.seeder!.stats());

  const scheduler = createScheduler({ clock, logger });
  // Federation replaces this once its services exist (they need the job queue created below).
  const videoEvents: VideoEvents = { ...noVideoEvents };
  // The queue is created after the handlers' dependencies; the video service reaches it through this port.
  let wakeTranscoding = () => {};
  const videos = createVideoService({
    prisma,
    clock,
    urls,
    layout,
    media: createMediaTools(ffmpeg, config.storage.tmp),
    torrents,
    transcoding: {
      schedule: async (videoId, tx) => {
        await jobs.enqueue(TRANSCODE_JOB, { videoId }, { dedupeKey: `video-${videoId}` }, tx);
      },
      wake: () => wakeTranscoding(),
    },
    events: videoEvents,
    seeding: seeding.port,
    logger,
    options: { transcodingEnabled: config.transcoding.enabled, maxFileSize: config.uploads.max_file_size },
    privacyChange: createPrivacyChange({ store: createPrivacyStore(prisma), layout, urls, events: videoEvents, seeding: seeding.port, logger }),
    admission,
  });
  const queries = createVideoQueries(prisma);
  const redundancyHandlers: Record<string, ActivityHandler> = {};
  const federation = createFederation({
    config,
    prisma,
    clock,
    logger,
    urls,
    metrics,
    magnet: buildMagnetUri,
    jobs: () => jobs,
    addLocalView: (videoId) => videos.addView(videoId),
    extraHandlers: redundancyHandlers,
    ...(options.lookup ? { lookup: options.lookup } : {}),
  });
  Object.assign(videoEvents, federation.videoEvents);
  // views as PeerTube counts them (POST /videos/:id/views, inbound View)
  const views = await createViews({
    config,
    prisma,
    clock,
    logger,
    sender: federation.sender,
    followerInboxes: (ids) => federation.follows.followerInboxes(ids),
    onLocalViewCounted: (videoId) => videoEvents.viewed(videoId),
  });
  Object.assign(redundancyHandlers, views.handlers);
  // one rate per account and video (PUT /videos/:id/rate, inbound Like/Dislike/Undo)
  const ratings = createRatings({ prisma, logger, sender: federation.sender, resolver: federation.resolver, onLocalVideoRated: (videoId) => videoEvents.updated(videoId) });
  Object.assign(redundancyHandlers, ratings.handlers);
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
    fetchJson: async (url) => {
      const fetched = await federation.fetcher.fetchJson(url);
      return fetched.ok ? fetched.json : null;
    },
  });
  Object.assign(redundancyHandlers, comments.handlers);
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
    jobs: () => jobs,
    recordDownload: ({ videoUuid, originHost, bytes }) => transfers.recordDownload({ videoUuid, originHost, protocol: 'http', bytes }),
    hlsDir: layout.hlsDir,
    webVideoPath: layout.webVideo,
    refetchVideo: (videoId) => federation.importer.refresh(videoId),
    onCopiesChanged: () => seeding.syncCopies(),
    ...(options.lookup ? { lookup: options.lookup } : {}),
  });
  // inbound CacheFile activities reach the origin side of redundancy
  Object.assign(redundancyHandlers, redundancy.originHandlers);
  const resumable = createResumableUploads({
    store: sessionStore,
    admission,
    clock,
    layout,
    videos,
    expirationMs: config.uploads.resumable_expiration,
    owner: workerId,
  });

  const transcodeStore = createTranscodeStore(prisma);
  const jobs = createJobQueue<InstanceJobKinds>({
    prisma,
    clock,
    logger,
    workerId,
    pollIntervalMs: config.jobs.poll_interval,
    leaseMs: config.jobs.lease_duration,
    metrics: metrics.jobs,
    handlers: {
      ...federation.jobHandlers,
      ...redundancy.jobHandlers,
      [TRANSCODE_JOB]: createTranscodeJob({
        prisma,
        ffmpeg,
        clock,
        urls,
        layout,
        torrents,
        concurrency: config.transcoding.enabled ? config.transcoding.concurrency : 0,
        events: videoEvents,
        seeding: seeding.port,
        ladder: { resolutions: config.transcoding.resolutions, hls: config.transcoding.hls.enabled, webVideos: config.transcoding.web_videos.enabled },
        options: {
          preset: config.transcoding.preset,
          threads: config.transcoding.threads,
          segmentDuration: config.transcoding.hls_segment_duration,
          keyframeInterval: config.transcoding.hls_segment_duration % 2 === 0 ? 2 : 1,
        },
        observe: (type, seconds) => metrics.transcodeDuration.observe({ type }, seconds),
        store: transcodeStore,
        logger: logger.child({ component: 'transcoding' }),
      }),
    },
  });
  wakeTranscoding = () => jobs.wake(TRANSCODE_JOB);
  scheduler.every('remove-expired-uploads', 3600_000, () => resumable.removeExpired());
  scheduler.every('views', views.tickIntervalMs, views.tick);
  scheduler.every('redundancy-plan', redundancy.policy.checkIntervalMs, redundancy.ticks.plan);
  scheduler.every('redundancy-verify', config.redundancy.verify_interval, redundancy.ticks.verify);
  scheduler.every('redundancy-origin-health', config.redundancy.origin_check_interval, redundancy.ticks.originHealth);
  // new mirrored copies get seeded, evicted ones stop being seeded
  scheduler.every('seeding-copies', 60_000, () => seeding.syncCopies());
  // finished jobs and handled inbox activities past their retention, in bounded batches
  const pruner = createPruner({
    store: createPrunePrismaStore(prisma),
    clock,
    logger,
    settings: {
      completedJobsMs: config.jobs.completed_retention,
      failedJobsMs: config.jobs.failed_retention,
      inboxActivitiesMs: config.federation.inbox_retention,
      batchSize: config.jobs.prune_batch_size,
      maxBatches: config.jobs.prune_max_batches,
    },
  });
  // disk figures per storage folder: free/total at each scrape, the bytes under each folder by this tick
  const { root: _root, ...storageFolders } = config.storage;
  const storageMetrics = defineStorageMetrics(metrics.registry, storageFolders);
  scheduler.every('storage-usage', 5 * 60_000, ({ signal }) => measureFolders(storageMetrics.folders, storageMetrics.setUsed, signal));
  scheduler.every('prune-old-rows', config.jobs.prune_interval, ({ signal }) => pruner.tick(signal));
  scheduler.every('redundancy-probe', Math.min(config.remote_redundancy.videos.probe_interval, redundancy.policy.checkIntervalMs), redundancy.ticks.probe);
  // the policy in force (config file, or stored through the API) sets the planning interval
  const followPolicyIntervals = () => {
    scheduler.reschedule('redundancy-plan', redundancy.policy.checkIntervalMs);
    scheduler.reschedule('redundancy-probe', Math.min(config.remote_redundancy.videos.probe_interval, redundancy.policy.checkIntervalMs));
  };

  const tracker: Tracker | null = config.tracker.enabled
    ? createTracker({
        private: config.tracker.private,
        isAllowedInfoHash: trackerAdmission({ store: createTrackerInfohashStore(prisma), isSeeding: (infoHash) => seeding.isSeeding(infoHash) }),
        logger: logger.child({ component: 'tracker' }),
        onAnnounce: (protocol, event) => metrics.p2p.announce(protocol, event),
        onRefused: () => metrics.p2p.refused(),
      })
    : null;
  if (tracker) metrics.p2p.setTrackerSource(() => tracker.stats());

  // thumbnails, previews and avatars of remote videos and actors, fetched on first request
  const remoteImages = createRemoteImageService({ config, prisma, fetcher: federation.fetcher, clock, logger });
  // our videos' HLS torrents are served with their healthy mirrors as webseeds (same infohash)
  const torrentWebseeds = torrentWebseedsResponder({ webseeds: createMirrorWebseeds({ prisma, urls }), logger });
  // private and internal videos: files under the private paths, for their owner, moderators or a file token
  const videoAccessStore = createVideoAccessStore(prisma);
  const videoFileTokens = createVideoFileTokens({ clock });
  const privateGate = (kind: 'hls' | 'web-videos') =>
    privateFilesGate({ kind, store: videoAccessStore, fileTokens: videoFileTokens, auth, userRole: async (id) => (await accounts.getUser(id))?.role ?? null });
  let ready = false;
  const app = createHttpApp({
    logger,
    metrics,
    tracker,
    metricsOnMainListener: metricsServer === null,
    isReady: () => ready,
    rateLimit: rateLimitMiddleware({ settings: { rates: config.rates_limit, trustProxy: config.trust_proxy }, clock, isStaff: staffChecker({ tokens, accounts }) }),
    checkDatabase: async () => {
      try {
        await prisma.$queryRaw`SELECT 1`;
        return true;
      } catch {
        return false;
      }
    },
    rootRouters: [
      inboxRouter({ receiver: federation.receiver, maxBodyBytes: config.federation.max_activity_size }),
      activityPubGetRouter({
        prisma,
        urls,
        magnet: buildMagnetUri,
        interactions: (video, which, window) =>
          which === 'comments' ? comments.commentUrls(video.id, window) : ratings.rateUrls(video.id, which === 'likes' ? 'like' : 'dislike', window),
      }),
      comments.apRouter(),
      wellKnownRouter({
        prisma,
        urls,
        clock,
        config,
        version: SOFTWARE_VERSION,
        redundancy: () => ({
          strategies: redundancy.policy.strategies.map((s) => ({ strategy: s.strategy, size: s.sizeBytes, minLifetime: s.minLifetimeMs, minViews: s.minViews })),
          acceptFrom: config.remote_redundancy.videos.accept_from,
        }),
      }),
    ],
    apiRouters: [
      followsRouter({ follows: federation.follows, prisma, urls, auth, afterUnfollow: () => redundancy.engine.hostPolicyChanged() }),
      redundancyRouter({
        prisma,
        auth,
        engine: redundancy.engine,
        policy: {
          get: redundancy.serializedPolicy,
          set: redundancy.setPolicy,
          changed: () => {
            followPolicyIntervals();
            return redundancy.ticks.plan();
          },
        },
        onPlanError: (err) => logger.error({ err, component: 'redundancy' }, 'planning after a policy change failed; the next tick plans again'),
        transfers,
      }),
      oauthRouter({ tokens }),
      usersRouter({ accounts, urls, auth, quota: videos }),
      uploadsRouter({
        videos,
        resumable,
        auth,
        tmpDir: layout.uploadsTmp,
        maxFileSize: config.uploads.max_file_size,
        countUpload: (protocol, outcome) => metrics.uploads.inc({ protocol, outcome }),
      }),
      videosRouter({ videos, queries, urls, auth, magnet: buildMagnetUri, refreshIfStale: federation.refreshIfStale, playFrom: redundancy.playFrom, viewersOf: views.viewersOf }),
      views.router({ queries, auth }),
      ratings.router({ queries, auth }),
      comments.router({ videos: queries, auth }),
      searchRouter({ queries, importer: federation.importer, urls, auth, prisma }),
      videoTranscodingRouter({
        auth,
        rerun: createTranscodeRerun({
          store: transcodeStore,
          transcodingEnabled: config.transcoding.enabled,
          outputs: { hls: config.transcoding.hls.enabled, webVideos: config.transcoding.web_videos.enabled },
          jobKind: TRANSCODE_JOB,
          enqueue: async (videoId, tx) => void (await jobs.enqueue(TRANSCODE_JOB, { videoId }, { dedupeKey: `video-${videoId}` }, tx)),
          wake: () => jobs.wake(TRANSCODE_JOB),
        }),
      }),
      serverRouter({ config, prisma, jobs, auth, redundancyStats: redundancy.stats }),
      transfersRouter({ transfers, prisma, auth }),
      playbackMetricsRouter({ prisma, record: (report) => metrics.playback.record(report), auth, access: videoAccessStore }),
      videoTokenRouter({ auth, store: videoAccessStore, fileTokens: videoFileTokens }),
    ],
    beforeStatic: [remoteImagesRoute(remoteImages)],
    staticCacheBytes: config.cache.static_files.size,
    staticMounts: [
      { urlPrefix: '/static/streaming-playlists/hls/', directory: layout.hlsRoot, onBytesSent: transfers.onStaticBytes('streaming-playlists') },
      { urlPrefix: '/static/web-videos/', directory: config.storage.web_videos, onBytesSent: transfers.onStaticBytes('web-videos') },
      // private files: not counted per video (private videos are never in transfer figures), never cached by proxies
      { urlPrefix: PRIVATE_HLS_PREFIX, directory: privateFolders(layout).hlsRoot, cacheControl: 'private, no-store', respond: privateGate('hls') },
      { urlPrefix: PRIVATE_WEB_VIDEOS_PREFIX, directory: privateFolders(layout).webVideos, cacheControl: 'private, no-store', respond: privateGate('web-videos') },
      { urlPrefix: '/static/redundancy/hls/', directory: join(config.storage.redundancy, 'hls'), onBytesSent: transfers.onStaticBytes('redundancy') },
      { urlPrefix: '/lazy-static/torrents/', directory: config.storage.torrents, onBytesSent: transfers.onStaticBytes('torrents'), respond: torrentWebseeds },
      { urlPrefix: '/download/torrents/', directory: config.storage.torrents, onBytesSent: transfers.onStaticBytes('torrents'), respond: torrentWebseeds },
      { urlPrefix: '/lazy-static/thumbnails/', directory: config.storage.thumbnails, onBytesSent: transfers.onStaticBytes('thumbnails') },
      { urlPrefix: '/lazy-static/previews/', directory: config.storage.previews, onBytesSent: transfers.onStaticBytes('previews') },
    ],
  });

  let server: Server | undefined;
  const sockets = new Set<Socket>();

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
    videos,
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
    /** the port actually listened on (listen.port may be 0) */
    get port(): number {
      const address = server?.address();
      return typeof address === 'object' && address ? address.port : config.listen.port;
    },

    async start(): Promise<void> {
      // What a crash of the previous run left: its ffmpeg children, and files no live job or session owns.
      const orphans = await killOrphanChildren(resolve(config.storage.root));
      if (orphans.length > 0) logger.warn({ pids: orphans }, 'killed ffmpeg processes left running by a previous run');
      await sweepAtStartup({
        layout,
        owner: workerId,
        sessions: sessionStore,
        quota: quotaStore,
        logger,
      });
      await transfers.start();
      await remoteImages.start();
      server = createServer(app.callback());
      applyServerTimeouts(server);
      server.on('connection', (socket: Socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
      if (tracker) {
        server.on('upgrade', (req, socket, head) => {
          if ((req.url ?? '').split('?')[0] === '/tracker/socket') tracker.handleUpgrade(req, socket, head);
          else socket.destroy();
        });
      }
      // listen first: a port in use stops start-up before the root user (and its password, shown
      // once) is created; requests meanwhile see /readyz 503
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(config.listen.port, config.listen.hostname, () => resolve());
      });
      await accounts.ensureInstanceActor();
      const rootPassword = config.admin.initial_password ?? generatePassword();
      const root = await accounts.ensureRootUser({ password: rootPassword, email: config.admin.email });
      if (root.created && !config.admin.initial_password) {
        // Printed once, on first start: the only time the generated password is shown
        // (`mirrortube reset-password --user root` sets a new one).
        logger.warn(`created the "root" administrator with the generated password: ${rootPassword}`);
      }
      await redundancy.loadPolicy();
      followPolicyIntervals();
      await redundancy.engine.cleanup();
      await seeding.start();
      await metricsServer?.start();
      await jobs.start();
      scheduler.start();
      ready = true;
      logger.info({ url: urls.base, listen: `${config.listen.hostname}:${this.port}`, database: db.kind }, 'mirrortube started');
    },

    /** Stops intake, drains jobs within the deadline, kills ffmpeg children, closes sockets and the database. */
    async stop(): Promise<void> {
      ready = false;
      await seeding.stop();
      await metricsServer?.stop();
      const closed = server ? new Promise<void>((resolve) => server!.close(() => resolve())) : Promise.resolve();
      server?.closeIdleConnections();
      await scheduler.stop({ deadlineMs: config.jobs.shutdown_deadline });
      await jobs.stop({ deadlineMs: config.jobs.shutdown_deadline });
      redundancy.close();
      await ffmpeg.killAll();
      await tracker?.close();
      for (const socket of sockets) socket.destroy();
      await closed;
      await transfers.stop();
      await db.close();
      logger.info('mirrortube stopped');
    },
  };
}

export type Instance = Awaited<ReturnType<typeof createInstance>>;
