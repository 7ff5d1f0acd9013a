import { ROLE_LABELS } from '../../../accounts/index.js';
import type { InstanceUrls } from '../../../lib/instance-urls.js';
import type { AccountView, ActorView } from '../../../videos/video-queries.js';

/** what the formatters read of an actor, an account, a channel and a user (database rows fit) */
type Actor = Pick<ActorView, 'url' | 'host' | 'avatarFilename' | 'avatarWidth' | 'updatedAt'>;
type Account = Pick<AccountView, 'id' | 'name' | 'displayName' | 'description' | 'createdAt' | 'updatedAt'>;
interface VideoChannel extends Account {
  support: string | null;
}
interface User {
  id: number;
  username: string;
  email: string;
  role: number;
  videoQuota: bigint | number;
  videoQuotaDaily: bigint | number;
  blocked: boolean;
  createdAt: Date;
}

type AccountWith = Account & { actor: Actor; user?: { id: number } | null };
type ChannelWith = VideoChannel & { actor: Actor; account: AccountWith };

function actorHost(actor: Actor, urls: InstanceUrls): string {
  return actor.host ?? urls.host;
}

/** PeerTube's ActorImage list: a remote actor's avatar, served from our remote image cache. */
function avatarsOf(actor: Actor) {
  if (!actor.avatarFilename) return [];
  const at = actor.updatedAt.toISOString();
  return [{ width: actor.avatarWidth ?? 0, path: `/lazy-static/avatars/${actor.avatarFilename}`, createdAt: at, updatedAt: at }];
}

/** PeerTube's Account object. */
export function formatAccount(account: AccountWith, urls: InstanceUrls) {
  return {
    url: account.actor.url,
    name: account.name,
    host: actorHost(account.actor, urls),
    avatars: avatarsOf(account.actor),
    id: account.id,
    hostRedundancyAllowed: false,
    followingCount: 0,
    followersCount: 0,
    createdAt: account.createdAt.toISOString(),
    displayName: account.displayName,
    description: account.description ?? null,
    updatedAt: account.updatedAt.toISOString(),
    userId: account.user?.id ?? null,
  };
}

/** PeerTube's VideoChannel object (with ownerAccount). */
export function formatChannel(channel: ChannelWith, urls: InstanceUrls) {
  return {
    url: channel.actor.url,
    name: channel.name,
    host: actorHost(channel.actor, urls),
    avatars: avatarsOf(channel.actor),
    id: channel.id,
    hostRedundancyAllowed: false,
    followingCount: 0,
    followersCount: 0,
    createdAt: channel.createdAt.toISOString(),
    banners: [],
    displayName: channel.displayName,
    description: channel.description ?? null,
    support: channel.support ?? null,
    isLocal: channel.actor.host === null,
    updatedAt: channel.updatedAt.toISOString(),
    ownerAccount: formatAccount(channel.account, urls),
  };
}

/** The short channel/account summary embedded in videos. */
export function formatChannelSummary(channel: ChannelWith, urls: InstanceUrls) {
  return {
    id: channel.id,
    name: channel.name,
    displayName: channel.displayName,
    url: channel.actor.url,
    host: actorHost(channel.actor, urls),
    avatars: avatarsOf(channel.actor),
  };
}

export function formatAccountSummary(account: AccountWith, urls: InstanceUrls) {
  return {
    id: account.id,
    name: account.name,
    displayName: account.displayName,
    url: account.actor.url,
    host: actorHost(account.actor, urls),
    avatars: avatarsOf(account.actor),
  };
}

type UserWith = User & { account: Account & { actor: Actor; channels: (VideoChannel & { actor: Actor })[] } };

/** PeerTube's User object (what GET /api/v1/users/me answers). */
export function formatUser(user: UserWith, urls: InstanceUrls, extra: { videoQuotaUsed?: number; videoQuotaUsedDaily?: number } = {}) {
  const account = { ...user.account, user };
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    pendingEmail: null,
    emailVerified: true,
    emailPublic: false,
    nsfwPolicy: 'display',
    p2pEnabled: true,
    videosHistoryEnabled: true,
    autoPlayVideo: true,
    autoPlayNextVideo: false,
    autoPlayNextVideoPlaylist: true,
    videoLanguages: null,
    role: { id: user.role, label: ROLE_LABELS[user.role] ?? 'User' },
    videoQuota: Number(user.videoQuota),
    videoQuotaDaily: Number(user.videoQuotaDaily),
    videoQuotaUsed: extra.videoQuotaUsed ?? 0,
    videoQuotaUsedDaily: extra.videoQuotaUsedDaily ?? 0,
    blocked: user.blocked,
    blockedReason: null,
    noInstanceConfigWarningModal: true,
    noWelcomeModal: true,
    noAccountSetupWarningModal: true,
    createdAt: user.createdAt.toISOString(),
    pluginAuth: null,
    lastLoginDate: null,
    twoFactorEnabled: false,
    account: formatAccount(account, urls),
    videoChannels: user.account.channels.map((c) => formatChannel({ ...c, account }, urls)),
  };
}
