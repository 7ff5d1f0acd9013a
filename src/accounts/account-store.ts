import type { Prisma } from '../db/index.js';
import type { Prisma as P } from '../generated/prisma/client.js';

/** A local actor's row (Person, Group or Application) as account creation writes it. */
export interface LocalActorData {
  type: 'Person' | 'Group' | 'Application';
  preferredUsername: string;
  host: null;
  url: string;
  inboxUrl: string;
  sharedInboxUrl: string;
  outboxUrl: string;
  followersUrl: string;
  followingUrl: string;
  keyId: string;
  name: string;
  publicKeyPem: string;
  privateKeyPem: string;
}

/** A new local user: its Person, Account, User, and its first channel (a Group). */
export interface NewLocalUser {
  person: LocalActorData;
  user: { username: string; email: string; passwordHash: string; role: number; videoQuota: number; videoQuotaDaily: number };
  channelActor: LocalActorData;
  channel: { name: string; displayName: string };
}

const userInclude = { account: { include: { actor: true, channels: { include: { actor: true } } } } } as const;
const channelInclude = { actor: true, account: { include: { actor: true, user: true } } } as const;

/** A user with its account, actor and channels (what the REST API formats). */
export type UserWithAccount = P.UserGetPayload<{ include: typeof userInclude }>;
/** An account with its actor and user (null: remote). */
export type AccountWithActor = P.AccountGetPayload<{ include: { actor: true; user: true } }>;
/** A channel with its actor and its owner account. */
export type ChannelWithOwner = P.VideoChannelGetPayload<{ include: typeof channelInclude }>;

/** Users, their accounts and channels. */
export interface AccountStore {
  /** a local actor (user or channel) has this name */
  localNameTaken(name: string): Promise<boolean>;
  emailTaken(email: string): Promise<boolean>;
  usernameExists(username: string): Promise<boolean>;
  /** writes the user, its account and channel in one transaction; null when a unique index refused (a creation racing this one) */
  createUser(input: NewLocalUser): Promise<{ userId: number; accountId: number; channelId: number } | null>;
  getUser(id: number): Promise<UserWithAccount | null>;
  listUsers(page: { start: number; count: number }): Promise<[UserWithAccount[], number]>;
  /** a Person or Application by name, local (host null) or remote */
  findAccount(name: string, host: string | null): Promise<AccountWithActor | null>;
  findChannel(name: string, host: string | null): Promise<ChannelWithOwner | null>;
  listChannels(page: { start: number; count: number }): Promise<[ChannelWithOwner[], number]>;
}

/** Two creations racing past the checks: the unique indexes decide, and the loser is told (not a 500). */
function lostUniqueRace(err: unknown): null {
  if ((err as { code?: string }).code === 'P2002') return null;
  throw err;
}

export function createPrismaAccountStore(prisma: Prisma): AccountStore {
  return {
    async localNameTaken(name) {
      return (await prisma.actor.count({ where: { preferredUsername: name, host: null } })) > 0;
    },
    async emailTaken(email) {
      return (await prisma.user.count({ where: { email } })) > 0;
    },
    async usernameExists(username) {
      return (await prisma.user.count({ where: { username } })) > 0;
    },
    createUser(input) {
      return prisma
        .$transaction(async (tx) => {
          const actor = await tx.actor.create({ data: input.person });
          const account = await tx.account.create({ data: { name: input.user.username, displayName: input.user.username, actorId: actor.id } });
          const user = await tx.user.create({
            data: { ...input.user, videoQuota: BigInt(input.user.videoQuota), videoQuotaDaily: BigInt(input.user.videoQuotaDaily), accountId: account.id },
          });
          const channelActor = await tx.actor.create({ data: input.channelActor });
          const channel = await tx.videoChannel.create({ data: { ...input.channel, accountId: account.id, actorId: channelActor.id } });
          return { userId: user.id, accountId: account.id, channelId: channel.id };
        })
        .catch(lostUniqueRace);
    },
    getUser(id) {
      return prisma.user.findUnique({ where: { id }, include: userInclude });
    },
    listUsers(page) {
      return prisma.$transaction([prisma.user.findMany({ skip: page.start, take: page.count, orderBy: { id: 'asc' }, include: userInclude }), prisma.user.count()]);
    },
    findAccount(name, host) {
      return prisma.account.findFirst({ where: { actor: { preferredUsername: name, host, type: { not: 'Group' } } }, include: { actor: true, user: true } });
    },
    findChannel(name, host) {
      return prisma.videoChannel.findFirst({ where: { actor: { preferredUsername: name, host } }, include: channelInclude });
    },
    listChannels(page) {
      return prisma.$transaction([
        prisma.videoChannel.findMany({ skip: page.start, take: page.count, orderBy: { id: 'asc' }, include: channelInclude }),
        prisma.videoChannel.count(),
      ]);
    },
  };
}
