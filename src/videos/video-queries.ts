import type { Prisma } from '../db/index.js';
import type { Prisma as P } from '../generated/prisma/client.js';
import { parseVideoRef } from './short-uuid.js';

export const channelInclude = { actor: true, account: { include: { actor: true, user: true } } } as const;
export const videoListInclude = { channel: { include: channelInclude } } as const;
export const videoDetailsInclude = {
  channel: { include: channelInclude },
  /** web video files, with the healthy web-video copies other instances announced (extra webseeds) */
  files: { include: { redundancies: { where: { state: 'active' }, orderBy: { id: 'asc' }, select: { fileUrl: true } } } },
  streamingPlaylists: { include: { files: true } },
  /** mirrors listed to clients: healthy ones only (expired ones are removed by a periodic tick) */
  // ours (the mirror side's state) and other instances' (the origin side's)
  redundancies: { where: { OR: [{ state: 'active' }, { remoteState: 'active' }] as P.VideoRedundancyWhereInput[] }, orderBy: { id: 'asc' } },
} as const;

export interface VideoListQuery {
  start: number;
  count: number;
  sort?: string | undefined;
  isLocal?: boolean | undefined;
  /** include private/unlisted videos (admins, owners) */
  includeAll?: boolean;
  channelId?: number;
  accountId?: number;
  search?: string | undefined;
}

const SORTS: Record<string, P.VideoOrderByWithRelationInput> = {
  name: { name: 'asc' },
  '-name': { name: 'desc' },
  duration: { duration: 'asc' },
  '-duration': { duration: 'desc' },
  createdAt: { createdAt: 'asc' },
  '-createdAt': { createdAt: 'desc' },
  publishedAt: { publishedAt: 'asc' },
  '-publishedAt': { publishedAt: 'desc' },
  views: { views: 'asc' },
  '-views': { views: 'desc' },
  likes: { likes: 'asc' },
  '-likes': { likes: 'desc' },
  '-trending': { views: 'desc' },
  '-hot': { views: 'desc' },
};
export const VIDEO_SORTS = Object.keys(SORTS);

export function createVideoQueries(prisma: Prisma) {
  return {
    findByRef(ref: string) {
      const where = parseVideoRef(ref);
      if (!where) return Promise.resolve(null);
      return prisma.video.findUnique({ where, include: videoDetailsInclude });
    },

    async list(q: VideoListQuery) {
      const where: P.VideoWhereInput = {
        ...(q.includeAll ? {} : { privacy: 1 }),
        ...(q.isLocal === undefined ? {} : { isLocal: q.isLocal }),
        ...(q.channelId ? { channelId: q.channelId } : {}),
        ...(q.accountId ? { channel: { accountId: q.accountId } } : {}),
        ...(q.search ? { name: { contains: q.search, mode: 'insensitive' as const } } : {}),
      };
      const orderBy = [SORTS[q.sort ?? '-publishedAt'] ?? { publishedAt: 'desc' as const }, { id: 'asc' as const }];
      const [data, total] = await prisma.$transaction([
        prisma.video.findMany({ where, orderBy, skip: q.start, take: q.count, include: videoListInclude }),
        prisma.video.count({ where }),
      ]);
      return { total, data };
    },
  };
}

export type VideoQueries = ReturnType<typeof createVideoQueries>;
