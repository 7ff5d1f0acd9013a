import type { InstanceUrls } from '../lib/instance-urls.js';
import type { Logger } from '../lib/logger.js';
import { fail, ok, type Result } from '../lib/result.js';
import { generateActorKeyPair, type ActorKeyPair } from './actor-keys.js';
import type { AccountStore, LocalActorData } from './account-store.js';
import { INSTANCE_ACTOR_NAME, type InstanceActorSetupStore } from './actor-store.js';
import { hashPassword } from './password.js';
import { UserRole } from './roles.js';

export { INSTANCE_ACTOR_NAME };
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

/** Users, their accounts and channels, and the instance actor. */
export function createAccountService(deps: {
  store: AccountStore;
  instanceActor: InstanceActorSetupStore;
  urls: InstanceUrls;
  logger: Logger;
  defaults: { videoQuota: number; videoQuotaDaily: number };
  /** where new actors' key pairs come from (RSA-2048 by default) */
  generateKeys?: () => Promise<ActorKeyPair>;
}) {
  const { store, urls } = deps;
  const generateKeys = deps.generateKeys ?? (() => generateActorKeyPair());
  const log = deps.logger.child({ component: 'accounts' });

  function localActorData(type: 'Person' | 'Group' | 'Application', name: string, keys: { publicKeyPem: string; privateKeyPem: string }): LocalActorData {
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

  /** `name` or `name@host` (our own host: local) as a lookup key. */
  function nameAndHost(nameOrHandle: string): [string, string | null] {
    const [local, host] = nameOrHandle.split('@');
    return [local ?? '', host && host !== urls.host ? host : null];
  }

  async function createUser(input: NewUser): Promise<Result<{ userId: number; accountId: number; channelId: number }, CreateUserRefusal>> {
    if (!USERNAME_PATTERN.test(input.username)) {
      return fail({ type: 'invalid-username', message: 'username must be 1-50 characters of a-z, 0-9, "." and "_"' });
    }
    const channelName = input.channelName ?? `${input.username}_channel`;
    if (await store.localNameTaken(input.username)) return fail({ type: 'username-taken', message: `username "${input.username}" is already taken` });
    if (await store.emailTaken(input.email)) return fail({ type: 'email-taken', message: 'this email is already used' });
    if (channelName === input.username || (await store.localNameTaken(channelName))) {
      return fail({ type: 'channel-name-taken', message: `channel name "${channelName}" is already taken` });
    }
    const [personKeys, groupKeys, passwordHash] = await Promise.all([generateKeys(), generateKeys(), hashPassword(input.password)]);
    const created = await store.createUser({
      person: localActorData('Person', input.username, personKeys),
      user: {
        username: input.username,
        email: input.email,
        passwordHash,
        role: input.role ?? UserRole.USER,
        videoQuota: input.videoQuota ?? deps.defaults.videoQuota,
        videoQuotaDaily: input.videoQuotaDaily ?? deps.defaults.videoQuotaDaily,
      },
      channelActor: localActorData('Group', channelName, groupKeys),
      channel: { name: channelName, displayName: input.channelDisplayName ?? `Main ${input.username} channel` },
    });
    if (!created) return fail({ type: 'username-taken', message: `username "${input.username}", its email or its channel name is already taken` });
    log.info({ user: input.username, role: input.role ?? UserRole.USER }, 'user created');
    return ok(created);
  }

  return {
    createUser,

    /** The instance actor (Application "peertube"), created on first start. */
    async ensureInstanceActor(): Promise<void> {
      if (await deps.instanceActor.findInstanceActor()) return;
      await deps.instanceActor.createInstanceActor(localActorData('Application', INSTANCE_ACTOR_NAME, await generateKeys()));
    },

    /** Creates the `root` administrator on first start; returns the password when we generated it. */
    async ensureRootUser(options: { password: string; email: string }): Promise<{ created: boolean }> {
      if (await store.usernameExists('root')) return { created: false };
      const result = await createUser({ username: 'root', email: options.email, password: options.password, role: UserRole.ADMINISTRATOR, videoQuota: -1, videoQuotaDaily: -1 });
      if (!result.ok) throw new Error(`cannot create the root user: ${result.reason.message}`);
      return { created: true };
    },

    getUser: (id: number) => store.getUser(id),

    listUsers: (args: { start: number; count: number }) => store.listUsers(args),

    findAccountByName: (name: string) => store.findAccount(...nameAndHost(name)),

    findChannel: (nameOrId: string) => store.findChannel(...nameAndHost(nameOrId)),

    listChannels: (args: { start: number; count: number }) => store.listChannels(args),
  };
}

export type AccountService = ReturnType<typeof createAccountService>;
