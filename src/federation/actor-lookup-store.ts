import { INSTANCE_ACTOR_NAME } from '../accounts/index.js';
import type { Prisma } from '../db/index.js';
import type { Tx } from '../lib/tx.js';
import type { ActorLookup } from './ports.js';

/** The actor lookups over Prisma's `Actor` table. */
export function createPrismaActorLookupStore(prisma: Prisma): ActorLookup {
  return {
    instanceActor: (tx?: Tx) => (tx ?? prisma).actor.findFirstOrThrow({ where: { preferredUsername: INSTANCE_ACTOR_NAME, host: null } }),
    findInstanceActor: () => prisma.actor.findFirst({ where: { preferredUsername: INSTANCE_ACTOR_NAME, host: null } }),
    findByUrl: (url) => prisma.actor.findUnique({ where: { url } }),
    findLocalByUrl: (url) => prisma.actor.findFirst({ where: { url, host: null } }),
    findLocalByName: (preferredUsername) => prisma.actor.findFirst({ where: { preferredUsername, host: null } }),
  };
}
