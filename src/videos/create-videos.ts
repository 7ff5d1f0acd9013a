import type { InstanceConfig } from '../config/index.js';
import type { Prisma } from '../db/index.js';
import type { JobQueue } from '../jobs/index.js';
import type { Clock } from '../lib/clock.js';
import type { InstanceUrls } from '../lib/instance-urls.js';
import type { Logger } from '../lib/logger.js';
import type { Metrics } from '../metrics/index.js';
import type { Ffmpeg } from '../transcoding/index.js';
import type { Tx } from '../lib/tx.js';
import { createMediaTools } from './media-tools.js';
import type { SeedingPort, TorrentMaker } from './ports.js';
import { createPrivacyChange } from './privacy-change.js';
import { createPrivacyStore } from './privacy-store.js';
import type { StorageLayout } from './storage-layout.js';
import { createTranscodeJob, TRANSCODE_JOB, type VideoJobKinds } from './transcode-job.js';
import { createTranscodeRerun } from './transcode-rerun.js';
import { createTranscodeStore } from './transcode-store.js';
import { createQuotaStore } from './upload/quota-store.js';
import { createResumableUploads } from './upload/resumable-uploads.js';
import { createUploadAdmission } from './upload/upload-admission.js';
import { createUploadSessionStore } from './upload/upload-session-store.js';
import { sweepAtStartup } from './startup-sweep.js';
import type { VideoEventEmitter } from './video-events.js';
import { createPrismaVideoStore } from './video-store.js';
import { createVideoService } from './video-service.js';
import { createAbandonedUploadCleanup, createObjectStorage, createUploadTrackingStore, loadS3ObjectStore, trackUploads, type ObjectStorage } from '../storage/index.js';
import { createObjectStorageStore } from './object-storage-store.js';
import { createStorageMove, MOVE_TO_FILE_SYSTEM_JOB, MOVE_TO_OBJECT_STORAGE_JOB, type StorageMove } from './object-storage-move.js';

/**
 * The videos area: the video service (uploads, lifecycle, privacy) and the transcoding job it
 * schedules, registered on `jobs`. Video changes are emitted on `events`. It also opens the S3-compatible
 * object storage (object_storage.enabled), where transcoded files and mirrored copies go: the
 * instance hands it on to the areas that write there and to the static mounts. Uploads are admitted
 * against quotas (reservations owned by this worker); resumable uploads may live on another node.
 */
export async function createVideos(deps: {
  config: InstanceConfig;
  prisma: Prisma;
  clock: Clock;
  logger: Logger;
  urls: InstanceUrls;
  layout: StorageLayout;
  metrics: Metrics;
  ffmpeg: Ffmpeg;
  torrents: TorrentMaker;
  seeding: SeedingPort;
  jobs: JobQueue<VideoJobKinds>;
  events: VideoEventEmitter;
  /** this instance's worker id: it owns its quota reservations and upload sessions, and its uploads to object storage are recorded under it */
  workerId: string;
  /** is this cluster node online (a resumable upload begun on another node)? */
  nodeOnline: (node: string) => Promise<boolean>;
  /** the cluster's nodes (the node registry's view): whose multipart uploads may still be running */
  clusterNodes: () => Promise<{ id: string; self: boolean; state: string; startedAt: string }[]>;
}) {
  const { config, prisma, clock, logger, urls, layout, torrents, seeding, jobs, events, workerId } = deps;
  // uploads: quota reservations and resumable sessions
  const quotaStore = createQuotaStore(prisma);
  const sessionStore = createUploadSessionStore(prisma);
  const admission = createUploadAdmission({ store: quotaStore, clock, owner: workerId, maxFileSize: config.uploads.max_file_size });
  // object storage (object_storage.enabled): transcoded files move there, private ones under `private/`
  // every upload recorded while it runs: the multipart uploads a killed node leaves are then told from live ones
  const uploadTracking = createUploadTrackingStore(prisma);
  const objectStorage: ObjectStorage | null = config.object_storage.enabled
    ? createObjectStorage(config.object_storage, trackUploads(await loadS3ObjectStore(config.object_storage), { settings: config.object_storage, tracking: uploadTracking, node: deps.workerId, clock }))
    : null;
  // multipart uploads that a killed node left in our buckets (parts billed, never listed): aborted once no live node writes them
  const multipart = objectStorage?.store.multipart;
  const abandonedUploads = multipart
    ? createAbandonedUploadCleanup({
        settings: config.object_storage,
        multipart,
        tracking: uploadTracking,
        nodes: async () => {
          const nodes = await deps.clusterNodes();
          // before this node registers, every upload would look abandoned
          if (!nodes.some((n) => n.self)) throw new Error('this node is not in the node registry yet');
          return nodes.map((n) => ({ id: n.id, online: n.state === 'online', startedAt: new Date(n.startedAt) }));
        },
        clock,
        logger,
      })
    : null;
  const storageMove: StorageMove | null = objectStorage
    ? createStorageMove({ objects: objectStorage, store: createObjectStorageStore(prisma), layout, urls, seeding, logger })
    : null;
  /**
   * Object storage: a publication (the end of a transcode, an upload published as is) writes the
   * move of its files in the transaction that publishes, so a crash right after the commit cannot
   * leave the video on disk for good (the job survives, and a new node runs it). Deduplicated
   * against a pending move only: a move already running may have listed the older files.
   */
  const scheduleMove = storageMove
    ? async (videoId: number, tx: Tx) => {
        await jobs.enqueue(MOVE_TO_OBJECT_STORAGE_JOB, { videoId }, { dedupeKey: `move-${videoId}`, dedupePendingOnly: true }, tx);
      }
    : null;
  /**
   * Moves left undone whose files are on this node's disk get their job again (at start and every
   * few minutes): a move that failed for good is tried anew, never forgotten. Deduplicated against a
   * pending or running move of the video.
   */
  const resumeMoves = storageMove
    ? async (): Promise<number> => {
        let queued = 0;
        for (const videoId of await storageMove.pendingHere()) {
          const r = await jobs.enqueue(MOVE_TO_OBJECT_STORAGE_JOB, { videoId }, { dedupeKey: `move-${videoId}` });
          if (!r.deduplicated) queued++;
        }
        if (queued > 0) logger.info({ queued }, 'moves to object storage left undone queued again');
        return queued;
      }
    : null;
  if (storageMove) {
    jobs.register(MOVE_TO_OBJECT_STORAGE_JOB, storageMove.jobs[MOVE_TO_OBJECT_STORAGE_JOB]);
    jobs.register(MOVE_TO_FILE_SYSTEM_JOB, storageMove.jobs[MOVE_TO_FILE_SYSTEM_JOB]);
    // the move was written with the publication: start it now rather than on the next poll
    events.on('published', async () => jobs.wake(MOVE_TO_OBJECT_STORAGE_JOB));
  }
  const transcoding = config.transcoding;
  const scheduleTranscode = async (videoId: number, tx: Parameters<typeof jobs.enqueue>[3]) => {
    await jobs.enqueue(TRANSCODE_JOB, { videoId }, { dedupeKey: `video-${videoId}` }, tx);
  };
  const transcodeStore = createTranscodeStore(prisma);
  // the transcode records its outputs (and publishes) in one transaction: the move joins it
  const transcodeRunStore: typeof transcodeStore = scheduleMove
    ? {
        ...transcodeStore,
        recordOutputs: async (videoId, outputs, tx) => {
          await transcodeStore.recordOutputs(videoId, outputs, tx);
          // the transcoding node moves its outputs right after the commit (moveOutputs below, one
          // move of a video at a time per node); this job finishes a move that node did not (it
          // crashed meanwhile); on a node without the files it fails and is retried
          await scheduleMove(videoId, tx);
        },
      }
    : transcodeStore;
  jobs.register(
    TRANSCODE_JOB,
    createTranscodeJob({
      ffmpeg: deps.ffmpeg,
      clock,
      urls,
      layout,
      torrents,
      concurrency: transcoding.enabled ? transcoding.concurrency : 0,
      events,
      seeding,
      ladder: { resolutions: transcoding.resolutions, hls: transcoding.hls.enabled, webVideos: transcoding.web_videos.enabled },
      options: {
        preset: transcoding.preset,
        threads: transcoding.threads,
        segmentDuration: transcoding.hls_segment_duration,
        keyframeInterval: transcoding.hls_segment_duration % 2 === 0 ? 2 : 1,
      },
      observe: (type, seconds) => deps.metrics.transcodeDuration.observe({ type }, seconds),
      store: transcodeRunStore,
      logger: logger.child({ component: 'transcoding' }),
      ...(storageMove
        ? {
            fetchInput: storageMove.fetchInput,
            moveOutputs: async (videoId: number) => {
              await storageMove.toObjectStorage(videoId);
            },
          }
        : {}),
    }),
  );

  const videos = createVideoService({
    store: createPrismaVideoStore(prisma),
    clock,
    urls,
    layout,
    media: createMediaTools(deps.ffmpeg, config.storage.tmp),
    torrents,
    transcoding: { schedule: scheduleTranscode, wake: () => jobs.wake(TRANSCODE_JOB), ...(scheduleMove ? { publishedAsIs: scheduleMove } : {}) },
    events,
    seeding,
    logger,
    options: { transcodingEnabled: transcoding.enabled, maxFileSize: config.uploads.max_file_size },
    privacyChange: createPrivacyChange({ store: createPrivacyStore(prisma), layout, urls, events, seeding, logger, ...(storageMove ? { objects: storageMove } : {}) }),
    admission,
    ...(storageMove ? { objects: storageMove, originals: storageMove.originals } : {}),
  });

  /** POST /api/v1/videos/:id/transcoding: transcodes a video again */
  const rerunTranscoding = createTranscodeRerun({
    store: transcodeStore,
    transcodingEnabled: transcoding.enabled,
    outputs: { hls: transcoding.hls.enabled, webVideos: transcoding.web_videos.enabled },
    jobKind: TRANSCODE_JOB,
    enqueue: scheduleTranscode,
    wake: () => jobs.wake(TRANSCODE_JOB),
  });

  const resumable = createResumableUploads({
    store: sessionStore,
    admission,
    clock,
    layout,
    videos,
    expirationMs: config.uploads.resumable_expiration,
    owner: workerId,
    nodeOnline: deps.nodeOnline,
  });

  return {
    videos,
    rerunTranscoding,
    storageMove,
    objectStorage,
    resumable,
    /** what a crash of the previous run left: files and rows no upload or job of this worker owns */
    sweepAtStartup: () => sweepAtStartup({ layout, owner: workerId, sessions: sessionStore, quota: quotaStore, logger }),
    /** object storage on: queues again the moves left undone whose files are on this node (null: off) */
    resumeMoves,
    /** object storage on: aborts the multipart uploads no live node writes (null: off, or no multipart support) */
    abandonedUploads,
  };
}

export type Videos = Awaited<ReturnType<typeof createVideos>>;
