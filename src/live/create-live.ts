import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Registry } from 'prom-client';
import type { InstanceConfig } from '../config/index.js';
import { defineLiveMetrics, type LiveMetrics } from '../metrics/index.js';
import type { Prisma } from '../db/index.js';
import type { Auth } from '../http/auth.js';
import { createMemoryFiles } from '../http/static/index.js';
import type { Clock } from '../lib/clock.js';
import type { InstanceUrls } from '../lib/instance-urls.js';
import type { Logger } from '../lib/logger.js';
import { fail, ok } from '../lib/result.js';
import { PREVIEW_SIZE, THUMBNAIL_SIZE, type Ffmpeg } from '../transcoding/index.js';
import { layoutForPrivacy } from '../videos/privacy-folders.js';
import type { StorageLayout } from '../videos/storage-layout.js';
import type { VideoEventEmitter } from '../videos/video-events.js';
import type { VideoQueries } from '../videos/video-queries.js';
import type { VideoService } from '../videos/video-service.js';
import { hlsCacheControl } from './live-hls-args.js';
import { liveRouter } from './live-router.js';
import { createLiveRuntime, type ReplayMaker } from './live-runtime.js';
import { createLiveService } from './live-service.js';
import { createPrismaLiveStore } from './live-store.js';
import { createRtmpServer } from './rtmp-server.js';

const resolutionsOf = (map: Record<string, boolean>) =>
  Object.entries(map)
    .filter(([, on]) => on)
    .map(([k]) => Number(k.replace('p', '')));

/**
 * The live area: RTMP ingest (node-media-server's protocol, our server), the runtime of sessions
 * (HLS muxing with ffmpeg, segment hashes, replays through the upload path), PeerTube's live API.
 * Lives are videos: their creation and state changes go out through the video events (federation
 * sends Create/Update).
 */
export function createLive(deps: {
  config: InstanceConfig;
  prisma: Prisma;
  clock: Clock;
  logger: Logger;
  urls: InstanceUrls;
  layout: StorageLayout;
  ffmpeg: Ffmpeg;
  events: VideoEventEmitter;
  /** replays become videos the way uploads do */
  videos: Pick<VideoService, 'acceptUpload'>;
  /** the instance's metrics registry (the live metrics are defined on it) */
  registry: Registry;
}) {
  const { config, clock, logger } = deps;
  const live = config.live;
  const store = createPrismaLiveStore(deps.prisma);
  const recordingsDir = join(config.storage.tmp, 'live');

  const replays: ReplayMaker = {
    async create({ live: source, userId, name, privacy, file }) {
      const accepted = await deps.videos.acceptUpload(
        userId,
        {
          name,
          channelId: source.channelId,
          privacy,
          description: source.description,
          category: source.category,
          licence: source.licence,
          language: source.language,
          nsfw: source.nsfw,
          tags: source.tags,
        },
        { path: file.path, size: file.size, originalName: 'replay.flv', mimeType: 'video/x-flv' },
      );
      return accepted.ok ? ok({ id: accepted.value.id, uuid: accepted.value.uuid }) : fail(accepted.reason);
    },
  };

  // the runtime reports to metrics that read it back (publishers): defined once it exists
  let metrics: LiveMetrics | null = null;
  // playlists and hot segments of our lives and of the lives we relay, answered from memory by the static fast path
  const memoryFiles = createMemoryFiles({ maxBytes: live.memory_cache.size });
  const runtime = createLiveRuntime({
    hot: memoryFiles,
    observe: {
      refused: (reason) => metrics?.refused(reason),
      sessionEnded: (outcome) => metrics?.sessionEnded(outcome),
      segment: () => metrics?.segment(),
    },
    store,
    ffmpeg: deps.ffmpeg,
    hlsDir: (uuid, privacy) => layoutForPrivacy(deps.layout, privacy).hlsDir(uuid),
    recordingsDir,
    replays,
    updated: (videoId) => deps.events.updated(videoId),
    clock,
    logger,
    settings: {
      maxDurationMs: live.max_duration === -1 ? null : live.max_duration,
      maxInstanceLives: live.max_instance_lives,
      maxUserLives: live.max_user_lives,
      allowReplay: live.allow_replay,
      latencySettingEnabled: live.latency_setting.enabled,
      muxer: {
        transcoding: live.transcoding.enabled,
        resolutions: resolutionsOf(live.transcoding.resolutions),
        alwaysOriginal: live.transcoding.always_transcode_original_resolution,
        threads: live.transcoding.threads,
      },
    },
  });

  metrics = defineLiveMetrics(deps.registry, { publishers: runtime.runningCount, livesByState: () => store.countByState() });

  // a live deleted while published: its publisher is cut first
  deps.events.on('deleting', (videoId) => runtime.cut(videoId));

  const rtmp = live.enabled && live.rtmp.enabled ? createRtmpServer({ hostname: live.rtmp.hostname, port: live.rtmp.port, authority: runtime.authority, logger }) : null;
  const rtmps =
    live.enabled && live.rtmps.enabled
      ? createRtmpServer({ hostname: live.rtmps.hostname, port: live.rtmps.port, authority: runtime.authority, logger, tls: { keyFile: live.rtmps.key_file, certFile: live.rtmps.cert_file } })
      : null;
  const rtmpPort = () => rtmp?.port() ?? null;
  // PeerTube's rtmpUrl / rtmpsUrl: the base the stream key is appended to
  const ingestUrl = (scheme: string, server: typeof rtmp, publicHostname: string | null) => {
    const port = server?.port() ?? null;
    return port === null ? null : `${scheme}://${publicHostname ?? config.webserver.hostname}:${port}/live`;
  };
  const rtmpUrl = () => ingestUrl('rtmp', rtmp, live.rtmp.public_hostname);
  const rtmpsUrl = () => ingestUrl('rtmps', rtmps, live.rtmps.public_hostname);

  const service = createLiveService({
    store,
    clock,
    urls: deps.urls,
    published: (videoId) => deps.events.published(videoId),
    updated: (videoId) => deps.events.updated(videoId),
    isRunning: runtime.isRunning,
    async makeImages(uuid) {
      const name = `${uuid}.jpg`;
      for (const [path, size] of [
        [deps.layout.thumbnail(name), THUMBNAIL_SIZE],
        [deps.layout.preview(name), PREVIEW_SIZE],
      ] as const) {
        const made = await deps.ffmpeg.runFfmpeg(['-v', 'error', '-y', '-f', 'lavfi', '-i', `color=c=0x1f2937:s=${size.width}x${size.height}`, '-frames:v', '1', path]);
        if (!made.ok) {
          logger.warn({ video: uuid, reason: made.reason }, 'cannot make the live images');
          return null;
        }
      }
      return name;
    },
    rtmpUrl,
    rtmpsUrl,
    settings: {
      enabled: live.enabled,
      allowReplay: live.allow_replay,
      maxInstanceLives: live.max_instance_lives,
      maxUserLives: live.max_user_lives,
      latencySettingEnabled: live.latency_setting.enabled,
    },
    logger,
  });

  return {
    service,
    runtime,
    memoryFiles,
    rtmpPort,
    rtmpUrl,
    rtmpsUrl,
    /** the RTMPS port listened on (null when off) */
    rtmpsPort: () => rtmps?.port() ?? null,
    /** Cache-Control of the files under /static/streaming-playlists/hls/ (live playlists revalidated, segments immutable) */
    hlsCacheControl,
    router: (r: { queries: Pick<VideoQueries, 'findByRef'>; auth: Auth }) => liveRouter({ service, ...r }),
    async start(): Promise<void> {
      // recordings of sessions a previous run did not finish cannot become replays any more
      await rm(recordingsDir, { recursive: true, force: true });
      await mkdir(recordingsDir, { recursive: true });
      await runtime.start();
      await rtmp?.start();
      await rtmps?.start();
    },
    async stop(): Promise<void> {
      await Promise.all([rtmp?.stop(), rtmps?.stop()]);
      await runtime.stop();
    },
  };
}

export type Live = ReturnType<typeof createLive>;
