import type { Prisma } from '../../db/index.js';
import type { Tx } from '../../lib/tx.js';
import type { FollowStore } from './follows.js';

const include = { follower: true, following: true } as const;

/** The follow store over Prisma's `ActorFollow` table. */
export function createPrismaFollowStore(prisma: Prisma): FollowStore {
  const db = (tx?: Tx) => tx ?? prisma;
  return {
    find: ({ followerId, followingId }, tx) => db(tx).actorFollow.findUnique({ where: { followerId_followingId: { followerId, followingId } }, include }),

    async createPending({ followerId, followingId }, urlOf, tx) {
      const created = await tx.actorFollow.create({ data: { followerId, followingId, state: 'pending' } });
      return tx.actorFollow.update({ where: { id: created.id }, data: { url: urlOf(created.id) }, include });
    },

    findWith: ({ localActorId, side, preferredUsername, host }) =>
      prisma.actorFollow.findFirst({
        where: side === 'following' ? { followerId: localActorId, following: { preferredUsername, host } } : { followingId: localActorId, follower: { preferredUsername, host } },
        include,
      }),

    async recordInbound({ followerId, followingId, url, state }, tx) {
      const pair = { followerId_followingId: { followerId, followingId } };
      const had = await tx.actorFollow.findUnique({ where: pair, select: { id: true } });
      const follow = await tx.actorFollow.upsert({
        where: pair,
        create: { followerId, followingId, state, url },
        update: { url, ...(state === 'accepted' ? { state } : {}) },
        include,
      });
      return { follow, existed: had !== null };
    },

    async accept(id, tx) {
      await db(tx).actorFollow.update({ where: { id }, data: { state: 'accepted' } });
    },

    async remove(id, tx) {
      await db(tx).actorFollow.delete({ where: { id } });
    },

    async page(q) {
      const where = {
        ...(q.direction === 'following' ? { followerId: q.localActorId } : { followingId: q.localActorId }),
        ...(q.state ? { state: q.state } : {}),
      };
      const [data, total] = await prisma.$transaction([
        prisma.actorFollow.findMany({ where, skip: q.start, take: q.count, orderBy: [{ createdAt: q.newestFirst ? 'desc' : 'asc' }, { id: 'asc' }], include }),
        prisma.actorFollow.count({ where }),
      ]);
      return { total, data };
    },

    findOurFollowOf: (input) =>
      prisma.actorFollow.findFirst({
        where: {
          following: { url: input.followingUrl },
          follower: { host: null, ...(input.followerUrl !== undefined ? { url: input.followerUrl } : {}) },
          ...(input.url !== undefined ? { url: input.url } : {}),
        },
        include,
      }),

    async removeInbound({ followerUrl, followingUrl }) {
      const { count } = await prisma.actorFollow.deleteMany({ where: { follower: { url: followerUrl }, following: { url: followingUrl, host: null } } });
      return count;
    },

    async acceptedFollowers(followingIds) {
      const rows = await prisma.actorFollow.findMany({ where: { followingId: { in: followingIds }, state: 'accepted' }, include: { follower: true } });
      return rows.map((r) => r.follower);
    },

    async acceptedActorUrls({ localActorId, direction, start, count }) {
      const where = direction === 'followers' ? { followingId: localActorId, state: 'accepted' as const } : { followerId: localActorId, state: 'accepted' as const };
      const [total, rows] = await prisma.$transaction([
        prisma.actorFollow.count({ where }),
        prisma.actorFollow.findMany({ where, orderBy: { id: 'asc' }, skip: start, take: count, include: { follower: true, following: true } }),
      ]);
      return { total, urls: rows.map((r) => (direction === 'followers' ? r.follower.url : r.following.url)) };
    },

    async acceptedFollowings(followerId) {
      const rows = await prisma.actorFollow.findMany({ where: { followerId, state: 'accepted' }, include: { following: true } });
      return rows.map((r) => r.following);
    },
  };
}
