import type { Prisma } from '../db/index.js';

/** Deletes old rows, one bounded batch at a time (oldest ids first); each returns how many went. */
export interface PruneStore {
  /** jobs in `state` (completed or failed) that finished before `before` */
  deleteFinishedJobs(state: 'completed' | 'failed', before: Date, limit: number): Promise<number>;
  /** inbound activities in a final state (processed, skipped, failed) handled before `before` */
  deleteHandledActivities(before: Date, limit: number): Promise<number>;
}

export function createPrunePrismaStore(prisma: Prisma): PruneStore {
  return {
    deleteFinishedJobs(state, before, limit) {
      return prisma.$executeRaw`DELETE FROM "Job" WHERE id IN (
        SELECT id FROM "Job" WHERE state = ${state}::"JobState" AND "finishedAt" < ${before} ORDER BY id LIMIT ${limit})`;
    },
    deleteHandledActivities(before, limit) {
      return prisma.$executeRaw`DELETE FROM "InboxActivity" WHERE id IN (
        SELECT id FROM "InboxActivity" WHERE state IN ('processed', 'skipped', 'failed') AND "processedAt" < ${before} ORDER BY id LIMIT ${limit})`;
    },
  };
}
