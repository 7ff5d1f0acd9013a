import type { Prisma } from '../../db/index.js';

/** What the jobs console shows beside PeerTube's Job shape. */
export interface JobDetails {
  attempts: number;
  maxAttempts: number;
  runAt: Date;
  /** the JobOutcome of a finished job */
  result: unknown;
}

export interface JobDetailsStore {
  details(ids: readonly number[]): Promise<Map<number, JobDetails>>;
}

export function createPrismaJobDetailsStore(prisma: Prisma): JobDetailsStore {
  return {
    async details(ids) {
      if (ids.length === 0) return new Map();
      const rows = await prisma.job.findMany({ where: { id: { in: [...ids] } }, select: { id: true, attempts: true, maxAttempts: true, runAt: true, result: true } });
      return new Map(rows.map((r) => [r.id, { attempts: r.attempts, maxAttempts: r.maxAttempts, runAt: r.runAt, result: r.result }]));
    },
  };
}
