import type { Prisma } from '../../db/index.js';
import type { VideoPublisherStore } from './video-publisher.js';

/** The publisher's video lookups over Prisma's `Video` table. */
export function createPrismaVideoPublisherStore(prisma: Prisma): VideoPublisherStore {
  return {
    async find(videoId) {
      const video = await prisma.video.findUnique({ where: { id: videoId }, select: { id: true, uuid: true, url: true, isLocal: true, channel: { select: { actor: true } } } });
      return video ? { id: video.id, uuid: video.uuid, url: video.url, isLocal: video.isLocal, channelActor: video.channel.actor } : null;
    },
  };
}
