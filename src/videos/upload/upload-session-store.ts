import type { Prisma } from '../../db/index.js';

export type SessionState = 'receiving' | 'processing' | 'done';

export interface UploadSessionRow {
  id: string;
  userId: number;
  metadata: unknown;
  filename: string;
  mimeType: string | null;
  size: number;
  received: number;
  state: SessionState;
  result: unknown;
  expiresAt: Date;
  /** worker id of the node whose storage holds the file (null or absent: sessions from before owners were recorded) */
  owner?: string | null;
}

/** The rows of PeerTube's resumable protocol; a session's quota reservation shares its id. */
export interface UploadSessionStore {
  create(row: Omit<UploadSessionRow, 'received' | 'state' | 'result'>, owner: string): Promise<void>;
  find(userId: number, id: string): Promise<UploadSessionRow | null>;
  /** Records the bytes received, only while the session is still receiving; false when it is gone or past that. */
  setReceived(id: string, received: number): Promise<boolean>;
  /** receiving → processing, for one caller only (the last chunk); false for everyone else. */
  claimProcessing(id: string): Promise<boolean>;
  /** processing → done, keeping the answer for clients that send the last chunk again. */
  markDone(id: string, result: unknown, expiresAt: Date): Promise<void>;
  /** Removes the session and its quota reservation in one transaction; false when it was already gone. */
  remove(id: string): Promise<boolean>;
  /** Sessions past their expiry, with the node holding each one's file. */
  expired(now: Date): Promise<{ id: string; owner: string | null }[]>;
  /** Sessions whose file lives in this storage (worker id), plus those from before owners were recorded. */
  ownedBy(owner: string): Promise<UploadSessionRow[]>;
  /** After a crash: a session cut off while processing receives again (its whole file is still there). */
  reopen(id: string): Promise<void>;
}

type Row = { id: string; userId: number; metadata: unknown; filename: string; mimeType: string | null; size: bigint; received: bigint; state: string; result: unknown; expiresAt: Date; owner: string | null };

function toRow(r: Row): UploadSessionRow {
  return { ...r, size: Number(r.size), received: Number(r.received), state: r.state as SessionState };
}

export function createUploadSessionStore(prisma: Prisma): UploadSessionStore {
  return {
    async create(row, owner) {
      await prisma.uploadSession.create({
        data: { id: row.id, userId: row.userId, metadata: row.metadata as object, filename: row.filename, mimeType: row.mimeType, size: BigInt(row.size), expiresAt: row.expiresAt, owner },
      });
    },
    async find(userId, id) {
      const row = await prisma.uploadSession.findFirst({ where: { id, userId } });
      return row ? toRow(row) : null;
    },
    async setReceived(id, received) {
      const { count } = await prisma.uploadSession.updateMany({ where: { id, state: 'receiving' }, data: { received: BigInt(received) } });
      return count === 1;
    },
    async claimProcessing(id) {
      const { count } = await prisma.uploadSession.updateMany({ where: { id, state: 'receiving' }, data: { state: 'processing' } });
      return count === 1;
    },
    async markDone(id, result, expiresAt) {
      await prisma.uploadSession.updateMany({ where: { id }, data: { state: 'done', result: result as object, expiresAt } });
    },
    async remove(id) {
      const [removed] = await prisma.$transaction([
        prisma.uploadSession.deleteMany({ where: { id } }),
        prisma.quotaReservation.deleteMany({ where: { id } }),
      ]);
      return removed.count === 1;
    },
    async expired(now) {
      return prisma.uploadSession.findMany({ where: { expiresAt: { lt: now } }, select: { id: true, owner: true } });
    },
    async ownedBy(owner) {
      const rows = await prisma.uploadSession.findMany({ where: { OR: [{ owner }, { owner: null }] } });
      return rows.map(toRow);
    },
    async reopen(id) {
      await prisma.uploadSession.updateMany({ where: { id, state: 'processing' }, data: { state: 'receiving' } });
    },
  };
}
