import type { Prisma } from '../db/index.js';

/** The `ClusterTick` rows: which node runs each periodic tick, and until when. */
export interface TickLeaseStore {
  /**
   * Claims the tick for `holder` when it already holds it, or when the tick is overdue since
   * `takeoverBefore` and no run holds it past `now`; the claim sets the next due time and holds the
   * run until `runningUntil`. One statement: of nodes claiming at once, one wins.
   */
  claim(claim: { name: string; holder: string; now: Date; dueAt: Date; runningUntil: Date; takeoverBefore: Date }): Promise<boolean>;
  /** Extends the hold of the holder's run; false when another node holds the tick now. */
  renew(name: string, holder: string, runningUntil: Date): Promise<boolean>;
  /** The holder's run ended. */
  finish(name: string, holder: string): Promise<void>;
  list(): Promise<TickLeaseRow[]>;
}

export interface TickLeaseRow {
  name: string;
  holder: string;
  dueAt: Date;
  runningUntil: Date | null;
  lastRunAt: Date;
  runs: number;
}

// Timestamps travel as ISO strings cast to timestamp(3) (as in the job store): exactly how Prisma
// stores a DateTime, whatever the session's time zone.
const ts = (d: Date) => d.toISOString();

export function createTickLeaseStore(prisma: Prisma): TickLeaseStore {
  return {
    async claim({ name, holder, now, dueAt, runningUntil, takeoverBefore }) {
      const rows = await prisma.$queryRaw<Array<{ name: string }>>`
        INSERT INTO "ClusterTick" ("name", "holder", "dueAt", "runningUntil", "lastRunAt", "runs")
        VALUES (${name}, ${holder}, ${ts(dueAt)}::timestamp(3), ${ts(runningUntil)}::timestamp(3), ${ts(now)}::timestamp(3), 1)
        ON CONFLICT ("name") DO UPDATE
           SET "holder" = EXCLUDED."holder",
               "dueAt" = EXCLUDED."dueAt",
               "runningUntil" = EXCLUDED."runningUntil",
               "lastRunAt" = EXCLUDED."lastRunAt",
               "runs" = "ClusterTick"."runs" + 1
         WHERE "ClusterTick"."holder" = EXCLUDED."holder"
            OR ("ClusterTick"."dueAt" <= ${ts(takeoverBefore)}::timestamp(3)
                AND ("ClusterTick"."runningUntil" IS NULL OR "ClusterTick"."runningUntil" < ${ts(now)}::timestamp(3)))
        RETURNING "name"`;
      return rows.length === 1;
    },
    async renew(name, holder, runningUntil) {
      const { count } = await prisma.clusterTick.updateMany({ where: { name, holder }, data: { runningUntil } });
      return count === 1;
    },
    async finish(name, holder) {
      await prisma.clusterTick.updateMany({ where: { name, holder }, data: { runningUntil: null } });
    },
    list() {
      return prisma.clusterTick.findMany({ orderBy: { name: 'asc' } });
    },
  };
}
