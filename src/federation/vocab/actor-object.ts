import { toIso } from './activity-ids.js';

export type LocalActorType = 'Person' | 'Group' | 'Application';

/** What a local actor's document is built from (plain data: no database rows). */
export interface ActorObjectInput {
  type: LocalActorType;
  /** the actor's id and url (`<base>/accounts/<name>` or `<base>/video-channels/<name>`) */
  url: string;
  preferredUsername: string;
  /** display name */
  name: string;
  /** the account's or channel's description */
  summary: string | null;
  inboxUrl: string;
  sharedInboxUrl: string;
  outboxUrl: string;
  followersUrl: string;
  followingUrl: string;
  publicKeyPem: string;
  /** when the actor was created */
  published: Date | string;
  /** Group only: the channel's support text */
  support?: string | null;
  /** Group only: the account that owns the channel */
  ownerAccountUrl?: string;
}

/**
 * An actor's ActivityPub document in PeerTube's shape and key order (actor-*.json): the instance
 * actor (Application `peertube`), a user's account (Person) or a channel (Group). Without context.
 */
export function buildActorObject(input: ActorObjectInput) {
  const base = {
    type: input.type,
    id: input.url,
    following: input.followingUrl,
    followers: input.followersUrl,
    playlists: `${input.url}/playlists`,
    inbox: input.inboxUrl,
    outbox: input.outboxUrl,
    preferredUsername: input.preferredUsername,
    url: input.url,
    name: input.name,
    endpoints: { sharedInbox: input.sharedInboxUrl },
    publicKey: { id: `${input.url}#main-key`, owner: input.url, publicKeyPem: input.publicKeyPem },
    published: toIso(input.published),
    summary: input.summary,
  };
  if (input.type !== 'Group') return base;
  return {
    ...base,
    support: input.support ?? null,
    postingRestrictedToMods: true,
    attributedTo: input.ownerAccountUrl ? [{ type: 'Person' as const, id: input.ownerAccountUrl }] : [],
  };
}

export type ActorObject = ReturnType<typeof buildActorObject>;
