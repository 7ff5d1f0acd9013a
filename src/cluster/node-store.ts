import type { Prisma } from '../db/index.js';

/** A node's row in `ClusterNode`. */
export interface NodeRow {
  id: string;
  name: string;
  url: string;
  version: string;
  startedAt: Date;
  lastSeenAt: Date;
  stoppedAt: Date | null;
}

/** The node registry's rows. */
export interface NodeStore {
  /** Writes this node's row at start (a restart with the same id replaces it). */
  register(row: Omit<NodeRow, 'stoppedAt'>): Promise<void>;
  /** Refreshes the heartbeat; false when the row is gone (then the node registers again). */
  seen(id: string, at: Date): Promise<boolean>;
  stopped(id: string, at: Date): Promise<void>;
  list(): Promise<NodeRow[]>;
  find(id: string): Promise<NodeRow | null>;
}

export function createNodeStore(prisma: Prisma): NodeStore {
  return {
    async register(row) {
      const data = { ...row, stoppedAt: null };
      await prisma.clusterNode.upsert({ where: { id: row.id }, create: data, update: data });
    },
    async seen(id, at) {
      const { count } = await prisma.clusterNode.updateMany({ where: { id }, data: { lastSeenAt: at, stoppedAt: null } });
      return count === 1;
    },
    async stopped(id, at) {
      await prisma.clusterNode.updateMany({ where: { id }, data: { stoppedAt: at, lastSeenAt: at } });
    },
    list() {
      return prisma.clusterNode.findMany({ orderBy: [{ name: 'asc' }, { id: 'asc' }] });
    },
    find(id) {
      return prisma.clusterNode.findUnique({ where: { id } });
    },
  };
}
