import { createServer, type Server } from 'node:http';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
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
import { createJobQueue, createScheduler } from './jobs/index.js';
import { systemClock, type Clock } from './lib/clock.js';
import { createInstanceUrls } from './lib/instance-urls.js';
import { createLogger, type Logger } from './lib/logger.js';
import { createMetrics } from './metrics/index.js';
import { buildAnnounceList, buildMagnetUri, buildTrackerUrls, createTorrentFile, createTracker, type Tracker } from './p2p/index.js';
import { createFfmpeg } from './transcoding/index.js';
import { createMediaTools } from './videos/media-tools.js';
import { noVideoEvents, type TorrentMaker, type VideoEvents } from './videos/ports.js';
import { createStorageLayout } from './videos/storage-layout.js';
import { createTranscodeJob, TRANSCODE_JOB, type VideoJobKinds } from './videos/transcode-job.js';
import { createResumableUploads } from './videos/upload/resumable-uploads.js';
import { createVideoQueries } from './videos/video-queries.js';
import { createVideoService } from './videos/video-service.js';

export interface InstanceOptions {
  clock?: Clock;
  logger?: Logger;
}

/** Job kinds of the whole instance: each area declares its own. */
export type InstanceJobKinds = VideoJobKinds;

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
  const metrics = createMetrics({ version: SOFTWARE_VERSION });
  const ffmpeg = createFfmpeg({ ffmpegPath: config.ffmpeg.path, ffprobePath: config.ffprobe.path, logger: logger.child({ component: 'ffmpeg' }) });

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
    logger,
    options: { transcodingEnabled: config.transcoding.enabled, maxFileSize: config.uploads.max_file_size },
  });
  const queries = createVideoQueries(prisma);
  const resumable = createResumableUploads({ prisma, clock, layout, videos, expirationMs: config.uploads.resumable_expiration });

  const jobs = createJobQueue<InstanceJobKinds>({
    prisma,
    clock,
    logger,
    workerId: await workerIdFor(config.storage.root),
    pollIntervalMs: config.jobs.poll_interval,
    leaseMs: config.jobs.lease_duration,
    metrics: metrics.jobs,
    handlers: {
      [TRANSCODE_JOB]: createTranscodeJob({
        prisma,
        ffmpeg,
        clock,
        urls,
        layout,
        torrents,
        concurrency: config.transcoding.enabled ? config.transcoding.concurrency : 0,
        events: videoEvents,
        ladder: { resolutions: config.transcoding.resolutions, hls: config.transcoding.hls.enabled, webVideos: config.transcoding.web_videos.enabled },
        options: {
          preset: config.transcoding.preset,
          threads: config.transcoding.threads,
          segmentDuration: config.transcoding.hls_segment_duration,
          keyframeInterval: config.transcoding.hls_segment_duration % 2 === 0 ? 2 : 1,
        },
        observe: (type, seconds) => metrics.transcodeDuration.observe({ type }, seconds),
      }),
    },
  });
  wakeTranscoding = () => jobs.wake(TRANSCODE_JOB);
  scheduler.every('remove-expired-uploads', 3600_000, () => resumable.removeExpired());

  const tracker: Tracker | null = config.tracker.enabled
    ? createTracker({
        private: config.tracker.private,
        isAllowedInfoHash: async (infoHash) => (await prisma.videoFile.count({ where: { infoHash } })) > 0,
        logger: logger.child({ component: 'tracker' }),
      })
    : null;

  let ready = false;
  const app = createHttpApp({
    logger,
    metrics,
    tracker,
    isReady: () => ready,
    checkDatabase: async () => {
      try {
        await prisma.$queryRaw`SELECT 1`;
        return true;
      } catch {
        return false;
      }
    },
    apiRouters: [
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
      videosRouter({ videos, queries, urls, auth, magnet: buildMagnetUri }),
      serverRouter({ config, prisma, jobs, auth }),
    ],
    staticMounts: [
      { urlPrefix: '/static/streaming-playlists/hls/', directory: layout.hlsRoot },
      { urlPrefix: '/static/web-videos/', directory: config.storage.web_videos },
      { urlPrefix: '/static/redundancy/hls/', directory: config.storage.redundancy },
      { urlPrefix: '/lazy-static/torrents/', directory: config.storage.torrents },
      { urlPrefix: '/download/torrents/', directory: config.storage.torrents },
      { urlPrefix: '/lazy-static/thumbnails/', directory: config.storage.thumbnails },
      { urlPrefix: '/lazy-static/previews/', directory: config.storage.previews },
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
    /** the port actually listened on (listen.port may be 0) */
    get port(): number {
      const address = server?.address();
      return typeof address === 'object' && address ? address.port : config.listen.port;
    },

    async start(): Promise<void> {
      await accounts.ensureInstanceActor();
      const rootPassword = config.admin.initial_password ?? generatePassword();
      const root = await accounts.ensureRootUser({ password: rootPassword, email: config.admin.email });
      if (root.created && !config.admin.initial_password) {
        // Printed once, on first start: the only time the generated password is shown.
        logger.warn(`created the "root" administrator with the generated password: ${rootPassword}`);
      }
      server = createServer(app.callback());
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
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(config.listen.port, config.listen.hostname, () => resolve());
      });
      await jobs.start();
      scheduler.start();
      ready = true;
      logger.info({ url: urls.base, listen: `${config.listen.hostname}:${this.port}`, database: db.kind }, 'mirrortube started');
    },

    /** Stops intake, drains jobs within the deadline, kills ffmpeg children, closes sockets and the database. */
    async stop(): Promise<void> {
      ready = false;
      const closed = server ? new Promise<void>((resolve) => server!.close(() => resolve())) : Promise.resolve();
      server?.closeIdleConnections();
      await scheduler.stop({ deadlineMs: config.jobs.shutdown_deadline });
      await jobs.stop({ deadlineMs: config.jobs.shutdown_deadline });
      await ffmpeg.killAll();
      await tracker?.close();
      for (const socket of sockets) socket.destroy();
      await closed;
      await db.close();
      logger.info('mirrortube stopped');
    },
  };
}

export type Instance = Awaited<ReturnType<typeof createInstance>>;
