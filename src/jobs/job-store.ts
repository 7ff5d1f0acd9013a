import { Prisma, type Job, type PrismaClient } from '../generated/prisma/client.js';
import { storableJson, storableText } from '../lib/unstorable-text.js';
import type { ApiJobState } from './api-job-state.js';
import type { EnqueueResult } from './job-handler.js';
import type { JobFilter, JobLease, JobStore, StoredJob } from './stored-job.js';

export type { JobLease, JobStore, NewJob } from './stored-job.js';

/** Seed of the advisory-lock key serialising enqueues of one (kind, dedupeKey); 0x4A4F4253 = "JOBS". */
const DEDUPE_LOCK_SEED = 0x4a4f4253;
const ERROR_MAX_CHARS = 10_000;

/** The Prisma job store of one worker (`workerId` names its leases). */
export function createJobStore(prisma: PrismaClient, workerId: string): JobStore {
  const owned = (lease: JobLease): Prisma.JobWhereInput => ({
    id: lease.id,
    attempts: lease.attempts,
    state: 'active',
    lockedBy: workerId,
  });
  const unlocked = { lockedBy: null, lockedUntil: null } as const;

  return {
    async insert(job, tx) {
      const data: Prisma.JobCreateInput = {
        kind: job.kind,
        payload: toJsonInput(job.payload) ?? Prisma.JsonNull,
        state: 'pending',
        priority: job.priority,
        maxAttempts: job.maxAttempts,
        runAt: job.runAt,
        dedupeKey: job.dedupeKey ?? null,
        createdAt: job.createdAt,
      };
      const { dedupeKey } = job;
      if (dedupeKey === undefined) {
        const created = await (tx ?? prisma).job.create({ data, select: { id: true } });
        return { id: created.id, deduplicated: false };
      }
      const insertUnlessDuplicate = async (client: Prisma.TransactionClient): Promise<EnqueueResult> => {
        // Serialises enqueues of the same (kind, dedupeKey) until the transaction ends, so the
        // existence check and the insert cannot interleave with another process's.
        await client.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`${job.kind}\n${dedupeKey}`}, ${DEDUPE_LOCK_SEED}))`;
        const existing = await client.job.findFirst({
          where: { kind: job.kind, dedupeKey, state: { in: job.dedupePendingOnly ? ['pending'] : ['pending', 'active'] } },
          select: { id: true },
          orderBy: { id: 'asc' },
        });
        if (existing) return { id: existing.id, deduplicated: true };
        const created = await client.job.create({ data, select: { id: true } });
        return { id: created.id, deduplicated: false };
      };
      return tx ? insertUnlessDuplicate(tx) : prisma.$transaction(insertUnlessDuplicate);
    },

    async claim(kind, now, leaseMs) {
      // Timestamps travel as ISO strings cast to timestamp(3): the zone suffix is dropped, which
      // is exactly how Prisma stores DateTime (UTC in a column without time zone), whatever the
      // session's TimeZone.
      const at = now.toISOString();
      const until = new Date(now.getTime() + leaseMs).toISOString();
      const rows = await prisma.$queryRaw<Array<{ id: number }>>`
        UPDATE "Job"
           SET "state" = 'active'::"JobState",
               "lockedBy" = ${workerId},
               "lockedUntil" = ${until}::timestamp(3),
               "attempts" = "attempts" + 1,
               "startedAt" = ${at}::timestamp(3),
               "updatedAt" = ${at}::timestamp(3)
         WHERE "id" = (
           SELECT "id" FROM "Job"
            WHERE "kind" = ${kind}
              AND (("state" = 'pending'::"JobState" AND "runAt" <= ${at}::timestamp(3))
                OR ("state" = 'active'::"JobState" AND "lockedUntil" < ${at}::timestamp(3)))
            ORDER BY "priority", "runAt", "id"
            LIMIT 1
            FOR UPDATE SKIP LOCKED)
        RETURNING "id"`;
      const claimed = rows[0];
      if (!claimed) return null;
      const row = await prisma.job.findUnique({ where: { id: Number(claimed.id) } });
      return row ? toStoredJob(row) : null;
    },

    async extendLease(lease, lockedUntil, now, progress) {
      const { count } = await prisma.job.updateMany({ where: owned(lease), data: { lockedUntil, updatedAt: now, progress } });
      return count === 1;
    },

    async complete(lease, result, now) {
      const { count } = await prisma.job.updateMany({
        where: owned(lease),
        data: { state: 'completed', result: toJsonInput(result) ?? Prisma.DbNull, finishedAt: now, updatedAt: now, ...unlocked },
      });
      return count === 1;
    },

    async retry(lease, runAt, error, now) {
      const { count } = await prisma.job.updateMany({
        where: owned(lease),
        data: { state: 'pending', runAt, lastError: truncate(error), updatedAt: now, ...unlocked },
      });
      return count === 1;
    },

    async fail(lease, error, now) {
      const { count } = await prisma.job.updateMany({
        where: owned(lease),
        data: { state: 'failed', lastError: truncate(error), finishedAt: now, updatedAt: now, ...unlocked },
      });
      return count === 1;
    },

    async release(lease, now) {
      const { count } = await prisma.job.updateMany({
        where: owned(lease),
        data: { state: 'pending', attempts: { decrement: 1 }, updatedAt: now, ...unlocked },
      });
      return count === 1;
    },

    async releaseAllOwned(now) {
      const { count } = await prisma.job.updateMany({
        where: { state: 'active', lockedBy: workerId },
        data: { state: 'pending', updatedAt: now, ...unlocked },
      });
      return count;
    },

    async find(filter, page) {
      const direction = page.ascending ? 'asc' : 'desc';
      const rows = await prisma.job.findMany({
        where: whereOf(filter),
        orderBy: [{ createdAt: direction }, { id: direction }],
        skip: page.skip,
        take: page.take,
      });
      return rows.map(toStoredJob);
    },

    count(filter) {
      return prisma.job.count({ where: whereOf(filter) });
    },

    async countByKind(now) {
      const [byState, delayed] = await Promise.all([
        prisma.job.groupBy({ by: ['kind', 'state'], _count: { _all: true } }),
        prisma.job.groupBy({ by: ['kind'], where: { state: 'pending', runAt: { gt: now } }, _count: { _all: true } }),
      ]);
      const counts = new Map<string, Record<ApiJobState, number>>();
      const of = (kind: string) => {
        let entry = counts.get(kind);
        if (!entry) {
          entry = { active: 0, completed: 0, failed: 0, waiting: 0, delayed: 0, paused: 0 };
          counts.set(kind, entry);
        }
        return entry;
      };
      for (const row of byState) {
        const entry = of(row.kind);
        if (row.state === 'pending') entry.waiting += row._count._all;
        else if (row.state === 'active' || row.state === 'completed') entry[row.state] += row._count._all;
        else entry.failed += row._count._all;
      }
      for (const row of delayed) {
        const entry = of(row.kind);
        entry.delayed += row._count._all;
        entry.waiting -= row._count._all;
      }
      return counts;
    },

    async deleteFinishedBefore(before) {
      const { count } = await prisma.job.deleteMany({
        where: { state: { in: ['completed', 'failed'] }, finishedAt: { lt: before } },
      });
      return count;
    },
  };
}

function whereOf(filter: JobFilter): Prisma.JobWhereInput {
  return {
    ...(filter.state !== undefined ? { state: filter.state } : {}),
    ...(filter.runAt !== undefined ? { runAt: filter.runAt } : {}),
    ...(filter.kind !== undefined ? { kind: filter.kind } : {}),
  };
}

function toStoredJob(row: Job): StoredJob {
  return {
    id: row.id,
    kind: row.kind,
    payload: row.payload,
    state: row.state,
    priority: row.priority,
    attempts: row.attempts,
    progress: row.progress,
    maxAttempts: row.maxAttempts,
    runAt: row.runAt,
    lastError: row.lastError,
    dedupeKey: row.dedupeKey,
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
  };
}

/** A value as Prisma JSON input (through a JSON round trip: Dates become strings, undefined drops). */
function toJsonInput(value: unknown): Prisma.InputJsonValue | undefined {
  if (value === undefined) return undefined;
  const text = JSON.stringify(value);
  if (text === undefined) return undefined;
  const parsed = storableJson(JSON.parse(text) as Prisma.InputJsonValue | null);
  return parsed === null ? undefined : parsed;
}

/** An error message as the `lastError` column can hold it: bounded, no NUL (it may quote a remote answer). */
function truncate(text: string): string {
  return storableText(text.length <= ERROR_MAX_CHARS ? text : `${text.slice(0, ERROR_MAX_CHARS)}…`);
}
