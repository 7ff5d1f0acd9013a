import type { ActorRecord } from '../ports.js';
import type { ActorObjectInput } from '../vocab/index.js';

/** A stored actor with its account or channel, as the local actor store loads it. */
export type LocalActorRow = ActorRecord & {
  account: { id: number; displayName: string; description: string | null } | null;
  channel: { id: number; displayName: string; description: string | null; support: string | null; accountId: number; account: { actor: { url: string } } } | null;
};

/** A local actor with what its document needs: the instance actor, an account, or a channel. */
export interface LocalActor {
  row: ActorRecord;
  kind: 'application' | 'account' | 'channel';
  displayName: string;
  description: string | null;
  support: string | null;
  /** channels: the owner account's actor url */
  ownerAccountUrl: string | null;
  /** the Account row (instance actor and users), or the channel's owner account */
  accountId: number;
  channelId: number | null;
}

/** The local actor of a row; null for a remote actor or one without its account or channel. */
export function toLocalActor(row: LocalActorRow | null): LocalActor | null {
  if (!row || row.host !== null) return null;
  if (row.type === 'Group') {
    if (!row.channel) return null;
    const c = row.channel;
    return {
      row,
      kind: 'channel',
      displayName: c.displayName,
      description: c.description,
      support: c.support,
      ownerAccountUrl: c.account.actor.url,
      accountId: c.accountId,
      channelId: c.id,
    };
  }
  if (!row.account) return null;
  return {
    row,
    kind: row.type === 'Application' ? 'application' : 'account',
    displayName: row.account.displayName,
    description: row.account.description,
    support: null,
    ownerAccountUrl: null,
    accountId: row.account.id,
    channelId: null,
  };
}

/** Lookups of actors of this instance, never a remote one (local-actor-store.ts over the database). */
export interface LocalActorQueries {
  /** `/accounts/:name` answers the Person or the Application; `/video-channels/:name` the Group. */
  findByName(name: string, where: 'accounts' | 'video-channels'): Promise<LocalActor | null>;
  /** Any local actor by its name (local names are unique across accounts and channels). */
  findByPreferredUsername(name: string): Promise<LocalActor | null>;
  findByUrl(url: string): Promise<LocalActor | null>;
}

/** The builder input of a local actor's document. */
export function actorObjectInput(actor: LocalActor, sharedInboxUrl: string): ActorObjectInput {
  const { row } = actor;
  if (!row.publicKeyPem) throw new Error(`local actor ${row.url} has no public key`);
  return {
    type: actor.kind === 'channel' ? 'Group' : actor.kind === 'application' ? 'Application' : 'Person',
    url: row.url,
    preferredUsername: row.preferredUsername,
    name: actor.displayName,
    summary: actor.description,
    inboxUrl: row.inboxUrl,
    sharedInboxUrl: row.sharedInboxUrl ?? sharedInboxUrl,
    outboxUrl: row.outboxUrl ?? `${row.url}/outbox`,
    followersUrl: row.followersUrl ?? `${row.url}/followers`,
    followingUrl: row.followingUrl ?? `${row.url}/following`,
    publicKeyPem: row.publicKeyPem,
    published: row.createdAt,
    ...(actor.kind === 'channel' ? { support: actor.support, ownerAccountUrl: actor.ownerAccountUrl ?? undefined } : {}),
  };
}
