import type { Prisma } from '../db/index.js';
import type { Tx } from '../lib/tx.js';

export type RateType = 'like' | 'dislike';

export interface RatedVideo {
  id: number;
  url: string;
  isLocal: boolean;
}

/** Rates per account and video, and the video's like/dislike counts kept with them. */
export interface RateStore {
  videoByUrl(url: string): Promise<RatedVideo | null>;
  rateOf(accountId: number, videoId: number): Promise<{ type: RateType; url: string } | null>;
  /** Sets (or replaces) the account's rate; returns the previous type. */
  setRate(input: { accountId: number; video: RatedVideo; type: RateType; url: string }): Promise<{ previous: RateType | null }>;
  /** Removes the account's rate when it matches (`url` and/or `type` when given); returns the removed type. */
  removeRate(input: { accountId: number; video: RatedVideo; url?: string; type?: RateType }): Promise<RateType | null>;
}

/** The ids of a video's rates, for its `likes`/`dislikes` collections. */
export interface RateQueryStore {
  rateUrls(videoId: number, type: RateType, page: { start: number; count: number }): Promise<{ total: number; items: string[] }>;
}

export function createRateQueryStore(prisma: Prisma): RateQueryStore {
  return {
    async rateUrls(videoId, type, page) {
      const where = { videoId, type };
      const [rows, total] = await prisma.$transaction([
        prisma.accountVideoRate.findMany({ where, orderBy: { id: 'asc' }, skip: page.start, take: page.count, select: { url: true } }),
        prisma.accountVideoRate.count({ where }),
      ]);
      return { total, items: rows.map((r) => r.url) };
    },
  };
}

const field = (t: RateType) => (t === 'like' ? 'likes' : 'dislikes');

/**
 * Keeps `likes`/`dislikes` right under concurrent rates: the video row is locked for the
 * transaction; our videos' counts are recounted from the rates (the truth), a remote video's
 * counts (the origin's, plus our users' rates) move by one and never below zero.
 */
async function applyCounts(tx: Tx, video: RatedVideo, removed: RateType | null, added: RateType | null) {
  if (removed === added) return;
  if (video.isLocal) {
    const [likes, dislikes] = await Promise.all([
      tx.accountVideoRate.count({ where: { videoId: video.id, type: 'like' } }),
      tx.accountVideoRate.count({ where: { videoId: video.id, type: 'dislike' } }),
    ]);
    await tx.video.update({ where: { id: video.id }, data: { likes, dislikes } });
    return;
  }
  if (removed) await tx.video.updateMany({ where: { id: video.id, [field(removed)]: { gt: 0 } }, data: { [field(removed)]: { decrement: 1 } } });
  if (added) await tx.video.update({ where: { id: video.id }, data: { [field(added)]: { increment: 1 } } });
}

const lockVideo = (tx: Tx, videoId: number) => tx.$queryRaw`SELECT id FROM "Video" WHERE id = ${videoId} FOR UPDATE`;

export function createRateStore(prisma: Prisma): RateStore {
  return {
    videoByUrl: (url) => prisma.video.findUnique({ where: { url }, select: { id: true, url: true, isLocal: true } }),

    async rateOf(accountId, videoId) {
      const row = await prisma.accountVideoRate.findUnique({ where: { accountId_videoId: { accountId, videoId } } });
      return row ? { type: row.type as RateType, url: row.url } : null;
    },

    setRate({ accountId, video, type, url }) {
      return prisma.$transaction(async (tx) => {
        await lockVideo(tx, video.id);
        const existing = await tx.accountVideoRate.findUnique({ where: { accountId_videoId: { accountId, videoId: video.id } } });
        await tx.accountVideoRate.upsert({
          where: { accountId_videoId: { accountId, videoId: video.id } },
          create: { accountId, videoId: video.id, type, url },
          update: { type, url },
        });
        const previous = (existing?.type as RateType | undefined) ?? null;
        await applyCounts(tx, video, previous, type);
        return { previous };
      });
    },

    removeRate({ accountId, video, url, type }) {
      return prisma.$transaction(async (tx) => {
        await lockVideo(tx, video.id);
        const existing = await tx.accountVideoRate.findUnique({ where: { accountId_videoId: { accountId, videoId: video.id } } });
        if (!existing || (url !== undefined && existing.url !== url) || (type !== undefined && existing.type !== type)) return null;
        await tx.accountVideoRate.delete({ where: { id: existing.id } });
        await applyCounts(tx, video, existing.type as RateType, null);
        return existing.type as RateType;
      });
    },
  };
}
