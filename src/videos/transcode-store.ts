import type { Prisma } from '../db/index.js';
import type { Prisma as P } from '../generated/prisma/client.js';
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
  findForRerun(where: P.VideoWhereUniqueInput): Promise<{ id: number; uuid: string; isLocal: boolean; isLive: boolean; state: number } | null>;
  /** A transcoding job of the video is pending or running. */
  transcodePending(videoId: number, kind: string): Promise<boolean>;
  /** Sets the video back to "To transcode" and writes its job in one transaction. */
  requeue(videoId: number, enqueue: (tx: P.TransactionClient) => Promise<void>): Promise<void>;
}

export function createTranscodeStore(prisma: Prisma): TranscodeStore {
  return {
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
export async function lockVideoPrivacy(tx: P.TransactionClient, videoId: number): Promise<number | null> {
  const rows = await tx.$queryRaw<{ privacy: number }[]>`SELECT "privacy" FROM "Video" WHERE "id" = ${videoId} FOR UPDATE`;
  return rows[0]?.privacy ?? null;
}
