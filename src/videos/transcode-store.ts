import type { Prisma } from '../db/index.js';
import type { Tx } from '../lib/tx.js';
import { VideoState } from './constants.js';

/** The files of a local video its rows still reference (everything else named after its uuid is a leftover). */
export interface ReferencedFiles {
  uuid: string;
  webVideos: string[];
  torrents: string[];
  hasHls: boolean;
}

/** What the transcoding failure path and the admin rerun read and write. */
export interface TranscodeStore {
  referencedFiles(videoId: number): Promise<ReferencedFiles | null>;
  /** The video's best HLS file (the input of a rerun when it has no web video). */
  bestHlsFilename(videoId: number): Promise<string | null>;
  /** A video still waiting for its transcode goes to PeerTube's "Transcoding failed" (7). */
  markTranscodingFailed(videoId: number): Promise<void>;
  findForRerun(where: { id: number } | { uuid: string }): Promise<{ id: number; uuid: string; isLocal: boolean; isLive: boolean; state: number } | null>;
  /** A transcoding job of the video is pending or running. */
  transcodePending(videoId: number, kind: string): Promise<boolean>;
  /** Sets the video back to "To transcode" and writes its job in one transaction. */
  requeue(videoId: number, enqueue: (tx: Tx) => Promise<void>): Promise<void>;
}

/** The video a transcode starts from. */
export interface TranscodeSource {
  id: number;
  uuid: string;
  name: string;
  privacy: number;
  state: number;
  hasHls: boolean;
  /** its web videos (the upload, before its first transcode) */
  webVideos: { filename: string; torrentFilename: string | null; resolution: number }[];
}

/** The outputs of a transcode as recorded: they replace every file row of the video, which is then published. */
export interface TranscodeOutputs {
  hls: {
    playlistFilename: string;
    segmentsSha256Filename: string;
    p2pMediaLoaderInfohashes: string[];
    files: { resolution: number; width: number | null; height: number | null; fps: number; size: number; filename: string; playlistFilename: string; torrentFilename: string; infoHash: string }[];
  } | null;
  webVideos: { resolution: number; width: number | null; height: number | null; fps: number; size: number; filename: string; torrentFilename: string; infoHash: string }[];
  duration: number;
  publishedAt: Date;
}

/** What a transcode run reads and writes (beside the failure path's `TranscodeStore`). */
export interface TranscodeRunStore {
  source(videoId: number): Promise<TranscodeSource | null>;
  /**
   * Runs `work` in one transaction holding the video's row lock, with the privacy in force: a
   * privacy change either committed before or waits. null (and `work` not run) when the video is gone.
   */
  underPrivacyLock<T>(videoId: number, work: (privacy: number, tx: Tx) => Promise<T>): Promise<T | null>;
  recordOutputs(videoId: number, outputs: TranscodeOutputs, tx: Tx): Promise<void>;
}

/** File moves happen inside the transaction (under the row lock): give them room on a busy host. */
const TRANSACTION_OPTIONS = { maxWait: 30_000, timeout: 60_000 };

export function createTranscodeStore(prisma: Prisma): TranscodeStore & TranscodeRunStore {
  return {
    async source(videoId) {
      const video = await prisma.video.findUnique({ where: { id: videoId }, include: { files: true, streamingPlaylists: { select: { id: true } } } });
      if (!video) return null;
      return {
        id: video.id,
        uuid: video.uuid,
        name: video.name,
        privacy: video.privacy,
        state: video.state,
        hasHls: video.streamingPlaylists.length > 0,
        webVideos: video.files.map((f) => ({ filename: f.filename, torrentFilename: f.torrentFilename, resolution: f.resolution })),
      };
    },
    async underPrivacyLock(videoId, work) {
      return prisma.$transaction(async (tx) => {
        const privacy = await lockVideoPrivacy(tx, videoId);
        return privacy === null ? null : work(privacy, tx);
      }, TRANSACTION_OPTIONS);
    },
    async recordOutputs(videoId, outputs, tx) {
      await tx.videoFile.deleteMany({ where: { videoId } });
      await tx.videoStreamingPlaylist.deleteMany({ where: { videoId } });
      if (outputs.hls) {
        const { files, ...playlist } = outputs.hls;
        await tx.videoStreamingPlaylist.create({
          data: { videoId, type: 1, ...playlist, files: { create: files.map((f) => ({ ...f, size: BigInt(f.size), extname: '.mp4' })) } },
        });
      }
      for (const w of outputs.webVideos) {
        await tx.videoFile.create({ data: { videoId, ...w, size: BigInt(w.size), extname: '.mp4' } });
      }
      await tx.video.update({ where: { id: videoId }, data: { state: VideoState.PUBLISHED, duration: outputs.duration, publishedAt: outputs.publishedAt } });
    },
    async referencedFiles(videoId) {
      const video = await prisma.video.findUnique({ where: { id: videoId }, include: { files: true, streamingPlaylists: { include: { files: true } } } });
      if (!video) return null;
      const all = [...video.files, ...video.streamingPlaylists.flatMap((p) => p.files)];
      return {
        uuid: video.uuid,
        webVideos: video.files.map((f) => f.filename),
        torrents: all.map((f) => f.torrentFilename).filter((n): n is string => !!n),
        hasHls: video.streamingPlaylists.length > 0,
      };
    },
    async bestHlsFilename(videoId) {
      const file = await prisma.videoFile.findFirst({ where: { streamingPlaylist: { videoId } }, orderBy: { resolution: 'desc' } });
      return file?.filename ?? null;
    },
    async markTranscodingFailed(videoId) {
      await prisma.video.updateMany({ where: { id: videoId, state: VideoState.TO_TRANSCODE }, data: { state: VideoState.TRANSCODING_FAILED } });
    },
    findForRerun(where) {
      return prisma.video.findUnique({ where, select: { id: true, uuid: true, isLocal: true, isLive: true, state: true } });
    },
    async transcodePending(videoId, kind) {
      return (await prisma.job.count({ where: { kind, dedupeKey: `video-${videoId}`, state: { in: ['pending', 'active'] } } })) > 0;
    },
    async requeue(videoId, enqueue) {
      await prisma.$transaction(async (tx) => {
        await tx.video.update({ where: { id: videoId }, data: { state: VideoState.TO_TRANSCODE } });
        await enqueue(tx);
      });
    },
  };
}

/**
 * The privacy of a video, its row locked until the transaction ends: a transcode places and records
 * its files under this lock, so a privacy change either committed before (the files go to its
 * folders) or waits and then moves the recorded files itself. null when the video is gone.
 */
async function lockVideoPrivacy(tx: Tx, videoId: number): Promise<number | null> {
  const rows = await tx.$queryRaw<{ privacy: number }[]>`SELECT "privacy" FROM "Video" WHERE "id" = ${videoId} FOR UPDATE`;
  return rows[0]?.privacy ?? null;
}
