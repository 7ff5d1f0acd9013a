import type { Prisma } from '../../db/index.js';
import type { SignerKeyStore } from './signer-keys.js';

/** Local actors' signing keys over Prisma's `Actor` table. */
export function createPrismaSignerKeyStore(prisma: Prisma): SignerKeyStore {
  return {
    find: (actorId, tx) => (tx ?? prisma).actor.findUnique({ where: { id: actorId }, select: { url: true, keyId: true, privateKeyPem: true } }),
  };
}
