import type { Prisma } from '../../db/index.js';
import type { InboxActivityStore } from './process-activity.js';

/** The stored inbound activities, as the inbox job reads and settles them. */
export function createPrismaInboxActivityStore(prisma: Prisma): InboxActivityStore {
  return {
    async activityIdOf(id) {
      const row = await prisma.inboxActivity.findUnique({ where: { id }, select: { activityId: true } });
      return row?.activityId ?? null;
    },

    async findPending(id) {
      const row = await prisma.inboxActivity.findUnique({ where: { id } });
      if (!row || row.state !== 'pending') return null;
      return { id: row.id, activityId: row.activityId, actorUrl: row.actorUrl, signerUrl: row.signerUrl, payload: row.payload };
    },

    async hasLaterVersion(row) {
      const later = await prisma.inboxActivity.findFirst({ where: { activityId: row.activityId, id: { gt: row.id } }, select: { id: true } });
      return later !== null;
    },

    async record(id, outcome, at) {
      await prisma.inboxActivity.update({ where: { id }, data: { state: outcome.state, error: outcome.error, processedAt: at } });
    },

    async failIfPending(id, error, at) {
      await prisma.inboxActivity.updateMany({ where: { id, state: 'pending' }, data: { state: 'failed', error, processedAt: at } });
    },
  };
}
