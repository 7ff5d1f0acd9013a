import type { FollowService, RemoteActorResolver } from '../follows/follows.js';
import type { VideoImporter } from '../import/video-importer.js';
import type { InboxDispatcher } from './inbox-dispatcher.js';
import type { ActivityHandler, HandlerOutcome, InboundActivity } from './process-activity.js';

export type { ParsedRemoteVideo } from '../import/remote-videos.js';

/** The videos the inbox handlers look up. */
export interface InboxVideoStore {
  /** whether a video (ours or remote) with this URL is stored */
  isKnown(url: string): Promise<boolean>;
  /** the owners (channel's and account's actor ids) of our video among these URLs, if one is ours */
  localVideoOwners(urls: string[]): Promise<{ channelActorId: number; accountActorId: number } | null>;
}

export interface ActivityHandlerDeps {
  videos: InboxVideoStore;
  follows: FollowService;
  resolver: RemoteActorResolver;
  importer: VideoImporter;
  /** wraps the Accept handler (an accepted follow brings the followed actor's back catalogue) */
  afterAccept?(handler: ActivityHandler): ActivityHandler;
}

const idOf = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'object' && v !== null && typeof (v as { id?: unknown }).id === 'string' ? (v as { id: string }).id : undefined;
const hostOf = (url: string) => new URL(url).host;
const processed: HandlerOutcome = { status: 'processed' };
const skipped = (why: string): HandlerOutcome => ({ status: 'skipped', why });

/**
 * Federation's own inbox handlers (follows, remote videos, deletes, announces), registered in the
 * inbox's dispatch table. Other areas register theirs: ratings (Like, Dislike, their Undo), views
 * (View), comments (Create Note, Delete of a comment, ApproveReply), redundancy (CacheFile).
 */
export function registerFederationHandlers(inbox: InboxDispatcher, deps: ActivityHandlerDeps): void {
  const { videos, follows } = deps;

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

  const followAnswer =
    (accepted: boolean): ActivityHandler =>
    async (activity) => {
      const object = activity.parsed.object;
      const done = await follows.onFollowAnswer({
        remoteActor: activity.actor,
        followId: idOf(object),
        followerUrl: typeof object === 'object' ? idOf(object.actor) : undefined,
        accepted,
      });
      return done ? processed : skipped('no matching follow');
    };

  inbox.on('Follow', async (activity) => {
    const target = idOf(activity.parsed.object);
    if (!target) return skipped('Follow without object');
    const follower = await deps.resolver.resolve({ url: activity.actor });
    if (!follower.ok) throw new Error(`cannot resolve follower ${activity.actor}: ${follower.reason.message}`);
    const state = await follows.onFollow({ activityId: activity.id, follower: follower.value, followingUrl: target });
    return state === 'unknown-target' ? skipped('follow of an unknown actor') : processed;
  });

  const accept = followAnswer(true);
  inbox.on('Accept', deps.afterAccept ? deps.afterAccept(accept) : accept);
  inbox.on('Reject', followAnswer(false));

  inbox.on('Undo', 'Follow', async (activity) => {
    const object = activity.parsed.object;
    const following = typeof object === 'object' ? idOf(object.object) : undefined;
    if (!following) return skipped('Undo Follow without object');
    return (await follows.onUndoFollow({ followerUrl: activity.actor, followingUrl: following })) ? processed : skipped('no such follow');
  });

  inbox.on('Create', 'Video', (activity) => importVideo(activity, activity.parsed.object));
  inbox.on('Update', 'Video', (activity) => importVideo(activity, activity.parsed.object));

  // a Delete names a URL: our copy of a remote video here; other areas' objects through inbox.orElse
  inbox.on('Delete', async (activity) => {
    const target = idOf(activity.parsed.object);
    if (!target) return skipped('Delete without object');
    if (await deps.importer.remove(target, activity.actor)) return processed;
    return skipped('nothing of ours to delete');
  });

  inbox.on('Announce', async (activity) => {
    const target = idOf(activity.parsed.object);
    if (!target) return skipped('Announce without object');
    if (await videos.isKnown(target)) return skipped('already known');
    return importVideo(activity, activity.parsed.object);
  });
}
