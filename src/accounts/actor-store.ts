import type { Prisma } from '../db/index.js';
import type { LocalActorData } from './account-store.js';

/** The name of our instance actor (PeerTube's Application "peertube"). */
export const INSTANCE_ACTOR_NAME = 'peertube';

/**
 * Our instance actor, looked up in one place: it signs forwarded activities and our follows, its
 * followers hear of our videos, and it owns our mirrored copies.
 */
export interface InstanceActorStore {
  /** the instance actor; throws before it exists (it is created at the first start) */
  instanceActor(): Promise<{ id: number; url: string }>;
}

/** What start-up needs besides: whether it exists yet, and creating it with its Account. */
export interface InstanceActorSetupStore extends InstanceActorStore {
  findInstanceActor(): Promise<{ id: number; url: string } | null>;
  createInstanceActor(actor: LocalActorData): Promise<void>;
}

export function createPrismaActorStore(prisma: Prisma): InstanceActorSetupStore {
  // the row never changes once created: one lookup per instance
  let cached: { id: number; url: string } | undefined;
  const find = () => prisma.actor.findFirst({ where: { preferredUsername: INSTANCE_ACTOR_NAME, host: null }, select: { id: true, url: true } });
  return {
    async instanceActor() {
      if (cached) return cached;
      const found = await find();
      if (!found) throw new Error('the instance actor does not exist yet');
      cached = found;
      return found;
    },
    async findInstanceActor() {
      return (await find()) ?? null;
    },
    async createInstanceActor(data) {
      const actor = await prisma.actor.create({ data });
      await prisma.account.create({ data: { name: INSTANCE_ACTOR_NAME, displayName: INSTANCE_ACTOR_NAME, actorId: actor.id } });
    },
  };
}
