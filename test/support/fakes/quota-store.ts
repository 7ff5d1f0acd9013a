import type { Tx } from '../../../src/lib/tx.js';
import type { QuotaStore, Reservation } from '../../../src/videos/upload/quota-store.js';
import { writeIn } from './commit-transactor.js';

const DAY_MS = 24 * 3600_000;

/**
 * Quota reservations over a Map, checked against what the user's videos already store (read from
 * the video store's fake, which owns channels, quotas and files).
 */
export function createFakeQuotaStore(videos: {
  ownsChannel(userId: number, channelId: number): Promise<boolean>;
  quotaOf(userId: number): Promise<{ total: number; daily: number }>;
  storedBytes(userId: number, since: Date): Promise<{ total: number; daily: number }>;
  videoExists?(uuid: string): boolean;
}) {
  const reservations = new Map<string, Reservation & { createdAt: Date; videoUuid: string | null }>();
  const store: QuotaStore = {
    ownsChannel: (userId, channelId) => videos.ownsChannel(userId, channelId),
    async reserve(reservation, now) {
      const since = new Date(now.getTime() - DAY_MS);
      const quota = await videos.quotaOf(reservation.userId);
      const stored = await videos.storedBytes(reservation.userId, since);
      const held = [...reservations.values()].filter((r) => r.userId === reservation.userId);
      const heldBytes = held.reduce((n, r) => n + r.size, 0);
      const heldToday = held.filter((r) => r.createdAt >= since).reduce((n, r) => n + r.size, 0);
      if (quota.total >= 0 && stored.total + heldBytes + reservation.size > quota.total) return { ok: false, which: 'total' };
      if (quota.daily >= 0 && stored.daily + heldToday + reservation.size > quota.daily) return { ok: false, which: 'daily' };
      reservations.set(reservation.id, { ...reservation, createdAt: now, videoUuid: null });
      return { ok: true };
    },
    async setVideoUuid(id, videoUuid) {
      const r = reservations.get(id);
      if (r) r.videoUuid = videoUuid;
    },
    async release(id, tx?: Tx) {
      writeIn(tx, () => reservations.delete(id));
    },
    async ownedBy(owner) {
      return [...reservations.values()].filter((r) => r.owner === owner).map((r) => ({ id: r.id, videoUuid: r.videoUuid }));
    },
    async videoExists(uuid) {
      return videos.videoExists?.(uuid) ?? false;
    },
  };
  return { store, reservations };
}
