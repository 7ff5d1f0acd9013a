import type { Prisma } from '../../db/index.js';
import type { InboxVideoStore } from './activity-handlers.js';

/** The inbox handlers' video lookups over Prisma's `Video` table. */
export function createPrismaInboxVideoStore(prisma: Prisma): InboxVideoStore {
  return {
    isKnown: async (url) => (await prisma.video.findUnique({ where: { url }, select: { id: true } })) !== null,
    async localVideoOwners(urls) {
      const video = await prisma.video.findFirst({ where: { url: { in: urls }, isLocal: true }, select: { channel: { select: { actorId: true, account: { select: { actorId: true } } } } } });
      return video ? { channelActorId: video.channel.actorId, accountActorId: video.channel.account.actorId } : null;
    },
  };
}
