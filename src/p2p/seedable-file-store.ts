import type { Prisma } from '../db/index.js';
import type { LocalSeedableFileStore } from './seedable-files.js';

/** public and unlisted */
const SEEDED_PRIVACIES = [1, 2];

const seededVideo = { isLocal: true, privacy: { in: SEEDED_PRIVACIES }, objectStorage: { is: null } };

/** Our own videos' files on our disk that have a torrent, read from the database. */
export function createPrismaSeedableFileStore(prisma: Prisma): LocalSeedableFileStore {
  const local = {
    infoHash: { not: null },
    torrentFilename: { not: null },
    // private and internal videos are never seeded (their files are in the private folders); nor
    // those moved to object storage: their torrents' webseeds (our static routes, which proxy the
    // bucket) serve them, as PeerTube's webseeds do
    OR: [{ video: seededVideo }, { streamingPlaylist: { video: seededVideo } }],
  };
  const include = { video: { select: { uuid: true } }, streamingPlaylist: { select: { video: { select: { uuid: true } } } } } as const;
  const toFile = (row: { id: number; filename: string; infoHash: string | null; torrentFilename: string | null; streamingPlaylistId: number | null; video: { uuid: string } | null; streamingPlaylist: { video: { uuid: string } } | null }) => ({
    id: row.id,
    videoUuid: row.video?.uuid ?? row.streamingPlaylist?.video.uuid ?? null,
    filename: row.filename,
    isHls: row.streamingPlaylistId !== null,
    infoHash: row.infoHash,
    torrentFilename: row.torrentFilename,
  });
  return {
    async page(afterId, take) {
      const rows = await prisma.videoFile.findMany({
        where: { ...local, ...(afterId !== undefined ? { id: { gt: afterId } } : {}) },
        include,
        orderBy: { id: 'asc' },
        take,
      });
      return rows.map(toFile);
    },
    async ofVideo(videoUuid) {
      const rows = await prisma.videoFile.findMany({
        where: { ...local, AND: [{ OR: [{ video: { uuid: videoUuid } }, { streamingPlaylist: { video: { uuid: videoUuid } } }] }] },
        include,
        orderBy: { id: 'asc' },
      });
      return rows.map(toFile);
    },
  };
}
