import type { Prisma } from '../../db/index.js';
import type { Account, Actor, VideoChannel } from '../../generated/prisma/client.js';
import type { ActorObjectInput } from '../vocab/index.js';

const include = { account: true, channel: { include: { account: { include: { actor: true } } } } } as const;

type ActorRow = Actor & { account: Account | null; channel: (VideoChannel & { account: Account & { actor: Actor } }) | null };

/** A local actor with what its document needs: the instance actor, an account, or a channel. */
export interface LocalActor {
  row: Actor;
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

function toLocalActor(row: ActorRow | null): LocalActor | null {
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

/** Lookups of actors of this instance (never a remote one). */
export function createLocalActorQueries(prisma: Prisma) {
  return {
    /** `/accounts/:name` answers the Person or the Application; `/video-channels/:name` the Group. */
    async findByName(name: string, where: 'accounts' | 'video-channels'): Promise<LocalActor | null> {
      const row = await prisma.actor.findFirst({
        where: { preferredUsername: name, host: null, type: where === 'video-channels' ? 'Group' : { in: ['Person', 'Application'] } },
        include,
      });
      return toLocalActor(row);
    },

    /** Any local actor by its name (local names are unique across accounts and channels). */
    async findByPreferredUsername(name: string): Promise<LocalActor | null> {
      return toLocalActor(await prisma.actor.findFirst({ where: { preferredUsername: name, host: null }, include }));
    },

    async findByUrl(url: string): Promise<LocalActor | null> {
      return toLocalActor(await prisma.actor.findFirst({ where: { url, host: null }, include }));
    },
  };
}

export type LocalActorQueries = ReturnType<typeof createLocalActorQueries>;

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
