import type { Prisma } from '../db/index.js';
import type { InstanceUrls } from '../lib/instance-urls.js';
import type { Logger } from '../lib/logger.js';
import { fail, ok, type Result } from '../lib/result.js';
import { generateActorKeys } from './actor-keys.js';
import { hashPassword } from './password.js';
import { UserRole } from './roles.js';

export const INSTANCE_ACTOR_NAME = 'peertube';
export const USERNAME_PATTERN = /^[a-z0-9._]{1,50}$/;
export const CHANNEL_NAME_PATTERN = /^[a-zA-Z0-9\-_.:]{1,50}$/;

export type CreateUserRefusal =
  | { type: 'username-taken'; message: string }
  | { type: 'email-taken'; message: string }
  | { type: 'channel-name-taken'; message: string }
  | { type: 'invalid-username'; message: string };

export interface NewUser {
  username: string;
  email: string;
  password: string;
  role?: number;
  videoQuota?: number;
  videoQuotaDaily?: number;
  channelName?: string;
  channelDisplayName?: string;
}

export const userInclude = {
  account: { include: { actor: true, channels: { include: { actor: true } } } },
} as const;

/** Users, their accounts and channels, and the instance actor, over the database. */
export function createAccountService(deps: {
  prisma: Prisma;
  urls: InstanceUrls;
  logger: Logger;
  defaults: { videoQuota: number; videoQuotaDaily: number };
}) {
  const { prisma, urls } = deps;
  const log = deps.logger.child({ component: 'accounts' });

  function localActorData(type: 'Person' | 'Group' | 'Application', name: string, keys: { publicKeyPem: string; privateKeyPem: string }) {
    const url = type === 'Group' ? urls.channel(name) : urls.account(name);
    return {
      type,
      preferredUsername: name,
      host: null,
      url,
      inboxUrl: `${url}/inbox`,
      sharedInboxUrl: `${urls.base}/inbox`,
      outboxUrl: `${url}/outbox`,
      followersUrl: `${url}/followers`,
      followingUrl: `${url}/following`,
      keyId: `${url}#main-key`,
      name,
      ...keys,
    };
  }

  async function localNameTaken(name: string): Promise<boolean> {
    return (await prisma.actor.count({ where: { preferredUsername: name, host: null } })) > 0;
  }

  /** Two creations racing past the checks: the unique indexes decide, and the loser is told (not a 500). */
  function lostUniqueRace(err: unknown): null {
    if ((err as { code?: string }).code === 'P2002') return null;
    throw err;
  }

  async function createUser(input: NewUser): Promise<Result<{ userId: number; accountId: number; channelId: number }, CreateUserRefusal>> {
    if (!USERNAME_PATTERN.test(input.username)) {
      return fail({ type: 'invalid-username', message: 'username must be 1-50 characters of a-z, 0-9, "." and "_"' });
    }
    const channelName = input.channelName ?? `${input.username}_channel`;
    if (await localNameTaken(input.username)) return fail({ type: 'username-taken', message: `username "${input.username}" is already taken` });
    if ((await prisma.user.count({ where: { email: input.email } })) > 0) return fail({ type: 'email-taken', message: 'this email is already used' });
    if (channelName === input.username || (await localNameTaken(channelName))) {
      return fail({ type: 'channel-name-taken', message: `channel name "${channelName}" is already taken` });
    }
    const [personKeys, groupKeys, passwordHash] = await Promise.all([generateActorKeys(), generateActorKeys(), hashPassword(input.password)]);
    const created = await prisma.$transaction(async (tx) => {
      const actor = await tx.actor.create({ data: localActorData('Person', input.username, personKeys) });
      const account = await tx.account.create({ data: { name: input.username, displayName: input.username, actorId: actor.id } });
      const user = await tx.user.create({
        data: {
          username: input.username,
          email: input.email,
          passwordHash,
          role: input.role ?? UserRole.USER,
          videoQuota: BigInt(input.videoQuota ?? deps.defaults.videoQuota),
          videoQuotaDaily: BigInt(input.videoQuotaDaily ?? deps.defaults.videoQuotaDaily),
          accountId: account.id,
        },
      });
      const channelActor = await tx.actor.create({ data: localActorData('Group', channelName, groupKeys) });
      const channel = await tx.videoChannel.create({
        data: {
          name: channelName,
          displayName: input.channelDisplayName ?? `Main ${input.username} channel`,
          accountId: account.id,
          actorId: channelActor.id,
        },
      });
      return { userId: user.id, accountId: account.id, channelId: channel.id };
    }).catch(lostUniqueRace);
    if (!created) return fail({ type: 'username-taken', message: `username "${input.username}", its email or its channel name is already taken` });
    log.info({ user: input.username, role: input.role ?? UserRole.USER }, 'user created');
    return ok(created);
  }

  return {
    createUser,

    /** The instance actor (Application "peertube"), created on first start. */
    async ensureInstanceActor(): Promise<void> {
      const existing = await prisma.actor.findFirst({ where: { preferredUsername: INSTANCE_ACTOR_NAME, host: null } });
      if (existing) return;
      const keys = await generateActorKeys();
      const actor = await prisma.actor.create({ data: localActorData('Application', INSTANCE_ACTOR_NAME, keys) });
      await prisma.account.create({ data: { name: INSTANCE_ACTOR_NAME, displayName: INSTANCE_ACTOR_NAME, actorId: actor.id } });
    },

    /** Creates the `root` administrator on first start; returns the password when we generated it. */
    async ensureRootUser(options: { password: string; email: string }): Promise<{ created: boolean }> {
      if ((await prisma.user.count({ where: { username: 'root' } })) > 0) return { created: false };
      const result = await createUser({ username: 'root', email: options.email, password: options.password, role: UserRole.ADMINISTRATOR, videoQuota: -1, videoQuotaDaily: -1 });
      if (!result.ok) throw new Error(`cannot create the root user: ${result.reason.message}`);
      return { created: true };
    },

    getUser(id: number) {
      return prisma.user.findUnique({ where: { id }, include: userInclude });
    },

    listUsers(args: { start: number; count: number }) {
      return prisma.$transaction([
        prisma.user.findMany({ skip: args.start, take: args.count, orderBy: { id: 'asc' }, include: userInclude }),
        prisma.user.count(),
      ]);
    },

    findAccountByName(name: string) {
      const [local, host] = name.split('@');
      return prisma.account.findFirst({
        where: { actor: { preferredUsername: local, host: host && host !== urls.host ? host : null, type: { not: 'Group' } } },
        include: { actor: true, user: true },
      });
    },

    findChannel(nameOrId: string) {
      const [local, host] = nameOrId.split('@');
      return prisma.videoChannel.findFirst({
        where: { actor: { preferredUsername: local, host: host && host !== urls.host ? host : null } },
        include: { actor: true, account: { include: { actor: true, user: true } } },
      });
    },

    listChannels(args: { start: number; count: number }) {
      return prisma.$transaction([
        prisma.videoChannel.findMany({
          skip: args.start,
          take: args.count,
          orderBy: { id: 'asc' },
          include: { actor: true, account: { include: { actor: true, user: true } } },
        }),
        prisma.videoChannel.count(),
      ]);
    },
  };
}

export type AccountService = ReturnType<typeof createAccountService>;
