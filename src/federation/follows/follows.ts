import type { Clock } from '../../lib/clock.js';
import type { InstanceUrls } from '../../lib/instance-urls.js';
import type { Logger } from '../../lib/logger.js';
import { fail, ok, type Result } from '../../lib/result.js';
import type { Transactor, Tx } from '../../lib/tx.js';
import { INSTANCE_ACTOR_NAME } from '../../accounts/index.js';
import type { ActorLookup, ActorRecord } from '../ports.js';

/** Resolves a remote actor (URL, `name@host` handle or bare host) to a stored Actor row. */
export interface RemoteActorResolver {
  resolve(target: { url: string } | { handle: string } | { host: string }): Promise<Result<ActorRecord, { type: string; message: string }>>;
}

/** Sends one of our activities, durably, to inboxes (inside `tx` when given). */
export interface ActivitySender {
  send(activity: Record<string, unknown>, options: { signerActorId: number; inboxes: string[] }, tx?: Tx): Promise<void>;
}

/** The activity builders this service uses (the vocab module's). */
export interface FollowActivities {
  follow(input: { id: string; actor: string; object: string }): Record<string, unknown>;
  accept(input: { id: string; actor: string; follow: Record<string, unknown> }): Record<string, unknown>;
  reject(input: { id: string; actor: string; follow: Record<string, unknown> }): Record<string, unknown>;
  undo(input: { id: string; actor: string; object: Record<string, unknown> }): Record<string, unknown>;
}

export type FollowRefusal = { type: 'not-found'; message: string } | { type: 'unreachable'; message: string } | { type: 'self'; message: string };

export type FollowState = 'pending' | 'accepted' | 'rejected';

/** A follow between two actors (one of them ours), with both actors. */
export interface FollowWithActors {
  id: number;
  followerId: number;
  followingId: number;
  state: FollowState;
  /** id of the Follow activity */
  url: string | null;
  createdAt: Date;
  updatedAt: Date;
  follower: ActorRecord;
  following: ActorRecord;
}

/** The follows table as the follow service uses it. */
export interface FollowStore {
  /** the follow of `followerId` to `followingId`, if any */
  find(pair: { followerId: number; followingId: number }, tx?: Tx): Promise<FollowWithActors | null>;
  /** creates a pending follow, its Follow id `urlOf(its row id)` */
  createPending(pair: { followerId: number; followingId: number }, urlOf: (id: number) => string, tx: Tx): Promise<FollowWithActors>;
  /**
   * a follow of our actor `localActorId` (as follower when `side` is 'following', else as followed)
   * with the actor named `preferredUsername` at `host` on the other side
   */
  findWith(input: { localActorId: number; side: 'following' | 'follower'; preferredUsername: string; host: string }): Promise<FollowWithActors | null>;
  /**
   * records an inbound Follow: creates it in `state` or, when the pair is known, takes the new Follow
   * id (and the state only when it is 'accepted'); `existed` tells which
   */
  recordInbound(input: { followerId: number; followingId: number; url: string; state: FollowState }, tx: Tx): Promise<{ follow: FollowWithActors; existed: boolean }>;
  accept(id: number, tx?: Tx): Promise<void>;
  remove(id: number, tx?: Tx): Promise<void>;
  /** a page of the follows of our actor `localActorId` in one direction, by creation time then id */
  page(q: { localActorId: number; direction: 'following' | 'followers'; state?: FollowState | undefined; start: number; count: number; newestFirst: boolean }): Promise<{ total: number; data: FollowWithActors[] }>;
  /** one of our follows of `followingUrl`, optionally narrowed to our follower `followerUrl` and to its Follow id `url` */
  findOurFollowOf(input: { followingUrl: string; followerUrl?: string | undefined; url?: string | undefined }): Promise<FollowWithActors | null>;
  /** deletes the follows of `followerUrl` to our actor `followingUrl`; how many there were */
  removeInbound(input: { followerUrl: string; followingUrl: string }): Promise<number>;
  /** the followers (accepted) of these actors */
  acceptedFollowers(followingIds: number[]): Promise<ActorRecord[]>;
  /** the actors (accepted) `followerId` follows */
  acceptedFollowings(followerId: number): Promise<ActorRecord[]>;
  /** a window of the accepted followers (or followings) of our actor, by follow id: the actors' URLs and the total */
  acceptedActorUrls(q: { localActorId: number; direction: 'followers' | 'following'; start: number; count: number }): Promise<{ total: number; urls: string[] }>;
}

const inboxOf = (a: ActorRecord) => a.sharedInboxUrl ?? a.inboxUrl;

/**
 * Instance following (PeerTube's /api/v1/server/following|followers) and the Follow, Accept,
 * Reject and Undo activities behind it.
 */
export function createFollowService(deps: {
  store: FollowStore;
  actors: Pick<ActorLookup, 'instanceActor' | 'findLocalByUrl'>;
  transactor: Transactor;
  clock: Clock;
  urls: InstanceUrls;
  logger: Logger;
  resolver: RemoteActorResolver;
  sender: ActivitySender;
  activities: FollowActivities;
  config: { followersEnabled: boolean; manualApproval: boolean; autoFollowBack: boolean };
}) {
  const { store, transactor, urls, activities } = deps;
  const log = deps.logger.child({ component: 'follows' });

  const instanceActor = () => deps.actors.instanceActor();
  const followActivity = (f: FollowWithActors) => activities.follow({ id: f.url ?? `${f.follower.url}/follows/${f.following.id}`, actor: f.follower.url, object: f.following.url });

  async function follow(target: { host: string } | { handle: string }): Promise<Result<FollowWithActors, FollowRefusal>> {
    const resolved = await deps.resolver.resolve(target);
    if (!resolved.ok) return fail({ type: 'unreachable', message: resolved.reason.message });
    const remote = resolved.value;
    if (remote.host === null) return fail({ type: 'self', message: 'cannot follow an actor of this instance' });
    const me = await instanceActor();
    const created = await transactor.transaction(async (tx) => {
      const pair = { followerId: me.id, followingId: remote.id };
      // the Follow's id names this follow (PeerTube: <actor>/follows/<follow id>): a follow after an
      // unfollow is a new activity, not a duplicate the other side would drop
      const row = (await store.find(pair, tx)) ?? (await store.createPending(pair, (id) => `${me.url}/follows/${id}`, tx));
      if (row.state !== 'accepted') await deps.sender.send(followActivity(row), { signerActorId: me.id, inboxes: [remote.inboxUrl] }, tx);
      return row;
    });
    log.info({ host: remote.host, actor: remote.url }, 'follow requested');
    return ok(created);
  }

  async function findFollowing(hostOrHandle: string) {
    const me = await instanceActor();
    const [name = '', host = ''] = hostOrHandle.includes('@') ? hostOrHandle.split('@') : [INSTANCE_ACTOR_NAME, hostOrHandle];
    return store.findWith({ localActorId: me.id, side: 'following', preferredUsername: name, host });
  }

  async function unfollow(hostOrHandle: string): Promise<Result<void, FollowRefusal>> {
    const row = await findFollowing(hostOrHandle);
    if (!row) return fail({ type: 'not-found', message: `not following ${hostOrHandle}` });
    await transactor.transaction(async (tx) => {
      await store.remove(row.id, tx);
      const followed = followActivity(row);
      await deps.sender.send(activities.undo({ id: `${followed.id as string}/undo`, actor: row.follower.url, object: followed }), { signerActorId: row.followerId, inboxes: [row.following.inboxUrl] }, tx);
    });
    log.info({ host: row.following.host }, 'unfollowed');
    return ok(undefined);
  }

  async function findFollower(nameWithHost: string) {
    const [name, host] = nameWithHost.split('@');
    const me = await instanceActor();
    return store.findWith({ localActorId: me.id, side: 'follower', preferredUsername: name ?? '', host: host ?? '' });
  }

  /**
   * Accept or Reject of a follower's Follow, sent to the follower actor's OWN inbox: PeerTube
   * processes them only there (at its shared inbox it drops them: "Need to accept on explicit
   * inbox"). Named after this follow's row; `again` (a new Follow for a row we already had, after an
   * Undo that was lost) adds the time, so the peer, which drops ids it has seen, takes it as new.
   */
  async function answer(row: FollowWithActors, accepted: boolean, tx: Tx, again = false): Promise<void> {
    const build = accepted ? activities.accept : activities.reject;
    const id = `${urls.base}/${accepted ? 'accepts' : 'rejects'}/follows/${row.id}${again ? `/${deps.clock.now().getTime()}` : ''}`;
    await deps.sender.send(build({ id, actor: row.following.url, follow: followActivity(row) }), { signerActorId: row.followingId, inboxes: [row.follower.inboxUrl] }, tx);
  }

  return {
    follow,
    unfollow,

    async list(direction: 'following' | 'followers', q: { start: number; count: number; sort?: string | undefined; state?: FollowState | undefined }) {
      const me = await instanceActor();
      return store.page({ localActorId: me.id, direction, state: q.state || undefined, start: q.start, count: q.count, newestFirst: q.sort?.startsWith('-') ?? false });
    },

    async setFollowerState(nameWithHost: string, accepted: boolean): Promise<Result<void, FollowRefusal>> {
      const row = await findFollower(nameWithHost);
      if (!row) return fail({ type: 'not-found', message: `no follower ${nameWithHost}` });
      await transactor.transaction(async (tx) => {
        if (accepted) await store.accept(row.id, tx);
        else await store.remove(row.id, tx);
        await answer(row, accepted, tx);
      });
      return ok(undefined);
    },

    async removeFollower(nameWithHost: string): Promise<Result<void, FollowRefusal>> {
      const row = await findFollower(nameWithHost);
      if (!row) return fail({ type: 'not-found', message: `no follower ${nameWithHost}` });
      await transactor.transaction(async (tx) => {
        await store.remove(row.id, tx);
        await answer(row, false, tx);
      });
      return ok(undefined);
    },

    /** Inbound Follow of one of our actors. */
    async onFollow(input: { activityId: string; follower: ActorRecord; followingUrl: string }): Promise<'accepted' | 'pending' | 'rejected' | 'unknown-target'> {
      const target = await deps.actors.findLocalByUrl(input.followingUrl);
      if (!target) return 'unknown-target';
      const isInstance = target.preferredUsername === INSTANCE_ACTOR_NAME && target.type === 'Application';
      const state: FollowState = isInstance && !deps.config.followersEnabled ? 'rejected' : isInstance && deps.config.manualApproval ? 'pending' : 'accepted';
      await transactor.transaction(async (tx) => {
        const { follow: row, existed } = await store.recordInbound({ followerId: input.follower.id, followingId: target.id, url: input.activityId, state }, tx);
        if (state === 'rejected') {
          await answer(row, false, tx, existed);
          await store.remove(row.id, tx);
        } else if (row.state === 'accepted') {
          await answer(row, true, tx, existed);
        }
      });
      if (state === 'accepted' && isInstance && deps.config.autoFollowBack && input.follower.type === 'Application' && input.follower.host) {
        const back = await follow({ host: input.follower.host });
        if (!back.ok) log.warn({ host: input.follower.host, reason: back.reason }, 'could not follow back');
      }
      log.info({ follower: input.follower.url, state }, 'follow received');
      return state;
    },

    /** Inbound Accept or Reject of one of our Follows. */
    async onFollowAnswer(input: { remoteActor: string; followId: string | undefined; followerUrl: string | undefined; accepted: boolean }): Promise<boolean> {
      const row = await store.findOurFollowOf({ followingUrl: input.remoteActor, followerUrl: input.followerUrl || undefined, url: input.followId || undefined });
      if (!row) return false;
      if (input.accepted) await store.accept(row.id);
      else await store.remove(row.id);
      return true;
    },

    /** Inbound Undo of a Follow. */
    async onUndoFollow(input: { followerUrl: string; followingUrl: string }): Promise<boolean> {
      return (await store.removeInbound(input)) > 0;
    },

    /** Inboxes (shared where possible) of the accepted followers of these local actors. */
    async followerInboxes(localActorIds: number[]): Promise<string[]> {
      const followers = await store.acceptedFollowers(localActorIds);
      return [...new Set(followers.filter((a) => a.host !== null).map(inboxOf))];
    },

    /** Hosts we follow (accepted), for redundancy and remote video acceptance. */
    async followedHosts(): Promise<string[]> {
      const me = await instanceActor();
      const followings = await store.acceptedFollowings(me.id);
      return [...new Set(followings.map((a) => a.host).filter((h): h is string => h !== null))];
    },
  };
}

export type FollowService = ReturnType<typeof createFollowService>;
