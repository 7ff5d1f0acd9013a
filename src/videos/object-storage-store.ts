import type { Prisma } from '../db/index.js';
import type { Tx } from '../lib/tx.js';

/** A local video's files as the storage move sees them. */
export interface StoredVideoFiles {
  id: number;
  uuid: string;
  privacy: number;
  state: number;
  inObjectStorage: boolean;
  thumbnailFilename: string | null;
  previewFilename: string | null;
  webVideos: { id: number; filename: string; torrentFilename: string | null }[];
  hls: { id: number; playlistFilename: string; segmentsSha256Filename: string | null; files: { id: number; filename: string; torrentFilename: string | null }[] } | null;
}

/** The URLs of a moved video's images and torrents in their buckets (null or absent: our routes). */
export interface MovedExtrasUrls {
  thumbnailUrl: string | null;
  previewUrl: string | null;
  torrents: { fileId: number; torrentUrl: string }[];
}

/** The public URLs a moved video's rows carry (base_url set, public video); null: our static routes. */
export interface MovedUrls {
  hls: { playlistUrl: string; segmentsSha256Url: string | null; files: { id: number; fileUrl: string }[] } | null;
  webVideos: { id: number; fileUrl: string }[];
}

export interface ObjectStorageStore {
  files(videoId: number): Promise<StoredVideoFiles | null>;
  /** local videos with files (not lives) that are not where `to` says, by id */
  toMove(to: 'object-storage' | 'filesystem', afterId: number, limit: number): Promise<number[]>;
  countToMove(to: 'object-storage' | 'filesystem'): Promise<number>;
  /** runs `work` holding the video's row lock with its privacy now (a privacy change waits or committed before); null when gone */
  underVideoLock<T>(videoId: number, work: (privacy: number, tx: Tx) => Promise<T>): Promise<T | null>;
  /** the video's files are in object storage now (with their public URLs, or null ones), and the HLS swarm ids of the master URL players now load */
  markInObjectStorage(videoId: number, urls: MovedUrls | null, tx: Tx, swarmIds: string[] | null, extras?: MovedExtrasUrls): Promise<void>;
  markOnFilesystem(videoId: number, tx: Tx, swarmIds: string[] | null): Promise<void>;
}

export function createObjectStorageStore(prisma: Prisma): ObjectStorageStore {
  const localWithFiles = (to: 'object-storage' | 'filesystem') => ({
    isLocal: true,
    isLive: false,
    OR: [{ files: { some: {} } }, { streamingPlaylists: { some: {} } }],
    objectStorage: to === 'object-storage' ? { is: null } : { isNot: null },
  });
  async function setUrls(videoId: number, urls: MovedUrls | null, tx: Tx, swarmIds: string[] | null, torrents: MovedExtrasUrls['torrents'] = []) {
    const playlist = await tx.videoStreamingPlaylist.findFirst({ where: { videoId }, select: { id: true } });
    if (playlist) {
      await tx.videoStreamingPlaylist.update({
        where: { id: playlist.id },
        data: { playlistUrl: urls?.hls?.playlistUrl ?? null, segmentsSha256Url: urls?.hls?.segmentsSha256Url ?? null, ...(swarmIds ? { p2pMediaLoaderInfohashes: swarmIds } : {}) },
      });
      await tx.videoFile.updateMany({ where: { streamingPlaylistId: playlist.id }, data: { fileUrl: null, torrentUrl: null } });
    }
    await tx.videoFile.updateMany({ where: { videoId }, data: { fileUrl: null, torrentUrl: null } });
    for (const f of [...(urls?.hls?.files ?? []), ...(urls?.webVideos ?? [])]) await tx.videoFile.update({ where: { id: f.id }, data: { fileUrl: f.fileUrl } });
    for (const t of torrents) await tx.videoFile.update({ where: { id: t.fileId }, data: { torrentUrl: t.torrentUrl } });
  }
  return {
    async files(videoId) {
      const v = await prisma.video.findUnique({
        where: { id: videoId },
        include: { files: true, streamingPlaylists: { include: { files: true } }, objectStorage: true },
      });
      if (!v || !v.isLocal) return null;
      const p = v.streamingPlaylists[0];
      return {
        id: v.id,
        uuid: v.uuid,
        privacy: v.privacy,
        state: v.state,
        inObjectStorage: v.objectStorage !== null,
        thumbnailFilename: v.thumbnailFilename,
        previewFilename: v.previewFilename,
        webVideos: v.files.map((f) => ({ id: f.id, filename: f.filename, torrentFilename: f.torrentFilename })),
        hls: p
          ? { id: p.id, playlistFilename: p.playlistFilename, segmentsSha256Filename: p.segmentsSha256Filename, files: p.files.map((f) => ({ id: f.id, filename: f.filename, torrentFilename: f.torrentFilename })) }
          : null,
      };
    },
    async toMove(to, afterId, limit) {
      const rows = await prisma.video.findMany({ where: { ...localWithFiles(to), id: { gt: afterId } }, select: { id: true }, orderBy: { id: 'asc' }, take: limit });
      return rows.map((r) => r.id);
    },
    countToMove: (to) => prisma.video.count({ where: localWithFiles(to) }),
    async underVideoLock(videoId, work) {
      return prisma.$transaction(
        async (tx) => {
          const rows = await tx.$queryRaw<{ privacy: number }[]>`SELECT "privacy" FROM "Video" WHERE "id" = ${videoId} FOR UPDATE`;
          return rows[0] ? work(rows[0].privacy, tx) : null;
        },
        { maxWait: 30_000, timeout: 60_000 },
      );
    },
    async markInObjectStorage(videoId, urls, tx, swarmIds, extras) {
      await setUrls(videoId, urls, tx, swarmIds, extras?.torrents);
      const images = { thumbnailUrl: extras?.thumbnailUrl ?? null, previewUrl: extras?.previewUrl ?? null };
      await tx.videoObjectStorage.upsert({ where: { videoId }, create: { videoId, ...images }, update: images });
    },
    async markOnFilesystem(videoId, tx, swarmIds) {
      await setUrls(videoId, null, tx, swarmIds);
      await tx.videoObjectStorage.deleteMany({ where: { videoId } });
    },
  };
}
