import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTransactor } from '../../../src/db/index.js';
import { DELIVERY_JOB } from '../../../src/federation/delivery/index.js';
import { createActivity, createInboxServer, openDeliveryTestDatabase, startDeliveryRig, waitFor, type DeliveryTestDatabase } from './delivery-harness.js';

const T0 = new Date('2026-05-01T10:00:00.000Z');

// Issue 11: an activity sent inside a transaction (a follow, a mirror's CacheFile announcement) is
// queued with the caller's rows; its delivery is attempted once they commit, not on the next poll
// of the job queue (60 s in this rig: longer than the 10 s this test waits).
describe('a delivery queued inside a transaction', () => {
  let testDb: DeliveryTestDatabase;
  beforeAll(async () => {
    testDb = await openDeliveryTestDatabase('postgres');
  });
  afterAll(async () => {
    await testDb?.close();
  });

  it('is attempted right after the commit, before the poll interval', async () => {
    const rig = await startDeliveryRig(testDb.db, T0);
    const inbox = await createInboxServer(testDb.db, rig.clock);
    try {
      await createTransactor(testDb.db.prisma).transaction(async (tx) => {
        await rig.delivery.deliver(createActivity('in-tx'), { signerActorId: testDb.actorId, inboxes: [inbox.url()] }, tx);
      });
      await waitFor(() => inbox.received.length === 1, 'the delivery to be attempted after the commit', 10_000);
      await waitFor(async () => (await rig.jobs())[0]?.state === 'completed', 'the delivery job to complete', 10_000);
      expect((await rig.jobs()).map((job) => [job.kind, job.attempts])).toEqual([[DELIVERY_JOB, 1]]);
    } finally {
      await rig.stop();
      await inbox.close();
    }
  });
});
