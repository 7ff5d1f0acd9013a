import type { FetchedActor } from './actor-document.js';

/** A stored actor's key as the key resolver needs it. */
export interface StoredActorKey {
  /** the actor's id (URL) */
  readonly actorUrl: string;
  /** the key's id as published (`…#main-key`); null when only the actor URL is known */
  readonly keyId: string | null;
  readonly publicKeyPem: string;
  /** when the remote actor was last fetched; null for local actors */
  readonly lastFetchedAt: Date | null;
  /** a local actor (ours): never fetched, never overwritten */
  readonly local: boolean;
}

/** A remote actor to create or update: what its document says, with the key that was resolved. */
export type RemoteActorRecord = Omit<FetchedActor, 'publicKeys'> & {
  /** host[:port] of `url`, as PeerTube writes hosts */
  readonly host: string;
  readonly keyId: string;
  readonly publicKeyPem: string;
  readonly lastFetchedAt: Date;
};

export type SaveRemoteActorResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: { readonly type: 'local-actor' | 'conflict'; readonly detail: string } };

/** The port the key resolver keeps actors in (Prisma in production: createPrismaActorStore). */
export interface RemoteActorStore {
  /**
   * The actor whose key is `keyId`: by the stored key id, else by actor URL (PeerTube signs with
   * the bare actor URL), else a local actor whose URL is `keyId` without its fragment.
   * Undefined when unknown or when no public key is stored.
   */
  findByKeyId(keyId: string): Promise<StoredActorKey | undefined>;
  /** Creates or updates a remote actor by URL; never touches a local actor. */
  saveRemoteActor(actor: RemoteActorRecord): Promise<SaveRemoteActorResult>;
}

/** The record to store for a fetched actor and the key it publishes (one mapping, used by every resolver). */
export function remoteActorRecord(
  actor: { url: string; type: string; preferredUsername: string; name: string | null; summary: string | null; inboxUrl: string; sharedInboxUrl: string | null; outboxUrl: string | null; followersUrl: string | null; followingUrl: string | null; avatar?: { url: string; width: number | null } | null },
  key: { id: string; publicKeyPem: string },
  fetchedAt: Date,
): RemoteActorRecord {
  return {
    url: actor.url,
    type: actor.type,
    preferredUsername: actor.preferredUsername,
    host: new URL(actor.url).host,
    name: actor.name,
    summary: actor.summary,
    inboxUrl: actor.inboxUrl,
    sharedInboxUrl: actor.sharedInboxUrl,
    outboxUrl: actor.outboxUrl,
    followersUrl: actor.followersUrl,
    followingUrl: actor.followingUrl,
    keyId: key.id,
    publicKeyPem: key.publicKeyPem,
    lastFetchedAt: fetchedAt,
    ...(actor.avatar !== undefined ? { avatar: actor.avatar } : {}),
  };
}
