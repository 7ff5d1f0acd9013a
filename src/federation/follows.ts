import type { Prisma } from '../db/index.js';
import type { Actor, ActorFollow, Prisma as P } from '../generated/prisma/client.js';
import type { Clock } from '../lib/clock.js';
import type { InstanceUrls } from '../lib/instance-urls.js';
import type { Logger } from '../lib/logger.js';
import { fail, ok, type Result } from '../lib/result.js';
import { INSTANCE_ACTOR_NAME } from '../accounts/index.js';

/** Resolves a remote actor (URL, `name@host` handle or bare host) to a stored Actor row. */
export interface RemoteActorResolver {
  resolve(target: { url: string } | { handle: string } | { host: string }): Promise<Result<Actor, { type: string; message: string }>>;
}

/** Sends one of our activities, durably, to inboxes (inside `tx` when given). */
export interface ActivitySender {
  send(activity: Record<string, unknown>, options: { signerActorId: number; inboxes: string[] }, tx?: P.TransactionClient): Promise<void>;
}

/** The activity builders this service uses (the vocab module's). */
export interface FollowActivities {
  follow(input: { id: string; actor: string; object: string }): Record<string, unknown>;
  accept(input: { id: string; actor: string; follow: Record<string, unknown> }): Record<string, unknown>;
  reject(input: { id: string; actor: string; follow: Record<string, unknown> }): Record<string, unknown>;
  undo(input: { id: string; actor: string; object: Record<string, unknown> }): Record<string, unknown>;
}

export type FollowRefusal = { type: 'not-found'; message: string } | { type: 'unreachable'; message: string } | { type: 'self'; message: string };

export type FollowWithActors = ActorFollow & { follower: Actor; following: Actor };

const inboxOf = (a: Actor) => a.sharedInboxUrl ?? a.inboxUrl;

/**
 * Instance following (PeerTube's /api/v1/server/following|followers) and the Follow, Accept,
 * Reject and Undo activities behind it.
 */
export function createFollowService(deps: {
  prisma: Prisma;
  clock: Clock;
  urls: InstanceUrls;
  logger: Logger;
  resolver: RemoteActorResolver;
  sender: ActivitySender;
  activities: FollowActivities;
  config: { followersEnabled: boolean; manualApproval: boolean; autoFollowBack: boolean };
}) {
  const { prisma, urls, activities } = deps;
  const log = deps.logger.child({ component: 'follows' });

  const instanceActor = () => prisma.actor.findFirstOrThrow({ where: { preferredUsername: INSTANCE_ACTOR_NAME, host: null } });
  const followActivity = (f: FollowWithActors) => activities.follow({ id: f.url ?? `${f.follower.url}/follows/${f.following.id}`, actor: f.follower.url, object: f.following.url });

  async function follow(target: { host: string } | { handle: string }): Promise<Result<FollowWithActors, FollowRefusal>> {
    const resolved = await deps.resolver.resolve(target);
    if (!resolved.ok) return fail({ type: 'unreachable', message: resolved.reason.message });
    const remote = resolved.value;
    if (remote.host === null) return fail({ type: 'self', message: 'cannot follow an actor of this instance' });
    const me = await instanceActor();
    const created = await prisma.$transaction(async (tx) => {
      const include = { follower: true, following: true } as const;
      const existing = await tx.actorFollow.findUnique({ where: { followerId_followingId: { followerId: me.id, followingId: remote.id } }, include });
      // the Follow's id names this follow (PeerTube: <actor>/follows/<follow id>): a follow after an
      // unfollow is a new activity, not a duplicate the other side would drop
      let row = existing;
      if (!row) {
        const created = await tx.actorFollow.create({ data: { followerId: me.id, followingId: remote.id, state: 'pending' } });
        row = await tx.actorFollow.update({ where: { id: created.id }, data: { url: `${me.url}/follows/${created.id}` }, include });
      }
      if (row.state !== 'accepted') await deps.sender.send(followActivity(row), { signerActorId: me.id, inboxes: [remote.inboxUrl] }, tx);
      return row;
    });
    log.info({ host: remote.host, actor: remote.url }, 'follow requested');
    return ok(created);
  }

  async function findFollowing(hostOrHandle: string) {
    const me = await instanceActor();
    const [name, host] = hostOrHandle.includes('@') ? hostOrHandle.split('@') : [INSTANCE_ACTOR_NAME, hostOrHandle];
    return prisma.actorFollow.findFirst({
      where: { followerId: me.id, following: { preferredUsername: name, host } },
      include: { follower: true, following: true },
    });
  }

  async function unfollow(hostOrHandle: string): Promise<Result<void, FollowRefusal>> {
    const row = await findFollowing(hostOrHandle);
    if (!row) return fail({ type: 'not-found', message: `not following ${hostOrHandle}` });
    await prisma.$transaction(async (tx) => {
      await tx.actorFollow.delete({ where: { id: row.id } });
      const followed = followActivity(row);
      await deps.sender.send(activities.undo({ id: `${followed.id as string}/undo`, actor: row.follower.url, object: followed }), { signerActorId: row.followerId, inboxes: [row.following.inboxUrl] }, tx);
    });
    log.info({ host: row.following.host }, 'unfollowed');
    return ok(undefined);
  }

  async function findFollower(nameWithHost: string) {
    const [name, host] = nameWithHost.split('@');
    const me = await instanceActor();
    return prisma.actorFollow.findFirst({
      where: { followingId: me.id, follower: { preferredUsername: name, host: host ?? '' } },
      include: { follower: true, following: true },
    });
  }

  /**
   * Accept or Reject of a follower's Follow, sent to the follower actor's OWN inbox: PeerTube
   * processes them only there (at its shared inbox it drops them: "Need to accept on explicit
   * inbox"). Named after this follow's row; `again` (a new Follow for a row we already had, after an
   * Undo that was lost) adds the time, so the peer, which drops ids it has seen, takes it as new.
   */
  async function answer(row: FollowWithActors, accepted: boolean, tx: P.TransactionClient, again = false): Promise<void> {
    const build = accepted ? activities.accept : activities.reject;
    const id = `${urls.base}/${accepted ? 'accepts' : 'rejects'}/follows/${row.id}${again ? `/${deps.clock.now().getTime()}` : ''}`;
    await deps.sender.send(build({ id, actor: row.following.url, follow: followActivity(row) }), { signerActorId: row.followingId, inboxes: [row.follower.inboxUrl] }, tx);
  }

  return {
    follow,
    unfollow,

    async list(direction: 'following' | 'followers', q: { start: number; count: number; sort?: string | undefined; state?: string | undefined }) {
      const me = await instanceActor();
      const where: P.ActorFollowWhereInput = {
        ...(direction === 'following' ? { followerId: me.id } : { followingId: me.id }),
        ...(q.state ? { state: q.state } : {}),
      };
      const desc = q.sort?.startsWith('-') ?? false;
      const [data, total] = await prisma.$transaction([
        prisma.actorFollow.findMany({ where, skip: q.start, take: q.count, orderBy: [{ createdAt: desc ? 'desc' : 'asc' }, { id: 'asc' }], include: { follower: true, following: true } }),
        prisma.actorFollow.count({ where }),
      ]);
      return { total, data };
    },

    async setFollowerState(nameWithHost: string, accepted: boolean): Promise<Result<void, FollowRefusal>> {
      const row = await findFollower(nameWithHost);
      if (!row) return fail({ type: 'not-found', message: `no follower ${nameWithHost}` });
      await prisma.$transaction(async (tx) => {
        if (accepted) await tx.actorFollow.update({ where: { id: row.id }, data: { state: 'accepted' } });
        else await tx.actorFollow.delete({ where: { id: row.id } });
        await answer(row, accepted, tx);
      });
      return ok(undefined);
    },

    async removeFollower(nameWithHost: string): Promise<Result<void, FollowRefusal>> {
      const row = await findFollower(nameWithHost);
      if (!row) return fail({ type: 'not-found', message: `no follower ${nameWithHost}` });
      await prisma.$transaction(async (tx) => {
        await tx.actorFollow.delete({ where: { id: row.id } });
        await answer(row, false, tx);
      });
      return ok(undefined);
    },

    /** Inbound Follow of one of our actors. */
    async onFollow(input: { activityId: string; follower: Actor; followingUrl: string }): Promise<'accepted' | 'pending' | 'rejected' | 'unknown-target'> {
      const target = await prisma.actor.findFirst({ where: { url: input.followingUrl, host: null } });
      if (!target) return 'unknown-target';
      const isInstance = target.preferredUsername === INSTANCE_ACTOR_NAME && target.type === 'Application';
      const state = isInstance && !deps.config.followersEnabled ? 'rejected' : isInstance && deps.config.manualApproval ? 'pending' : 'accepted';
      await prisma.$transaction(async (tx) => {
        const had = await tx.actorFollow.findUnique({ where: { followerId_followingId: { followerId: input.follower.id, followingId: target.id } }, select: { id: true } });
        const row = await tx.actorFollow.upsert({
          where: { followerId_followingId: { followerId: input.follower.id, followingId: target.id } },
          create: { followerId: input.follower.id, followingId: target.id, state: state === 'rejected' ? 'rejected' : state, url: input.activityId },
          update: { url: input.activityId, ...(state === 'accepted' ? { state } : {}) },
          include: { follower: true, following: true },
        });
        if (state === 'rejected') {
          await answer(row, false, tx, had !== null);
          await tx.actorFollow.delete({ where: { id: row.id } });
        } else if (row.state === 'accepted') {
          await answer(row, true, tx, had !== null);
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
      const row = await prisma.actorFollow.findFirst({
        where: {
          following: { url: input.remoteActor },
          follower: { host: null, ...(input.followerUrl ? { url: input.followerUrl } : {}) },
          ...(input.followId ? { url: input.followId } : {}),
        },
      });
      if (!row) return false;
      if (input.accepted) await prisma.actorFollow.update({ where: { id: row.id }, data: { state: 'accepted' } });
      else await prisma.actorFollow.delete({ where: { id: row.id } });
      return true;
    },

    /** Inbound Undo of a Follow. */
    async onUndoFollow(input: { followerUrl: string; followingUrl: string }): Promise<boolean> {
      const { count } = await prisma.actorFollow.deleteMany({ where: { follower: { url: input.followerUrl }, following: { url: input.followingUrl, host: null } } });
      return count > 0;
    },

    /** Inboxes (shared where possible) of the accepted followers of these local actors. */
    async followerInboxes(localActorIds: number[]): Promise<string[]> {
      const rows = await prisma.actorFollow.findMany({ where: { followingId: { in: localActorIds }, state: 'accepted' }, include: { follower: true } });
      return [...new Set(rows.filter((r) => r.follower.host !== null).map((r) => inboxOf(r.follower)))];
    },

    /** Hosts we follow (accepted), for redundancy and remote video acceptance. */
    async followedHosts(): Promise<string[]> {
      const me = await instanceActor();
      const rows = await prisma.actorFollow.findMany({ where: { followerId: me.id, state: 'accepted' }, include: { following: true } });
      return [...new Set(rows.map((r) => r.following.host).filter((h): h is string => h !== null))];
    },
  };
}

export type FollowService = ReturnType<typeof createFollowService>;
