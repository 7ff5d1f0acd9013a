import type { PrismaClient } from '../../generated/prisma/client.js';
import type { Tx } from '../../lib/tx.js';
import type { HostPatch, HostState } from './host-policy.js';

export type HostRow = HostState & { readonly host: string };

/**
 * Delivery's reads and writes on `RemoteServer`. Timestamps come from the caller's clock. A row is
 * created on first contact; transitions run under the row's lock so concurrent deliveries to one
 * host see each other's outcome.
 */
export interface HostHealthStore {
  /**
   * Locks the host's row (creating it if needed), lets `decide` compute a patch from the current
   * state, writes it, and returns the decision with the state after the patch.
   */
  transition<T>(host: string, now: Date, decide: (state: HostRow) => { patch: HostPatch | null; value: T }): Promise<{ value: T; state: HostRow }>;
  blockedAmong(hosts: readonly string[], tx?: Tx): Promise<Set<string>>;
  list(options: { unhealthyOnly: boolean }): Promise<HostRow[]>;
  /** Clears failures and pause (admin "retry now"); false when the host is unknown. */
  reset(host: string, now: Date): Promise<boolean>;
}

const selectState = {
  host: true,
  blocked: true,
  consecutiveFailures: true,
  pausedUntil: true,
  lastError: true,
  lastSuccessAt: true,
} as const;

export function createHostHealthStore(prisma: PrismaClient): HostHealthStore {
  return {
    async transition(host, now, decide) {
      return prisma.$transaction(async (tx) => {
        await tx.remoteServer.createMany({ data: [{ host, createdAt: now, updatedAt: now }], skipDuplicates: true });
        await tx.$queryRaw`SELECT "id" FROM "RemoteServer" WHERE "host" = ${host} FOR UPDATE`;
        const state = await tx.remoteServer.findUniqueOrThrow({ where: { host }, select: selectState });
        const { patch, value } = decide(state);
        if (patch === null || Object.keys(patch).length === 0) return { value, state };
        const updated = await tx.remoteServer.update({ where: { host }, data: { ...patch, updatedAt: now }, select: selectState });
        return { value, state: updated };
      });
    },

    async blockedAmong(hosts, tx) {
      if (hosts.length === 0) return new Set();
      const rows = await (tx ?? prisma).remoteServer.findMany({ where: { host: { in: [...hosts] }, blocked: true }, select: { host: true } });
      return new Set(rows.map((row) => row.host));
    },

    list({ unhealthyOnly }) {
      return prisma.remoteServer.findMany({
        where: unhealthyOnly ? { OR: [{ consecutiveFailures: { gt: 0 } }, { pausedUntil: { not: null } }, { blocked: true }] } : {},
        select: selectState,
        orderBy: { host: 'asc' },
      });
    },

    async reset(host, now) {
      const { count } = await prisma.remoteServer.updateMany({
        where: { host },
        data: { consecutiveFailures: 0, pausedUntil: null, updatedAt: now },
      });
      return count === 1;
    },
  };
}
