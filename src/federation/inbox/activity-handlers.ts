import type { Logger } from '../../lib/logger.js';
import type { FollowService, RemoteActorResolver } from '../follows.js';
import type { RemoteVideoInput } from '../remote-videos.js';
import type { VideoImporter } from '../video-importer.js';
import { handlerFor, type ActivityHandler, type HandlerOutcome, type InboundActivity } from './process-activity.js';

/** The parsed remote Video with the URLs of its owners (attributedTo Person and Group). */
export type ParsedRemoteVideo = RemoteVideoInput & { accountUrl: string; channelUrl: string };

/** The videos the inbox handlers look up and rate. */
export interface InboxVideoStore {
  /** whether a video (ours or remote) with this URL is stored */
  isKnown(url: string): Promise<boolean>;
  /** the id of our video with this URL */
  findLocalId(url: string): Promise<number | null>;
  /** adds `delta` to a video's likes or dislikes */
  addRate(videoId: number, field: 'likes' | 'dislikes', delta: 1 | -1): Promise<void>;
  /** the owners (channel's and account's actor ids) of our video among these URLs, if one is ours */
  localVideoOwners(urls: string[]): Promise<{ channelActorId: number; accountActorId: number } | null>;
}

export interface ActivityHandlerDeps {
  videos: InboxVideoStore;
  logger: Logger;
  follows: FollowService;
  resolver: RemoteActorResolver;
  importer: VideoImporter;
  /** counts a view of one of our videos (and schedules its federation) */
  addLocalView(videoId: number): Promise<void>;
  /** handlers added by other areas (CacheFile for redundancy, ...) */
  extra?: Partial<Record<string, ActivityHandler>>;
}

const idOf = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'object' && v !== null && typeof (v as { id?: unknown }).id === 'string' ? (v as { id: string }).id : undefined;
const typeOf = (v: unknown): string | undefined =>
  typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string' ? (v as { type: string }).type : undefined;
const hostOf = (url: string) => new URL(url).host;
const processed: HandlerOutcome = { status: 'processed' };
const skipped = (why: string): HandlerOutcome => ({ status: 'skipped', why });

/** One handler per activity type (PeerTube's set). */
export function createActivityHandlers(deps: ActivityHandlerDeps): Record<string, ActivityHandler> {
  const { videos, follows } = deps;
  // untrusted type names: own entries only (handlerFor)
  const extraFor = (key: string) => (deps.extra ? handlerFor(deps.extra, key) : undefined);

  /** Stores a remote video from its object (embedded or fetched), if it comes from a host we follow. */
  async function importVideo(activity: InboundActivity, object: unknown): Promise<HandlerOutcome> {
    const url = idOf(object);
    if (!url) return skipped('video without id');
    const origin = hostOf(url);
    if (origin !== hostOf(activity.actor)) return skipped('video of another host than the actor');
    const known = await videos.isKnown(url);
    if (!known && !(await follows.followedHosts()).includes(origin)) return skipped(`not following ${origin}`);
    const imported = typeof object === 'string' ? await deps.importer.importUrl(url) : await deps.importer.importObject(object, url);
    if (imported.ok) return processed;
    // a remote that is down or an owner we cannot fetch now: retry later; a bad object: skip
    if (imported.reason.type === 'invalid-video' || imported.reason.type === 'origin-mismatch') return skipped(imported.reason.message);
    throw new Error(imported.reason.message);
  }

  async function localVideoId(url: string | undefined) {
    if (!url) return null;
    return videos.findLocalId(url);
  }

  async function rate(activity: InboundActivity, field: 'likes' | 'dislikes', delta: 1 | -1): Promise<HandlerOutcome> {
    const target = activity.type === 'Undo' ? idOf((activity.body.object as Record<string, unknown>)?.object) : idOf(activity.body.object);
    const videoId = await localVideoId(target);
    if (videoId === null) return skipped('not one of our videos');
    await videos.addRate(videoId, field, delta);
    return processed;
  }

  /** a handler another area registered for `key` (looked up at dispatch: areas register after this table is built) */
  const registered = (key: string): ActivityHandler | undefined => deps.extra?.[key];

  const handlers: Record<string, ActivityHandler> = {
    async Follow(activity) {
      const target = idOf(activity.body.object);
      if (!target) return skipped('Follow without object');
      const follower = await deps.resolver.resolve({ url: activity.actor });
      if (!follower.ok) throw new Error(`cannot resolve follower ${activity.actor}: ${follower.reason.message}`);
      const state = await follows.onFollow({ activityId: activity.id, follower: follower.value, followingUrl: target });
      return state === 'unknown-target' ? skipped('follow of an unknown actor') : processed;
    },

    async Accept(activity) {
      const object = activity.body.object;
      const done = await follows.onFollowAnswer({ remoteActor: activity.actor, followId: idOf(object), followerUrl: idOf((object as Record<string, unknown>)?.actor), accepted: true });
      return done ? processed : skipped('no matching follow');
    },

    async Reject(activity) {
      const object = activity.body.object;
      const done = await follows.onFollowAnswer({ remoteActor: activity.actor, followId: idOf(object), followerUrl: idOf((object as Record<string, unknown>)?.actor), accepted: false });
      return done ? processed : skipped('no matching follow');
    },

    async Undo(activity, ctx) {
      const object = activity.body.object;
      switch (typeOf(object)) {
        case 'Follow': {
          const following = idOf((object as Record<string, unknown>).object);
          if (!following) return skipped('Undo Follow without object');
          return (await follows.onUndoFollow({ followerUrl: activity.actor, followingUrl: following })) ? processed : skipped('no such follow');
        }
        case 'Like':
          return registered('Undo:Like')?.(activity, ctx) ?? rate(activity, 'likes', -1);
        case 'Dislike':
          return registered('Undo:Dislike')?.(activity, ctx) ?? rate(activity, 'dislikes', -1);
        default: {
          const extra = extraFor(`Undo:${typeOf(object) ?? ''}`) ?? extraFor(`Undo:${typeOf((object as Record<string, unknown>)?.object) ?? ''}`);
          return extra ? extra(activity, ctx) : skipped(`Undo of ${typeOf(object) ?? 'an unknown object'} is not handled`);
        }
      }
    },

    async Create(activity, ctx) {
      const object = activity.body.object;
      if (typeOf(object) === 'Video') return importVideo(activity, object);
      const extra = extraFor(`Create:${typeOf(object) ?? ''}`);
      return extra ? extra(activity, ctx) : skipped(`Create of ${typeOf(object) ?? 'an unknown object'} is not handled`);
    },

    async Update(activity, ctx) {
      const object = activity.body.object;
      if (typeOf(object) === 'Video') return importVideo(activity, object);
      const extra = extraFor(`Update:${typeOf(object) ?? ''}`);
      return extra ? extra(activity, ctx) : skipped(`Update of ${typeOf(object) ?? 'an unknown object'} is not handled`);
    },

    async Delete(activity, ctx) {
      const target = idOf(activity.body.object);
      if (!target) return skipped('Delete without object');
      if (await deps.importer.remove(target, activity.actor)) return processed;
      return registered('Delete:other')?.(activity, ctx) ?? skipped('nothing of ours to delete');
    },

    async Announce(activity) {
      const target = idOf(activity.body.object);
      if (!target) return skipped('Announce without object');
      if (await videos.isKnown(target)) return skipped('already known');
      return importVideo(activity, activity.body.object);
    },

    async View(activity, ctx) {
      const other = registered('View');
      if (other) return other(activity, ctx);
      const videoId = await localVideoId(idOf(activity.body.object));
      if (videoId === null) return skipped('not one of our videos');
      await deps.addLocalView(videoId);
      return processed;
    },

    Like: (activity, ctx) => registered('Like')?.(activity, ctx) ?? rate(activity, 'likes', 1),
    Dislike: (activity, ctx) => registered('Dislike')?.(activity, ctx) ?? rate(activity, 'dislikes', 1),
    ApproveReply: (activity, ctx) => registered('ApproveReply')?.(activity, ctx) ?? Promise.resolve(skipped('ApproveReply is not handled')),
  };
  return handlers;
}
