import type { Prisma } from '../db/index.js';
import type { Prisma as P } from '../generated/prisma/client.js';
import type { SeedKind } from './seeder.js';

/** A file that can be seeded: where it is, where its .torrent is, and whose bytes it carries. */
export interface SeedCandidate {
  path: string;
  torrentPath: string;
  infoHash: string;
  kind: SeedKind;
  originHost: string;
  videoUuid: string;
}

/** Where seedable files come from: our videos, our mirrored copies. */
export interface SeedableFileSource {
  /** what this source's files are */
  kind: SeedKind;
  /** Every file to seed at start-up, page by page. */
  all(): AsyncIterable<SeedCandidate>;
  /** The files one video has now (after an upload or a transcode). */
  ofVideo(videoUuid: string): Promise<SeedCandidate[]>;
}

/** Paths of stored files (the videos module's storage layout fits). */
export interface LocalFilePaths {
  webVideo(filename: string): string;
  hlsFile(videoUuid: string, filename: string): string;
  torrent(filename: string): string;
}

const PAGE = 200;
/** public and unlisted */
const SEEDED_PRIVACIES = [1, 2];

/**
 * Our own videos' files that have a torrent: web videos and HLS fragmented MP4s, kind `local`,
 * origin = our host.
 */
export function createLocalSeedableFiles(deps: { prisma: Prisma; paths: LocalFilePaths; ownHost: string }): SeedableFileSource {
  const { prisma, paths } = deps;
  const local = {
    infoHash: { not: null },
    torrentFilename: { not: null },
    // private and internal videos are never seeded (their files are in the private folders)
    OR: [{ video: { isLocal: true, privacy: { in: SEEDED_PRIVACIES } } }, { streamingPlaylist: { video: { isLocal: true, privacy: { in: SEEDED_PRIVACIES } } } }],
  };
  const include = { video: { select: { uuid: true } }, streamingPlaylist: { select: { video: { select: { uuid: true } } } } } as const;

  type Row = P.VideoFileGetPayload<{ include: typeof include }>;
  function toCandidate(row: Row): SeedCandidate | null {
    const uuid = row.video?.uuid ?? row.streamingPlaylist?.video.uuid;
    if (!uuid || !row.infoHash || !row.torrentFilename) return null;
    return {
      path: row.streamingPlaylistId !== null ? paths.hlsFile(uuid, row.filename) : paths.webVideo(row.filename),
      torrentPath: paths.torrent(row.torrentFilename),
      infoHash: row.infoHash,
      kind: 'local',
      originHost: deps.ownHost,
      videoUuid: uuid,
    };
  }

  return {
    kind: 'local',
    async *all() {
      let cursor: number | undefined;
      for (;;) {
        const rows = await prisma.videoFile.findMany({
          where: { ...local, ...(cursor !== undefined ? { id: { gt: cursor } } : {}) },
          include,
          orderBy: { id: 'asc' },
          take: PAGE,
        });
        for (const row of rows) {
          const candidate = toCandidate(row);
          if (candidate) yield candidate;
        }
        if (rows.length < PAGE) return;
        cursor = rows[rows.length - 1]!.id;
      }
    },
    async ofVideo(videoUuid) {
      const rows = await prisma.videoFile.findMany({
        where: { ...local, AND: [{ OR: [{ video: { uuid: videoUuid } }, { streamingPlaylist: { video: { uuid: videoUuid } } }] }] },
        include,
        orderBy: { id: 'asc' },
      });
      return rows.map(toCandidate).filter((c): c is SeedCandidate => c !== null);
    },
  };
}
