import type { Prisma as P } from '../../generated/prisma/client.js';

/**
 * Exactly once for an inbound activity whose effect cannot be repeated (a view counted, a
 * counter moved): the effect's own transaction marks the stored activity processed, and applies
 * the effect only when it was still pending. A crash after that commit, but before the inbox job
 * recorded its outcome, leaves the row processed: the job's next attempt finds it handled and
 * applies nothing twice. Returns false when the activity was already processed (apply nothing).
 */
export async function claimInboxActivity(tx: P.TransactionClient, inboxActivityId: number, now: Date): Promise<boolean> {
  const claimed = await tx.inboxActivity.updateMany({
    where: { id: inboxActivityId, state: 'pending' },
    data: { state: 'processed', error: null, processedAt: now },
  });
  return claimed.count === 1;
}
