import type { Prisma } from '../../db/index.js';
import type { Prisma as P } from '../../generated/prisma/client.js';
import { parseVideoRef } from '../../videos/short-uuid.js';
import type { LocalVideoQueries } from './local-documents.js';
import { videoForActivityPubInclude, type VideoForActivityPub } from './video-object-input.js';

const PUBLISHED = 1;
/** a live federates while it waits for its streamer, while it is live (1) and once ended, as PeerTube's */
const LIVE_STATES = new Set([1, 4, 5]);
const PUBLIC = 1;
const UNLISTED = 2;

/** Videos of this instance as federation sees them: local, published, public (or unlisted when asked for). */
export function createLocalVideoQueries(prisma: Prisma): LocalVideoQueries {
  return {
    /** A video we serve as an object (by uuid or short uuid): local, published, public or unlisted. */
    async findFederated(ref: string): Promise<VideoForActivityPub | null> {
      const where = parseVideoRef(ref);
      if (!where || 'id' in where) return null;
      const video = await prisma.video.findUnique({ where, include: videoForActivityPubInclude });
      if (!video || !video.isLocal || (video.isLive ? !LIVE_STATES.has(video.state) : video.state !== PUBLISHED) || (video.privacy !== PUBLIC && video.privacy !== UNLISTED)) return null;
      return video;
    },

    /** Local public published videos, newest first (PeerTube's outbox order: `-createdAt`), optionally of one account or channel. */
    async listPublic(window: { start: number; count: number }, of: { accountId?: number; channelId?: number } = {}): Promise<{ total: number; data: VideoForActivityPub[] }> {
      const where: P.VideoWhereInput = {
        isLocal: true,
        privacy: PUBLIC,
        state: PUBLISHED,
        ...(of.channelId !== undefined ? { channelId: of.channelId } : {}),
        ...(of.accountId !== undefined ? { channel: { accountId: of.accountId } } : {}),
      };
      const [total, data] = await prisma.$transaction([
        prisma.video.count({ where }),
        prisma.video.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], skip: window.start, take: window.count, include: videoForActivityPubInclude }),
      ]);
      return { total, data };
    },
  };
}
