import type { Prisma } from '../db/index.js';
import type { Actor } from '../generated/prisma/client.js';

/** The Account of an actor (remote Persons get one the first time they rate or comment). */
export interface AccountOfActorStore {
  accountOf(actor: Pick<Actor, 'id' | 'preferredUsername' | 'name' | 'summary'>): Promise<{ id: number }>;
}

export function createAccountOfActorStore(prisma: Prisma): AccountOfActorStore {
  return {
    async accountOf(actor) {
      const existing = await prisma.account.findUnique({ where: { actorId: actor.id }, select: { id: true } });
      if (existing) return existing;
      return prisma.account.upsert({
        where: { actorId: actor.id },
        create: { actorId: actor.id, name: actor.preferredUsername, displayName: actor.name ?? actor.preferredUsername, description: actor.summary },
        update: {},
        select: { id: true },
      });
    },
  };
}
