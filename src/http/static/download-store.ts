import type { Prisma } from '../../db/index.js';
import type { AccessVideo } from '../../videos/video-access-store.js';

/** A downloadable file of a video: its name in its storage folder. */
export interface DownloadFile {
  resolution: number;
  filename: string;
  extname: string;
}

/** What PeerTube's /download/ routes need of a local video. */
export interface DownloadVideo extends AccessVideo {
  name: string;
  webVideos: DownloadFile[];
  hlsFiles: DownloadFile[];
}

export interface DownloadStore {
  byRef(where: { id: number } | { uuid: string }): Promise<DownloadVideo | null>;
}

export function createDownloadStore(prisma: Prisma): DownloadStore {
  const file = { select: { resolution: true, filename: true, extname: true } } as const;
  return {
    async byRef(where) {
      const v = await prisma.video.findUnique({
        where,
        select: {
          id: true,
          uuid: true,
          name: true,
          privacy: true,
          isLocal: true,
          channel: { select: { account: { select: { user: { select: { id: true } } } } } },
          files: file,
          streamingPlaylists: { select: { type: true, files: file } },
        },
      });
      if (!v) return null;
      return {
        id: v.id,
        uuid: v.uuid,
        name: v.name,
        privacy: v.privacy,
        isLocal: v.isLocal,
        ownerUserId: v.channel.account.user?.id ?? null,
        webVideos: v.files,
        hlsFiles: v.streamingPlaylists.find((p) => p.type === 1)?.files ?? [],
      };
    },
  };
}
