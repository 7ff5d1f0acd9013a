import type { Prisma } from '../../db/index.js';

/** One stored version of the policy set through the admin API. */
export interface StoredPolicy {
  readonly version: number;
  /** as accepted, in the config/endpoint shape */
  readonly policy: unknown;
  readonly setBy: string | null;
  readonly createdAt: Date;
}

/** Where the policy versions live (a row per version; the newest is in force). */
export interface PolicyStore {
  latest(): Promise<StoredPolicy | null>;
  append(input: { policy: Record<string, unknown>; setBy: string | null; at: Date }): Promise<StoredPolicy>;
}

export function createPrismaPolicyStore(prisma: Prisma): PolicyStore {
  return {
    async latest() {
      return prisma.redundancyPolicyVersion.findFirst({ orderBy: { version: 'desc' } });
    },
    async append({ policy, setBy, at }) {
      return prisma.redundancyPolicyVersion.create({ data: { policy: policy as object, setBy, createdAt: at } });
    },
  };
}
