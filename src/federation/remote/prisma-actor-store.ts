import type { Prisma } from '../../db/index.js';
import { recordRemoteImages } from '../remote-images/index.js';
import type { RemoteActorRecord, RemoteActorStore, SaveRemoteActorResult, StoredActorKey } from './actor-store.js';

const KEY_FIELDS = { url: true, keyId: true, publicKeyPem: true, lastFetchedAt: true, host: true } as const;

type KeyRow = { url: string; keyId: string | null; publicKeyPem: string | null; lastFetchedAt: Date | null; host: string | null };

function toStored(row: KeyRow | null): StoredActorKey | undefined {
  if (row === null || row.publicKeyPem === null) return undefined;
  return { actorUrl: row.url, keyId: row.keyId, publicKeyPem: row.publicKeyPem, lastFetchedAt: row.lastFetchedAt, local: row.host === null };
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'P2002';
}

function withoutFragment(keyId: string): string {
  const at = keyId.indexOf('#');
  return at < 0 ? keyId : keyId.slice(0, at);
}

/** The actor store over Prisma's `Actor` table: remote actors are upserted by URL. */
export function createPrismaActorStore(prisma: Prisma): RemoteActorStore {
  async function save(actor: RemoteActorRecord): Promise<SaveRemoteActorResult> {
    return prisma.$transaction(async (tx) => {
      const existing = await tx.actor.findUnique({ where: { url: actor.url }, select: { id: true, host: true } });
      if (existing !== null && existing.host === null) {
        return { ok: false, reason: { type: 'local-actor', detail: `${actor.url} is a local actor` } };
      }
      // The key id is unique: a remote row that held it before (an actor that moved) gives it up.
      const holder = await tx.actor.findUnique({ where: { keyId: actor.keyId }, select: { id: true, host: true } });
      if (holder !== null && holder.id !== existing?.id) {
        if (holder.host === null) return { ok: false, reason: { type: 'local-actor', detail: `${actor.keyId} is a local actor's key` } };
        await tx.actor.update({ where: { id: holder.id }, data: { keyId: null } });
      }
      const namesake = await tx.actor.findUnique({
        where: { preferredUsername_host: { preferredUsername: actor.preferredUsername, host: actor.host } },
        select: { id: true, url: true },
      });
      if (namesake !== null && namesake.id !== existing?.id) {
        return {
          ok: false,
          reason: { type: 'conflict', detail: `${actor.preferredUsername}@${actor.host} is already stored for ${namesake.url}` },
        };
      }
      const data = {
        type: actor.type,
        preferredUsername: actor.preferredUsername,
        host: actor.host,
        inboxUrl: actor.inboxUrl,
        sharedInboxUrl: actor.sharedInboxUrl,
        outboxUrl: actor.outboxUrl,
        followersUrl: actor.followersUrl,
        followingUrl: actor.followingUrl,
        keyId: actor.keyId,
        publicKeyPem: actor.publicKeyPem,
        name: actor.name,
        summary: actor.summary,
        lastFetchedAt: actor.lastFetchedAt,
        // the avatar, served under /lazy-static/avatars/ (remote-images/)
        ...(actor.avatar !== undefined ? { avatarFilename: (await recordRemoteImages(tx, [{ kind: 'avatars', url: actor.avatar?.url }]))[0], avatarWidth: actor.avatar?.width ?? null } : {}),
      };
      if (existing === null) await tx.actor.create({ data: { url: actor.url, ...data } });
      else await tx.actor.update({ where: { id: existing.id }, data });
      return { ok: true } as const;
    });
  }

  return {
    async findByKeyId(keyId) {
      const byKey = await prisma.actor.findUnique({ where: { keyId }, select: KEY_FIELDS });
      if (byKey !== null) return toStored(byKey);
      const byUrl = await prisma.actor.findUnique({ where: { url: keyId }, select: KEY_FIELDS });
      if (byUrl !== null) return toStored(byUrl);
      const bare = withoutFragment(keyId);
      if (bare === keyId) return undefined;
      return toStored(await prisma.actor.findFirst({ where: { url: bare, host: null }, select: KEY_FIELDS }));
    },
    async saveRemoteActor(actor) {
      try {
        return await save(actor);
      } catch (err) {
        // Two saves of a new actor at once: the second insert loses; it then updates the row.
        if (!isUniqueViolation(err)) throw err;
        return save(actor);
      }
    },
  };
}
