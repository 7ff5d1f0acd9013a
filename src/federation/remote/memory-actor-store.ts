import type { RemoteActorRecord, RemoteActorStore, StoredActorKey } from './actor-store.js';

export interface LocalActorKey {
  readonly url: string;
  readonly keyId: string;
  readonly publicKeyPem: string;
}

/**
 * The actor store in memory, with the Prisma store's rules (lookup order, local actors never
 * overwritten, a key id held by one actor at a time). For tests and for other components' tests.
 */
export function createMemoryActorStore(locals: readonly LocalActorKey[] = []): RemoteActorStore & {
  readonly remote: ReadonlyMap<string, RemoteActorRecord>;
  readonly saves: RemoteActorRecord[];
} {
  const remote = new Map<string, RemoteActorRecord>();
  /** key ids given up by an actor whose key moved to another (the Prisma store sets them null) */
  const released = new Set<string>();
  const saves: RemoteActorRecord[] = [];
  const local = new Map(locals.map((l) => [l.url, l]));

  const fromLocal = (l: LocalActorKey): StoredActorKey => ({ actorUrl: l.url, keyId: l.keyId, publicKeyPem: l.publicKeyPem, lastFetchedAt: null, local: true });
  const fromRemote = (r: RemoteActorRecord): StoredActorKey => ({
    actorUrl: r.url,
    keyId: released.has(r.url) ? null : r.keyId,
    publicKeyPem: r.publicKeyPem,
    lastFetchedAt: r.lastFetchedAt,
    local: false,
  });

  return {
    remote,
    saves,
    async findByKeyId(keyId) {
      for (const l of local.values()) if (l.keyId === keyId) return fromLocal(l);
      for (const r of remote.values()) if (r.keyId === keyId && !released.has(r.url)) return fromRemote(r);
      const byUrl = remote.get(keyId);
      if (byUrl !== undefined) return fromRemote(byUrl);
      const bare = keyId.split('#')[0] as string;
      const l = local.get(keyId) ?? local.get(bare);
      return l === undefined ? undefined : fromLocal(l);
    },
    async saveRemoteActor(actor) {
      if (local.has(actor.url)) return { ok: false, reason: { type: 'local-actor', detail: `${actor.url} is a local actor` } };
      if ([...local.values()].some((l) => l.keyId === actor.keyId)) {
        return { ok: false, reason: { type: 'local-actor', detail: `${actor.keyId} is a local actor's key` } };
      }
      for (const [url, other] of remote) {
        if (url !== actor.url && other.keyId === actor.keyId) released.add(url);
      }
      released.delete(actor.url);
      remote.set(actor.url, actor);
      saves.push(actor);
      return { ok: true };
    },
  };
}
