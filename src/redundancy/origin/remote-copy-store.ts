import type { Prisma } from '../../db/index.js';
import type { RemoteCopyRecordStore, RemoteCopyState } from './cache-file-handlers.js';

/** The enum's names (a Prisma enum value cannot hold a dash; the column holds `pending-probe`). */
const toColumn = { 'pending-probe': 'pending_probe', active: 'active', unhealthy: 'unhealthy' } as const;
const fromColumn = (state: (typeof toColumn)[RemoteCopyState] | null): RemoteCopyState => (state === 'pending_probe' ? 'pending-probe' : (state ?? 'unhealthy'));
import type { CopyProbeStore } from './probe-copy.js';
import type { MirrorWebseedStore } from './mirror-webseeds.js';

/** Where our own copy of a local video's hashes is named (the probe reads it from disk). */
export interface LocalPlaylistStore {
  /** the segments-sha256 file name of our local video's HLS playlist; null when it has none */
  localSegmentsSha256Filename(uuid: string): Promise<string | null>;
}

/**
 * Other instances' copies of videos we list (VideoRedundancy rows of remote actors), announced to
 * us with CacheFiles: recorded, probed (copies of our own videos), expired, listed as webseeds.
 */
export function createPrismaRemoteCopyStore(prisma: Prisma): RemoteCopyRecordStore & CopyProbeStore & MirrorWebseedStore & LocalPlaylistStore {
  return {
    async findVideoByUrl(url) {
      return prisma.video.findUnique({ where: { url }, select: { id: true, uuid: true, isLocal: true, isLive: true, privacy: true } });
    },
    async findCopyByUrl(url) {
      return prisma.videoRedundancy.findUnique({ where: { url }, select: { id: true, actorId: true } });
    },
    async renewCopy(id, change) {
      const row = await prisma.videoRedundancy.update({ where: { id }, data: change, select: { id: true, remoteState: true } });
      return { id: row.id, state: fromColumn(row.remoteState) };
    },
    async saveCopy({ state, ...copy }) {
      const row = await prisma.videoRedundancy.upsert({
        where: { videoId_actorId: { videoId: copy.videoId, actorId: copy.actorId } },
        create: { ...copy, remoteState: toColumn[state] },
        update: { url: copy.url, fileUrl: copy.fileUrl, expiresOn: copy.expiresOn },
        select: { id: true, remoteState: true },
      });
      return { id: row.id, state: fromColumn(row.remoteState) };
    },
    async removeCopyByUrl(url, actorUrl) {
      const { count } = await prisma.videoRedundancy.deleteMany({ where: { url, actor: { url: actorUrl } } });
      return count;
    },

    async loadForProbe(id) {
      const row = await prisma.videoRedundancy.findUnique({ where: { id }, include: { video: { select: { uuid: true, isLocal: true, streamingPlaylists: { select: { id: true } } } } } });
      if (!row || !row.video.isLocal) return null;
      return { id: row.id, fileUrl: row.fileUrl, videoUuid: row.video.uuid, hasPlaylist: row.video.streamingPlaylists.length > 0 };
    },
    async setProbeResult(id, result) {
      await prisma.videoRedundancy.update({
        where: { id },
        data: { remoteState: result.healthy ? 'active' : 'unhealthy', lastVerifiedAt: result.at, reason: result.reason, failures: result.healthy ? 0 : { increment: 1 } },
      });
    },
    async removeExpired(now) {
      const { count } = await prisma.videoRedundancy.deleteMany({ where: { expiresOn: { lt: now }, actor: { host: { not: null } } } });
      return count;
    },
    async dueForProbe(olderThan) {
      const rows = await prisma.videoRedundancy.findMany({
        // relays of our lives are not probed as VOD copies (their files change every segment)
        where: { video: { isLocal: true, isLive: false }, OR: [{ lastVerifiedAt: null }, { lastVerifiedAt: { lt: olderThan } }] },
        select: { id: true },
      });
      return rows.map((r) => r.id);
    },
    async localSegmentsSha256Filename(uuid) {
      const playlist = await prisma.videoStreamingPlaylist.findFirst({ where: { video: { uuid, isLocal: true } }, select: { segmentsSha256Filename: true } });
      return playlist?.segmentsSha256Filename ?? null;
    },

    async webseedSource(uuid, torrentFilename) {
      const video = await prisma.video.findUnique({
        where: { uuid },
        select: {
          isLocal: true,
          streamingPlaylists: { select: { files: { where: { torrentFilename }, select: { filename: true } } } },
          redundancies: { where: { remoteState: 'active', actor: { host: { not: null } } }, orderBy: { id: 'asc' }, select: { fileUrl: true } },
        },
      });
      if (!video) return null;
      return { isLocal: video.isLocal, filename: video.streamingPlaylists.flatMap((p) => p.files)[0]?.filename ?? null, mirrorBaseUrls: video.redundancies.map((r) => r.fileUrl) };
    },
  };
}
