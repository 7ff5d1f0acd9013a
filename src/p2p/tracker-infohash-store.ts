import type { Prisma } from '../db/index.js';
import { isInPrivateFolder } from '../videos/privacy-folders.js';

/** What the tracker knows of an announced infohash: none of our files, files of public/unlisted videos only, or files of a private one. */
export type InfohashStanding = 'unknown' | 'open' | 'private';

/** The tracker's reads: which video, and of which privacy, an infohash belongs to. */
export interface TrackerInfohashStore {
  standing(infoHash: string): Promise<InfohashStanding>;
}

/**
 * An infohash is a file's (web video or HLS fragmented MP4, local or a remote video we list) or one
 * of a streaming playlist's p2p-media-loader swarm ids, as PeerTube's tracker filter looks them up.
 */
export function createTrackerInfohashStore(prisma: Prisma): TrackerInfohashStore {
  return {
    async standing(infoHash) {
      const [files, playlists] = await Promise.all([
        prisma.videoFile.findMany({
          where: { infoHash },
          select: { video: { select: { privacy: true } }, streamingPlaylist: { select: { video: { select: { privacy: true } } } } },
          take: 10,
        }),
        prisma.videoStreamingPlaylist.findMany({ where: { p2pMediaLoaderInfohashes: { has: infoHash } }, select: { video: { select: { privacy: true } } }, take: 10 }),
      ]);
      const privacies = [
        ...files.map((f) => f.video?.privacy ?? f.streamingPlaylist?.video.privacy),
        ...playlists.map((p) => p.video.privacy),
      ].filter((p): p is number => p !== undefined);
      if (privacies.length === 0) return 'unknown';
      return privacies.some(isInPrivateFolder) ? 'private' : 'open';
    },
  };
}
