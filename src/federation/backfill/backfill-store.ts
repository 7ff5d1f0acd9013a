import type { Prisma } from '../../db/index.js';

/** What the outbox backfill reads from the database. */
export interface BackfillStore {
  /** Our accepted follow (by a local actor) of this remote actor: its outbox and host; null if none. */
  acceptedFollowOf(remoteActorUrl: string): Promise<{ outboxUrl: string | null; host: string } | null>;
  /** True when a video with this ActivityPub id is stored already. */
  isKnownVideo(url: string): Promise<boolean>;
}

export function createPrismaBackfillStore(prisma: Prisma): BackfillStore {
  return {
    async acceptedFollowOf(remoteActorUrl) {
      const row = await prisma.actorFollow.findFirst({
        where: { state: 'accepted', follower: { host: null }, following: { url: remoteActorUrl, host: { not: null } } },
        include: { following: true },
      });
      if (!row?.following.host) return null;
      return { outboxUrl: row.following.outboxUrl, host: row.following.host };
    },
    async isKnownVideo(url) {
      return (await prisma.video.count({ where: { url } })) > 0;
    },
  };
}
