import type { Prisma } from '../../db/index.js';
import type { InboxStore } from './receive-activity.js';

/** The inbox's writes over `InboxActivity` and `Job`, and the blocklist of `RemoteServer`. */
export function createPrismaInboxStore(prisma: Prisma): InboxStore {
  return {
    async blockedHosts() {
      const rows = await prisma.remoteServer.findMany({ where: { blocked: true }, select: { host: true } });
      return rows.map((r) => r.host);
    },

    insertWithJobs(batch, { now, kind, maxAttempts }) {
      return prisma.$queryRaw<{ activityId: string; bodyDigest: string }[]>`
        WITH input AS (
          SELECT * FROM jsonb_to_recordset(${JSON.stringify(batch.map((row, arrival) => ({ ...row, arrival })))}::jsonb)
            AS x("activityId" text, "bodyDigest" text, "type" text, "actorUrl" text, "signerUrl" text, "payload" jsonb, "arrival" int)
        ), stored AS (
          INSERT INTO "InboxActivity" ("activityId", "bodyDigest", "type", "actorUrl", "signerUrl", "payload", "receivedAt")
          SELECT "activityId", "bodyDigest", "type", "actorUrl", "signerUrl", "payload", ${now} FROM input
          ORDER BY "activityId", "arrival"
          ON CONFLICT ("activityId", "bodyDigest") DO NOTHING
          RETURNING id, "activityId", "bodyDigest"
        ), jobs AS (
          INSERT INTO "Job" ("kind", "payload", "state", "maxAttempts", "runAt", "createdAt", "updatedAt")
          SELECT ${kind}, jsonb_build_object('inboxActivityId', stored.id), 'pending'::"JobState", ${maxAttempts}, ${now}, ${now}, ${now} FROM stored
          RETURNING id
        )
        SELECT "activityId", "bodyDigest" FROM stored`;
    },
  };
}
