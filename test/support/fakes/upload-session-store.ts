import type { UploadSessionRow, UploadSessionStore } from '../../../src/videos/upload/upload-session-store.js';

/**
 * Resumable upload sessions over a Map, with the Prisma store's rules: each session records the
 * node (worker id) holding its file; `remove` also drops the session's quota reservation (one
 * transaction in the real store) when `reservations` is given.
 */
export function createFakeUploadSessionStore(options: { reservations?: Map<string, unknown> } = {}): UploadSessionStore & { rows: Map<string, UploadSessionRow> } {
  const rows = new Map<string, UploadSessionRow>();
  return {
    rows,
    create: async (row, owner) => void rows.set(row.id, { ...row, received: 0, state: 'receiving', result: null, owner }),
    find: async (userId, id) => {
      const row = rows.get(id);
      return row && row.userId === userId ? { ...row } : null;
    },
    async setReceived(id, received) {
      const row = rows.get(id);
      if (!row || row.state !== 'receiving') return false;
      row.received = received;
      return true;
    },
    async claimProcessing(id) {
      const row = rows.get(id);
      if (!row || row.state !== 'receiving') return false;
      row.state = 'processing';
      return true;
    },
    markDone: async (id, result) => {
      const row = rows.get(id);
      if (row) Object.assign(row, { state: 'done', result });
    },
    remove: async (id) => {
      options.reservations?.delete(id);
      return rows.delete(id);
    },
    expired: async (now) => [...rows.values()].filter((r) => r.expiresAt < now).map((r) => ({ id: r.id, owner: r.owner ?? null })),
    ownedBy: async (owner) => [...rows.values()].filter((r) => r.owner === owner || r.owner === null || r.owner === undefined),
    reopen: async (id) => {
      const row = rows.get(id);
      if (row?.state === 'processing') row.state = 'receiving';
    },
  };
}
