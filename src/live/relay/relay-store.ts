import { INSTANCE_ACTOR_NAME } from '../../accounts/index.js';
import type { Prisma } from '../../db/index.js';
import { VideoState } from '../../videos/constants.js';
import type { RelayStore } from './live-relay.js';

/** The remote lives a relay may pull (read from the database). */
export function createPrismaRelayStore(prisma: Prisma): RelayStore {
  async function ourActor() {
    return prisma.actor.findFirstOrThrow({ where: { preferredUsername: INSTANCE_ACTOR_NAME, host: null }, select: { id: true, url: true } });
  }
  return {
    ourActor,
    async runningRemoteLives() {
      const me = await ourActor();
      // PeerTube's rule for mirroring, as for VOD copies: an instance we follow (accepted) whose admin switch allows redundancy
      const followed = await prisma.actorFollow.findMany({ where: { followerId: me.id, state: 'accepted' }, select: { following: { select: { host: true } } } });
      const hosts = followed.map((f) => f.following.host).filter((h): h is string => h !== null);
      const allowed = new Set((await prisma.remoteServer.findMany({ where: { redundancyAllowed: true, blocked: false, host: { in: hosts } }, select: { host: true } })).map((r) => r.host));
      const rows = await prisma.video.findMany({
        where: { isLocal: false, isLive: true, state: VideoState.PUBLISHED, privacy: 1 },
        select: {
          id: true,
          uuid: true,
          url: true,
          streamingPlaylists: { select: { playlistUrl: true, segmentsSha256Url: true }, take: 1 },
          redundancies: { where: { remoteState: 'active', actor: { host: { not: null } } }, select: { fileUrl: true }, orderBy: { id: 'asc' } },
          tags: true,
          language: true,
          licence: true,
          category: true,
          channel: { select: { actor: { select: { url: true, preferredUsername: true, inboxUrl: true, sharedInboxUrl: true } }, account: { select: { actor: { select: { url: true, preferredUsername: true } } } } } },
        },
      });
      return rows.flatMap((v) => {
        const hls = v.streamingPlaylists[0];
        if (!hls?.playlistUrl || !hls.segmentsSha256Url) return [];
        const host = new URL(v.url).host;
        if (!allowed.has(host)) return [];
        const { actor, account } = v.channel;
        return [
          {
            videoId: v.id,
            uuid: v.uuid,
            url: v.url,
            host,
            playlistUrl: hls.playlistUrl,
            segmentsSha256Url: hls.segmentsSha256Url,
            accountUrl: account.actor.url,
            originInbox: actor.sharedInboxUrl ?? actor.inboxUrl,
            otherRelays: v.redundancies.map((r) => r.fileUrl),
            channelUrl: actor.url,
            channelName: actor.preferredUsername,
            accountName: account.actor.preferredUsername,
            tags: v.tags,
            language: v.language,
            licence: v.licence,
            category: v.category,
          },
        ];
      });
    },
  };
}
