import { randomUUID } from 'node:crypto';
import { extname } from 'node:path';
import { writeFile } from 'node:fs/promises';
import type { Clock } from '../lib/clock.js';
import type { InstanceUrls } from '../lib/instance-urls.js';
import type { Logger } from '../lib/logger.js';
import { fail, ok, type Result } from '../lib/result.js';
import type { Tx } from '../lib/tx.js';
import { VideoPrivacy, VideoState } from './constants.js';
import { moveFile, removeAll } from './files.js';
import type { MediaTools, SeedingPort, TorrentMaker, VideoEvents } from './ports.js';
import type { StorageLayout } from './storage-layout.js';
import type { VideoAttributes } from './video-columns.js';
import { layoutForPrivacy, placementForPrivacy } from './privacy-folders.js';
import type { PrivacyChangePort } from './privacy-change.js';
import { toShortUuid } from './short-uuid.js';
import type { UploadMetadata, VideoUpdate } from './upload/upload-metadata.js';
import type { ReceivedFile } from './upload/receive-multipart.js';
import type { UploadAdmission } from './upload/upload-admission.js';

export type UploadRefusal =
  | { type: 'not-your-channel'; message: string }
  | { type: 'quota-reached'; message: string }
  | { type: 'too-large'; message: string }
  | { type: 'unreadable-media'; message: string };

/** Schedules the transcoding of a new upload inside the transaction that creates the video. */
export interface TranscodeScheduler {
  schedule(videoId: number, tx: Tx): Promise<void>;
  /** Called after the commit: start at once instead of on the next poll. */
  wake(): void;
  /** An upload published as is (no transcoding): the jobs that follow a publication (the move to object storage), in the same transaction. */
  publishedAsIs?(videoId: number, tx: Tx): Promise<void>;
}

/** Where the original of an upload goes before its transcode job becomes claimable (object storage). */
export interface OriginalsPort {
  put(video: { uuid: string; privacy: number }, filename: string, path: string): Promise<void>;
  remove(video: { uuid: string; privacy: number }, filename: string): Promise<void>;
}

/** A new local video with its first file (the upload, stored as a web video). */
export interface NewVideo extends VideoAttributes {
  uuid: string;
  url: string;
  channelId: number;
  publishedAt: Date;
  createdAt: Date;
  file: {
    resolution: number;
    width: number | null;
    height: number | null;
    fps: number;
    size: number;
    extname: string;
    filename: string;
    torrentFilename: string;
    infoHash: string;
  };
}

/** The attributes an owner changes (absent: unchanged). */
export type VideoChanges = Partial<
  Pick<
    NewVideo,
    'name' | 'description' | 'support' | 'privacy' | 'category' | 'licence' | 'language' | 'nsfw' | 'tags' | 'commentsEnabled' | 'downloadEnabled' | 'waitTranscoding' | 'channelId' | 'originallyPublishedAt'
  >
>;

/** What deleting a video needs to know: its files (web videos and HLS files, with their torrents) and images. */
export interface RemovableVideo {
  id: number;
  uuid: string;
  isLocal: boolean;
  thumbnailFilename: string | null;
  previewFilename: string | null;
  files: { filename: string; torrentFilename: string | null; webVideo: boolean }[];
}

/** The rows the video service reads and writes. */
export interface VideoStore {
  ownsChannel(userId: number, channelId: number): Promise<boolean>;
  /** the user's quotas in bytes (-1: unlimited) */
  quotaOf(userId: number): Promise<{ total: number; daily: number }>;
  /** bytes of the files of the user's videos: all of them, and those of videos created since `since` */
  storedBytes(userId: number, since: Date): Promise<{ total: number; daily: number }>;
  /** one unit of work: `create` and whatever else receives its `tx` commit together */
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  create(video: NewVideo, tx: Tx): Promise<{ id: number }>;
  update(videoId: number, changes: VideoChanges): Promise<void>;
  findForRemoval(videoId: number): Promise<RemovableVideo | null>;
  delete(videoId: number): Promise<void>;
  /** one more view, in the video's total and in its count of `day` */
  addView(videoId: number, day: Date): Promise<void>;
}

const KNOWN_EXTENSIONS = new Set(['.mp4', '.webm', '.mkv', '.mov', '.ogv', '.ogg', '.avi', '.flv', '.m4v', '.mp3', '.m4a', '.wav', '.flac', '.opus', '.aac']);

/** The extension we store an upload under: the client's if it is a known media one, else from the container. */
export function storedExtension(originalName: string, formatName: string): string {
  const ext = extname(originalName).toLowerCase();
  if (KNOWN_EXTENSIONS.has(ext)) return ext;
  if (formatName.includes('webm') || formatName.includes('matroska')) return '.mkv';
  if (formatName.includes('mp3')) return '.mp3';
  return '.mp4';
}

export function createVideoService(deps: {
  store: VideoStore;
  clock: Clock;
  urls: InstanceUrls;
  layout: StorageLayout;
  media: MediaTools;
  torrents: TorrentMaker;
  transcoding: TranscodeScheduler;
  events: VideoEvents;
  /** server-side seeding (absent when disabled) */
  seeding?: SeedingPort;
  logger: Logger;
  options: { transcodingEnabled: boolean; maxFileSize: number };
  /** moves files between the public and private folders when the privacy changes */
  privacyChange?: PrivacyChangePort;
  /** channel, size and quota checked and reserved in one step (issue 10) */
  admission: UploadAdmission;
  /** object storage: the objects of a deleted video go too (absent: files are local) */
  objects?: { removeObjects(video: { uuid: string; webVideos: string[]; torrentFilenames: string[]; thumbnailFilename: string | null; previewFilename: string | null }): Promise<void> };
  /**
   * Object storage with transcoding: the original goes to the bucket before the video (and its
   * transcode job) is committed, so any node can transcode it (it fetches the input it lacks).
   */
  originals?: OriginalsPort;
}) {
  const { store, layout } = deps;
  const log = deps.logger.child({ component: 'videos' });

  async function quotaUsed(userId: number): Promise<{ total: number; daily: number }> {
    return store.storedBytes(userId, new Date(deps.clock.now().getTime() - 24 * 3600_000));
  }

  /** Checks channel ownership, size and quota before any byte is stored (resumable init, multipart end). */
  async function checkUploadAllowed(userId: number, channelId: number, size: number): Promise<Result<void, UploadRefusal>> {
    if (!(await store.ownsChannel(userId, channelId))) return fail({ type: 'not-your-channel', message: `channel ${channelId} does not exist or is not one of yours` });
    if (size > deps.options.maxFileSize) {
      return fail({ type: 'too-large', message: `the file (${size} bytes) is larger than the limit of ${deps.options.maxFileSize} bytes` });
    }
    const quota = await store.quotaOf(userId);
    const used = await quotaUsed(userId);
    if (quota.total >= 0 && used.total + size > quota.total) {
      return fail({ type: 'quota-reached', message: 'The user video quota is exceeded with this video.' });
    }
    if (quota.daily >= 0 && used.daily + size > quota.daily) {
      return fail({ type: 'quota-reached', message: 'The user video daily quota is exceeded with this video.' });
    }
    return ok(undefined);
  }

  /**
   * Turns a received file into a video: probe, store as the first web video with its torrent,
   * thumbnails, then one transaction writes the video, its file and its transcoding job, and drops
   * the upload's quota reservation. Whatever fails, the temporary file, anything written for it and
   * the reservation are removed. `reservationId`: the quota the upload already holds (resumable);
   * without it the upload is admitted here (multipart).
   */
  async function acceptUpload(
    userId: number,
    metadata: UploadMetadata,
    file: ReceivedFile,
    reservationId?: string,
  ): Promise<Result<{ id: number; uuid: string; shortUUID: string }, UploadRefusal>> {
    // a private video's files go to the private folders from the start
    const { layout, urls } = placementForPrivacy(deps, metadata.privacy ?? VideoPrivacy.PUBLIC);
    const written: string[] = [file.path];
    let reservation = reservationId;
    let committed = false;
    let sentOriginal: { uuid: string; privacy: number; filename: string } | null = null;
    try {
      if (reservation === undefined) {
        const admitted = await deps.admission.admit(userId, metadata.channelId, file.size);
        if (!admitted.ok) return admitted;
        reservation = admitted.value.reservationId;
      }
      const probed = await deps.media.probe(file.path);
      if (!probed.ok) return fail({ type: 'unreadable-media', message: `the file is not a readable video: ${probed.reason.message}` });
      const probe = probed.probe;
      if (!probe.hasVideo && !probe.hasAudio) return fail({ type: 'unreadable-media', message: 'the file has no video or audio stream' });

      const uuid = randomUUID();
      await deps.admission.claimUuid(reservation, uuid);
      const resolution = probe.hasVideo ? Math.min(probe.width, probe.height) : 0;
      const ext = storedExtension(file.originalName, probe.formatName);
      const filename = `${uuid}-${resolution}${ext}`;
      const torrentFilename = `${uuid}-${resolution}.torrent`;
      const stored = layout.webVideo(filename);
      await moveFile(file.path, stored);
      written.push(stored);

      const torrent = await deps.torrents.create({ filePath: stored, name: metadata.name, urlList: [urls.webVideo(filename)] });
      await writeFile(layout.torrent(torrentFilename), torrent.torrent);
      written.push(layout.torrent(torrentFilename));

      const imageName = `${uuid}.jpg`;
      let images = true;
      try {
        await deps.media.generateImages({ input: stored, probe, thumbnailPath: layout.thumbnail(imageName), previewPath: layout.preview(imageName) });
        written.push(layout.thumbnail(imageName), layout.preview(imageName));
      } catch (err) {
        images = false;
        log.warn({ err, video: uuid }, 'could not generate thumbnails');
      }

      // any node may claim the transcode: the original is in the bucket before the job exists
      // (a crash after this put leaves an object no row names; a failed commit removes it)
      const original = deps.options.transcodingEnabled && deps.originals ? { uuid, privacy: metadata.privacy ?? VideoPrivacy.PUBLIC } : null;
      if (original) {
        await deps.originals!.put(original, filename, stored);
        sentOriginal = { ...original, filename };
        // the bucket holds it: the local copy goes before the job can be claimed (whichever node
        // transcodes fetches it; until then our static routes proxy the bucket)
        await removeAll([stored]);
      }

      const now = deps.clock.now();
      const video = await store.transaction(async (tx) => {
        const created = await store.create(
          {
            uuid,
            url: urls.video(uuid),
            name: metadata.name,
            description: metadata.description ?? null,
            support: metadata.support ?? null,
            privacy: metadata.privacy ?? VideoPrivacy.PUBLIC,
            state: deps.options.transcodingEnabled ? VideoState.TO_TRANSCODE : VideoState.PUBLISHED,
            category: metadata.category ?? null,
            licence: metadata.licence ?? null,
            language: metadata.language ?? null,
            nsfw: metadata.nsfw ?? false,
            tags: metadata.tags ?? [],
            duration: Math.round(probe.durationSeconds),
            aspectRatio: probe.hasVideo && probe.height > 0 ? Math.round((probe.width / probe.height) * 10_000) / 10_000 : null,
            waitTranscoding: metadata.waitTranscoding ?? false,
            commentsEnabled: metadata.commentsEnabled ?? true,
            downloadEnabled: metadata.downloadEnabled ?? true,
            originallyPublishedAt: metadata.originallyPublishedAt ? new Date(metadata.originallyPublishedAt) : null,
            thumbnailFilename: images ? imageName : null,
            previewFilename: images ? imageName : null,
            channelId: metadata.channelId,
            publishedAt: now,
            createdAt: now,
            file: {
              resolution,
              width: probe.hasVideo ? probe.width : null,
              height: probe.hasVideo ? probe.height : null,
              fps: probe.hasVideo ? probe.fps : -1,
              size: file.size,
              extname: ext,
              filename,
              torrentFilename,
              infoHash: torrent.infoHash,
            },
          },
          tx,
        );
        if (deps.options.transcodingEnabled) await deps.transcoding.schedule(created.id, tx);
        else await deps.transcoding.publishedAsIs?.(created.id, tx);
        await deps.admission.release(reservation!, tx);
        return created;
      });
      committed = true;
      deps.transcoding.wake();
      if (!deps.options.transcodingEnabled) await deps.events.published(video.id);
      if (!deps.options.transcodingEnabled) await deps.seeding?.syncVideo(uuid);
      log.info({ video: uuid, size: file.size, resolution }, 'upload accepted');
      return ok({ id: video.id, uuid, shortUUID: toShortUuid(uuid) });
    } catch (err) {
      await removeAll(written);
      if (sentOriginal && !committed) {
        const { filename: name, ...video } = sentOriginal;
        await deps.originals!.remove(video, name).catch((e: unknown) => log.warn({ err: e, video: video.uuid }, 'could not remove the original of a refused upload from object storage'));
      }
      throw err;
    } finally {
      await removeAll([file.path]);
      if (!committed && reservation !== undefined) await deps.admission.release(reservation);
    }
  }

  async function update(videoId: number, patch: VideoUpdate, userId: number): Promise<Result<void, UploadRefusal>> {
    if (patch.channelId !== undefined) {
      if (!(await store.ownsChannel(userId, patch.channelId))) return fail({ type: 'not-your-channel', message: `channel ${patch.channelId} does not exist or is not one of yours` });
    }
    const move = patch.privacy !== undefined ? await deps.privacyChange?.prepare(videoId, patch.privacy) : null;
    await store.update(videoId, {
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      ...(patch.support !== undefined ? { support: patch.support } : {}),
      ...(patch.privacy !== undefined ? { privacy: patch.privacy } : {}),
      ...(patch.category !== undefined ? { category: patch.category } : {}),
      ...(patch.licence !== undefined ? { licence: patch.licence } : {}),
      ...(patch.language !== undefined ? { language: patch.language } : {}),
      ...(patch.nsfw !== undefined ? { nsfw: patch.nsfw } : {}),
      ...(patch.tags !== undefined ? { tags: patch.tags } : {}),
      ...(patch.commentsEnabled !== undefined ? { commentsEnabled: patch.commentsEnabled } : {}),
      ...(patch.downloadEnabled !== undefined ? { downloadEnabled: patch.downloadEnabled } : {}),
      ...(patch.waitTranscoding !== undefined ? { waitTranscoding: patch.waitTranscoding } : {}),
      ...(patch.channelId !== undefined ? { channelId: patch.channelId } : {}),
      ...(patch.originallyPublishedAt !== undefined
        ? { originallyPublishedAt: patch.originallyPublishedAt ? new Date(patch.originallyPublishedAt) : null }
        : {}),
    });
    if (move) await deps.privacyChange!.apply(move);
    else await deps.events.updated(videoId);
    return ok(undefined);
  }

  /** Deletes a video, its rows and every file it has on disk. */
  async function remove(videoId: number): Promise<void> {
    const video = await store.findForRemoval(videoId);
    if (!video) return;
    if (video.isLocal) await deps.events.deleting(videoId);
    await store.delete(videoId);
    await deps.seeding?.unseedVideo(video.uuid);
    const paths = [layout.hlsDir(video.uuid), layoutForPrivacy(layout, VideoPrivacy.PRIVATE).hlsDir(video.uuid)];
    for (const f of video.files) {
      if (f.webVideo) paths.push(layout.webVideo(f.filename), layoutForPrivacy(layout, VideoPrivacy.PRIVATE).webVideo(f.filename));
      if (f.torrentFilename) paths.push(layout.torrent(f.torrentFilename));
    }
    if (video.thumbnailFilename) paths.push(layout.thumbnail(video.thumbnailFilename));
    if (video.previewFilename) paths.push(layout.preview(video.previewFilename));
    await removeAll(paths);
    if (video.isLocal && deps.objects) {
      // the rows are gone: objects a failure leaves here are only reported (they are never served again)
      const torrentFilenames = video.files.flatMap((f) => (f.torrentFilename ? [f.torrentFilename] : []));
      await deps.objects
        .removeObjects({ uuid: video.uuid, webVideos: video.files.filter((f) => f.webVideo).map((f) => f.filename), torrentFilenames, thumbnailFilename: video.thumbnailFilename, previewFilename: video.previewFilename }).catch((err: unknown) => log.warn({ err, video: video.uuid }, 'could not delete the video\'s objects'));
    }
    log.info({ video: video.uuid }, 'video deleted');
  }

  /** Counts a view (kept per day as well: the trending strategy ranks by views over days). */
  async function addView(videoId: number): Promise<void> {
    const day = new Date(deps.clock.now().toISOString().slice(0, 10));
    await store.addView(videoId, day);
    await deps.events.viewed(videoId);
  }

  /** Removes a received file that will not become a video. */
  async function discard(path: string): Promise<void> {
    await removeAll([path]);
  }

  return { acceptUpload, checkUploadAllowed, update, remove, addView, quotaUsed, discard };
}

export type VideoService = ReturnType<typeof createVideoService>;
