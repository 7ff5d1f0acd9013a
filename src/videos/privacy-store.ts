import type { Prisma } from '../db/index.js';

export interface PrivacyVideo {
  id: number;
  uuid: string;
  privacy: number;
  isLocal: boolean;
}

export interface PrivacyFiles {
  /** web videos (with their torrents) */
  webVideos: { filename: string; torrentFilename: string | null }[];
  /** HLS fragmented MP4s (with their torrents) */
  hlsFiles: { filename: string; torrentFilename: string | null }[];
}

/** What a privacy change reads: the video and the names of its files. */
export interface PrivacyStore {
  video(videoId: number): Promise<PrivacyVideo | null>;
  files(videoId: number): Promise<PrivacyFiles>;
  /** Forgets the copies other instances announced of this video (a private video is never mirrored). */
  dropMirrors(videoId: number): Promise<number>;
  /** Sets the HLS playlist's p2p-media-loader swarm ids, computed from its master file name and variant count. */
  setSwarmIds(videoId: number, compute: (masterFilename: string, variants: number) => string[]): Promise<void>;
}

export function createPrivacyStore(prisma: Prisma): PrivacyStore {
  const names = { select: { filename: true, torrentFilename: true } } as const;
  return {
    video: (videoId) => prisma.video.findUnique({ where: { id: videoId }, select: { id: true, uuid: true, privacy: true, isLocal: true } }),
    async files(videoId) {
      const [webVideos, hlsFiles] = await Promise.all([
        prisma.videoFile.findMany({ where: { videoId }, ...names }),
        prisma.videoFile.findMany({ where: { streamingPlaylist: { videoId } }, ...names }),
      ]);
      return { webVideos, hlsFiles };
    },
    dropMirrors: async (videoId) => (await prisma.videoRedundancy.deleteMany({ where: { videoId } })).count,
    async setSwarmIds(videoId, compute) {
      const playlist = await prisma.videoStreamingPlaylist.findFirst({ where: { videoId, type: 1 }, select: { id: true, playlistFilename: true, _count: { select: { files: true } } } });
      if (!playlist) return;
      await prisma.videoStreamingPlaylist.update({ where: { id: playlist.id }, data: { p2pMediaLoaderInfohashes: compute(playlist.playlistFilename, playlist._count.files) } });
    },
  };
}
