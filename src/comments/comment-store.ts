import type { Prisma } from '../db/index.js';
import type { Account, Actor, Prisma as P } from '../generated/prisma/client.js';

/** An actor as comments federate it: who writes, who owns the video, whose followers hear of it. */
export interface CommentActor {
  id: number;
  url: string;
  /** null: one of ours */
  host: string | null;
  inboxUrl: string;
  sharedInboxUrl: string | null;
  followersUrl: string | null;
}

export interface CommentedVideo {
  id: number;
  uuid: string;
  url: string;
  isLocal: boolean;
  privacy: number;
  commentsEnabled: boolean;
  /** the actors whose followers hear of the video and its comments */
  accountActor: Actor;
  channelActor: Actor;
  ownerUserId: number | null;
}

export type CommentRow = {
  id: number;
  url: string | null;
  videoId: number;
  accountId: number | null;
  originCommentId: number | null;
  inReplyToCommentId: number | null;
  text: string;
  heldForReview: boolean;
  replyApproval: string | null;
  deletedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  account: (Account & { actor: Actor }) | null;
};

export interface NewComment {
  videoId: number;
  accountId: number;
  /** a remote comment's AP id; ours get `urlFor(id)` */
  url?: string;
  inReplyTo: { id: number; originCommentId: number | null } | null;
  text: string;
  at: Date;
}

/** Comments as rows: what the inbox and the REST API write. */
export interface CommentStore {
  videoByUrl(url: string): Promise<CommentedVideo | null>;
  byUrl(url: string): Promise<(CommentRow & { video: CommentedVideo }) | null>;
  byId(id: number): Promise<(CommentRow & { video: CommentedVideo }) | null>;
  /** Stores a comment (once per url); ours get their url from `urlFor(id)` in the same transaction. */
  create(input: NewComment, urlFor?: (id: number) => string): Promise<{ row: CommentRow; created: boolean }>;
  /** PeerTube's tombstone: text emptied, account cleared, deletedAt set */
  markDeleted(id: number, at: Date): Promise<void>;
  setApproval(id: number, approval: string): Promise<void>;
}

export type ThreadSort = 'createdAt' | '-createdAt' | 'totalReplies' | '-totalReplies';

/** What the comment API reads. */
export interface CommentQueryStore {
  /** threads (first comments) of a video, deleted ones only while they have replies; with reply counts */
  listThreads(videoId: number, q: { start: number; count: number; sort: ThreadSort }): Promise<{ total: number; totalNotDeleted: number; data: (CommentRow & { totalReplies: number; totalRepliesFromVideoAuthor: number })[] }>;
  /** a thread's first comment and all its replies, oldest first */
  thread(videoId: number, threadId: number): Promise<CommentRow[]>;
  /** the urls of a video's comments, for its `comments` collection */
  commentUrls(videoId: number, page: { start: number; count: number }): Promise<{ total: number; items: string[] }>;
}

const videoInclude = { channel: { include: { actor: true, account: { include: { actor: true, user: true } } } } } as const;
type VideoWith = P.VideoGetPayload<{ include: typeof videoInclude }>;
const toVideo = (v: VideoWith): CommentedVideo => ({
  id: v.id,
  uuid: v.uuid,
  url: v.url,
  isLocal: v.isLocal,
  privacy: v.privacy,
  commentsEnabled: v.commentsEnabled,
  accountActor: v.channel.account.actor,
  channelActor: v.channel.actor,
  ownerUserId: v.channel.account.user?.id ?? null,
});
const commentInclude = { account: { include: { actor: true } }, video: { include: videoInclude } } as const;

export function createCommentStore(prisma: Prisma): CommentStore {
  const withVideo = (row: P.VideoCommentGetPayload<{ include: typeof commentInclude }> | null) => (row ? { ...row, video: toVideo(row.video) } : null);
  return {
    async videoByUrl(url) {
      const v = await prisma.video.findUnique({ where: { url }, include: videoInclude });
      return v ? toVideo(v) : null;
    },
    byUrl: async (url) => withVideo(await prisma.videoComment.findUnique({ where: { url }, include: commentInclude })),
    byId: async (id) => withVideo(await prisma.videoComment.findUnique({ where: { id }, include: commentInclude })),

    async create(input, urlFor) {
      if (input.url) {
        const existing = await prisma.videoComment.findUnique({ where: { url: input.url }, include: { account: { include: { actor: true } } } });
        if (existing) return { row: existing, created: false };
      }
      return prisma.$transaction(async (tx) => {
        const made = await tx.videoComment.create({
          data: {
            videoId: input.videoId,
            accountId: input.accountId,
            url: input.url ?? null,
            originCommentId: input.inReplyTo ? (input.inReplyTo.originCommentId ?? input.inReplyTo.id) : null,
            inReplyToCommentId: input.inReplyTo?.id ?? null,
            text: input.text,
            createdAt: input.at,
            updatedAt: input.at,
          },
        });
        const row = await tx.videoComment.update({
          where: { id: made.id },
          data: input.url ? {} : { url: urlFor!(made.id) },
          include: { account: { include: { actor: true } } },
        });
        return { row, created: true };
      });
    },

    async markDeleted(id, at) {
      await prisma.videoComment.update({ where: { id }, data: { text: '', accountId: null, deletedAt: at, updatedAt: at } });
    },
    async setApproval(id, approval) {
      await prisma.videoComment.update({ where: { id }, data: { replyApproval: approval, heldForReview: false } });
    },
  };
}

export function createCommentQueryStore(prisma: Prisma): CommentQueryStore {
  return {
    async listThreads(videoId, q) {
      const where: P.VideoCommentWhereInput = { videoId, originCommentId: null, OR: [{ deletedAt: null }, { threadReplies: { some: { deletedAt: null } } }] };
      const orderBy: P.VideoCommentOrderByWithRelationInput[] = q.sort.endsWith('totalReplies')
        ? [{ threadReplies: { _count: q.sort.startsWith('-') ? 'desc' : 'asc' } }, { id: 'asc' }]
        : [{ createdAt: q.sort.startsWith('-') ? 'desc' : 'asc' }, { id: 'asc' }];
      const [rows, total, totalNotDeleted] = await prisma.$transaction([
        prisma.videoComment.findMany({
          where,
          orderBy,
          skip: q.start,
          take: q.count,
          include: { account: { include: { actor: true } }, _count: { select: { threadReplies: { where: { deletedAt: null } } } } },
        }),
        prisma.videoComment.count({ where }),
        prisma.videoComment.count({ where: { videoId, deletedAt: null } }),
      ]);
      const video = await prisma.video.findUnique({ where: { id: videoId }, select: { channel: { select: { accountId: true } } } });
      const authorCounts = rows.length
        ? await prisma.videoComment.groupBy({
            by: ['originCommentId'],
            where: { originCommentId: { in: rows.map((r) => r.id) }, deletedAt: null, accountId: video?.channel.accountId ?? -1 },
            _count: { _all: true },
          })
        : [];
      const fromAuthor = new Map(authorCounts.map((c) => [c.originCommentId, c._count._all]));
      return {
        total,
        totalNotDeleted,
        data: rows.map(({ _count, ...r }) => ({ ...r, totalReplies: _count.threadReplies, totalRepliesFromVideoAuthor: fromAuthor.get(r.id) ?? 0 })),
      };
    },

    thread: (videoId, threadId) =>
      prisma.videoComment.findMany({
        where: { videoId, OR: [{ id: threadId, originCommentId: null }, { originCommentId: threadId }] },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        include: { account: { include: { actor: true } } },
      }),

    async commentUrls(videoId, page) {
      const where = { videoId, url: { not: null } };
      const [rows, total] = await prisma.$transaction([
        prisma.videoComment.findMany({ where, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], skip: page.start, take: page.count, select: { url: true } }),
        prisma.videoComment.count({ where }),
      ]);
      return { total, items: rows.map((r) => r.url!) };
    },
  };
}

/** Our instance actor: it signs forwarded activities and its followers hear of our videos (accounts/actor-store.ts). */
export type { InstanceActorStore } from '../accounts/index.js';
