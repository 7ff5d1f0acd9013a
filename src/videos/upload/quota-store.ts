import type { Prisma } from '../../db/index.js';
import type { Prisma as P } from '../../generated/prisma/client.js';
import type { Tx } from '../../lib/tx.js';

/** Seed of the advisory-lock key serialising one user's quota reservations; 0x51554f54 = "QUOT". */
const QUOTA_LOCK_SEED = 0x51554f54;
const DAY_MS = 24 * 3600_000;

export interface Reservation {
  id: string;
  userId: number;
  size: number;
  owner: string;
}

export type ReserveOutcome = { ok: true } | { ok: false; which: 'total' | 'daily' };

/** The rows behind upload admission: channel ownership, and quota reservations checked and written in one step. */
export interface QuotaStore {
  ownsChannel(userId: number, channelId: number): Promise<boolean>;
  /**
   * In one transaction under a per-user advisory lock (both databases): sums the user's stored
   * files and open reservations, and writes the reservation only if it fits both quotas.
   */
  reserve(reservation: Reservation, now: Date): Promise<ReserveOutcome>;
  setVideoUuid(id: string, videoUuid: string): Promise<void>;
  /**
   * Removes a reservation (inside the caller's transaction when given); no-op when already gone.
   * Inside a transaction it first takes the user's quota lock: the transaction that turns a
   * reservation into stored files must not commit while a `reserve` is summing both (under READ
   * COMMITTED each of its sums sees its own snapshot, and could miss the reservation and the files).
   */
  release(id: string, tx?: Tx): Promise<void>;
  /** Reservations held by a process of this storage (only dead ones at start-up). */
  ownedBy(owner: string): Promise<{ id: string; videoUuid: string | null }[]>;
  /** Whether the upload became a video (its row exists). */
  videoExists(uuid: string): Promise<boolean>;
}

/** The per-user advisory lock (held until the transaction ends) serialising quota sums and the commits that change them. */
async function lockUserQuota(tx: Tx, userId: number): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`quota\n${userId}`}, ${QUOTA_LOCK_SEED}))`;
}

export function createQuotaStore(prisma: Prisma): QuotaStore {
  return {
    async ownsChannel(userId, channelId) {
      return (await prisma.videoChannel.count({ where: { id: channelId, account: { user: { id: userId } } } })) > 0;
    },

    async reserve(reservation, now) {
      return prisma.$transaction(
        async (tx) => {
          await lockUserQuota(tx, reservation.userId);
          const user = await tx.user.findUniqueOrThrow({ where: { id: reservation.userId }, select: { videoQuota: true, videoQuotaDaily: true } });
          const since = new Date(now.getTime() - DAY_MS);
          const owned = { channel: { account: { user: { id: reservation.userId } } } };
          const filesOf = (video: P.VideoWhereInput) =>
            tx.videoFile.aggregate({ _sum: { size: true }, where: { OR: [{ video }, { streamingPlaylist: { video } }] } });
          const [files, filesToday, held, heldToday] = await Promise.all([
            filesOf(owned),
            filesOf({ ...owned, createdAt: { gte: since } }),
            tx.quotaReservation.aggregate({ _sum: { size: true }, where: { userId: reservation.userId } }),
            tx.quotaReservation.aggregate({ _sum: { size: true }, where: { userId: reservation.userId, createdAt: { gte: since } } }),
          ]);
          const total = Number(files._sum.size ?? 0n) + Number(held._sum.size ?? 0n) + reservation.size;
          const daily = Number(filesToday._sum.size ?? 0n) + Number(heldToday._sum.size ?? 0n) + reservation.size;
          if (user.videoQuota >= 0n && total > Number(user.videoQuota)) return { ok: false, which: 'total' } as const;
          if (user.videoQuotaDaily >= 0n && daily > Number(user.videoQuotaDaily)) return { ok: false, which: 'daily' } as const;
          await tx.quotaReservation.create({
            data: { id: reservation.id, userId: reservation.userId, size: BigInt(reservation.size), owner: reservation.owner, createdAt: now },
          });
          return { ok: true } as const;
        },
        { maxWait: 30_000, timeout: 30_000 },
      );
    },

    async setVideoUuid(id, videoUuid) {
      await prisma.quotaReservation.updateMany({ where: { id }, data: { videoUuid } });
    },

    async release(id, tx) {
      if (tx) {
        const held = await tx.quotaReservation.findUnique({ where: { id }, select: { userId: true } });
        if (held) await lockUserQuota(tx, held.userId);
      }
      await (tx ?? prisma).quotaReservation.deleteMany({ where: { id } });
    },

    async ownedBy(owner) {
      return prisma.quotaReservation.findMany({ where: { owner }, select: { id: true, videoUuid: true } });
    },

    async videoExists(uuid) {
      return (await prisma.video.count({ where: { uuid } })) > 0;
    },
  };
}
