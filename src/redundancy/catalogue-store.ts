import type { Prisma } from '../db/index.js';
import { findOurActor } from './copy-store.js';
import type { CatalogueVideo, MirrorableVideo, MirrorCatalogue } from './engine-ports.js';

const videoInclude = {
  channel: { include: { actor: true, account: { include: { actor: true } } } },
  streamingPlaylists: { include: { files: true } },
} as const;

type VideoRow = {
  id: number;
  uuid: string;
  url: string;
  isLocal: boolean;
  isLive: boolean;
  duration: number;
  channel: { actor: { inboxUrl: string; sharedInboxUrl: string | null }; account: { actor: { url: string } } };
  streamingPlaylists: { playlistUrl: string | null; segmentsSha256Url: string | null; files: { filename: string; size: bigint; torrentUrl: string | null }[] }[];
};

function toMirrorable(v: VideoRow): MirrorableVideo {
  const hls = v.streamingPlaylists[0];
  return {
    id: v.id,
    uuid: v.uuid,
    url: v.url,
    isLocal: v.isLocal,
    isLive: v.isLive,
    durationSeconds: v.duration,
    hls: hls
      ? { playlistUrl: hls.playlistUrl, segmentsSha256Url: hls.segmentsSha256Url, files: hls.files.map((f) => ({ filename: f.filename, size: Number(f.size), torrentUrl: f.torrentUrl })) }
      : null,
    accountUrl: v.channel.account.actor.url,
    originInbox: v.channel.actor.sharedInboxUrl ?? v.channel.actor.inboxUrl,
  };
}

/** The remote catalogue and the hosts the engine may mirror, read from the database. */
export function createPrismaCatalogueStore(prisma: Prisma): MirrorCatalogue {
  return {
    ourActor: () => findOurActor(prisma),
    async allowedHosts() {
      const me = await findOurActor(prisma);
      const followed = (await prisma.actorFollow.findMany({ where: { followerId: me.id, state: 'accepted' }, include: { following: true } }))
        .map((f) => f.following.host)
        .filter((h): h is string => h !== null);
      // PeerTube's rule: an instance we follow (accepted) whose admin switch allows redundancy
      const rows = await prisma.remoteServer.findMany({ where: { redundancyAllowed: true, blocked: false, host: { in: followed } }, select: { host: true } });
      return rows.map((r) => r.host);
    },
    async remoteVideos() {
      const me = await findOurActor(prisma);
      const rows = await prisma.video.findMany({
        // remote lives are not mirrored as VOD (their files change every segment; live relay is its own path)
        where: { isLocal: false, isLive: false },
        include: { ...videoInclude, redundancies: { where: { remoteState: 'active', actorId: { not: me.id } }, select: { id: true } } },
      });
      return rows.map(
        (v): CatalogueVideo => ({
          ...toMirrorable(v),
          channelUrl: v.channel.actor.url,
          channelName: v.channel.actor.preferredUsername,
          accountName: v.channel.account.actor.preferredUsername,
          tags: v.tags,
          language: v.language,
          licence: v.licence,
          category: v.category,
          publishedAt: v.publishedAt,
          views: v.views,
          privacy: v.privacy,
          state: v.state,
          knownHealthyMirrors: v.redundancies.length,
        }),
      );
    },
    async viewsSince(since) {
      const daily = await prisma.videoViewDaily.groupBy({ by: ['videoId'], where: { day: { gte: since } }, _sum: { views: true } });
      return new Map(daily.map((d) => [d.videoId, d._sum.views ?? 0]));
    },
    async video(videoId) {
      const v = await prisma.video.findUnique({ where: { id: videoId }, include: videoInclude });
      return v ? toMirrorable(v) : null;
    },
  };
}
